/**
 * `audience sql` through the BUILT CLI: what it prints (a header of comments naming the tables,
 * columns and segments, then one statement), what it reads (the config and the segment files,
 * never the data), and its errors — usage errors exit 2, definitions it cannot compile exit 1 —
 * each one line on stderr with nothing on stdout. That the statements run and give the members
 * `audience build` writes is test/sql-command.test.ts.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";
import { VERSION } from "../src/version.js";

const DEMO = ["--config", "fixtures/demo/audience.yaml"];

/** The lines of a script that are not comments: the statement. */
const statementOf = (script: string) =>
  script
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("--"))
    .join("\n");

describe("audience sql prints a self-describing script", () => {
  it("postgres, two segments: header, then one statement ending with ;", async () => {
    const run = await runCli([
      "sql",
      "--dialect",
      "postgres",
      ...DEMO,
      "--only",
      "whatsapp-vip,face-care-cross-sell",
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe(
      `-- audience ${VERSION} · dialect postgres · as of 2026-06-30 (every date window and days_since below is fixed to this day)`,
    );
    // The result columns, the segments with their where, the tables with each column's type.
    for (const line of [
      "--   customer_key  text     customer_id, else the normalized email, else the E.164 phone",
      "--   first_name    text     first name (every row)",
      "--   whatsapp-vip (VIP who read our WhatsApp messages): channel whatsapp",
      '--     where: (orders_count >= 3 or total_spent > 300) and events("whatsapp_read", within: 90d) >= 1',
      '--   "profiles": one row per customer (one customer view), every profile field as of the as_of day above',
      "--     lists             text[] NOT NULL   lists the contact belongs to",
      '--   "order_lines": the lines of the counted orders',
      "--     day        integer NOT NULL  occurred_at, epoch day",
    ])
      expect(lines).toContain(line);
    // No event property is filtered on: that table is not read, nor listed.
    expect(run.stdout).not.toContain('"event_properties"');
    const statement = statementOf(run.stdout);
    expect(statement.startsWith('WITH "line_match" AS (SELECT')).toBe(true);
    expect(statement.endsWith('ORDER BY r."rank", r."customer";')).toBe(true);
    expect(statement.split(";")).toHaveLength(2);
    expect(statement).toContain("SELECT 'whatsapp-vip' AS \"segment\"");
  });

  it("each dialect quotes and types in its own way; the same segments every time", async () => {
    const out: Record<string, string> = {};
    for (const dialect of ["duckdb", "postgres", "bigquery", "snowflake"]) {
      const run = await runCli(["sql", "--dialect", dialect, ...DEMO, "--only", "repeat-lapsed"]);
      expect(run.code).toBe(0);
      out[dialect] = run.stdout;
    }
    expect(out.duckdb).toContain('CAST(NULL AS VARCHAR) AS "phone"');
    expect(out.postgres).toContain('CAST(NULL AS text) AS "phone"');
    expect(out.bigquery).toContain("CAST(NULL AS STRING) AS phone");
    expect(out.snowflake).toContain('CAST(NULL AS VARCHAR) AS "phone"');
    // last_order_date, an epoch day in the tables, comes back as a DATE.
    expect(out.bigquery).toContain(
      "DATE_ADD(DATE '1970-01-01', INTERVAL CAST(b.last_order_date AS INT64) DAY) AS last_order_date",
    );
    expect(out.snowflake).toContain(
      `DATEADD(day, b."last_order_date", TO_DATE('1970-01-01')) AS "last_order_date"`,
    );
    for (const script of Object.values(out))
      expect(script).toContain(
        "--   repeat-lapsed (Repeat buyers with no order for 90 days): channel email, priority 50, columns total_spent, last_order_date",
      );
  });

  it("--exclusive keeps each customer in their first segment; --as-of moves the windows", async () => {
    const run = await runCli(["sql", "--dialect", "duckdb", ...DEMO, "--exclusive"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("each customer only in the first segment");
    expect(statementOf(run.stdout)).toContain('MIN("rank") AS "first_rank"');
    const later = await runCli([
      "sql",
      "--dialect",
      "duckdb",
      ...DEMO,
      "--as-of",
      "2026-07-01",
      "--only",
      "whatsapp-vip",
    ]);
    expect(later.stdout.split("\n")[0]).toContain("as of 2026-07-01");
    // 2026-07-01 is epoch day 20635; 90 days back is 20546.
    expect(later.stdout).toContain('e."day" <= 20635 AND e."day" >= 20546');
  });

  it("with --only, the segments it depends on are computed and said so, not returned", async () => {
    const dir = await mkdtemp(join(tmpdir(), "audience-sql-"));
    try {
      await writeFile(
        join(dir, "s.yaml"),
        [
          "segments:",
          "  buyers:",
          "    where: orders_count >= 1",
          "  loyal:",
          '    name: "Loyal\\nbuyers -- a break in the name"',
          "    where: |",
          '      in_segment("buyers")',
          "      and orders_count >= 3",
          "    exclude: [lapsed]",
          "  lapsed:",
          "    where: days_since_last_order > 365",
          "",
        ].join("\n"),
      );
      const run = await runCli(
        [
          "sql",
          "--dialect",
          "postgres",
          "--segments",
          "s.yaml",
          "--only",
          "loyal",
          "--as-of",
          "2026-06-30",
        ],
        { cwd: dir },
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        "--   computed for the ones above, not returned: buyers, lapsed",
      );
      expect(run.stdout).toContain("--     exclude: lapsed");
      // Line breaks in a name or a where never end the comment: each becomes a space.
      expect(run.stdout).toContain(
        "--   loyal (Loyal buyers -- a break in the name): channel email\n",
      );
      expect(run.stdout).toContain('--     where: in_segment("buyers") and orders_count >= 3\n');
      expect(statementOf(run.stdout)).toContain("SELECT 'loyal' AS \"segment\"");
      expect(statementOf(run.stdout)).not.toContain("SELECT 'buyers' AS \"segment\"");
      // A segment reads nothing of orders: only profiles is listed.
      expect(run.stdout).not.toContain('"orders":');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the README's example is the real output", () => {
  it("audience sql --dialect postgres --only repeat-lapsed", async () => {
    const readme = await readFile(join(REPO_ROOT, "README.md"), "utf8");
    const command =
      "$ npx audience sql --dialect postgres --config fixtures/demo/audience.yaml --only repeat-lapsed\n";
    const start = readme.indexOf(command);
    expect(start).toBeGreaterThan(0);
    const shown = readme.slice(start + command.length, readme.indexOf("```", start));
    const run = await runCli(["sql", "--dialect", "postgres", ...DEMO, "--only", "repeat-lapsed"]);
    expect(run.code).toBe(0);
    expect(shown).toBe(run.stdout);
  });
});

describe("audience sql errors: one line on stderr, nothing on stdout", () => {
  it.each([
    [
      ["--dialect", "postgresql"],
      2,
      'error --dialect must be duckdb, postgres, bigquery, snowflake; found "postgresql" (did you mean "postgres"?)\n',
    ],
    [
      [],
      2,
      "error: required option '--dialect <name>' not specified\n(run with --help for usage)\n",
    ],
    [
      ["--dialect", "duckdb", "--orders", "o.csv"],
      2,
      "error: unknown option '--orders'\n(run with --help for usage)\n",
    ],
    [["--dialect", "bigquery", "--as-of", "2026-02-30"], 2, undefined],
  ])("sql %j → exit %i", async (args, code, stderr) => {
    const run = await runCli(["sql", ...args, ...DEMO]);
    expect(run.code).toBe(code);
    expect(run.stdout).toBe("");
    if (stderr !== undefined) expect(run.stderr).toBe(stderr);
    else expect(run.stderr).toMatch(/^error .*2026-02-30.*\n$/);
  });

  it("an unknown --only id: exit 2, with the closest id", async () => {
    const run = await runCli(["sql", "--dialect", "duckdb", ...DEMO, "--only", "rfm-vipp"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n")[0]).toBe(
      'error --only: no segment "rfm-vipp" (did you mean "rfm-vip"?)',
    );
  });

  it("a prediction field: exit 1, located at the segment, naming the field", async () => {
    const run = await runCli([
      "sql",
      "--dialect",
      "snowflake",
      ...DEMO,
      "--segments",
      "segments/predictive",
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      'error segments/predictive/predictive.yaml:11:3: segment "valuable-likely-lost" reads p_alive, a prediction fitted in TypeScript (docs/design.md#predictions) that SQL cannot compute: audience sql cannot compile it (leave it out with --only)\n',
    );
  });

  it("broken definitions are reported as every command reports them (exit 1)", async () => {
    const run = await runCli(["sql", "--dialect", "duckdb", ...DEMO, "--segments", "nope/"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("nope:1:1: error FILE_NOT_FOUND: no such file or folder");
  });

  it("is listed by --help", async () => {
    const run = await runCli(["--help"]);
    expect(run.stdout).toMatch(/\n {2}sql \[options\] +print the segments as one SQL statement/);
  });
});
