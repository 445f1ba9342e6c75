/**
 * `audience validate` end to end: the BUILT CLI (run `npm run build` first; `npm test` does) on
 * every broken fixture of fixtures/bad-segments/, one problem each, asserting the exact stdout
 * and exit code; plus the json and github formats, --strict, usage errors and a valid folder.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/run-cli.js";

const BAD = "fixtures/bad-segments";

/** [fixture (file or folder in fixtures/bad-segments), exit code, exact stdout with NO_COLOR=1] */
const BROKEN: [string, number, string][] = [
  [
    "alias-bomb.yaml",
    1,
    `fixtures/bad-segments/alias-bomb.yaml:2:8: error YAML_ALIAS: YAML aliases are not allowed in segment files (80 aliases in this file)
  1 | a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]
> 2 | b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
    |        ^^
  3 | c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
  4 | d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
  hint: write the value out, or use defaults: for values shared by the segments of a file

✖ 1 error in 1 file
`,
  ],
  [
    "bad-channel.yaml",
    1,
    `fixtures/bad-segments/bad-channel.yaml:4:14: error SCHEMA_ENUM: "segments.vip.channel" must be one of email, sms, whatsapp, any, none, found "emial" (did you mean "email"?)
  2 |   vip:
  3 |     where: total_spent > 500
> 4 |     channel: emial
    |              ^^^^^

✖ 1 error in 1 file
`,
  ],
  [
    "bad-consent.yaml",
    1,
    `fixtures/bad-segments/bad-consent.yaml:4:14: error SCHEMA_ENUM: "segments.vip.consent" must be one of required, ignore, found "optional"
  2 |   vip:
  3 |     where: total_spent > 500
> 4 |     consent: optional
    |              ^^^^^^^^

✖ 1 error in 1 file
`,
  ],
  [
    "bad-format.yaml",
    1,
    `fixtures/bad-segments/bad-format.yaml:4:13: error SCHEMA_ENUM: "segments.vip.format" must be one of generic, klaviyo, mailchimp, brevo, meta, google-ads, found "klavyio" (did you mean "klaviyo"?)
  2 |   vip:
  3 |     where: total_spent > 500
> 4 |     format: klavyio
    |             ^^^^^^^

✖ 1 error in 1 file
`,
  ],
  [
    "bad-id.yaml",
    1,
    `fixtures/bad-segments/bad-id.yaml:2:3: error BAD_KEY: segment id "Win Back" is not valid: it must match ^[a-z0-9][a-z0-9_-]{0,63}$
  1 | segments:
> 2 |   Win Back:
    |   ^^^^^^^^
  3 |     where: orders_count >= 1
  hint: an id is lowercase letters, digits, - and _ (at most 64, starting with a letter or digit), e.g. win-back: it names the output file

✖ 1 error in 1 file
`,
  ],
  [
    "cycle.yaml",
    1,
    `fixtures/bad-segments/cycle.yaml:3:23: error SEGMENT_CYCLE: segments depend on each other in a cycle: a → b → a
  1 | segments:
  2 |   a:
> 3 |     where: in_segment("b")
    |                       ^^^
  4 |   b:
  5 |     where: orders_count >= 1
  hint: in_segment() and exclude must not lead back to the segment itself

✖ 1 error in 1 file
`,
  ],
  [
    "duplicate-exclude.yaml",
    0,
    `fixtures/bad-segments/duplicate-exclude.yaml:6:22: warning DUPLICATE_ENTRY: "loyal" is listed twice in exclude
  4 |   newsletter:
  5 |     where: email_consent
> 6 |     exclude: [loyal, loyal]
    |                      ^^^^^

✔ 2 segments in 1 file, 1 warning
`,
  ],
  [
    "duration-for-date.yaml",
    1,
    `fixtures/bad-segments/duration-for-date.yaml:3:30: error DURATION_AS_DATE: "last_order_date" is a date, but 30d is a duration: did you mean -30d?
  1 | segments:
  2 |   lapsed:
> 3 |     where: last_order_date < 30d
    |                              ^^^
  hint: -30d is the date 30 days before as_of; 30d alone is a length of time

✖ 1 error in 1 file
`,
  ],
  [
    "exclude-unknown.yaml",
    1,
    `fixtures/bad-segments/exclude-unknown.yaml:6:15: error UNKNOWN_SEGMENT: exclude names an unknown segment "vipp" (did you mean "vip"?)
  4 |   newsletter:
  5 |     where: email_consent
> 6 |     exclude: [vipp]
    |               ^^^^

✖ 1 error in 1 file
`,
  ],
  [
    "guard-max-change.yaml",
    1,
    `fixtures/bad-segments/guard-max-change.yaml:5:19: error GUARD_RANGE: guard.max_change must be between 0% and 1000%, found 2000%
  3 |     where: total_spent > 500
  4 |     guard:
> 5 |       max_change: 2000%
    |                   ^^^^^

✖ 1 error in 1 file
`,
  ],
  [
    "guard-min-max.yaml",
    1,
    `fixtures/bad-segments/guard-min-max.yaml:4:19: error GUARD_RANGE: guard.min (500) is greater than guard.max (100): no count can pass
  2 |   vip:
  3 |     where: total_spent > 500
> 4 |     guard: { min: 500, max: 100 }
    |                   ^^^

✖ 1 error in 1 file
`,
  ],
  [
    "in-segment-unknown.yaml",
    1,
    `fixtures/bad-segments/in-segment-unknown.yaml:5:23: error UNKNOWN_SEGMENT: in_segment refers to an unknown segment "vpi" (did you mean "vip"?)
  3 |     where: total_spent > 500
  4 |   vip-lapsed:
> 5 |     where: in_segment("vpi") and days_since_last_order > 180
    |                       ^^^^^

✖ 1 error in 1 file
`,
  ],
  [
    "missing-where.yaml",
    1,
    `fixtures/bad-segments/missing-where.yaml:3:5: error MISSING_KEY: "segments.vip" is missing the required key "where"
  1 | segments:
  2 |   vip:
> 3 |     name: Best customers
    |     ^^^^^^^^^^^^^^^^^^^^
  4 |     channel: email

✖ 1 error in 1 file
`,
  ],
  [
    "path-traversal-id.yaml",
    1,
    `fixtures/bad-segments/path-traversal-id.yaml:2:3: error BAD_KEY: segment id "../x" is not valid: it must match ^[a-z0-9][a-z0-9_-]{0,63}$
  1 | segments:
> 2 |   ../x:
    |   ^^^^
  3 |     where: orders_count >= 1
  hint: an id is lowercase letters, digits, - and _ (at most 64, starting with a letter or digit), e.g. win-back: it names the output file

✖ 1 error in 1 file
`,
  ],
  [
    "type-mismatch.yaml",
    1,
    `fixtures/bad-segments/type-mismatch.yaml:3:26: error TYPE_MISMATCH: "total_spent" is a number, but "500" is a string
  1 | segments:
  2 |   big-spenders:
> 3 |     where: total_spent > "500"
    |                          ^^^^^
  hint: write 500 without quotes

✖ 1 error in 1 file
`,
  ],
  [
    "unknown-argument.yaml",
    1,
    `fixtures/bad-segments/unknown-argument.yaml:3:20: error UNKNOWN_ARGUMENT: unknown argument "withn" for orders() (did you mean "within"?)
  1 | segments:
  2 |   recent:
> 3 |     where: "orders(withn: 30d) >= 1"
    |                    ^^^^^
  hint: orders() takes within, since, until, product, sku, category, channel

✖ 1 error in 1 file
`,
  ],
  [
    "unknown-column.yaml",
    1,
    `fixtures/bad-segments/unknown-column.yaml:4:28: error UNKNOWN_COLUMN: unknown output column "last_prodct" (did you mean "last_product"?)
  2 |   vip:
  3 |     where: total_spent > 500
> 4 |     columns: [total_spent, last_prodct]
    |                            ^^^^^^^^^^^
  hint: columns are customer profile fields (last_product, total_spent, …) or props.NAME for a custom contact column

✖ 1 error in 1 file
`,
  ],
  [
    "unknown-field.yaml",
    1,
    `fixtures/bad-segments/unknown-field.yaml:3:12: error UNKNOWN_FIELD: unknown customer profile field "order_count" (did you mean "orders_count"?)
  1 | segments:
  2 |   win-back:
> 3 |     where: order_count >= 1 and last_order_date < -6m
    |            ^^^^^^^^^^^

✖ 1 error in 1 file
`,
  ],
  [
    "unknown-function.yaml",
    1,
    `fixtures/bad-segments/unknown-function.yaml:5:11: error UNKNOWN_FUNCTION: unknown function "ordrs" (did you mean "orders"?)
  3 |     where: |
  4 |       orders_count >= 2
> 5 |       and ordrs(within: 90d) >= 1
    |           ^^^^^

✖ 1 error in 1 file
`,
  ],
  [
    "unknown-segment-key.yaml",
    1,
    `fixtures/bad-segments/unknown-segment-key.yaml:4:5: error UNKNOWN_KEY: unknown key "segments.vip.chanel" (did you mean "channel"?)
  2 |   vip:
  3 |     where: total_spent > 500
> 4 |     chanel: sms
    |     ^^^^^^
  hint: allowed here: name, description, where, channel, consent, exclude, columns, priority, guard, format

✖ 1 error in 1 file
`,
  ],
  [
    "unknown-top-level-key.yaml",
    1,
    `fixtures/bad-segments/unknown-top-level-key.yaml:1:1: error UNKNOWN_KEY: unknown key "default" (did you mean "defaults"?)
> 1 | default:
    | ^^^^^^^
  2 |   channel: sms
  3 | segments:
  hint: allowed here: defaults, segments

✖ 1 error in 1 file
`,
  ],
  [
    "yaml-syntax.yaml",
    1,
    `fixtures/bad-segments/yaml-syntax.yaml:3:25: error YAML_SYNTAX: the expression contains ": ", which YAML reads as the start of a nested key
  1 | segments:
  2 |   recent:
> 3 |     where: orders(within: 30d) >= 1
    |                         ^
  4 |       and orders_count >= 2
  hint: quote the whole expression (where: "…"), or write it as a block: "where: |" and the expression on the next lines, indented

✖ 1 error in 1 file
`,
  ],
  [
    "duplicate-id",
    1,
    `fixtures/bad-segments/duplicate-id/b.yaml:4:3: error DUPLICATE_ID: segment id "vip" is already defined at fixtures/bad-segments/duplicate-id/a.yaml:2:3
  2 |   lapsed:
  3 |     where: days_since_last_order > 365
> 4 |   vip:
    |   ^^^
  5 |     where: tags contains "vip"
  hint: segment ids are unique across all segment files: each one names an output file

✖ 1 error in 1 file
`,
  ],
];

describe("audience validate: one broken fixture each", () => {
  it("covers every fixture file", async () => {
    const files = (await readdir(BAD)).filter((name) => name.endsWith(".yaml")).sort();
    expect(BROKEN.map(([name]) => name).filter((name) => name.endsWith(".yaml"))).toEqual(files);
  });

  it.each(BROKEN)("%s", async (fixture, code, stdout) => {
    const run = await runCli(["validate", `${BAD}/${fixture}`]);
    expect(run.stdout).toBe(stdout);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(code);
  });
});

describe("audience validate: formats and options", () => {
  it("prints docs/design.md#json-output JSON with --format json, sorted by file, line and column", async () => {
    const run = await runCli([
      "validate",
      "--format",
      "json",
      `${BAD}/unknown-field.yaml`,
      `${BAD}/cycle.yaml`,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual([
      {
        file: "fixtures/bad-segments/cycle.yaml",
        line: 3,
        column: 23,
        endLine: 3,
        endColumn: 26,
        severity: "error",
        code: "SEGMENT_CYCLE",
        message: "segments depend on each other in a cycle: a → b → a",
        hint: "in_segment() and exclude must not lead back to the segment itself",
      },
      {
        file: "fixtures/bad-segments/unknown-field.yaml",
        line: 3,
        column: 12,
        endLine: 3,
        endColumn: 23,
        severity: "error",
        code: "UNKNOWN_FIELD",
        message: 'unknown customer profile field "order_count" (did you mean "orders_count"?)',
      },
    ]);
  });

  it("prints [] with --format json when there is nothing to report", async () => {
    const run = await runCli(["validate", "fixtures/segments", "--format", "json"]);
    expect(run).toEqual({ code: 0, stdout: "[]\n", stderr: "" });
  });

  it("prints GitHub workflow commands with --format github", async () => {
    const run = await runCli([
      "validate",
      "--format=github",
      `${BAD}/duplicate-id`,
      `${BAD}/unknown-function.yaml`,
      `${BAD}/duplicate-exclude.yaml`,
    ]);
    expect(run.stdout).toBe(
      [
        '::warning file=fixtures/bad-segments/duplicate-exclude.yaml,line=6,col=22,endLine=6,endColumn=27,title=DUPLICATE_ENTRY::"loyal" is listed twice in exclude',
        '::error file=fixtures/bad-segments/duplicate-id/b.yaml,line=4,col=3,endLine=4,endColumn=6,title=DUPLICATE_ID::segment id "vip" is already defined at fixtures/bad-segments/duplicate-id/a.yaml:2:3%0Ahint: segment ids are unique across all segment files: each one names an output file',
        '::error file=fixtures/bad-segments/unknown-function.yaml,line=5,col=11,endLine=5,endColumn=16,title=UNKNOWN_FUNCTION::unknown function "ordrs" (did you mean "orders"?)',
        "✖ 2 errors, 1 warning in 3 files",
        "",
      ].join("\n"),
    );
    expect(run.code).toBe(1);
  });

  it("passes a valid folder with exit 0", async () => {
    const run = await runCli(["validate", "fixtures/segments"]);
    expect(run).toEqual({
      code: 0,
      stdout: "✔ 6 segments in 2 files, no problems\n",
      stderr: "",
    });
  });

  it("fails on warnings only with --strict", async () => {
    const lenient = await runCli(["validate", `${BAD}/duplicate-exclude.yaml`]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout.endsWith("\n✔ 2 segments in 1 file, 1 warning\n")).toBe(true);
    const strict = await runCli(["validate", "--strict", `${BAD}/duplicate-exclude.yaml`]);
    expect(strict.code).toBe(1);
    expect(strict.stdout.endsWith("\n✖ 1 warning in 1 file\n")).toBe(true);
  });

  it("reports a missing path as a diagnostic, not a crash", async () => {
    const run = await runCli(["validate", "fixtures/segments", "no/such/folder"]);
    expect(run).toEqual({
      code: 1,
      stdout:
        "no/such/folder:1:1: error FILE_NOT_FOUND: no such file or folder\n\n✖ 1 error in 1 file\n",
      stderr: "",
    });
  });

  it("checks segments/ of the working directory when no path is given", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "audience-validate-"));
    try {
      const missing = await runCli(["validate"], { cwd: dir });
      expect(missing.stdout).toBe(
        "segments:1:1: error FILE_NOT_FOUND: no such file or folder\n\n✖ 1 error in 1 file\n",
      );
      expect(missing.code).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses an unknown --format as a usage error (exit 2)", async () => {
    const run = await runCli(["validate", "--format", "xml", "fixtures/segments"]);
    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr: 'error --format must be text, json or github; found "xml"\n',
    });
  });

  it("reports a 1 MB expression with a frame cut to a readable width", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "audience-validate-"));
    try {
      const expression = `${"orders_count >= 1 and ".repeat(47_662)}true`;
      await writeFile(
        path.join(dir, "huge.yaml"),
        `segments:\n  huge:\n    where: ${expression}\n`,
      );
      const run = await runCli(["validate", "huge.yaml"], { cwd: dir });
      expect(run.code).toBe(1);
      const lines = run.stdout.split("\n");
      expect(lines[0]).toBe(
        "huge.yaml:3:10012: error EXPR_TOO_LONG: the expression is 1048568 characters long; the limit is 10000",
      );
      expect(lines[3].startsWith("> 3 | …")).toBe(true);
      expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(200);
      expect(lines.at(-2)).toBe("✖ 1 error in 1 file");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
