/**
 * `audience plan` end to end: two versions of segments/lifecycle.yaml on the demo shop, checked
 * against two builds (each version built on its own: the written rows that entered and exited are
 * exactly the differences of the two builds' files), and the base read from a git revision.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

const CONFIG = join(REPO_ROOT, "fixtures/demo/audience.yaml");
const BASE = join(REPO_ROOT, "segments/lifecycle.yaml");

let work: string;
let head: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-plan-"));
  // The edit a pull request might make: one window widened, one narrowed, one segment removed, one added.
  head = join(REPO_ROOT, "fixtures/plan/lifecycle.yaml");
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface PlanJson {
  customers: number;
  segments: {
    id: string;
    change: string;
    changed: string[];
    before: { matched: number; written: number } | null;
    after: { matched: number; written: number } | null;
    entered: number;
    exited: number;
    written_entered: number;
    written_exited: number;
  }[];
}

/** Builds one version and returns, per segment, its manifest counts and the written customer ids. */
async function build(segments: string, out: string) {
  const run = await runCli([
    "build",
    "--config",
    CONFIG,
    "--segments",
    segments,
    "--out",
    out,
    "-q",
  ]);
  expect(run.code).toBe(0);
  const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as {
    segments: { id: string; matched: number; written: number; file: string }[];
  };
  const out2 = new Map<string, { matched: number; ids: Set<string> }>();
  for (const s of manifest.segments) {
    const csv = await readFile(join(out, `${s.id}.csv`), "utf8");
    const ids = csv
      .split("\r\n")
      .slice(1)
      .filter((l) => l !== "")
      .map((l) => l.split(",")[0]);
    expect(ids.length).toBe(s.written);
    out2.set(s.id, { matched: s.matched, ids: new Set(ids) });
  }
  return out2;
}

/** `audience plan` of fixtures/plan/lifecycle.yaml against segments/lifecycle.yaml. */
function planOnDisk(...args: string[]) {
  return runCli(["plan", "--base", BASE, "--segments", head, "--config", CONFIG, ...args]);
}

describe("audience plan", () => {
  it("prints the exact entered and exited counts of two builds", async () => {
    const run = await planOnDisk("--json", "-q");
    expect([run.code, run.stderr]).toEqual([0, ""]);
    const plan = JSON.parse(run.stdout) as PlanJson;
    const before = await build(BASE, join(work, "out-before"));
    const after = await build(head, join(work, "out-after"));

    expect(plan.segments.map((s) => [s.id, s.change, s.changed])).toEqual([
      ["new-signups-no-order", "unchanged", []],
      ["first-order-no-repeat", "changed", ["where"]],
      ["one-time-lapsed", "unchanged", []],
      ["repeat-lapsed", "changed", ["where"]],
      ["lapsed-vip", "added", []],
      ["second-order-recent", "removed", []],
    ]);
    for (const s of plan.segments) {
      const b = before.get(s.id);
      const a = after.get(s.id);
      expect(s.before?.matched).toBe(b?.matched);
      expect(s.after?.matched).toBe(a?.matched);
      const was = b?.ids ?? new Set<string>();
      const is = a?.ids ?? new Set<string>();
      expect([s.id, s.written_entered, s.written_exited]).toEqual([
        s.id,
        [...is].filter((id) => !was.has(id)).length,
        [...was].filter((id) => !is.has(id)).length,
      ]);
      expect(s.entered - s.exited).toBe((a?.matched ?? 0) - (b?.matched ?? 0));
    }
    const widened = plan.segments[1];
    expect([widened.entered > 0, widened.exited]).toEqual([true, 0]);
    const narrowed = plan.segments[3];
    expect([narrowed.entered, narrowed.exited > 0]).toEqual([0, true]);
  }, 120_000);

  it("writes a Markdown table for a pull request", async () => {
    const run = await planOnDisk("--format", "markdown", "-q");
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe("### audience plan");
    expect(lines).toContain(
      "| segment | change | before | after | Δ | entered | exited | written |",
    );
    expect(
      lines.some((l) =>
        /^\| `lapsed-vip` \| added \| — \| \d+ \| \+\d+ \| \+\d+ \| −0 \| — → \d+ \|$/.test(l),
      ),
    ).toBe(true);
  });

  it("reads the base from a git revision", async () => {
    const repo = await mkdtemp(join(work, "repo-"));
    const git = (...args: string[]) =>
      execFileSync("git", args, {
        cwd: repo,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: "t",
          GIT_AUTHOR_EMAIL: "t@example.com",
          GIT_COMMITTER_NAME: "t",
          GIT_COMMITTER_EMAIL: "t@example.com",
        },
      });
    git("init", "-q");
    await mkdir(join(repo, "segments"));
    await writeFile(join(repo, "segments/lifecycle.yaml"), await readFile(BASE, "utf8"));
    await writeFile(join(repo, "segments/lifecycle.test.yaml"), "not: a segment file\n");
    git("add", ".");
    git("commit", "-q", "-m", "base");
    await writeFile(join(repo, "segments/lifecycle.yaml"), await readFile(head, "utf8"));

    const fromGit = await runCli(
      [
        "plan",
        "--base",
        "HEAD:segments/",
        "--segments",
        "segments/",
        "--config",
        CONFIG,
        "--json",
        "-q",
      ],
      { cwd: repo },
    );
    expect([fromGit.code, fromGit.stderr]).toEqual([0, ""]);
    const fromDisk = await planOnDisk("--json", "-q");
    const strip = (text: string) => {
      const json = JSON.parse(text) as Record<string, unknown>;
      delete json.base;
      delete json.head;
      return json;
    };
    expect(strip(fromGit.stdout)).toEqual(strip(fromDisk.stdout));

    const missing = await runCli(
      ["plan", "--base", "no-such-branch:segments/", "--config", CONFIG, "-q"],
      { cwd: repo },
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cannot read --base no-such-branch:segments/ from git");
  }, 120_000);
});
