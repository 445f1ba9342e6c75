/**
 * `audience sql` for inputs in database tables (`{ query: }` / `{ table: }`, SPEC §11): the script
 * the BUILT CLI prints, as it is, must read the configured tables and return exactly the members
 * `audience build` writes from the same tables (the memory engine, reading them over `pg`):
 *
 * - the demo shop (fixtures/demo, the bundled library) and two seeded demo shops, loaded into a
 *   throwaway PostgreSQL server as text tables, run there through `psql -f` and in DuckDB (the
 *   same tables loaded into it), with and without --exclusive. Their phone columns are left out
 *   by the queries (E.164 needs libphonenumber: the script's check refuses them), and the RFM cut
 *   points are fixed (quintiles are refused);
 * - the refusals: a phone cell stops the script with its check's message, RFM quintiles and a mix
 *   of files and tables are refused before printing, exit 1, located;
 * - bigquery and snowflake scripts of the demo shop parse with node-sql-parser.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { parse } from "csv-parse/sync";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify } from "yaml";
import { readCsv } from "../src/io/csv-threads.js";
import { writeDemoShop } from "./helpers/demo-shop.js";
import { postgresBin, startPostgres, type TestPostgres } from "./helpers/postgres.js";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

const exec = promisify(execFile);
const KINDS = ["contacts", "orders", "events", "lists"] as const;
const server = postgresBin();
const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (v: string) => `'${v.replace(/'/g, "''")}'`;
const RFM = { recency: [30, 90, 180, 365], frequency: [1, 2, 3, 5], monetary: [50, 100, 200, 400] };

interface Shop {
  name: string;
  dir: string;
  headers: Partial<Record<(typeof KINDS)[number], string[]>>;
  rows: Partial<Record<(typeof KINDS)[number], string[][]>>;
}

async function csvCells(path: string): Promise<{ header: string[]; rows: string[][] }> {
  let header: string[] = [];
  const rows: string[][] = [];
  await readCsv(
    { path, display: path },
    {
      header: (fields) => {
        header = fields;
      },
      row: (fields) => {
        rows.push(header.map((_, i) => fields[i] ?? ""));
      },
    },
  );
  return { header, rows };
}

async function readShopFiles(name: string, dir: string): Promise<Shop> {
  const config = parseYaml(readFileSync(join(dir, "audience.yaml"), "utf8")) as Record<
    string,
    unknown
  >;
  const shop: Shop = { name, dir, headers: {}, rows: {} };
  for (const kind of KINDS) {
    const file = config[kind];
    if (typeof file !== "string") continue;
    const { header, rows } = await csvCells(join(dir, file));
    shop.headers[kind] = header;
    shop.rows[kind] = rows;
  }
  return shop;
}

/** `schema.kind (_row, columns… text)` in PostgreSQL (`run` a statement) or DuckDB. */
async function loadTables(shop: Shop, run: (sql: string) => Promise<unknown>): Promise<void> {
  await run(`CREATE SCHEMA ${shop.name}`);
  for (const kind of KINDS) {
    const header = shop.headers[kind];
    if (header === undefined) continue;
    await run(
      `CREATE TABLE ${shop.name}.${kind} (_row integer, ${header.map((h) => `${q(h)} text`).join(", ")})`,
    );
    const rows = shop.rows[kind] ?? [];
    for (let start = 0; start < rows.length; start += 500) {
      const tuples = rows
        .slice(start, start + 500)
        .map((row, i) => `(${start + i + 1}, ${row.map(literal).join(", ")})`);
      await run(`INSERT INTO ${shop.name}.${kind} VALUES ${tuples.join(", ")}`);
    }
  }
}

/** The shop's config with its inputs as queries leaving out the phone columns. */
async function tableConfig(
  shop: Shop,
  into: string,
  options: { phones?: boolean; rfm?: boolean } = {},
): Promise<string> {
  const config = parseYaml(await readFile(join(shop.dir, "audience.yaml"), "utf8")) as Record<
    string,
    unknown
  >;
  for (const kind of KINDS) {
    const header = shop.headers[kind];
    if (header === undefined) continue;
    const columns = header.filter((h) => options.phones === true || h !== "phone");
    config[kind] = {
      query: `SELECT ${columns.map(q).join(", ")} FROM ${shop.name}.${kind} ORDER BY _row`,
    };
  }
  const segments = config.segments;
  if (segments !== undefined)
    config.segments = (Array.isArray(segments) ? segments : [segments]).map((s) =>
      resolve(shop.dir, String(s)),
    );
  if (options.rfm !== false) config.rfm = RFM;
  config.database = "env:AUDIENCE_TEST_DATABASE";
  const file = join(into, `${shop.name}-${options.phones === true ? "phones" : "tables"}.yaml`);
  await writeFile(file, stringify(config));
  return file;
}

/** segment → sorted customer keys of the files `audience build --format generic` writes. */
async function built(config: string, env: Record<string, string>, exclusive: boolean) {
  const out = await mkdtemp(join(tmpdir(), "audience-script-build-"));
  try {
    const args = ["build", "--config", config, "--out", out, "--format", "generic", "--quiet"];
    const run = await runCli(exclusive ? [...args, "--exclusive"] : args, { env });
    expect(run.code, run.stderr).toBe(0);
    const members: string[] = [];
    for (const name of (await readdir(out)).filter((n) => n.endsWith(".csv"))) {
      const rows = parse(await readFile(join(out, name), "utf8"), { bom: true }) as string[][];
      for (const row of rows.slice(1)) members.push(`${name.slice(0, -4)},${row[0]}`);
    }
    return members.sort();
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

describe.skipIf("missing" in server)(
  "audience sql reading the configured tables, run in PostgreSQL (psql) and DuckDB",
  () => {
    let pgServer: TestPostgres;
    let client: pg.Client;
    let instance: DuckDBInstance;
    let duck: Awaited<ReturnType<DuckDBInstance["connect"]>>;
    let work: string;
    const shops: Shop[] = [];
    let env: Record<string, string>;

    beforeAll(async () => {
      pgServer = await startPostgres();
      env = { AUDIENCE_TEST_DATABASE: pgServer.url };
      client = new pg.Client({ connectionString: pgServer.url });
      await client.connect();
      instance = await DuckDBInstance.create(":memory:");
      duck = await instance.connect();
      work = await mkdtemp(join(tmpdir(), "audience-script-"));
      shops.push(await readShopFiles("demo", join(REPO_ROOT, "fixtures", "demo")));
      for (const seed of [3, 8]) {
        const dir = join(work, `seed${seed}`);
        await import("node:fs/promises").then((fs) => fs.mkdir(dir));
        await writeDemoShop(dir, { seed, contacts: 400, segments: join(REPO_ROOT, "segments") });
        shops.push(await readShopFiles(`seed${seed}`, dir));
      }
      for (const shop of shops) {
        await loadTables(shop, (sql) => client.query(sql));
        await loadTables(shop, (sql) => duck.run(sql));
      }
    }, 240_000);

    afterAll(async () => {
      await client?.end();
      duck?.closeSync();
      await pgServer?.stop();
      if (work !== undefined) await rm(work, { recursive: true, force: true });
    });

    const psql = async (script: string): Promise<string[]> => {
      const file = join(work, "audiences.sql");
      await writeFile(file, script);
      const { stdout } = await exec(
        join((server as { bin: string }).bin, "psql"),
        [pgServer.url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--csv", "-f", file],
        { maxBuffer: 1 << 26 },
      );
      const rows = parse(stdout, { columns: true }) as Record<string, string>[];
      return rows.map((r) => `${r.segment},${r.customer_key}`).sort();
    };

    const duckdb = async (script: string): Promise<string[]> => {
      // A session of its own: the script's temporary tables are the connection's.
      const session = await instance.connect();
      const result = await session.runAndReadAll(script).finally(() => session.closeSync());
      return (result.getRowObjectsJson() as Record<string, unknown>[])
        .map((r) => `${String(r.segment)},${String(r.customer_key)}`)
        .sort();
    };

    for (const name of ["demo", "seed3", "seed8"]) {
      it(`${name}: the members audience build writes from the same tables`, async () => {
        const shop = shops.find((s) => s.name === name) as Shop;
        const config = await tableConfig(shop, work);
        for (const exclusive of [false, true]) {
          const want = await built(config, env, exclusive);
          expect(want.length).toBeGreaterThan(100);
          for (const dialect of ["postgres", "duckdb"] as const) {
            const args = ["sql", "--dialect", dialect, "--config", config];
            const run = await runCli(exclusive ? [...args, "--exclusive"] : args, { env });
            expect(run.stderr).toBe("");
            expect(run.code).toBe(0);
            const got = dialect === "postgres" ? await psql(run.stdout) : await duckdb(run.stdout);
            expect({ name, dialect, exclusive, got }).toEqual({
              name,
              dialect,
              exclusive,
              got: want,
            });
          }
        }
      }, 300_000);
    }

    it("the README's shop (typed tables: timestamptz, numeric, boolean, integer keys)", async () => {
      const dir = join(REPO_ROOT, "fixtures", "database");
      const sql = await readFile(join(dir, "shop.sql"), "utf8");
      await client.query(sql);
      // DuckDB reads the same file but for the foreign key naming no column.
      await duck.run(sql.replace(/ REFERENCES shop\.customers/, ""));
      const config = parseYaml(await readFile(join(dir, "shop.audience.yaml"), "utf8")) as Record<
        string,
        unknown
      >;
      config.contacts = {
        query:
          "SELECT id, email, first_name, accepts_email, signed_up_at FROM shop.customers ORDER BY id",
      };
      config.segments = join(dir, "segments.yaml");
      config.database = "env:AUDIENCE_TEST_DATABASE";
      const file = join(work, "database-shop.yaml");
      await writeFile(file, stringify(config));
      const want = await built(file, env, false);
      expect(want).toEqual(["one-time-buyers,2", "repeat-buyers,1"]);
      for (const dialect of ["postgres", "duckdb"] as const) {
        const run = await runCli(["sql", "--dialect", dialect, "--config", file], { env });
        expect(run.code, run.stderr).toBe(0);
        expect(await (dialect === "postgres" ? psql(run.stdout) : duckdb(run.stdout))).toEqual(
          want,
        );
      }
    });

    it("a phone cell stops the script at its check, in both databases", async () => {
      const config = await tableConfig(shops[0], work, { phones: true });
      for (const dialect of ["postgres", "duckdb"] as const) {
        const run = await runCli(["sql", "--dialect", dialect, "--config", config], { env });
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toContain(
          "a phone cell: phones are normalised to E.164 by libphonenumber",
        );
        const failure = dialect === "postgres" ? psql(run.stdout) : duckdb(run.stdout);
        await expect(failure).rejects.toThrow(
          /audience sql check 1 failed in contacts \(query \(contacts\)\): a phone cell/,
        );
      }
    });

    it("RFM quintiles are refused before printing, located at the segment", async () => {
      const config = await tableConfig(shops[0], work, { rfm: false });
      const run = await runCli(["sql", "--dialect", "postgres", "--config", config], { env });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(
        /\.yaml:\d+:\d+: segment "[^"]+" reads rfm_\w+, scored on the buyers'/,
      );
    });

    it("bigquery and snowflake: refused for table inputs, located, exit 1", async () => {
      const config = await tableConfig(shops[0], work);
      for (const dialect of ["bigquery", "snowflake"] as const) {
        const run = await runCli(["sql", "--dialect", dialect, "--config", config], { env });
        expect(run.code).toBe(1);
        expect(run.stdout).toBe("");
        expect(run.stderr).toMatch(
          new RegExp(
            `\\.yaml:\\d+:\\d+: contacts is read from a table: audience sql reads tables in the duckdb and postgres dialects only .*no ${dialect} form`,
          ),
        );
      }
    });

    it("a mix of files and tables is refused before printing", async () => {
      const config = await tableConfig(shops[0], work);
      const text = (await readFile(config, "utf8")).replace(
        /^lists:(\n {2}.*)+/m,
        `lists: ${join(shops[0].dir, "lists.csv")}`,
      );
      const mixed = join(work, "mixed.yaml");
      await writeFile(mixed, text);
      const run = await runCli(["sql", "--dialect", "postgres", "--config", mixed], { env });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/lists is a file, the other inputs are tables/);
    });
  },
);
