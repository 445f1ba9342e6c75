/**
 * `audience test` (docs/design.md#explain-and-tests) end to end: the library's own test files pass; a wrong expectation
 * fails at its exact line with the explanation of each customer that differs, in text, json and
 * github formats; `validate` checks test files without data.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

let work: string;
let lifecycleTest: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-tests-"));
  // The library's lifecycle test, pointed at the library from a folder of its own.
  lifecycleTest = (await readFile(join(REPO_ROOT, "segments/lifecycle.test.yaml"), "utf8")).replace(
    "segments: lifecycle.yaml",
    `segments: ${JSON.stringify(join(REPO_ROOT, "segments/lifecycle.yaml"))}`,
  );
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Writes `text` as NAME in a fresh folder and returns the folder. */
async function testFolder(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(work, "case-"));
  await writeFile(join(dir, name), text);
  return dir;
}

function lineOf(text: string, needle: string): number {
  const index = text.split("\n").findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`no line with ${needle}`);
  return index + 1;
}

describe("the library's segment tests", () => {
  it("pass: every segment of segments/ has expectations", async () => {
    const run = await runCli(["test", "segments/"]);
    expect([run.code, run.stderr, run.stdout]).toEqual([
      0,
      "",
      "✔ 23 expectations in 4 test files passed (38 test customers)\n",
    ]);
    const validate = await runCli(["validate", "segments/", "--format", "json"]);
    expect([validate.code, validate.stdout]).toEqual([0, "[]\n"]);
  });
});

describe("a wrong expectation", () => {
  const wrong = () =>
    lifecycleTest.replace("  one-time-lapsed: [once-60-days]", "  one-time-lapsed: [once-59-days]");

  it("fails at its exact line, with the explanation of each differing customer", async () => {
    const text = wrong();
    const dir = await testFolder("lifecycle.test.yaml", text);
    const run = await runCli(["test", "."], { cwd: dir });
    const line = lineOf(text, "one-time-lapsed: [once-59-days]");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `lifecycle.test.yaml:${line}:3: error TEST_FAILED: one-time-lapsed: expected [once-59-days], matched [once-60-days]\n`,
    );
    expect(run.stdout).toContain(`> ${line} |   one-time-lapsed: [once-59-days]`);
    expect(run.stdout).toContain("once-60-days: matches, not expected");
    expect(run.stdout).toContain("once-59-days: expected, does not match");
    expect(run.stdout).toContain("✔ days_since_last_order >= 60 → true (60)");
    expect(run.stdout).toContain("✖ days_since_last_order >= 60 → false (59)");
    expect(run.stdout.endsWith("✖ 1 error in 1 file\n")).toBe(true);
  });

  it("is an annotation at the test file's line with --format github, and a row with --format json", async () => {
    const text = wrong();
    const dir = await testFolder("lifecycle.test.yaml", text);
    const line = lineOf(text, "one-time-lapsed: [once-59-days]");
    const github = await runCli(["test", "lifecycle.test.yaml", "--format", "github"], {
      cwd: dir,
    });
    expect(github.code).toBe(1);
    const [annotation] = github.stdout.split("\n");
    expect(annotation).toMatch(
      new RegExp(
        `^::error file=lifecycle.test.yaml,line=${line},col=3,endLine=${line},endColumn=18,title=TEST_FAILED::one-time-lapsed: expected \\[once-59-days\\], matched \\[once-60-days\\]%0Ahint: once-60-days: matches, not expected%0A`,
      ),
    );
    const json = await runCli(["test", ".", "--format", "json"], { cwd: dir });
    expect(json.code).toBe(1);
    const rows = JSON.parse(json.stdout) as {
      file: string;
      line: number;
      column: number;
      code: string;
    }[];
    expect(rows.map((r) => [r.file, r.line, r.column, r.code])).toEqual([
      ["lifecycle.test.yaml", line, 3, "TEST_FAILED"],
    ]);
  });
});

describe("problems in a test file", () => {
  it("are reported by validate and test, at their places, without data", async () => {
    const text = lifecycleTest
      .replace("total: 50, category", "totl: 50, category")
      .replace("  repeat-lapsed: [repeat-90-days]", "  repeat-lapsd: [repeat-90-day]");
    const dir = await testFolder("bad.test.yaml", text);
    const expected = [
      `bad.test.yaml:${lineOf(text, "totl")}:54: error UNKNOWN_FIELD: unknown order field "totl" (did you mean "total"?)`,
      `bad.test.yaml:${lineOf(text, "repeat-lapsd")}:3: error UNKNOWN_SEGMENT: no segment "repeat-lapsd" in ${join(REPO_ROOT, "segments/lifecycle.yaml")} (did you mean "repeat-lapsed"?)`,
      `bad.test.yaml:${lineOf(text, "repeat-lapsd")}:18: error UNKNOWN_CUSTOMER: "repeat-90-day" is not a test customer (did you mean "repeat-90-days"?)`,
    ];
    for (const command of ["validate", "test"]) {
      const run = await runCli([command, "."], { cwd: dir });
      expect(run.code).toBe(1);
      expect(run.stdout.split("\n").filter((l) => / error /.test(l))).toEqual(expected);
    }
  });

  it("a row the readers would skip is shown at the row", async () => {
    const text = lifecycleTest.replace(
      "created_at: 2026-06-21, total: 50",
      "created_at: 21 juin, total: 50",
    );
    const dir = await testFolder("rows.test.yaml", text);
    const run = await runCli(["test", "."], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `rows.test.yaml:${lineOf(text, "21 juin")}:14: error TEST_ROW_SKIPPED: this row is skipped by the readers: not a date in created_at (21 juin)`,
    );
  });

  it("a folder without test files is an error", async () => {
    const dir = await mkdtemp(join(work, "empty-"));
    const run = await runCli(["test", "."], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("no segment test files (*.test.yaml) in .");
  });
});
