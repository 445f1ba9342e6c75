/**
 * The bad-input corpus (fixtures/bad/ and a few generated files): every case gives either correct
 * output or a clear, located error with the documented exit code — never a stack trace, a hang or a
 * half-written audience. Messages are asserted exactly; docs/reliability.md lists the same cases.
 */
import { spawn } from "node:child_process";
import { chmod, cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli, type CliRun } from "./helpers/run-cli.js";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-bad-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const BAD = "fixtures/bad";
const AS_OF = ["--as-of", "2026-06-30"];
const ROOT = process.getuid?.() === 0;
const POSIX = process.platform !== "win32";

/** `audience rfm --orders FILE`, the shortest path from a file to the readers. */
function rfm(file: string, ...more: string[]) {
  return runCli(["rfm", "--orders", file, ...AS_OF, "--quiet", ...more]);
}

/**
 * Runs the built CLI with the file `input` on its standard input through a real pipe
 * (`cat input | audience …`): Node's own "pipe" stdio is a socket, which /dev/stdin cannot open.
 */
function runPiped(input: string, args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "/bin/sh",
      [
        "-c",
        'cat "$0" | "$@"',
        input,
        process.execPath,
        join(REPO_ROOT, "bin/audience.js"),
        ...args,
      ],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? "", TZ: "UTC", NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      }),
    );
  });
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
    expect(run).toEqual({
      code: 0,
      stdout:
        "RFM as of 2026-06-30 · 0 buyers of 0 customers · revenue 0.00\n\nNo buyers as of this date: nothing to score.\n",
      stderr: "",
    });
  });

  it("unbalanced quote: exit 1 at the line where the quote opens", async () => {
    const run = await rfm(`${BAD}/unbalanced-quote.csv`);
    expect([run.code, run.stderr]).toEqual([
      1,
      `error ${BAD}/unbalanced-quote.csv:3: a quoted field opens here and never closes\n` +
        '  hint: a `"` inside a value must be doubled (`""`) or the value quoted\n',
    ]);
  });

  it("wrong delimiter set in audience.yaml: names the delimiter the file uses", async () => {
    const run = await runCli(["rfm", "--config", `${BAD}/wrong-delimiter.yaml`, ...AS_OF]);
    expect([run.code, run.stderr]).toEqual([
      1,
      `error ${BAD}/comma-file-read-as-semicolon.csv:1: the header line is separated by ",", not by ";" (delimiter: in audience.yaml)\n` +
        '  hint: set delimiter: "," in audience.yaml, or remove delimiter: to detect it from the header line\n',
    ]);
  });

  it("duplicate headers: the first is used, with a warning", async () => {
    const run = await rfm(`${BAD}/duplicate-headers.csv`);
    expect([run.code, run.stderr]).toEqual([
      0,
      `warning ${BAD}/duplicate-headers.csv: the header "email" appears more than once; the first one is used\n`,
    ]);
  });

  it("ragged rows: short rows read as empty cells, extra cells ignored", async () => {
    const run = await rfm(`${BAD}/ragged-rows.csv`);
    expect([run.code, firstLine(run.stdout), run.stderr]).toEqual([
      0,
      "RFM as of 2026-06-30 · 2 buyers of 2 customers · revenue 20.00",
      [
        "skipped 1 bad row (all of them: --rejects FILE)",
        `  ${BAD}/ragged-rows.csv: 1 × order without a date (created_at empty on all its rows)`,
        `  ${BAD}/ragged-rows.csv:4: order without a date (created_at empty on all its rows)`,
        "",
      ].join("\n"),
    ]);
  });

  it("a 10 MB cell: exit 1, pointing at the line", async () => {
    const file = join(work, "huge-cell.csv");
    await writeFile(
      file,
      `order_id,customer_id,created_at,product\n1,c1,2026-01-01,"${"x".repeat(10 * 1024 * 1024)}"\n2,c2,2026-01-02,ok\n`,
    );
    const run = await rfm(file);
    expect([run.code, run.stderr]).toEqual([
      1,
      `error ${file}:2: a row longer than 4 MB — most likely an unbalanced quote on this line\n`,
    ]);
  });

  it("binary garbage: exit 1, not a text file", async () => {
    const run = await rfm(`${BAD}/binary.csv`);
    expect([run.code, run.stderr]).toEqual([
      1,
      `error ${BAD}/binary.csv is not a text file (it contains binary data): expected a CSV export\n` +
        "  hint: check the path; compressed files must end in .gz\n",
    ]);
  });

  it("truncated gzip: exit 1, says the gzip data is corrupt", async () => {
    const run = await rfm(`${BAD}/truncated.csv.gz`);
    expect([run.code, run.stderr]).toEqual([
      1,
      `error ${BAD}/truncated.csv.gz: the gzip data is corrupt or truncated (Z_BUF_ERROR)\n`,
    ]);
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
      expect(run.stderr).toBe(
        name === "windows-1252"
          ? `warning ${BAD}/windows-1252.csv is not valid UTF-8: 4 byte(s) read as Windows-1252\n`
          : "",
      );
    }
  });

  it("mixed line endings are all line breaks", async () => {
    const run = await rfm(`${BAD}/mixed-line-endings.csv`);
    expect([run.code, firstLine(run.stdout), run.stderr]).toEqual([
      0,
      "RFM as of 2026-06-30 · 3 buyers of 3 customers · revenue 60.00",
      "",
    ]);
  });

  it("a missing file and a folder given as a file: exit 1", async () => {
    const missing = await rfm(`${BAD}/nope.csv`);
    expect([missing.code, missing.stderr]).toEqual([
      1,
      `error ${BAD}/nope.csv: no such file\n` +
        "  hint: paths in audience.yaml are relative to the folder of audience.yaml\n",
    ]);
    const folder = await rfm(BAD);
    expect([folder.code, folder.stderr]).toEqual([1, `error ${BAD} is a folder, not a CSV file\n`]);
  });

  it.skipIf(ROOT)("a file without read permission: exit 1, permission denied", async () => {
    const file = join(work, "locked.csv");
    await writeFile(file, "order_id,customer_id,created_at\n1,c1,2026-01-01\n");
    await chmod(file, 0o000);
    const run = await rfm(file);
    await chmod(file, 0o644);
    expect([run.code, run.stderr]).toEqual([1, `error ${file}: permission denied\n`]);
  });

  it.runIf(POSIX)("a pipe (/dev/stdin, <(…)), plain or gzip, reads like a file", async () => {
    const csv = "order_id,customer_id,created_at,total\n1,c1,2026-06-01,10\n2,c2,2026-06-02,20\n";
    const plain = join(work, "piped.csv");
    const gzip = join(work, "piped.csv.gz");
    await writeFile(plain, csv);
    await writeFile(gzip, gzipSync(csv));
    for (const input of [plain, gzip]) {
      const run = await runPiped(input, ["rfm", "--orders", "/dev/stdin", ...AS_OF, "--quiet"]);
      expect([run.code, firstLine(run.stdout), run.stderr]).toEqual([
        0,
        "RFM as of 2026-06-30 · 2 buyers of 2 customers · revenue 30.00",
        "",
      ]);
    }
  });

  it("a file without its header line: exit 1, the required column is missing", async () => {
    // That its first row (an email, a phone) is never printed is checked in privacy.e2e.test.ts.
    const run = await rfm(`${BAD}/no-header.csv`);
    expect([run.code, firstLine(run.stderr)]).toEqual([
      1,
      `error ${BAD}/no-header.csv has no column for customer_id or email or phone`,
    ]);
  });
});

describe("values", () => {
  it("impossible dates: each row skipped with its line and value", async () => {
    const run = await rfm(`${BAD}/impossible-dates.csv`);
    expect([run.code, run.stderr]).toEqual([
      0,
      [
        "skipped 3 bad rows (all of them: --rejects FILE)",
        `  ${BAD}/impossible-dates.csv: 3 × impossible date in created_at`,
        `  ${BAD}/impossible-dates.csv:2: impossible date in created_at (2024-02-30)`,
        `  ${BAD}/impossible-dates.csv:3: impossible date in created_at (2023-02-29)`,
        `  ${BAD}/impossible-dates.csv:4: impossible date in created_at (2026-13-01)`,
        "",
      ].join("\n"),
    ]);
  });

  it("dates far in the future do not count as of today, and are reported", async () => {
    const run = await runCli(["rfm", "--orders", `${BAD}/future-dates.csv`, ...AS_OF]);
    expect([run.code, firstLine(run.stdout), run.stderr]).toEqual([
      0,
      "RFM as of 2026-06-30 · 1 buyer of 1 customer · revenue 10.00",
      `read ${BAD}/future-dates.csv: 3 rows → 1 order, 1 buyer not in contacts, 2 dated after as_of\ncustomers: 1\n`,
    ]);
  });

  it("dates before 1970 are skipped", async () => {
    const run = await rfm(`${BAD}/dates-before-1970.csv`);
    expect([run.code, firstLine(run.stdout), run.stderr]).toEqual([
      0,
      "RFM as of 2026-06-30 · 1 buyer of 1 customer · revenue 10.00",
      [
        "skipped 2 bad rows (all of them: --rejects FILE)",
        `  ${BAD}/dates-before-1970.csv: 2 × date before 1970 in created_at`,
        `  ${BAD}/dates-before-1970.csv:2: date before 1970 in created_at (1969-12-31)`,
        `  ${BAD}/dates-before-1970.csv:3: date before 1970 in created_at (1900-01-01)`,
        "",
      ].join("\n"),
    ]);
  });

  it("day/month dates without date_order stop the run with what to set; with date_order they are read", async () => {
    const run = await rfm(`${BAD}/ambiguous-dates.csv`);
    expect([run.code, run.stderr]).toEqual([
      1,
      `error ${BAD}/ambiguous-dates.csv:2: the date "03/04/2026" could be day/month or month/day\n` +
        "  hint: set `date_order: dmy` (day first) or `date_order: mdy` (month first) in audience.yaml\n",
    ]);
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
    expect([run.code, firstLine(run.stdout), run.stderr]).toEqual([
      0,
      "RFM as of 2026-06-30 · 1 buyer of 1 customer · revenue 1,234.50",
      [
        "skipped 5 bad rows (all of them: --rejects FILE)",
        `  ${BAD}/bad-amounts.csv: 4 × invalid number in total`,
        `  ${BAD}/bad-amounts.csv: 1 × negative total`,
        `  ${BAD}/bad-amounts.csv:2: invalid number in total (12abc)`,
        `  ${BAD}/bad-amounts.csv:3: invalid number in total (NaN)`,
        `  ${BAD}/bad-amounts.csv:4: negative total (-15.00)`,
        `  ${BAD}/bad-amounts.csv:5: invalid number in total (Infinity)`,
        `  ${BAD}/bad-amounts.csv:6: invalid number in total (1e9)`,
        "",
      ].join("\n"),
    ]);
  });

  it("duplicate order ids across customers: the second customer's row is skipped", async () => {
    const run = await rfm(`${BAD}/duplicate-order-ids.csv`);
    expect([run.code, firstLine(run.stdout), run.stderr]).toEqual([
      0,
      "RFM as of 2026-06-30 · 2 buyers of 2 customers · revenue 20.00",
      [
        "skipped 1 bad row (all of them: --rejects FILE)",
        `  ${BAD}/duplicate-order-ids.csv: 1 × order_id already used by another customer`,
        `  ${BAD}/duplicate-order-ids.csv:3: order_id already used by another customer`,
        "",
      ].join("\n"),
    ]);
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
    expect([run.code, firstLine(run.stdout), run.stderr]).toEqual([
      0,
      "RFM as of 2026-06-30 · 2 buyers of 2 customers · revenue 30.00",
      `read ${BAD}/contacts-known.csv: 1 row → 1 customer\n` +
        `read ${BAD}/orders-unknown-customers.csv: 2 rows → 2 orders, 1 buyer not in contacts\n` +
        "customers: 2\n",
    ]);
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
    expect([run.code, run.stderr]).toEqual([
      0,
      [
        `warning ${BAD}/conflicting-consent.csv: 1 × duplicate contact rows disagree on consent; kept no`,
        `warning ${BAD}/conflicting-consent.csv: 1 × unrecognised email_consent value, read as no`,
        `  ${BAD}/conflicting-consent.csv:3: duplicate contact rows disagree on consent; kept no`,
        `  ${BAD}/conflicting-consent.csv:4: unrecognised email_consent value, read as no (perhaps)`,
        "",
      ].join("\n"),
    ]);
    // What was kept, as the files show it: c1 said yes, then no, to email; the no is written,
    // and an email segment (consent required) reaches neither c1 nor c2.
    const segments = join(work, "consent-segments.yaml");
    await writeFile(
      segments,
      [
        "segments:",
        "  newsletter:",
        "    where: known_contact",
        "    channel: email",
        "  everyone:",
        "    where: known_contact",
        "    channel: none",
        "    columns: [email_consent, sms_consent]",
        "",
      ].join("\n"),
    );
    const out = join(work, "consent-out");
    const build = await runCli([
      "build",
      "--contacts",
      `${BAD}/conflicting-consent.csv`,
      "--orders",
      `${BAD}/header-only.csv`,
      "--segments",
      segments,
      "--out",
      out,
      ...AS_OF,
      "--quiet",
    ]);
    expect(build.code).toBe(0);
    expect(await readFile(join(out, "everyone.csv"), "utf8")).toBe(
      "customer_id,email,phone,first_name,last_name,email_consent,sms_consent\r\n" +
        "c1,a@example.com,,,,false,true\r\n" +
        "c2,b@example.com,,,,false,false\r\n",
    );
    expect(await readFile(join(out, "newsletter.csv"), "utf8")).toBe(
      "customer_id,email,phone,first_name,last_name\r\n",
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
    ]);
    const file = `${BAD}/invalid-identifiers.csv`;
    expect([run.code, run.stderr]).toEqual([
      0,
      [
        "skipped 2 bad rows (all of them: --rejects FILE)",
        `  ${file}: 2 × no valid customer key (email or phone invalid)`,
        `  ${file}:4: no valid customer key (email or phone invalid)`,
        `  ${file}:5: no valid customer key (email or phone invalid)`,
        `warning ${file}: 1 × invalid email left out`,
        `warning ${file}: 2 × invalid phone left out (national numbers need \`default_country:\`, e.g. US or FR)`,
        `  ${file}:2: invalid email left out`,
        `  ${file}:2: invalid phone left out (national numbers need \`default_country:\`, e.g. US or FR)`,
        `  ${file}:3: invalid phone left out (national numbers need \`default_country:\`, e.g. US or FR)`,
        "",
      ].join("\n"),
    ]);
    for (const secret of ["not-an-email", "0639980001", "12345", "@broken", "not a phone"])
      expect(run.stderr).not.toContain(secret);
  });

  it("--rejects writes every skipped row; --strict stops at the first", async () => {
    const rejects = join(work, "rejects.csv");
    const run = await rfm(`${BAD}/bad-amounts.csv`, "--rejects", rejects);
    expect(run.code).toBe(0);
    expect(await readFile(rejects, "utf8")).toBe(
      [
        "file,line,reason,raw",
        `${BAD}/bad-amounts.csv,2,invalid number in total (12abc),"1,c1,2026-06-01,12abc"`,
        `${BAD}/bad-amounts.csv,3,invalid number in total (NaN),"2,c1,2026-06-01,NaN"`,
        `${BAD}/bad-amounts.csv,4,negative total (-15.00),"3,c1,2026-06-01,-15.00"`,
        `${BAD}/bad-amounts.csv,5,invalid number in total (Infinity),"4,c1,2026-06-01,Infinity"`,
        `${BAD}/bad-amounts.csv,6,invalid number in total (1e9),"5,c1,2026-06-01,1e9"`,
        "",
      ].join("\n"),
    );
    const strict = await rfm(`${BAD}/bad-amounts.csv`, "--strict");
    expect([strict.code, strict.stderr]).toEqual([
      1,
      `error ${BAD}/bad-amounts.csv:2: invalid number in total (12abc)\n  hint: without --strict, bad rows are skipped and counted\n`,
    ]);
  });

  it("--rejects naming a file the run reads is refused before anything is overwritten", async () => {
    const orders = join(work, "orders-kept.csv");
    const content = "order_id,customer_id,created_at,total\n1,c1,2026-06-01,abc\n";
    await writeFile(orders, content);
    const run = await runCli(["rfm", "--orders", orders, ...AS_OF, "--rejects", orders]);
    expect([run.code, run.stderr]).toEqual([
      2,
      `error --rejects ${orders} is a file this run reads: it would be overwritten\n` +
        "  hint: give another file name for the rejected rows, e.g. --rejects rejects.csv\n",
    ]);
    expect(await readFile(orders, "utf8")).toBe(content);
  });

  it("--rejects naming a folder or a file in a missing folder: refused before reading", async () => {
    const folder = await rfm(`${BAD}/bad-amounts.csv`, "--rejects", BAD);
    expect([folder.code, folder.stderr]).toEqual([
      2,
      `error --rejects ${BAD} is a folder\n` +
        "  hint: give a file name for the rejected rows, e.g. --rejects rejects.csv\n",
    ]);
    const missing = join(work, "no-such-folder", "rejects.csv");
    const run = await rfm(`${BAD}/bad-amounts.csv`, "--rejects", missing);
    expect([run.code, run.stdout, run.stderr]).toEqual([
      1,
      "",
      `error cannot write --rejects file ${missing}: its folder does not exist\n`,
    ]);
  });
});

describe("configuration and segment files", () => {
  it("typos in audience.yaml: every one, with a code frame, exit 1", async () => {
    const run = await runCli(["rfm", "--config", `${BAD}/config-typos.yaml`]);
    const file = `${BAD}/config-typos.yaml`;
    expect([run.code, run.stderr]).toEqual([
      1,
      [
        `${file}:2:1: error UNKNOWN_KEY: unknown key "timezon" (did you mean "timezone"?)`,
        "  1 | orders: o.csv",
        "> 2 | timezon: Europe/Paris",
        "    | ^^^^^^^",
        "  3 | format: klavio",
        "  hint: allowed here: contacts, orders, events, lists, database, key_map, order_lines, include_shipping, preset, columns, delimiter, decimal, segments, out, format, timezone, default_country, date_order, orders_filter, exclude_status, currency, exchange_rates, reporting_currency, rfm, as_of, hash, exclusive, strict, engine, duckdb, cache, history",
        "",
        `${file}:3:9: error SCHEMA_ENUM: "format" must be one of generic, klaviyo, mailchimp, brevo, meta, google-ads, found "klavio" (did you mean "klaviyo"?)`,
        "  1 | orders: o.csv",
        "  2 | timezon: Europe/Paris",
        "> 3 | format: klavio",
        "    |         ^^^^^^",
        "",
        "✖ 2 errors in 1 file",
        `error ${file} has 2 errors`,
        "",
      ].join("\n"),
    ]);
  });

  it("a column mapping that names a header the file does not have", async () => {
    const run = await runCli(["rfm", "--config", `${BAD}/mapped-column-missing.yaml`]);
    expect([run.code, firstLine(run.stderr)]).toEqual([
      1,
      `error columns.orders.created_at names the header "Date de commande", which ${BAD}/missing.csv does not have (did you mean "Date commande"?)`,
    ]);
  });

  it("audience.yaml saved as UTF-16 (Notepad's “Unicode”) is read; one in Windows-1252 is refused", async () => {
    const utf16 = await runCli(["rfm", "--config", `${BAD}/utf-16-config.yaml`, ...AS_OF]);
    expect([utf16.code, firstLine(utf16.stdout)]).toEqual([
      0,
      "RFM as of 2026-06-30 · 0 buyers of 0 customers · revenue 0.00",
    ]);
    const cp1252 = await runCli(["rfm", "--config", `${BAD}/windows-1252-config.yaml`, ...AS_OF]);
    expect([cp1252.code, cp1252.stderr]).toEqual([
      1,
      `error ${BAD}/windows-1252-config.yaml is not UTF-8 text: expected a YAML config file\n` +
        "  hint: save audience.yaml as UTF-8, or check the --config path\n",
    ]);
  });

  it.runIf(POSIX)(
    "an endless device as config or segment file: refused at the size limit, no hang",
    async () => {
      const config = await runCli(["rfm", "--config", "/dev/zero", ...AS_OF]);
      expect([config.code, config.stderr]).toEqual([
        1,
        "error /dev/zero is larger than 1 MB: not a config file\n",
      ]);
      const segments = await runCli(["validate", "/dev/zero", "--format", "json"]);
      expect(segments.code).toBe(1);
      expect(JSON.parse(segments.stdout)).toEqual([
        {
          file: expect.stringMatching(/dev\/zero$/),
          line: 1,
          column: 1,
          severity: "error",
          code: "FILE_TOO_LARGE",
          message: "the file is larger than 5 MB, the limit for segment files",
        },
      ]);
    },
  );

  it("a YAML alias bomb is refused at the first alias, never expanded", async () => {
    const run = await runCli([
      "validate",
      "fixtures/bad-segments/alias-bomb.yaml",
      "--format",
      "json",
    ]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual([
      {
        file: "fixtures/bad-segments/alias-bomb.yaml",
        line: 2,
        column: 8,
        endLine: 2,
        endColumn: 10,
        severity: "error",
        code: "YAML_ALIAS",
        message: "YAML aliases are not allowed in segment files (80 aliases in this file)",
        hint: "write the value out, or use defaults: for values shared by the segments of a file",
      },
    ]);
  });

  it("YAML nested 100,000 levels deep: a located syntax error, no crash", async () => {
    await writeFile(
      join(work, "deep-yaml.yaml"),
      `segments: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`,
    );
    for (const args of [
      ["validate", "deep-yaml.yaml"],
      ["rfm", "--orders", join(REPO_ROOT, BAD, "header-only.csv"), "--config", "deep-yaml.yaml"],
    ]) {
      const run = await runCli(args, { cwd: work });
      expect(run.code).toBe(1);
      // The column where the YAML parser gives up depends on the stack size of the platform.
      expect(run.stdout + run.stderr).toMatch(/^deep-yaml\.yaml:1:\d+: error YAML_SYNTAX: /);
      expect(run.stdout + run.stderr).not.toContain("    at ");
    }
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
      const problems = JSON.parse(run.stdout) as { code: string; line: number; message: string }[];
      expect(problems.map((p) => [p.code, p.line])).toEqual([["EXPR_TOO_LONG", 3]]);
    }
  });

  it("a 100-level nested expression within the length limit: EXPR_TOO_DEEP", async () => {
    const file = join(work, "deep.yaml");
    await writeFile(file, `segments:\n  deep:\n    where: "${"not ".repeat(100)}known_contact"\n`);
    const run = await runCli(["validate", file, "--format", "json"]);
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as { code: string }[]).map((d) => d.code)).toEqual([
      "EXPR_TOO_DEEP",
    ]);
  });

  it("a segment id trying path traversal is refused before any file is written", async () => {
    const run = await runCli([
      "validate",
      "fixtures/bad-segments/path-traversal-id.yaml",
      "--format",
      "json",
    ]);
    expect(run.code).toBe(1);
    expect(
      (JSON.parse(run.stdout) as { code: string; message: string }[]).map((d) => [
        d.code,
        d.message,
      ]),
    ).toEqual([
      ["BAD_KEY", 'segment id "../x" is not valid: it must match ^[a-z0-9][a-z0-9_-]{0,63}$'],
    ]);
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
    expect([build.code, build.stderr.trimEnd().split("\n").at(-1)]).toEqual([
      1,
      "error the segment definitions have 1 problem",
    ]);
    await expect(readdir(out)).rejects.toMatchObject({ code: "ENOENT" });
    await expect(readdir(join(work, "x"))).rejects.toMatchObject({ code: "ENOENT" });
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
    expect([run.code, run.stderr]).toEqual([
      1,
      `error --out ${file} is a file, not a folder\n  hint: choose a folder for the audience files\n`,
    ]);
    expect(await readFile(file, "utf8")).toBe("x");
  });

  it("is not writable: exit 1 with the reason, nothing left behind", async () => {
    // Root can write anywhere the permissions say no; /proc refuses everyone.
    let parent = "/proc/audience";
    if (!ROOT) {
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
    if (!ROOT) await chmod(parent, 0o755);
    expect([run.code, run.stderr]).toEqual([
      1,
      ROOT
        ? `error cannot write ${out} (creating its parent folder: ENOENT)\n`
        : `error cannot write ${out}: permission denied (taking the lock)\n` +
          "  hint: choose another --out, or fix the folder's permissions\n",
    ]);
    if (!ROOT)
      expect((await readdir(parent)).sort()).toEqual([
        "audience.yaml",
        "contacts.csv",
        "orders.csv",
        "segments.yaml",
      ]);
  });

  it("is a folder of other files: refused, nothing replaced", async () => {
    const folder = join(work, "not-an-audience");
    await cp(join(REPO_ROOT, "fixtures/build"), folder, { recursive: true });
    const run = await runCli([
      "build",
      "--config",
      "fixtures/build/audience.yaml",
      "--out",
      folder,
      "--quiet",
    ]);
    expect([run.code, run.stderr]).toEqual([
      1,
      `error --out ${folder} is a folder with other files in it, not an output of audience\n` +
        "  hint: audience replaces the whole output folder: choose an empty or new folder\n",
    ]);
    expect((await readdir(folder)).sort()).toEqual([
      "audience.yaml",
      "contacts.csv",
      "orders.csv",
      "segments.yaml",
    ]);
  });
});
