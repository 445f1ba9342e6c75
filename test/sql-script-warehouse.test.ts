/**
 * `audience sql --dialect bigquery | snowflake` for inputs in database tables (SPEC §11): the
 * script that reads the configured tables and computes everything in SQL, written for a
 * warehouse. There is no BigQuery or Snowflake here: the scripts of the demo shop (text tables,
 * read through views without the phone columns) and of the README's typed shop, plain and with
 * --exclusive --hash, are parsed statement by statement with node-sql-parser in that dialect
 * (test/helpers/warehouse-parse.ts: only the constructs the parser does not read are replaced,
 * and each is named), and compared with the PostgreSQL script of the same config, statement for
 * statement. The catalog (columns, types, order) is read from a throwaway PostgreSQL server, as
 * `audience sql` does.
 */
import { readFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify } from "yaml";
import { readCsv } from "../src/io/csv-threads.js";
import { postgresBin, startPostgres, type TestPostgres } from "./helpers/postgres.js";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";
import {
  parseWarehouseScript,
  scriptStatements,
  type WarehouseDialect,
} from "./helpers/warehouse-parse.js";

const server = postgresBin();
const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (v: string) => `'${v.replace(/'/g, "''")}'`;
const KINDS = ["contacts", "orders", "events", "lists"] as const;
const RFM = { recency: [30, 90, 180, 365], frequency: [1, 2, 3, 5], monetary: [50, 100, 200, 400] };
const DIALECTS: readonly WarehouseDialect[] = ["bigquery", "snowflake"];

/** What node-sql-parser 5.4 does not read in each dialect (valid there; README "audience sql"). */
const UNREAD: Record<WarehouseDialect, string[]> = {
  bigquery: ["ARRAY_AGG(v IGNORE NULLS ORDER BY … LIMIT n)", "CREATE TEMP FUNCTION"],
  snowflake: [
    "ARRAY_AGG(v) WITHIN GROUP (ORDER BY …)",
    "a lambda (TRANSFORM, REDUCE)",
    "the ARRAY type",
  ],
};

describe.skipIf("missing" in server)(
  "audience sql --dialect bigquery | snowflake reading tables: parsed, not executed here",
  () => {
    let pgServer: TestPostgres;
    let client: pg.Client;
    let work: string;
    let env: Record<string, string>;
    let demo: string;
    let typed: string;

    beforeAll(async () => {
      pgServer = await startPostgres();
      env = { AUDIENCE_TEST_DATABASE: pgServer.url };
      client = new pg.Client({ connectionString: pgServer.url });
      await client.connect();
      work = await mkdtemp(join(tmpdir(), "audience-warehouse-"));
      // The demo shop as text tables numbered by _row, read through views without the phones.
      const dir = join(REPO_ROOT, "fixtures", "demo");
      await client.query("CREATE SCHEMA demo");
      const config = parseYaml(await readFile(join(dir, "audience.yaml"), "utf8")) as Record<
        string,
        unknown
      >;
      for (const kind of KINDS) {
        let header: string[] = [];
        const rows: string[][] = [];
        await readCsv(
          { path: join(dir, `${kind}.csv`), display: kind },
          {
            header: (fields) => {
              header = fields;
            },
            row: (fields) => {
              rows.push(header.map((_, i) => fields[i] ?? ""));
            },
          },
        );
        await client.query(
          `CREATE TABLE demo.${kind} (_row integer, ${header.map((h) => `${q(h)} text`).join(", ")})`,
        );
        for (let start = 0; start < rows.length; start += 500) {
          const tuples = rows
            .slice(start, start + 500)
            .map((row, i) => `(${start + i + 1}, ${row.map(literal).join(", ")})`);
          await client.query(`INSERT INTO demo.${kind} VALUES ${tuples.join(", ")}`);
        }
        const kept = ["_row", ...header.filter((h) => h !== "phone")];
        await client.query(
          `CREATE VIEW demo.v_${kind} AS SELECT ${kept.map(q).join(", ")} FROM demo.${kind}`,
        );
        config[kind] = { table: `demo.v_${kind}`, order_by: "_row" };
      }
      config.segments = join(REPO_ROOT, "segments");
      config.rfm = RFM;
      config.database = "env:AUDIENCE_TEST_DATABASE";
      demo = join(work, "demo.yaml");
      await writeFile(demo, stringify(config));
      // The README's shop: typed tables; its contacts read through a view without the phone.
      const database = join(REPO_ROOT, "fixtures", "database");
      await client.query(await readFile(join(database, "shop.sql"), "utf8"));
      await client.query(
        "CREATE VIEW shop.customers_no_phone AS SELECT id, email, first_name, accepts_email, signed_up_at FROM shop.customers",
      );
      const shop = parseYaml(
        await readFile(join(database, "shop.audience.yaml"), "utf8"),
      ) as Record<string, unknown>;
      shop.contacts = { table: "shop.customers_no_phone", order_by: "id" };
      shop.segments = join(database, "segments.yaml");
      shop.database = "env:AUDIENCE_TEST_DATABASE";
      typed = join(work, "typed.yaml");
      await writeFile(typed, stringify(shop));
    }, 240_000);

    afterAll(async () => {
      await client?.end();
      await pgServer?.stop();
      if (work !== undefined) await rm(work, { recursive: true, force: true });
    });

    const printed = async (dialect: string, config: string, extra: string[] = []) => {
      const run = await runCli(["sql", "--dialect", dialect, "--config", config, ...extra], {
        env,
      });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      return run.stdout;
    };

    for (const shop of ["demo", "typed"] as const) {
      for (const dialect of DIALECTS) {
        it(`${shop}, ${dialect}: every statement parses but where the parser reads no valid construct`, async () => {
          const config = shop === "demo" ? demo : typed;
          for (const extra of [[], ["--exclusive", "--hash"]]) {
            const script = await printed(dialect, config, extra);
            const parsed = parseWarehouseScript(script, dialect);
            expect(parsed.unknown).toEqual([]);
            const stops = Object.keys(parsed.stops).sort();
            for (const stop of stops) expect(UNREAD[dialect]).toContain(stop);
            // The demo shop's script holds every one of them (lists: the ARRAY type, a lambda).
            if (shop === "demo") expect(stops).toEqual([...UNREAD[dialect]].sort());
            // The same statements as the PostgreSQL script the tests run (psql, DuckDB): BigQuery
            // adds its function and writes each rename as a copy and a drop.
            const postgres = scriptStatements(await printed("postgres", config, extra));
            const renames = postgres.filter((s) => /^ALTER TABLE \S+ RENAME TO/.test(s)).length;
            expect(renames).toBeGreaterThan(10);
            expect(parsed.statements.length).toBe(
              postgres.length + (dialect === "bigquery" ? 1 + renames : 0),
            );
            expect(parsed.statements.at(-1)).toMatch(/^WITH /);
          }
        });
      }
    }

    it("bigquery: ERROR() stops the script at a check; no rename, no key constraint", async () => {
      const script = await printed("bigquery", typed);
      expect(script).toContain(
        "CREATE TEMPORARY TABLE aud_check_1 AS SELECT IF(COUNT(*) > 0, ERROR('audience sql check 1 failed in contacts (table shop.customers_no_phone): a phone cell",
      );
      expect(script).toContain("(a view without it, read with order_by:)");
      expect(script).toMatch(/^CREATE TEMP FUNCTION aud_ordered_sum\(a ARRAY<FLOAT64>\)/m);
      expect(script).toContain("aud_ordered_sum(ARRAY_AGG(k.amount IGNORE NULLS ORDER BY k.g))");
      expect(script).toContain("FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E6SZ', x.signed_up_at, 'UTC')");
      expect(script).not.toMatch(/RENAME TO|PRIMARY KEY|AT TIME ZONE|regexp_matches|range\(len/);
      expect(script).toContain("FROM `shop.orders` AS x");
    });

    it("snowflake: a failing cast stops it at a check; plain names unquoted throughout", async () => {
      const script = await printed("snowflake", demo);
      expect(script).toContain(
        "CREATE TEMPORARY TABLE aud_check_1 AS SELECT CAST(CASE WHEN COUNT(*) > 0 THEN 'audience sql check 1 failed in contacts (table demo.v_contacts): a phone cell",
      );
      const body = script
        .split("\n")
        .filter((l) => !l.startsWith("--"))
        .join("\n");
      // Quoted `"line"` would be another column than the bare `line` the staging writes.
      expect(body.replace(/'(?:[^'\\]|\\.)*'/g, "''")).not.toMatch(/"[a-z_0-9]+"/);
      expect(body).toContain("FROM demo.v_contacts AS x");
      expect(body).toContain("LATERAL FLATTEN(input => v.l) AS u");
      expect(body).toContain("REDUCE(ARRAY_AGG(k.amount) WITHIN GROUP (ORDER BY k.g)");
      expect(body).not.toMatch(/AT TIME ZONE|regexp_matches|range\(len/);
    });

    it("a query: input, or a table with no order, is refused before printing, located", async () => {
      const config = parseYaml(await readFile(demo, "utf8")) as Record<string, unknown>;
      config.lists = { query: "SELECT list, email FROM demo.lists ORDER BY _row" };
      const file = join(work, "query.yaml");
      await writeFile(file, stringify(config));
      config.lists = { table: "demo.v_lists" };
      const unordered = join(work, "unordered.yaml");
      await writeFile(unordered, stringify(config));
      for (const dialect of DIALECTS) {
        const run = await runCli(["sql", "--dialect", dialect, "--config", file], { env });
        expect(run.code).toBe(1);
        expect(run.stdout).toBe("");
        expect(run.stderr).toMatch(
          new RegExp(
            `query\\.yaml:\\d+:\\d+: lists \\(query \\(lists\\)\\) has no order of its own \\(a query's ORDER BY\\): ${dialect} does not keep the order`,
          ),
        );
        const table = await runCli(["sql", "--dialect", dialect, "--config", unordered], { env });
        expect(table.code).toBe(1);
        expect(table.stderr).toContain("no order_by: and no primary key");
      }
      // PostgreSQL reads the query's rows in its order.
      expect((await runCli(["sql", "--dialect", "postgres", "--config", file], { env })).code).toBe(
        0,
      );
    });
  },
);
