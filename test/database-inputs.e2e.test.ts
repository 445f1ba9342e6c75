/**
 * Inputs read from PostgreSQL (`{ table: NAME }`, `{ query: "SELECT …" }`, docs/design.md#table-inputs) against a
 * real throwaway server (test/helpers/postgres.ts), one cluster for the whole file:
 *
 * - every fixture shop with a config (and the demo shop, fixtures/demo) is loaded twice: as text
 *   tables (the cells exactly as audience reads them from the CSV files, read by `{ table: … }`),
 *   and as typed tables (each column whose every value is a clean date, timestamp, number or
 *   boolean becomes date / timestamp / timestamptz / integer / numeric / boolean, read by
 *   `{ query: … ORDER BY … }`); the BUILT CLI must write byte-identical audience files from
 *   them as from the CSV files, for every output format;
 * - each failure of the database (bad URL, refused connection, wrong password, unknown database,
 *   permission denied, statement timeout, a cancelled statement, a syntax error, a missing table
 *   or column) is one line on stderr with exit 1, never a trace, and never shows the password;
 * - validate and count on CSV inputs never load `pg`.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { readCsv } from "../src/io/csv-threads.js";
import { OUTPUT_FORMATS } from "../src/segments/definition.js";
import { postgresBin, startPostgres, type TestPostgres } from "./helpers/postgres.js";
import { REPO_ROOT, runCli, type CliRun } from "./helpers/run-cli.js";

const KINDS = ["contacts", "orders", "events", "lists"] as const;
/** Fixture shops read from files in the repository (cdnow reads the shared data folder). */
const FIXTURES = readdirSync(join(REPO_ROOT, "fixtures")).filter(
  (name) => name !== "cdnow" && existsSync(join(REPO_ROOT, "fixtures", name, "audience.yaml")),
);
/** The files of a build that name its inputs (and so differ): everything else must be equal. */
const NAMING_INPUTS = new Set(["manifest.json", "report.html", "history.jsonl"]);
const ROWS_PER_INSERT = 200;

const server = postgresBin();

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The rows of a CSV file exactly as audience reads them (decoding, delimiter, quotes). */
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
        rows.push(fields.slice(0, header.length));
      },
    },
  );
  return { header, rows };
}

async function insertRows(
  client: pg.Client,
  table: string,
  columns: string[],
  rows: string[][],
): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const params: unknown[] = [];
    const tuples = rows.slice(start, start + ROWS_PER_INSERT).map((row, i) => {
      const marks = columns.map((_, c) => {
        params.push(c === 0 ? start + i + 1 : (row[c - 1] ?? ""));
        return `$${params.length}`;
      });
      return `(${marks.join(", ")})`;
    });
    await client.query(
      `INSERT INTO ${table} (${columns.map(q).join(", ")}) VALUES ${tuples.join(", ")}`,
      params,
    );
  }
}

/** Types given to a column when every non-empty value is written this way (and casts). */
const TYPED: { type: string; pattern: string }[] = [
  { type: "bigint", pattern: "^-?[1-9][0-9]{0,17}$|^0$" },
  { type: "numeric", pattern: "^-?(0|[1-9][0-9]*)\\.[0-9]+$" },
  { type: "boolean", pattern: "^(true|false)$" },
  { type: "date", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" },
  {
    type: "timestamptz",
    pattern:
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})? ?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$",
  },
  { type: "timestamp", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}$" },
];

interface LoadedShop {
  name: string;
  dir: string;
  /** Kind → the columns of its CSV header. */
  headers: Partial<Record<(typeof KINDS)[number], string[]>>;
  /** Types given to columns of the typed tables (type → count). */
  types: Record<string, number>;
  /** Whether its config names segment files. */
  segments: boolean;
}

/** Loads a fixture's CSV inputs into `fx_<name>_text.<kind>` and `fx_<name>_typed.<kind>`. */
async function loadShop(client: pg.Client, name: string): Promise<LoadedShop> {
  const dir = join(REPO_ROOT, "fixtures", name);
  const config = parse(await readFile(join(dir, "audience.yaml"), "utf8")) as Record<
    string,
    unknown
  >;
  const schema = name.replace(/[^a-z0-9]/g, "_");
  const text = `fx_${schema}_text`;
  const typed = `fx_${schema}_typed`;
  await client.query(`CREATE SCHEMA ${text}; CREATE SCHEMA ${typed}`);
  const shop: LoadedShop = {
    name,
    dir,
    headers: {},
    types: {},
    segments: config.segments !== undefined,
  };
  for (const kind of KINDS) {
    const file = config[kind];
    if (typeof file !== "string") continue;
    const { header, rows } = await csvCells(join(dir, file));
    shop.headers[kind] = header;
    // The text table: the header's columns in order, filled in file order (no key, no _row).
    await client.query(
      `CREATE TABLE ${text}.${kind} (${header.map((h) => `${q(h)} text`).join(", ")})`,
    );
    await client.query(
      `CREATE TABLE ${typed}.${kind}_cells (_row integer, ${header.map((h) => `${q(h)} text`).join(", ")})`,
    );
    await insertRows(client, `${typed}.${kind}_cells`, ["_row", ...header], rows);
    await client.query(
      `INSERT INTO ${text}.${kind} SELECT ${header.map(q).join(", ")} FROM ${typed}.${kind}_cells ORDER BY _row`,
    );
    // The typed table: each column the first type all its values fit, else text.
    const casts: string[] = [];
    for (const h of header) {
      let chosen = "text";
      for (const { type, pattern } of TYPED) {
        const fits = await client.query<{ ok: boolean }>(
          `SELECT count(*) FILTER (WHERE ${q(h)} <> '') > 0
             AND bool_and(${q(h)} = '' OR (${q(h)} ~ $1 AND public.casts(${q(h)}, $2))) AS ok
           FROM ${typed}.${kind}_cells`,
          [pattern, type],
        );
        if (fits.rows[0].ok) {
          chosen = type;
          break;
        }
      }
      shop.types[chosen] = (shop.types[chosen] ?? 0) + 1;
      casts.push(chosen === "text" ? q(h) : `NULLIF(${q(h)}, '')::${chosen} AS ${q(h)}`);
    }
    await client.query(
      `CREATE TABLE ${typed}.${kind} AS SELECT _row, ${casts.join(", ")} FROM ${typed}.${kind}_cells`,
    );
  }
  return shop;
}

/** The fixture's config with its inputs as tables (`text`) or as queries on typed tables. */
async function tableConfig(shop: LoadedShop, variant: "text" | "typed", into: string) {
  const config = parse(await readFile(join(shop.dir, "audience.yaml"), "utf8")) as Record<
    string,
    unknown
  >;
  const schema = `fx_${shop.name.replace(/[^a-z0-9]/g, "_")}_${variant}`;
  for (const kind of KINDS) {
    const header = shop.headers[kind];
    if (header === undefined) continue;
    config[kind] =
      variant === "text"
        ? { table: `${schema}.${kind}` }
        : { query: `SELECT ${header.map(q).join(", ")} FROM ${schema}.${kind} ORDER BY _row` };
  }
  const segments = config.segments;
  if (segments !== undefined)
    config.segments = (Array.isArray(segments) ? segments : [segments]).map((s) =>
      resolve(shop.dir, String(s)),
    );
  config.database = "env:AUDIENCE_TEST_DATABASE";
  const file = join(into, `${variant}.yaml`);
  await writeFile(file, stringify(config));
  return file;
}

/** Every file of a build folder but those that name the inputs: relative path → bytes. */
async function outputFiles(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || NAMING_INPUTS.has(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path.slice(dir.length + 1), await readFile(path));
  }
  return files;
}

const oneLine = (run: CliRun) => run.stderr.trimEnd().split("\n");

describe.skipIf("missing" in server)(
  `inputs read from PostgreSQL${"missing" in server ? ` — skipped: ${server.missing}` : ""}`,
  () => {
    let pgServer: TestPostgres;
    let admin: pg.Client;
    let work: string;
    const shops = new Map<string, LoadedShop>();
    let env: Record<string, string>;

    beforeAll(async () => {
      pgServer = await startPostgres();
      work = await mkdtemp(join(tmpdir(), "audience-db-inputs-"));
      admin = new pg.Client({ connectionString: pgServer.url });
      await admin.connect();
      await admin.query(`CREATE FUNCTION public.casts(value text, type text) RETURNS boolean
        LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('SELECT %L::%s', value, type); RETURN true;
        EXCEPTION WHEN others THEN RETURN false; END $$`);
      for (const name of FIXTURES) shops.set(name, await loadShop(admin, name));
      await admin.query(await readFile(join(REPO_ROOT, "fixtures/database/shop.sql"), "utf8"));
      env = { AUDIENCE_TEST_DATABASE: pgServer.url };
    }, 300_000);
    afterAll(async () => {
      await admin?.end();
      await pgServer?.stop();
      if (work !== undefined) await rm(work, { recursive: true, force: true });
    });

    it("the typed tables do hold typed columns (the test proves something)", () => {
      const demo = shops.get("demo");
      for (const type of ["bigint", "numeric", "timestamp", "timestamptz"])
        expect(demo?.types[type] ?? 0, type).toBeGreaterThan(0);
      // Plain dates are in other fixtures; booleans in fixtures/database (the README's shop).
      const dates = [...shops.values()].reduce((n, s) => n + (s.types.date ?? 0), 0);
      expect(dates).toBeGreaterThan(0);
    });

    it.each(FIXTURES)(
      "fixtures/%s: text tables and typed tables give the CSV build's files, in every format",
      async (name) => {
        const shop = shops.get(name) as LoadedShop;
        const dir = join(work, name);
        await mkdir(dir, { recursive: true });
        const configs = {
          csv: join(shop.dir, "audience.yaml"),
          text: await tableConfig(shop, "text", dir),
          typed: await tableConfig(shop, "typed", dir),
        };
        for (const format of OUTPUT_FORMATS) {
          const runs = await Promise.all(
            (["csv", "text", "typed"] as const).map(async (variant) => {
              const out = join(dir, `${variant}-${format}`);
              const run = await runCli(
                [
                  "build",
                  ...["--config", configs[variant], "--out", out, "--format", format],
                  // A shop without segments of its own (shopify) is built with the library.
                  ...(shop.segments ? [] : ["--segments", join(REPO_ROOT, "segments")]),
                ],
                { env },
              );
              expect(run.code, `${variant} ${format}: ${run.stderr}`).toBe(0);
              return { variant, run, files: await outputFiles(out) };
            }),
          );
          const [csv, text, typed] = runs;
          expect(csv.files.size).toBeGreaterThan(0);
          for (const other of [text, typed]) {
            expect([...other.files.keys()].sort(), `${other.variant} ${format}`).toEqual(
              [...csv.files.keys()].sort(),
            );
            for (const [file, bytes] of csv.files)
              expect(
                other.files.get(file)?.equals(bytes),
                `${other.variant} ${format} ${file}`,
              ).toBe(true);
          }
          // A table with no key and no order_by: warned once; a query orders its own rows.
          expect(text.run.stderr.match(/no primary key and no order_by/g)).toHaveLength(1);
          expect(typed.run.stderr).not.toMatch(/no primary key/);
        }
      },
      300_000,
    );

    describe("the README's shop (fixtures/database) and what goes wrong", () => {
      let dir: string;
      const SHOP = join(REPO_ROOT, "fixtures/database");
      const url = (user: string, database = "audience") =>
        `postgres://${user}@127.0.0.1:${pgServer.port}/${database}`;

      beforeAll(async () => {
        dir = join(work, "errors");
        await mkdir(dir, { recursive: true });
        // Roles: one that needs a password, one without rights, one whose statements time out.
        await admin.query(`CREATE ROLE secret LOGIN PASSWORD 'Right-Pa55';
          CREATE ROLE reader LOGIN;
          CREATE ROLE slow LOGIN; ALTER ROLE slow SET statement_timeout = '300ms';
          GRANT USAGE ON SCHEMA shop TO secret, slow;
          GRANT SELECT ON ALL TABLES IN SCHEMA shop TO secret, slow`);
        const hba = await admin.query<{ setting: string }>(
          "SELECT setting FROM pg_settings WHERE name = 'hba_file'",
        );
        const lines = [
          "local all all trust",
          "host all secret 127.0.0.1/32 scram-sha-256",
          "host all all 127.0.0.1/32 trust",
          "host all all ::1/128 trust",
        ];
        const values = lines.map((line, i) => `(${i}, '${line}')`).join(", ");
        await admin.query(
          `COPY (SELECT line FROM (VALUES ${values}) AS v(n, line) ORDER BY n) TO '${hba.rows[0].setting}'`,
        );
        await admin.query("SELECT pg_reload_conf()");
        // The reload is asynchronous: wait until a wrong password is refused.
        for (let attempt = 0; attempt < 100; attempt++) {
          const probe = new pg.Client({ connectionString: url("secret:probe") });
          const refused = await probe.connect().then(
            () => false,
            (error: { code?: string }) => error.code === "28P01",
          );
          await probe.end().catch(() => undefined);
          if (refused) break;
          await new Promise((done) => setTimeout(done, 100));
        }
      });

      /** Writes `name.yaml`: the README's config with `change` applied; returns its text. */
      async function config(name: string, change: (c: Record<string, unknown>) => void) {
        const c = parse(await readFile(join(SHOP, "shop.audience.yaml"), "utf8")) as Record<
          string,
          unknown
        >;
        c.segments = join(SHOP, "segments.yaml");
        c.database = "env:AUDIENCE_TEST_DATABASE";
        change(c);
        const text = stringify(c);
        await writeFile(join(dir, `${name}.yaml`), text);
        return text;
      }
      const lineOf = (text: string, key: string) =>
        text.split("\n").findIndex((l) => l.startsWith(`${key}:`)) + 1;
      const count = (name: string, extra: string[] = [], database = pgServer.url) =>
        runCli(["count", "--config", `${name}.yaml`, ...extra], {
          cwd: dir,
          env: { AUDIENCE_TEST_DATABASE: database },
        });
      /** One line on stderr (a located error may add its hint), exit 1, no trace. */
      function expectOneLine(run: CliRun, pattern: RegExp) {
        expect(run.code, run.stderr).toBe(1);
        const lines = oneLine(run);
        expect(lines[0]).toMatch(pattern);
        // After the message, only its hint (indented), as for a missing CSV header.
        if (lines.length > 1) expect(lines[1]).toMatch(/^ {2}hint: /);
        for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}/);
        expect(run.stderr).not.toMatch(/\n\s+at |internal error/);
      }

      it("builds the README's example from typed tables, as the README shows", async () => {
        const out = join(dir, "out");
        const run = await runCli(["build", "--config", "shop.audience.yaml", "--out", out], {
          cwd: SHOP,
          env: { SHOP_DATABASE_URL: url("secret:Right-Pa55") },
        });
        expect(run.code, run.stderr).toBe(0);
        expect(await readFile(join(out, "repeat-buyers.csv"), "utf8")).toBe(
          "customer_id,email,phone,first_name,last_name,orders_count,total_spent,last_order_date\r\n" +
            "1,ana@example.com,,Ana,,3,220.5,2026-06-20\r\n",
        );
        expect(await readFile(join(out, "one-time-buyers.csv"), "utf8")).toBe(
          "customer_id,email,phone,first_name,last_name,total_spent,last_order_date\r\n" +
            "2,bruno@example.com,,Bruno,,35,2026-01-20\r\n",
        );
        expect(run.stderr).toContain("read table shop.customers: 5 rows → 5 customers");
        expect(run.stderr).toContain("table shop.customers:5: invalid email left out");
        // The password appears nowhere: not in the output folder, not on the terminal.
        const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as {
          inputs: { path: string; database?: string }[];
        };
        expect(manifest.inputs.map((i) => [i.path, i.database])).toEqual([
          ["table shop.customers", url("secret")],
          ["table shop.orders", url("secret")],
        ]);
        for (const file of await readdir(out, { recursive: true, withFileTypes: true }))
          if (file.isFile())
            expect(await readFile(join(file.parentPath, file.name), "utf8")).not.toContain(
              "Right-Pa55",
            );
        expect(run.stdout + run.stderr).not.toContain("Right-Pa55");
        // The order comes from the primary keys: no warning about row order.
        expect(run.stderr).not.toMatch(/no primary key/);
      });

      it("reads a table in order_by order, and validate checks table inputs without a server", async () => {
        await config("ordered", (c) => {
          c.orders = { table: "shop.orders", order_by: ["placed_at", "id"] };
        });
        const run = await count("ordered", ["--json"]);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stderr).not.toMatch(/no primary key/);
        const validate = await runCli(["validate", "--config", "ordered.yaml"], {
          cwd: dir,
          env: { AUDIENCE_TEST_DATABASE: "postgres://nobody@127.0.0.1:1/none" },
        });
        expect(validate.code, validate.stderr).toBe(0);
      });

      it("a URL that is not a PostgreSQL URL", async () => {
        await config("base", () => undefined);
        const run = await count("base", ["--database", "mysql://root:Pa55@db/shop"]);
        expectOneLine(run, /^error --database is not a PostgreSQL URL/);
        expect(oneLine(run)).toHaveLength(1);
        expect(run.stderr).not.toContain("Pa55");
      });

      it("a refused connection", async () => {
        const port = await new Promise<number>((done) => {
          const probe = createServer();
          probe.listen(0, "127.0.0.1", () => {
            const address = probe.address();
            probe.close(() => done(typeof address === "object" && address ? address.port : 1));
          });
        });
        await config("base", () => undefined);
        const run = await count("base", [], `postgres://audience:Pa55@127.0.0.1:${port}/audience`);
        expectOneLine(
          run,
          new RegExp(
            `^error cannot connect to database postgres://audience@127\\.0\\.0\\.1:${port}/audience: connection refused`,
          ),
        );
        expect(oneLine(run)).toHaveLength(1);
        expect(run.stderr).not.toContain("Pa55");
      });

      it("a wrong password", async () => {
        await config("base", () => undefined);
        const run = await count("base", [], url("secret:Wrong-Pa55"));
        expectOneLine(
          run,
          /^error cannot log in to database postgres:\/\/secret@.*password authentication failed for user "secret"$/,
        );
        expect(oneLine(run)).toHaveLength(1);
        expect(run.stderr).not.toContain("Wrong-Pa55");
      });

      it("an unknown database", async () => {
        await config("base", () => undefined);
        const run = await count("base", [], url("audience", "nosuchshop"));
        expectOneLine(
          run,
          /^error cannot connect to database .*: database "nosuchshop" does not exist$/,
        );
        expect(oneLine(run)).toHaveLength(1);
      });

      it("a database user without the right to read the table", async () => {
        const text = await config("base", () => undefined);
        const run = await count("base", [], url("reader"));
        expectOneLine(
          run,
          new RegExp(
            `^error base\\.yaml:${lineOf(text, "contacts")}:1: contacts \\(table shop\\.customers\\): permission denied for schema shop`,
          ),
        );
      });

      it("a statement timeout", async () => {
        const text = await config("slow", (c) => {
          c.orders = { query: "SELECT o.* FROM shop.orders o CROSS JOIN pg_sleep(3)" };
        });
        const run = await count("slow", [], url("slow"));
        expectOneLine(
          run,
          new RegExp(
            `^error slow\\.yaml:${lineOf(text, "orders")}:1: orders \\(query \\(orders\\)\\): the server stopped the query: statement timeout`,
          ),
        );
      });

      it("a statement cancelled by the server", async () => {
        await config("cancelled", (c) => {
          c.orders = { query: "SELECT o.* FROM shop.orders o CROSS JOIN pg_sleep(60)" };
        });
        const running = count("cancelled");
        let cancelled = false;
        for (let attempt = 0; attempt < 300 && !cancelled; attempt++) {
          const result = await admin.query<{ done: boolean }>(
            `SELECT pg_cancel_backend(pid) AS done FROM pg_stat_activity
             WHERE application_name = 'audience' AND state = 'active' AND query LIKE 'FETCH%'`,
          );
          cancelled = result.rows.some((r) => r.done);
          if (!cancelled) await new Promise((done) => setTimeout(done, 100));
        }
        expect(cancelled).toBe(true);
        expectOneLine(
          await running,
          /^error cancelled\.yaml:\d+:1: orders \(query \(orders\)\): the server cancelled the query/,
        );
      });

      it("a syntax error in a query", async () => {
        const text = await config("syntax", (c) => {
          c.orders = { query: "SELEC * FROM shop.orders" };
        });
        const run = await count("syntax");
        expectOneLine(
          run,
          new RegExp(
            `^error syntax\\.yaml:${lineOf(text, "orders")}:1: orders \\(query \\(orders\\)\\): syntax error at or near "SELEC"$`,
          ),
        );
      });

      it("a missing table, with the name it probably is", async () => {
        const text = await config("table", (c) => {
          c.orders = { table: "shop.order" };
        });
        const run = await count("table");
        expectOneLine(
          run,
          new RegExp(
            `^error table\\.yaml:${lineOf(text, "orders")}:1: orders: there is no table shop\\.order in postgres://audience@127\\.0\\.0\\.1:\\d+/audience \\(did you mean "shop\\.orders"\\?\\)$`,
          ),
        );
      });

      it("a mapped column the table does not have, as for a CSV header", async () => {
        const text = await config("column", (c) => {
          c.columns = {
            contacts: { customer_id: "id" },
            orders: { order_id: "id", created_at: "placed_at", total: "total_prices" },
          };
        });
        const run = await count("column");
        expectOneLine(
          run,
          new RegExp(
            `^error column\\.yaml:${lineOf(text, "orders")}:1: columns\\.orders\\.total names the header "total_prices", which table shop\\.orders does not have \\(did you mean "total_price"\\?\\)$`,
          ),
        );
      });

      it("a table without a required column", async () => {
        const text = await config("required", (c) => {
          c.orders = { table: "shop.order_lines" };
          c.columns = { contacts: { customer_id: "id" } };
        });
        const run = await count("required");
        expectOneLine(
          run,
          new RegExp(
            `^error required\\.yaml:${lineOf(text, "orders")}:1: table shop\\.order_lines has no column for customer_id or email or phone`,
          ),
        );
      });

      it("an order_by column the table does not have", async () => {
        const text = await config("order", (c) => {
          c.orders = { table: "shop.orders", order_by: ["placed_on"] };
        });
        const run = await count("order");
        expectOneLine(
          run,
          new RegExp(
            `^error order\\.yaml:${lineOf(text, "orders")}:1: orders\\.order_by names the column "placed_on", which table shop\\.orders does not have \\(did you mean "placed_at"\\?\\)$`,
          ),
        );
      });

      it("table inputs and no database", async () => {
        const text = await config("nodb", (c) => {
          delete c.database;
        });
        const run = await count("nodb");
        expectOneLine(
          run,
          new RegExp(
            `^error nodb\\.yaml:${lineOf(text, "contacts")}:1: contacts is read from a database, but no database is given$`,
          ),
        );
      });
    });
  },
);

/** A module hook that makes every import of `pg` fail, as on a machine without it. */
describe("without a loadable pg", () => {
  let dir: string;
  let blocked: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "audience-pg-lazy-"));
    await writeFile(
      join(dir, "hook.mjs"),
      [
        "export async function resolve(specifier, context, next) {",
        '  if (specifier === "pg" || specifier.startsWith("pg/")) throw new Error(`blocked by the test: ${specifier}`);',
        "  return next(specifier, context);",
        "}",
        "",
      ].join("\n"),
    );
    await writeFile(
      join(dir, "register.mjs"),
      'import { register } from "node:module";\nregister("./hook.mjs", import.meta.url);\n',
    );
    blocked = { NODE_OPTIONS: `--import=${pathToFileURL(join(dir, "register.mjs")).href}` };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("the hook does block pg (the test proves something)", async () => {
    const run = await new Promise<number>((done, fail) => {
      const child = spawn(process.execPath, ["--input-type=module", "-e", 'await import("pg")'], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? "", ...blocked },
        stdio: "ignore",
      });
      child.on("error", fail);
      child.on("close", (code) => done(code ?? -1));
    });
    expect(run).not.toBe(0);
  });

  it("validate and count on CSV files run without loading pg", async () => {
    const validate = await runCli(["validate", "--config", "fixtures/build/audience.yaml"], {
      env: blocked,
    });
    expect(validate.code, validate.stderr).toBe(0);
    const count = await runCli(["count", "--config", "fixtures/build/audience.yaml", "--json"], {
      env: blocked,
    });
    expect(count.code, count.stderr).toBe(0);
    expect(count.stderr).not.toMatch(/blocked/);
  });
});
