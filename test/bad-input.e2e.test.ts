/**
 * The bad-input corpus (fixtures/bad/ and a few generated files): every case gives either correct
 * output or a clear, located error with the documented exit code — never a stack trace, a hang or a
 * half-written audience. docs/reliability.md lists the same cases.
 */
import { chmod, cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-bad-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const BAD = "fixtures/bad";
const AS_OF = ["--as-of", "2026-06-30"];

/** `audience rfm --orders FILE`, the shortest path from a file to the readers. */
function rfm(file: string, ...more: string[]) {
  return runCli(["rfm", "--orders", file, ...AS_OF, "--quiet", ...more]);
}

function firstLine(text: string): string {
  return text.split("\n")[0];
}

describe("CSV files", () => {
  it("empty file: exit 1, says it is empty", async () => {
    const run = await rfm(`${BAD}/empty.csv`);
    expect([run.code, run.stderr]).toEqual([
      1,
      `error ${BAD}/empty.csv is empty: expected a header line and rows\n`,
    ]);
  });

  it("header only: exit 0, no buyers", async () => {
    const run = await rfm(`${BAD}/header-only.csv`);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      "RFM as of 2026-06-30 · 0 buyers of 0 customers · revenue 0.00\n\nNo buyers as of this date: nothing to score.\n",
    );
  });

  it("unbalanced quote: exit 1 at the line where the quote opens", async () => {
    const run = await rfm(`${BAD}/unbalanced-quote.csv`);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error ${BAD}/unbalanced-quote.csv:3: a quoted field opens here and never closes\n` +
        '  hint: a `"` inside a value must be doubled (`""`) or the value quoted\n',
    );
  });

  it("wrong delimiter: the whole header is one column, so the required columns are missing", async () => {
    const run = await runCli(["rfm", "--config", `${BAD}/wrong-delimiter.yaml`, ...AS_OF]);
    expect(run.code).toBe(1);
    expect(firstLine(run.stderr)).toBe(
      `error ${BAD}/comma-file-read-as-semicolon.csv has no column for customer_id or email or phone (did you mean "order_id,customer_id,created_at,total"?)`,
    );
    expect(run.stderr).toContain("  hint: headers found: order_id,customer_id,created_at,total\n");
  });

  it("duplicate headers: the first is used, with a warning", async () => {
    const run = await rfm(`${BAD}/duplicate-headers.csv`);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      `warning ${BAD}/duplicate-headers.csv: the header "email" appears more than once; the first one is used\n`,
    );
  });

  it("ragged rows: short rows read as empty cells, extra cells ignored", async () => {
    const run = await rfm(`${BAD}/ragged-rows.csv`);
    expect(run.code).toBe(0);
    expect(firstLine(run.stdout)).toBe(
      "RFM as of 2026-06-30 · 2 buyers of 2 customers · revenue 20.00",
    );
    expect(run.stderr).toContain(
      `  ${BAD}/ragged-rows.csv:4: order without a date (created_at empty on all its rows)\n`,
    );
  });

  it("a 10 MB cell: exit 1, pointing at the line", async () => {
    const file = join(work, "huge-cell.csv");
    await writeFile(
      file,
      `order_id,customer_id,created_at,product\n1,c1,2026-01-01,"${"x".repeat(10 * 1024 * 1024)}"\n2,c2,2026-01-02,ok\n`,
    );
    const run = await rfm(file);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error ${file}:2: a row longer than 4 MB — most likely an unbalanced quote on this line\n`,
    );
  });

  it("binary garbage: exit 1, not a text file", async () => {
    const run = await rfm(`${BAD}/binary.csv`);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error ${BAD}/binary.csv is not a text file (it contains binary data): expected a CSV export\n` +
        "  hint: check the path; compressed files must end in .gz\n",
    );
  });

  it("truncated gzip: exit 1, says the gzip data is corrupt", async () => {
    const run = await rfm(`${BAD}/truncated.csv.gz`);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^error ${BAD}/truncated\\.csv\\.gz: the gzip data is corrupt or truncated \\(Z_[A-Z_]+\\)\\n$`,
      ),
    );
  });

  it("Windows-1252 and UTF-16 files are read with their accents", async () => {
    for (const name of ["windows-1252", "utf-16"]) {
      const out = join(work, `enc-${name}`);
      await writeFile(
        join(work, `enc-${name}.yaml`),
        `orders: ${join(REPO_ROOT, BAD, `${name}.csv`)}\nas_of: 2026-06-30\nsegments: ${join(work, `enc-${name}-segments.yaml`)}\n`,
      );
      await writeFile(
        join(work, `enc-${name}-segments.yaml`),
        "segments:\n  all:\n    where: orders_count >= 1\n    channel: none\n    columns: [last_product]\n",
      );
      const run = await runCli([
        "build",
        "--config",
        join(work, `enc-${name}.yaml`),
        "--out",
        out,
        "--quiet",
      ]);
      expect(run.code).toBe(0);
      expect(await readFile(join(out, "all.csv"), "utf8")).toBe(
        "customer_id,email,phone,first_name,last_name,last_product\r\nc1,,,,,Crème été €\r\n",
      );
      if (name === "windows-1252") {
        expect(run.stderr).toBe(
          `warning ${BAD}/windows-1252.csv is not valid UTF-8: 4 byte(s) read as Windows-1252\n`,
        );
      }
    }
  });

  it("mixed line endings are all line breaks", async () => {
    const run = await rfm(`${BAD}/mixed-line-endings.csv`);
    expect([run.code, firstLine(run.stdout)]).toEqual([
      0,
      "RFM as of 2026-06-30 · 3 buyers of 3 customers · revenue 60.00",
    ]);
  });

  it("a missing file and a folder given as a file: exit 1", async () => {
    const missing = await rfm(`${BAD}/nope.csv`);
    expect([missing.code, firstLine(missing.stderr)]).toEqual([
      1,
      `error ${BAD}/nope.csv: no such file`,
    ]);
    const folder = await rfm(BAD);
    expect([folder.code, folder.stderr]).toEqual([1, `error ${BAD} is a folder, not a CSV file\n`]);
  });
});

describe("values", () => {
  it("impossible dates: each row skipped with its line and value", async () => {
    const run = await rfm(`${BAD}/impossible-dates.csv`);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      [
        "skipped 3 bad rows (all of them: --rejects FILE)",
        `  ${BAD}/impossible-dates.csv: 3 × impossible date in created_at`,
        `  ${BAD}/impossible-dates.csv:2: impossible date in created_at (2024-02-30)`,
        `  ${BAD}/impossible-dates.csv:3: impossible date in created_at (2023-02-29)`,
        `  ${BAD}/impossible-dates.csv:4: impossible date in created_at (2026-13-01)`,
        "",
      ].join("\n"),
    );
  });

  it("dates far in the future do not count as of today, and are reported", async () => {
    const run = await runCli(["rfm", "--orders", `${BAD}/future-dates.csv`, ...AS_OF]);
    expect(run.code).toBe(0);
    expect(firstLine(run.stdout)).toBe(
      "RFM as of 2026-06-30 · 1 buyer of 1 customer · revenue 10.00",
    );
    expect(run.stderr).toContain(
      `read ${BAD}/future-dates.csv: 3 rows → 1 order, 1 buyer not in contacts, 2 dated after as_of\n`,
    );
  });

  it("dates before 1970 are skipped", async () => {
    const run = await rfm(`${BAD}/dates-before-1970.csv`);
    expect(run.stderr).toContain(
      `  ${BAD}/dates-before-1970.csv: 2 × date before 1970 in created_at\n`,
    );
  });

  it("day/month dates without date_order stop the run with what to set; with date_order they are read", async () => {
    const run = await rfm(`${BAD}/ambiguous-dates.csv`);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error ${BAD}/ambiguous-dates.csv:2: the date "03/04/2026" could be day/month or month/day\n` +
        "  hint: set `date_order: dmy` (day first) or `date_order: mdy` (month first) in audience.yaml\n",
    );
    const dmy = await runCli([
      "rfm",
      "--config",
      `${BAD}/ambiguous-dates-dmy.yaml`,
      "--json",
      "--quiet",
    ]);
    // 3 April 2026 is 88 days before 30 June.
    expect(JSON.parse(dmy.stdout).cut_points.recency[0]).toBe(88);
  });

  it("amounts with letters, NaN, Infinity and negative totals are skipped; '1 234,50' is read", async () => {
    const run = await rfm(`${BAD}/bad-amounts.csv`);
    expect(firstLine(run.stdout)).toBe(
      "RFM as of 2026-06-30 · 1 buyer of 1 customer · revenue 1,234.50",
    );
    expect(run.stderr).toContain(
      `  ${BAD}/bad-amounts.csv: 4 × invalid number in total\n  ${BAD}/bad-amounts.csv: 1 × negative total\n`,
    );
    expect(run.stderr).toContain(`  ${BAD}/bad-amounts.csv:3: invalid number in total (NaN)\n`);
  });

  it("duplicate order ids across customers: the second customer's row is skipped", async () => {
    const run = await rfm(`${BAD}/duplicate-order-ids.csv`);
    expect(run.stderr).toContain(
      `  ${BAD}/duplicate-order-ids.csv:3: order_id already used by another customer\n`,
    );
  });

  it("orders for unknown customers create buyers not in contacts", async () => {
    const run = await runCli([
      "rfm",
      "--contacts",
      `${BAD}/contacts-known.csv`,
      "--orders",
      `${BAD}/orders-unknown-customers.csv`,
      ...AS_OF,
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      `read ${BAD}/orders-unknown-customers.csv: 2 rows → 2 orders, 1 buyer not in contacts\n`,
    );
  });

  it("duplicated contacts with conflicting consent keep no, with a warning; an unknown word reads as no", async () => {
    const run = await runCli([
      "rfm",
      "--contacts",
      `${BAD}/conflicting-consent.csv`,
      "--orders",
      `${BAD}/header-only.csv`,
      ...AS_OF,
      "--quiet",
    ]);
    expect(run.stderr).toBe(
      [
        `warning ${BAD}/conflicting-consent.csv: 1 × duplicate contact rows disagree on consent; kept no`,
        `warning ${BAD}/conflicting-consent.csv: 1 × unrecognised email_consent value, read as no`,
        `  ${BAD}/conflicting-consent.csv:3: duplicate contact rows disagree on consent; kept no`,
        `  ${BAD}/conflicting-consent.csv:4: unrecognised email_consent value, read as no (perhaps)`,
        "",
      ].join("\n"),
    );
  });

  it("invalid emails and phones are left out with warnings, and never printed", async () => {
    const run = await runCli([
      "rfm",
      "--contacts",
      `${BAD}/invalid-identifiers.csv`,
      "--orders",
      `${BAD}/header-only.csv`,
      ...AS_OF,
      "--quiet",
      "--timezone",
      "UTC",
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("no valid customer key (email or phone invalid)");
    expect(run.stderr).toContain("× invalid email left out");
    expect(run.stderr).toContain("× invalid phone left out");
    for (const secret of ["not-an-email", "0639980001", "12345", "@broken", "not a phone"])
      expect(run.stderr).not.toContain(secret);
  });

  it("--rejects writes every skipped row; --strict stops at the first", async () => {
    const rejects = join(work, "rejects.csv");
    const run = await rfm(`${BAD}/bad-amounts.csv`, "--rejects", rejects);
    expect(run.code).toBe(0);
    const lines = (await readFile(rejects, "utf8")).trim().split("\n");
    expect(lines[0]).toBe("file,line,reason,raw");
    expect(lines).toHaveLength(6);
    expect(lines[1]).toBe(
      `${BAD}/bad-amounts.csv,2,invalid number in total (12abc),"1,c1,2026-06-01,12abc"`,
    );
    const strict = await rfm(`${BAD}/bad-amounts.csv`, "--strict");
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe(
      `error ${BAD}/bad-amounts.csv:2: invalid number in total (12abc)\n  hint: without --strict, bad rows are skipped and counted\n`,
    );
  });
});

describe("configuration and segment files", () => {
  it("typos in audience.yaml: every one, with a code frame, exit 1", async () => {
    const run = await runCli(["rfm", "--config", `${BAD}/config-typos.yaml`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `${BAD}/config-typos.yaml:2:1: error UNKNOWN_KEY: unknown key "timezon" (did you mean "timezone"?)`,
    );
    expect(run.stderr).toContain(
      `${BAD}/config-typos.yaml:3:9: error SCHEMA_ENUM: "format" must be one of generic, klaviyo, mailchimp, brevo, meta, google-ads, found "klavio" (did you mean "klaviyo"?)`,
    );
    expect(run.stderr).toContain("> 2 | timezon: Europe/Paris\n");
    expect(run.stderr.trimEnd().split("\n").at(-1)).toBe(
      `error ${BAD}/config-typos.yaml has 2 errors`,
    );
  });

  it("a column mapping that names a header the file does not have", async () => {
    const run = await runCli(["rfm", "--config", `${BAD}/mapped-column-missing.yaml`]);
    expect(run.code).toBe(1);
    expect(firstLine(run.stderr)).toBe(
      `error columns.orders.created_at names the header "Date de commande", which ${BAD}/missing.csv does not have (did you mean "Date commande"?)`,
    );
  });

  it("a YAML alias bomb is refused at once, never expanded", async () => {
    const started = Date.now();
    const run = await runCli(["validate", "fixtures/bad-segments/alias-bomb.yaml"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("YAML_ALIAS");
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("10,000 nested parentheses and a 1 MB expression: EXPR_TOO_LONG, no crash", async () => {
    for (const [name, where] of [
      ["nested", `${"(".repeat(10_000)}orders_count > 1${")".repeat(10_000)}`],
      ["long", `orders_count > 1 ${"or orders_count > 1 ".repeat(55_000)}`],
    ]) {
      const file = join(work, `${name}.yaml`);
      await writeFile(file, `segments:\n  deep:\n    where: "${where}"\n`);
      const run = await runCli(["validate", file, "--format", "json"]);
      expect(run.code).toBe(1);
      const [problem] = JSON.parse(run.stdout) as { code: string; line: number }[];
      expect([problem.code, problem.line]).toEqual(["EXPR_TOO_LONG", 3]);
    }
  });

  it("a 64-level nested expression within the length limit: EXPR_TOO_DEEP", async () => {
    const file = join(work, "deep.yaml");
    await writeFile(file, `segments:\n  deep:\n    where: "${"not ".repeat(100)}known_contact"\n`);
    const run = await runCli(["validate", file, "--format", "json"]);
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as { code: string }[])[0].code).toBe("EXPR_TOO_DEEP");
  });

  it("a segment id trying path traversal is refused before any file is written", async () => {
    const run = await runCli([
      "validate",
      "fixtures/bad-segments/path-traversal-id.yaml",
      "--format",
      "json",
    ]);
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as { code: string }[]).map((d) => d.code)).toContain("BAD_KEY");
    const out = join(work, "traversal-out");
    const build = await runCli([
      "build",
      "--config",
      "fixtures/build/audience.yaml",
      "--segments",
      "fixtures/bad-segments/path-traversal-id.yaml",
      "--out",
      out,
    ]);
    expect(build.code).toBe(1);
    await expect(readdir(out)).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("output folder", () => {
  it("is a file: exit 1", async () => {
    const file = join(work, "out-file");
    await writeFile(file, "x");
    const run = await runCli([
      "build",
      "--config",
      "fixtures/build/audience.yaml",
      "--out",
      file,
      "--quiet",
    ]);
    expect([run.code, firstLine(run.stderr)]).toEqual([
      1,
      `error --out ${file} is a file, not a folder`,
    ]);
  });

  it("is not writable: exit 1 with the reason, nothing left behind", async () => {
    // Root can write anywhere the permissions say no; /proc refuses everyone.
    const root = process.getuid?.() === 0;
    let parent = "/proc/audience";
    if (!root) {
      parent = join(work, "read-only");
      await cp(join(REPO_ROOT, "fixtures/build"), parent, { recursive: true });
      await chmod(parent, 0o555);
    }
    const out = join(parent, "out");
    const run = await runCli([
      "build",
      "--config",
      "fixtures/build/audience.yaml",
      "--out",
      out,
      "--quiet",
    ]);
    if (!root) await chmod(parent, 0o755);
    expect(run.code).toBe(1);
    expect(firstLine(run.stderr)).toMatch(
      new RegExp(`^error cannot write ${out.replace(/[/.]/g, "\\$&")}`),
    );
    expect(run.stderr).not.toContain("    at ");
  });
});
