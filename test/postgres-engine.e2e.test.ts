/**
 * `engine: postgres` (docs/design.md#engines) against a real throwaway server
 * (test/helpers/postgres.ts), one cluster for the whole file: identity, profiles, RFM, aggregates
 * and segments run as SQL in the server, in temporary tables, and the BUILT CLI must write
 * byte-identical files to the memory engine's — every fixture shop with a config and the demo
 * shop, every output format, with the inputs as CSV files and as text tables (`{ table: … }`,
 * read in the run's read-only snapshot). The run leaves no table behind, never shows the
 * password, and says in one line what it cannot do.
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { stringify as csvStringify } from "csv-stringify/sync";
import { parseIsoDay } from "../src/calendar.js";
import { DEMO_HEADERS, generateShop, type DemoFile } from "../src/demo/generate.js";
import { Random } from "../src/demo/random.js";
import { readCsv } from "../src/io/csv-threads.js";
import { OUTPUT_FORMATS } from "../src/segments/definition.js";
import { postgresBin, startPostgres, type TestPostgres } from "./helpers/postgres.js";
import { writeHostileShop } from "./helpers/hostile-shop.js";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

const KINDS = ["contacts", "orders", "events", "lists"] as const;
/** Fixture shops read from files in the repository (cdnow reads the shared data folder). */
const FIXTURES = readdirSync(join(REPO_ROOT, "fixtures")).filter(
  (name) => name !== "cdnow" && existsSync(join(REPO_ROOT, "fixtures", name, "audience.yaml")),
);
/** The files of a build that name its engine or inputs (and so differ): everything else is equal. */
const NAMING = new Set(["manifest.json", "report.html", "history.jsonl"]);
const ROWS_PER_INSERT = 200;

const server = postgresBin();
const LIBRARY = join(REPO_ROOT, "segments");

/** Cells that PostgreSQL arrays and texts must carry unchanged (quotes, braces, backslashes…). */
const HOSTILE = [
  'with "quotes"',
  "back\\slash",
  "{brace,comma}",
  "NULL",
  "null",
  "a,b;c\td",
  "line\nbreak",
  "😀 ünïcödé",
  "\uFEFFbom",
  "  padded  ",
  "=SUM(A1)",
  "",
];

/** A seeded demo shop with hostile cells mixed into every column but the currency. */
async function writeHostileCells(dir: string, seed: number): Promise<void> {
  const random = new Random(seed);
  const shop = generateShop({ contacts: 80, seed, asOf: parseIsoDay("2026-06-30") as number });
  const lines: string[] = [];
  for (const file of Object.keys(DEMO_HEADERS) as DemoFile[]) {
    const currency = file === "orders" ? DEMO_HEADERS.orders.indexOf("currency") : -1;
    const rows = shop[file].map((row) =>
      row.map((cell, i) =>
        i !== currency && random.next() < 0.08 ? HOSTILE[random.int(0, HOSTILE.length - 1)] : cell,
      ),
    );
    await writeFile(join(dir, `${file}.csv`), csvStringify([[...DEMO_HEADERS[file]], ...rows]));
    lines.push(`${file}: ${file}.csv`);
  }
  lines.push(`segments: ${JSON.stringify(LIBRARY)}`, "timezone: Europe/Paris", "as_of: 2026-06-30");
  await writeFile(join(dir, "audience.yaml"), `${lines.join("\n")}\n`);
}
const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Loads a fixture's CSV inputs, cells exactly as audience reads them, into `pe_<name>.<kind>`. */
async function loadTextTables(client: pg.Client, name: string): Promise<string> {
  const dir = join(REPO_ROOT, "fixtures", name);
  const config = parse(await readFile(join(dir, "audience.yaml"), "utf8")) as Record<
    string,
    unknown
  >;
  const schema = `pe_${name.replace(/[^a-z0-9]/g, "_")}`;
  await client.query(`CREATE SCHEMA ${schema}`);
  for (const kind of KINDS) {
    const file = config[kind];
    if (typeof file !== "string") continue;
    let header: string[] = [];
    const rows: string[][] = [];
    await readCsv(
      { path: join(dir, file), display: file },
      {
        header: (fields) => {
          header = fields;
        },
        row: (fields) => {
          rows.push(fields.slice(0, header.length));
        },
      },
    );
    await client.query(
      `CREATE TABLE ${schema}.${kind} (_row integer PRIMARY KEY, ${header.map((h) => `${q(h)} text`).join(", ")})`,
    );
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      const params: unknown[] = [];
      const tuples = rows.slice(start, start + ROWS_PER_INSERT).map((row, i) => {
        params.push(start + i + 1);
        const marks = [`$${params.length}`];
        for (let c = 0; c < header.length; c++) {
          params.push(row[c] ?? "");
          marks.push(`$${params.length}`);
        }
        return `(${marks.join(", ")})`;
      });
      await client.query(`INSERT INTO ${schema}.${kind} VALUES ${tuples.join(", ")}`, params);
    }
  }
  return schema;
}

/** The fixture's config with its inputs as queries on the text tables (the key column left out). */
async function tableConfig(name: string, schema: string, client: pg.Client, into: string) {
  const dir = join(REPO_ROOT, "fixtures", name);
  const config = parse(await readFile(join(dir, "audience.yaml"), "utf8")) as Record<
    string,
    unknown
  >;
  for (const kind of KINDS) {
    if (typeof config[kind] !== "string") continue;
    const columns = await client.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name <> '_row' ORDER BY ordinal_position`,
      [schema, kind],
    );
    config[kind] = {
      query: `SELECT ${columns.rows.map((c) => q(c.column_name)).join(", ")} FROM ${schema}.${kind} ORDER BY _row`,
    };
  }
  const segments = config.segments;
  if (segments !== undefined)
    config.segments = (Array.isArray(segments) ? segments : [segments]).map((s) =>
      resolve(dir, String(s)),
    );
  config.database = "env:AUDIENCE_TEST_DATABASE";
  const file = join(into, "tables.yaml");
  await writeFile(file, stringify(config));
  return file;
}

async function outputFiles(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || NAMING.has(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path.slice(dir.length + 1), await readFile(path));
  }
  return files;
}

function expectSameFiles(want: Map<string, Buffer>, got: Map<string, Buffer>, where: string): void {
  expect(want.size, where).toBeGreaterThan(0);
  expect([...got.keys()].sort(), where).toEqual([...want.keys()].sort());
  for (const [file, bytes] of want)
    expect(got.get(file)?.equals(bytes), `${where} ${file}`).toBe(true);
}

describe.skipIf("missing" in server)(
  `engine: postgres${"missing" in server ? ` — skipped: ${server.missing}` : ""}`,
  () => {
    let pgServer: TestPostgres;
    let admin: pg.Client;
    let work: string;
    let env: Record<string, string>;
    const schemas = new Map<string, string>();

    beforeAll(async () => {
      pgServer = await startPostgres();
      work = await mkdtemp(join(tmpdir(), "audience-pg-engine-"));
      admin = new pg.Client({ connectionString: pgServer.url });
      await admin.connect();
      for (const name of FIXTURES) schemas.set(name, await loadTextTables(admin, name));
      env = { AUDIENCE_TEST_DATABASE: pgServer.url };
    }, 300_000);
    afterAll(async () => {
      await admin?.end();
      await pgServer?.stop();
      if (work !== undefined) await rm(work, { recursive: true, force: true });
    });

    it.each(FIXTURES)(
      "fixtures/%s: CSV files and tables through engine postgres give the memory engine's files, in every format",
      async (name) => {
        const shopDir = join(REPO_ROOT, "fixtures", name);
        const config = join(shopDir, "audience.yaml");
        const own = /^segments:/m.test(await readFile(config, "utf8"));
        const dir = join(work, name);
        await mkdir(dir, { recursive: true });
        const tables = await tableConfig(name, schemas.get(name) as string, admin, dir);
        const library = own ? [] : ["--segments", join(REPO_ROOT, "segments")];
        for (const format of OUTPUT_FORMATS) {
          const build = async (variant: string, args: string[]) => {
            const out = join(dir, `${variant}-${format}`);
            const run = await runCli(
              ["build", ...args, ...library, "--out", out, "--format", format],
              { env },
            );
            expect(run.code, `${name} ${variant} ${format}: ${run.stderr}`).toBe(0);
            return { out, files: await outputFiles(out) };
          };
          const memory = await build("memory", ["--config", config]);
          const csv = await build("postgres-csv", [
            ...["--config", config, "--engine", "postgres", "--database", pgServer.url],
          ]);
          const table = await build("postgres-tables", [
            ...["--config", tables, "--engine", "postgres"],
          ]);
          expectSameFiles(memory.files, csv.files, `${name} ${format} CSV`);
          expectSameFiles(memory.files, table.files, `${name} ${format} tables`);
          const manifest = JSON.parse(await readFile(join(csv.out, "manifest.json"), "utf8")) as {
            engine: string;
          };
          expect(manifest.engine).toBe("postgres");
        }
      },
      600_000,
    );

    it("count --json, --exclusive and --hash agree with the memory engine on the demo shop", async () => {
      const config = join(REPO_ROOT, "fixtures/demo/audience.yaml");
      for (const extra of [[], ["--exclusive"]]) {
        const memory = await runCli(["count", "--config", config, "--json", ...extra], { env });
        const postgres = await runCli(
          [
            "count",
            "--config",
            config,
            "--json",
            "--engine",
            "postgres",
            "--database",
            pgServer.url,
            ...extra,
          ],
          { env },
        );
        expect(postgres.code, postgres.stderr).toBe(0);
        expect(postgres.stdout).toBe(memory.stdout);
      }
      const out = (e: string) => join(work, `hash-${e}`);
      const args = ["build", "--config", config, "--hash", "--exclusive", "--format", "meta"];
      const memory = await runCli([...args, "--out", out("memory")], { env });
      const postgres = await runCli(
        [...args, "--out", out("postgres"), "--engine", "postgres", "--database", pgServer.url],
        { env },
      );
      expect(memory.code, memory.stderr).toBe(0);
      expect(postgres.code, postgres.stderr).toBe(0);
      expectSameFiles(
        await outputFiles(out("memory")),
        await outputFiles(out("postgres")),
        "--hash --exclusive",
      );
    });

    it.each([
      ["hostile identity shop", 501],
      ["hostile identity shop", 507],
      ["hostile identity shop", 523],
      ["hostile cells", 1],
      ["hostile cells", 2],
      ["hostile cells", 3],
    ] as const)(
      "%s, seed %i: the memory engine's files and counts",
      async (kind, seed) => {
        const dir = join(work, `${kind.replaceAll(" ", "-")}-${seed}`);
        await mkdir(dir, { recursive: true });
        if (kind === "hostile cells") await writeHostileCells(dir, seed);
        else await writeHostileShop(dir, seed, LIBRARY);
        const config = join(dir, "audience.yaml");
        const runs = await Promise.all(
          (["memory", "postgres"] as const).map(async (engine) => {
            const out = join(dir, `out-${engine}`);
            const args = [
              "build",
              "--config",
              config,
              "--out",
              out,
              "--json",
              "--format",
              "klaviyo",
            ];
            const run = await runCli(
              [
                ...args,
                ...(engine === "memory"
                  ? []
                  : ["--engine", "postgres", "--database", pgServer.url]),
              ],
              { env },
            );
            return {
              run,
              files: run.code === 0 ? await outputFiles(out) : new Map<string, Buffer>(),
            };
          }),
        );
        const [memory, postgres] = runs;
        expect(postgres.run.code, postgres.run.stderr).toBe(memory.run.code);
        expect(memory.run.code, memory.run.stderr).toBe(0);
        expect(
          postgres.run.stdout.replaceAll("postgres", "memory").replaceAll("out-memory", "out"),
        ).toBe(memory.run.stdout.replaceAll("out-memory", "out"));
        expectSameFiles(memory.files, postgres.files, `${kind} ${seed}`);
      },
      120_000,
    );

    it("leaves no table in the database: the work is in temporary tables", async () => {
      const left = await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND schemaname NOT LIKE 'pe\\_%'`,
      );
      expect(left.rows[0].n).toBe(0);
    });

    it("what it cannot do or reach is one line, exit 1 or 2, and never the password", async () => {
      const config = join(REPO_ROOT, "fixtures/demo/audience.yaml");
      const noDatabase = await runCli(["count", "--config", config, "--engine", "postgres"]);
      expect(noDatabase.code).toBe(1);
      expect(noDatabase.stderr).toMatch(
        /^error engine postgres runs the segments in a PostgreSQL server, but no database is given\n/,
      );
      const refused = await runCli([
        ...["count", "--config", config, "--engine", "postgres"],
        ...["--database", "postgres://someone:Sekr1t-Pw@127.0.0.1:1/shop"],
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /^error cannot connect to database postgres:\/\/someone@127\.0\.0\.1:1\/shop: connection refused/,
      );
      expect(refused.stderr + refused.stdout).not.toContain("Sekr1t-Pw");
      const predictive = await runCli([
        ...["count", "--config", config, "--engine", "postgres", "--database", pgServer.url],
        ...["--segments", join(REPO_ROOT, "segments/predictive")],
      ]);
      expect(predictive.code).toBe(2);
      expect(predictive.stderr).toMatch(
        /^error p_alive is fitted in TypeScript \(BG\/NBD\): engine postgres does not compute it\n/,
      );
      const duckdbTables = await runCli(
        [
          ...["count", "--config", join(REPO_ROOT, "fixtures/database/shop.audience.yaml")],
          ...["--engine", "duckdb"],
        ],
        { env: { SHOP_DATABASE_URL: pgServer.url } },
      );
      expect(duckdbTables.code).toBe(2);
      expect(duckdbTables.stderr).toMatch(
        /the duckdb engine reads files only; inputs read from a database run with engine postgres/,
      );
    });
  },
);
