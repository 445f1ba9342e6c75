/**
 * What `audience sql` prints for the demo shop (fixtures/demo, the bundled segment library), taken
 * from the BUILT CLI's stdout and used as it is, header comments and final `;` included:
 *
 * - duckdb: run in DuckDB, and postgres: run in a throwaway PostgreSQL server (through `pg` and
 *   through `psql -f`, the file as printed), each on the tables of
 *   src/sql/tables.ts filled from the memory engine's read of the demo shop (test/helpers); the
 *   rows must be exactly the files `audience build --format generic` writes — the same customers
 *   per segment (by customer key) and, formatted as the generic profile formats cells, the same
 *   rows cell for cell — with and without --exclusive;
 * - bigquery and snowflake: parsed by node-sql-parser with that dialect (they are not executed
 *   here). node-sql-parser 5.4.0 does not read Snowflake's lambdas (`TRANSFORM(list, x VARCHAR ->
 *   …)`, what `lists contains "…"` compiles to): the one segment of the library that uses it is
 *   checked to fail exactly there, and every other segment to parse.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "csv-parse/sync";
import nodeSqlParser from "node-sql-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveSettings } from "../src/config/settings.js";
import { readConfig } from "../src/io/read-config.js";
import { loadSegmentFiles } from "../src/io/segment-files.js";
import { formatColumnValue } from "../src/segments/output-profiles.js";
import { scriptFields } from "../src/sql/script.js";
import { DUCKDB_TARGET, readShop, type SqlTarget } from "./helpers/duckdb-tables.js";
import { postgresBin, startPostgres, type TestPostgres } from "./helpers/postgres.js";
import { postgresTarget } from "./helpers/postgres-tables.js";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

const { Parser } = nodeSqlParser;
const exec = promisify(execFile);
const DEMO = join(REPO_ROOT, "fixtures", "demo");
const CONFIG = ["--config", "fixtures/demo/audience.yaml"];

/** `--segments FILE` when a test gives its own segment file, else the config's library. */
const segmentArgs = (segments?: string) => (segments === undefined ? [] : ["--segments", segments]);

async function printed(args: string[], segments?: string): Promise<string> {
  const run = await runCli(["sql", ...args, ...CONFIG, ...segmentArgs(segments)]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return run.stdout;
}

/** segment id → the rows of its file (header dropped), as cell arrays in file order. */
async function built(
  exclusive: boolean,
  segments?: string,
  format: string[] = ["--format", "generic"],
): Promise<Map<string, string[][]>> {
  const out = await mkdtemp(join(tmpdir(), "audience-sql-build-"));
  try {
    const args = [
      "build",
      ...CONFIG,
      ...segmentArgs(segments),
      ...["--out", out, ...format, "--quiet"],
    ];
    const run = await runCli(exclusive ? [...args, "--exclusive"] : args);
    expect(run.code, run.stderr).toBe(0);
    const files = new Map<string, string[][]>();
    for (const name of (await readdir(out)).filter((n) => n.endsWith(".csv"))) {
      const rows = parse(await readFile(join(out, name), "utf8"), { bom: true }) as string[][];
      files.set(name.slice(0, -".csv".length), rows.slice(1));
    }
    return files;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

const shop = async (segments?: string) => {
  const source = await readConfig(join(DEMO, "audience.yaml"), DEMO);
  const settings = resolveSettings(
    source,
    segments === undefined ? {} : { segments: [segments] },
    DEMO,
  );
  const loaded = await loadSegmentFiles(
    settings.segments.map((s) => s.path),
    DEMO,
  );
  return readShop(loaded.definitions, settings, settings.asOf as number);
};

/** A result row as the generic profile writes it: customer_id, email, phone, names, columns. */
function asFileRow(row: Record<string, unknown>, columns: readonly string[]): string[] {
  // Dates come back as YYYY-MM-DD and lists joined: as texts they are written as they are.
  const cell = (v: unknown) =>
    formatColumnValue(
      v === null || v === undefined ? null : (v as string | number | boolean),
      "other",
    );
  // Identifiers are never altered (no CSV-injection quote on a +33… phone).
  const id = (v: unknown) => (v === null || v === undefined ? "" : String(v));
  return [
    cell(row.customer_id),
    id(row.email),
    id(row.phone),
    cell(row.first_name),
    cell(row.last_name),
    ...columns.map((c) => cell(row[c.startsWith("props.") ? c.slice("props.".length) : c])),
  ];
}

function bySegment(rows: Record<string, unknown>[]): Map<string, Record<string, unknown>[]> {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const row of rows) {
    const id = String(row.segment);
    out.set(id, [...(out.get(id) ?? []), row]);
  }
  return out;
}

/** Compares, per segment and mode; returns the segments compared and the rows compared. */
async function compareWithBuild(
  target: SqlTarget,
  options: {
    /** A segment file of the test's, instead of the config's library. */
    segments?: string;
    /** Also runs the script another way and returns its rows as (segment, customer_key) texts. */
    alsoRun?: (
      script: string,
      query: (sql: string) => Promise<Record<string, unknown>[]>,
    ) => Promise<string[]>;
  } = {},
): Promise<{ segments: number; rows: number }> {
  const { alsoRun } = options;
  const { plan, profiles, rows } = await shop(options.segments);
  const tables = await target.load(profiles, scriptFields(plan), rows);
  let compared = 0;
  let rowCount = 0;
  try {
    for (const exclusive of [false, true]) {
      const script = await printed(
        ["--dialect", target.dialect, ...(exclusive ? ["--exclusive"] : [])],
        options.segments,
      );
      const result = await tables.query(script);
      if (alsoRun !== undefined)
        expect(await alsoRun(script, (sql) => tables.query(sql))).toEqual(
          result.map((r) => `${String(r.segment)},${String(r.customer_key)}`),
        );
      const got = bySegment(result);
      const files = await built(exclusive, options.segments);
      expect([...files.keys()].sort()).toEqual(plan.segments.map((s) => s.id).sort());
      for (const segment of plan.segments) {
        const file = files.get(segment.id) ?? [];
        const sqlRows = got.get(segment.id) ?? [];
        const keyOf = (c: number) => profiles.store.key(c);
        // The same customers: the file's rows are in customer-key order, one per member.
        const fileKeys = file.map((r) => r[0]);
        expect(fileKeys.every((k) => k !== "")).toBe(true);
        expect({
          segment: segment.id,
          exclusive,
          keys: sqlRows.map((r) => r.customer_key).sort(),
        }).toEqual({
          segment: segment.id,
          exclusive,
          keys: [...fileKeys].sort(),
        });
        expect(sqlRows.every((r) => r.customer_key === keyOf(Number(r.customer)))).toBe(true);
        // The same cells, once formatted as the generic profile formats them.
        const cells = sqlRows
          .map((r) => asFileRow(r, segment.columns))
          .map((r) => r.join("\u0000"));
        expect({ segment: segment.id, rows: cells.sort() }).toEqual({
          segment: segment.id,
          rows: file.map((r) => r.join("\u0000")).sort(),
        });
        compared++;
        rowCount += file.length;
      }
    }
  } finally {
    await tables.close();
  }
  return { segments: compared, rows: rowCount };
}

/**
 * Output columns of every kind (lists, booleans, dates, numbers, custom contact columns) and every
 * channel, for the comparisons with build: the library has no list or boolean column.
 */
const EVERY_KIND = [
  "defaults: { channel: any }",
  "segments:",
  "  any-channel:",
  '    where: orders_count >= 1 or tags contains "parrainage"',
  "    columns: [tags, lists, products, categories, email_consent, known_contact, signup_date, first_order_date, props.skin_type, rfm_r, avg_order_value, city]",
  "  texters:",
  "    channel: sms",
  "    consent: ignore",
  '    where: props.skin_type = "mixte" and orders(category: "Sérum") >= 1',
  "    columns: [props.skin_type, country, last_category]",
  "    priority: 1",
  "  no-channel:",
  "    channel: none",
  '    where: days_since_signup < 90 and not in_segment("texters")',
  "    columns: [zip, whatsapp_consent]",
  "  whatsapp-readers:",
  "    channel: whatsapp",
  '    where: events("whatsapp_read", within: 60d) >= 1',
  "    exclude: [texters]",
  "",
].join("\n");

let everyKind: string;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "audience-sql-kinds-"));
  everyKind = join(dir, "every-kind.yaml");
  await writeFile(everyKind, EVERY_KIND);
  return () => rm(dir, { recursive: true, force: true });
});

/**
 * `--hash`: per segment, the hashes of the statement equal the identifier cells of the files
 * `build --format meta --hash` and `--format google-ads --hash` write (as sets: a file writes an
 * email or phone shared by two customers once).
 */
async function compareHashes(target: SqlTarget): Promise<number> {
  const { plan, profiles, rows } = await shop();
  const tables = await target.load(profiles, scriptFields(plan), rows);
  let compared = 0;
  try {
    const got = bySegment(
      await tables.query(await printed(["--dialect", target.dialect, "--hash"])),
    );
    const meta = await built(false, undefined, ["--format", "meta", "--hash"]);
    const google = await built(false, undefined, ["--format", "google-ads", "--hash"]);
    const set = (values: unknown[]) =>
      [...new Set(values.filter((v) => v !== null && v !== "").map(String))].sort();
    for (const segment of plan.segments) {
      const sqlRows = got.get(segment.id) ?? [];
      const column = (file: Map<string, string[][]> | undefined, i: number) =>
        set((file?.get(segment.id) ?? []).map((r) => r[i]));
      expect({
        segment: segment.id,
        metaEmail: set(sqlRows.map((r) => r.email_sha256)),
        metaPhone: set(sqlRows.map((r) => r.phone_digits_sha256)),
        googleEmail: set(sqlRows.map((r) => r.email_sha256)),
        googlePhone: set(sqlRows.map((r) => r.phone_sha256)),
      }).toEqual({
        segment: segment.id,
        metaEmail: column(meta, 0),
        metaPhone: column(meta, 1),
        googleEmail: column(google, 0),
        googlePhone: column(google, 1),
      });
      compared += sqlRows.length;
    }
  } finally {
    await tables.close();
  }
  return compared;
}

describe("audience sql --dialect duckdb, run in DuckDB = the files audience build writes", () => {
  it("--hash: the SHA-256 of the files of meta and google-ads --hash", async () => {
    expect(await compareHashes(DUCKDB_TARGET)).toBeGreaterThan(3000);
  });

  it("output columns of every kind, every channel", async () => {
    const compared = await compareWithBuild(DUCKDB_TARGET, { segments: everyKind });
    expect(compared.segments).toBe(8);
    expect(compared.rows).toBeGreaterThan(1000);
  });

  it("fixtures/demo, with and without --exclusive", async () => {
    const { plan } = await shop();
    const compared = await compareWithBuild(DUCKDB_TARGET);
    expect(compared.segments).toBe(plan.segments.length * 2);
    // 23 segments of 2,000 contacts: thousands of rows, not a vacuous equality.
    expect(compared.rows).toBeGreaterThan(3000);
  });
});

const server = postgresBin();

describe.skipIf("missing" in server)(
  `audience sql --dialect postgres, run in a real PostgreSQL = the files audience build writes${"missing" in server ? ` — skipped: ${server.missing}` : ""}`,
  () => {
    let pgServer: TestPostgres;
    beforeAll(async () => {
      pgServer = await startPostgres();
    }, 120_000);
    afterAll(async () => {
      await pgServer?.stop();
    });

    it("--hash: the SHA-256 of the files of meta and google-ads --hash", async () => {
      expect(await compareHashes(postgresTarget(pgServer.url))).toBeGreaterThan(3000);
    });

    it("output columns of every kind, every channel", async () => {
      const compared = await compareWithBuild(postgresTarget(pgServer.url), {
        segments: everyKind,
      });
      expect(compared.segments).toBe(8);
      expect(compared.rows).toBeGreaterThan(1000);
    });

    it("fixtures/demo, with and without --exclusive", async () => {
      const { plan } = await shop();
      // The script as it is through psql too (in the schema the tables were loaded in).
      const psql = async (
        script: string,
        query: (sql: string) => Promise<Record<string, unknown>[]>,
      ): Promise<string[]> => {
        const schema = String((await query("SELECT current_schema() AS s"))[0].s);
        const dir = await mkdtemp(join(tmpdir(), "audience-psql-"));
        try {
          const file = join(dir, "audiences.sql");
          await writeFile(file, script);
          const { stdout } = await exec(
            join((server as { bin: string }).bin, "psql"),
            [pgServer.url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--csv", "-f", file],
            { env: { ...process.env, PGOPTIONS: `-c search_path=${schema}` }, maxBuffer: 1 << 26 },
          );
          const rows = parse(stdout, { columns: true }) as Record<string, string>[];
          return rows.map((r) => `${r.segment},${r.customer_key}`);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      };
      const compared = await compareWithBuild(postgresTarget(pgServer.url), { alsoRun: psql });
      expect(compared.segments).toBe(plan.segments.length * 2);
      expect(compared.rows).toBeGreaterThan(3000);
    });
  },
);

describe("audience sql --dialect bigquery | snowflake parses (node-sql-parser), not executed here", () => {
  const parser = new Parser();
  const ids = async () => (await shop()).plan.segments.map((s) => s.id);

  it("bigquery: the whole library in one statement, and each segment alone", async () => {
    const script = await printed(["--dialect", "bigquery"]);
    expect(() => parser.astify(script, { database: "bigquery" })).not.toThrow();
    expect(await printed(["--dialect", "bigquery", "--exclusive"])).toContain("first_rank");
    const hashed = await printed(["--dialect", "bigquery", "--hash", "--exclusive"]);
    expect(hashed).toContain("TO_HEX(SHA256(");
    expect(() => parser.astify(hashed, { database: "bigquery" })).not.toThrow();
    for (const id of await ids()) {
      const one = await printed(["--dialect", "bigquery", "--only", id]);
      expect(() => parser.astify(one, { database: "bigquery" }), id).not.toThrow();
    }
  });

  it("snowflake: each segment alone; the parser stops only at a lambda (TRANSFORM … ->)", async () => {
    const failing: string[] = [];
    for (const id of await ids()) {
      const one = await printed(["--dialect", "snowflake", "--only", id]);
      try {
        parser.astify(one, { database: "snowflake" });
      } catch (error) {
        const offset = (error as { location: { start: { offset: number } } }).location.start.offset;
        // Stopped at the lambda's parameter type, after `TRANSFORM(b."lists", x `.
        expect(one.slice(offset - 40, offset + 20)).toMatch(/TRANSFORM\(b\."lists", x VARCHAR ->/);
        failing.push(id);
      }
    }
    expect(failing).toEqual(["face-care-cross-sell"]);
    const exclusive = await printed([
      "--dialect",
      "snowflake",
      "--exclusive",
      "--only",
      "rfm-vip,top-customers",
    ]);
    expect(() => parser.astify(exclusive, { database: "snowflake" })).not.toThrow();
    const hashed = await printed([
      "--dialect",
      "snowflake",
      "--hash",
      "--only",
      "rfm-vip,whatsapp-vip",
    ]);
    expect(hashed).toContain("SHA2(");
    expect(() => parser.astify(hashed, { database: "snowflake" })).not.toThrow();
  });
});
