/**
 * OUT/history.jsonl and `audience history` end to end (docs/design.md#changes): the exact text on a pipe and on a
 * terminal, --only and --json, a hand-edited history repaired with one warning, the bound
 * (`history: { keep: N }`, validated), and the max_change guard reading the history.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-history-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const sizes = (written: number, entered: number, exited: number) => ({
  matched: written + 1,
  reachable: written,
  written,
  entered,
  exited,
});

/** Three builds with fixed times: vip shrinks, win-back starts from 0, sms appears in the second. */
const RECORDS = [
  {
    as_of: "2026-11-20",
    built_at: "2026-11-21T04:30:12.000Z",
    engine: "memory",
    inputs: [{ kind: "orders", sha256: "a".repeat(64) }],
    segments: { vip: sizes(120, 120, 0), "win-back": sizes(0, 0, 0) },
  },
  {
    as_of: "2026-11-21",
    built_at: "2026-11-22T04:30:09.000Z",
    engine: "memory",
    inputs: [{ kind: "orders", sha256: "b".repeat(64) }],
    segments: { vip: sizes(126, 9, 3), "win-back": sizes(40, 40, 0), sms: sizes(12, 12, 0) },
  },
  {
    as_of: "2026-11-22",
    built_at: "2026-11-23T04:31:40.000Z",
    engine: "memory",
    inputs: [{ kind: "orders", sha256: "c".repeat(64) }],
    segments: { vip: sizes(63, 0, 63), "win-back": sizes(44, 6, 2), sms: sizes(12, 1, 1) },
  },
];

async function outWith(text: string): Promise<string> {
  const out = await mkdtemp(join(work, "out-"));
  await writeFile(join(out, "history.jsonl"), text);
  return out;
}

const jsonl = (records: unknown[]) => records.map((r) => `${JSON.stringify(r)}\n`).join("");

describe("audience history", () => {
  it("prints one line per build, oldest first, with its biggest move, then each segment's sizes", async () => {
    const out = await outWith(jsonl(RECORDS));
    const run = await runCli(["history", "--out", out]);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).toBe(
      [
        `History of ${out} · 3 builds · as of 2026-11-20 → 2026-11-22`,
        "",
        "  as_of       built (UTC)       engine  segments  written  entered  exited  biggest move",
        "  2026-11-20  2026-11-21 04:30  memory         2      120     +120      −0",
        "  2026-11-21  2026-11-22 04:30  memory         3      178      +61      −3  win-back +40 (from 0)",
        "  2026-11-22  2026-11-23 04:31  memory         3      119       +7     −66  vip −50.0% (126 → 63)",
        "",
        "  segment   written  change  written, last 3 builds",
        "  vip            63  −50.0%  120 126 63",
        "  win-back       44  +10.0%  0 40 44",
        "  sms            12   +0.0%  · 12 12",
        "",
      ].join("\n"),
    );
  });

  it("draws a sparkline on a terminal (colour forced here), the same table otherwise", async () => {
    const out = await outWith(jsonl(RECORDS));
    const run = await runCli(["history", "--out", out, "--only", "vip,sms"], {
      env: { NO_COLOR: "", FORCE_COLOR: "1" },
    });
    expect(run.code).toBe(0);
    // eslint-disable-next-line no-control-regex
    const plain = run.stdout.replace(/\u001b\[[0-9;]*m/g, "");
    expect(plain).not.toBe(run.stdout);
    expect(plain.split("\n").slice(-4)).toEqual([
      "  segment  written  change  written, last 3 builds",
      "  vip           63  −50.0%  ██▅",
      "  sms           12   +0.0%   ██",
      "",
    ]);
  });

  it("--json is the shape of docs/design.md#changes, --only narrows it", async () => {
    const out = await outWith(jsonl(RECORDS));
    const run = await runCli(["history", "--out", out, "--json", "--only", "sms"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      builds: [
        { as_of: "2026-11-20", built_at: "2026-11-21T04:30:12.000Z", segments: {} },
        {
          as_of: "2026-11-21",
          built_at: "2026-11-22T04:30:09.000Z",
          segments: { sms: sizes(12, 12, 0) },
        },
        {
          as_of: "2026-11-22",
          built_at: "2026-11-23T04:31:40.000Z",
          segments: { sms: sizes(12, 1, 1) },
        },
      ],
    });
  });

  it("drops the lines that are not build records with one warning naming them", async () => {
    const [a, b, c] = RECORDS;
    const out = await outWith(
      `${JSON.stringify(a)}\n{"as_of": "2026-11-21", "built_at": "yesterday"}\nnot json at all\n${JSON.stringify(b)}\n${JSON.stringify({ ...c, segments: { vip: { written: -1 } } })}\n`,
    );
    const run = await runCli(["history", "--out", out, "--json"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      `warning ${out}/history.jsonl: dropped 3 lines 2, 3, 5 (not a build record of audience); the other 2 builds are kept\n`,
    );
    expect((JSON.parse(run.stdout) as { builds: { as_of: string }[] }).builds.length).toBe(2);
  });

  it("refuses a folder without a history, and an --only that names no segment of it", async () => {
    const empty = await mkdtemp(join(work, "empty-"));
    const none = await runCli(["history", "--out", empty]);
    expect([none.code, none.stdout, none.stderr]).toEqual([
      1,
      "",
      `error no builds in ${empty}: ${empty}/history.jsonl is missing or empty\n` +
        "  hint: audience build writes it, one line per complete build\n",
    ]);
    const out = await outWith(jsonl(RECORDS));
    const unknown = await runCli(["history", "--out", out, "--only", "vipp"]);
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      `error --only: no segment "vipp" in the history (did you mean "vip"?)\n` +
        "  hint: segments: vip, win-back, sms\n",
    ]);
  });
});

describe("the history of builds", () => {
  async function shop(extraConfig = ""): Promise<{ dir: string; args: string[] }> {
    const dir = await mkdtemp(join(work, "shop-"));
    await cp(join(REPO_ROOT, "fixtures/build"), dir, { recursive: true });
    if (extraConfig !== "")
      await writeFile(
        join(dir, "audience.yaml"),
        (await readFile(join(dir, "audience.yaml"), "utf8")) + extraConfig,
      );
    return {
      dir,
      args: ["build", "--config", join(dir, "audience.yaml"), "--out", join(dir, "out"), "--quiet"],
    };
  }

  async function historyLines(dir: string): Promise<Record<string, unknown>[]> {
    const text = await readFile(join(dir, "out", "history.jsonl"), "utf8");
    return text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it("adds one record per build: as_of, time, engine, inputs' sha256, counts, no identifier", async () => {
    const { dir, args } = await shop();
    expect((await runCli(args)).code).toBe(0);
    expect((await runCli([...args, "--as-of", "2026-07-15"])).code).toBe(0);
    const records = await historyLines(dir);
    expect(records.map((r) => r.as_of)).toEqual(["2026-06-30", "2026-07-15"]);
    const manifest = JSON.parse(await readFile(join(dir, "out", "manifest.json"), "utf8")) as {
      generated_at: string;
      inputs: { kind: string; sha256: string }[];
    };
    expect(records[1]).toEqual({
      as_of: "2026-07-15",
      built_at: manifest.generated_at,
      engine: "memory",
      inputs: manifest.inputs.map((i) => ({ kind: i.kind, sha256: i.sha256 })),
      segments: {
        everyone: { matched: 7, reachable: 5, written: 4, entered: 0, exited: 0 },
        "sms-all": { matched: 7, reachable: 4, written: 4, entered: 0, exited: 0 },
        buyers: { matched: 5, reachable: 5, written: 5, entered: 0, exited: 0 },
        crm: { matched: 5, reachable: 5, written: 5, entered: 0, exited: 0 },
      },
    });
    const text = await readFile(join(dir, "out", "history.jsonl"), "utf8");
    expect(text).not.toMatch(/@|\+33|c1|Marie/);
  });

  it("keeps the last `history: { keep: N }` builds", async () => {
    const { dir, args } = await shop("history: { keep: 2 }\n");
    for (const day of ["2026-06-28", "2026-06-29", "2026-06-30"])
      expect((await runCli([...args, "--as-of", day])).code).toBe(0);
    expect((await historyLines(dir)).map((r) => r.as_of)).toEqual(["2026-06-29", "2026-06-30"]);
  });

  it("checks `history:` in audience.yaml", async () => {
    const { dir, args } = await shop("history: { keep: 0, kept: 3 }\n");
    const run = await runCli(args);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^${join(dir, "audience.yaml")}:\\d+:18: error SCHEMA_RANGE: "history.keep" must be at least 1, found 0$`,
        "m",
      ),
    );
    expect(run.stderr).toContain('error UNKNOWN_KEY: unknown key "history.kept"');
  });

  it("repairs a hand-edited history: the bad line is dropped with a warning, the rest carried", async () => {
    const { dir, args } = await shop();
    expect((await runCli(args)).code).toBe(0);
    const history = join(dir, "out", "history.jsonl");
    const first = await readFile(history, "utf8");
    await writeFile(history, `${first}{"edited": true\n`);
    const run = await runCli(args);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      `warning ${dir}/out/history.jsonl: dropped line 2 (not a build record of audience); the other build is kept\n`,
    );
    const text = await readFile(history, "utf8");
    expect(text.startsWith(first)).toBe(true);
    expect(text.split("\n")).toHaveLength(3);
  });

  it("max_change compares with the history's last build of the segment: exit 3, nothing written", async () => {
    const { dir, args } = await shop();
    const segments = await readFile(join(dir, "segments.yaml"), "utf8");
    await writeFile(
      join(dir, "segments.yaml"),
      segments.replace("    channel: sms\n", "    channel: sms\n    guard: { max_change: 40% }\n"),
    );
    expect((await runCli(args)).code).toBe(0);
    // The history says sms-all had 10 rows last time (the manifest says 4): today's 4 is −60%.
    const history = join(dir, "out", "history.jsonl");
    const text = await readFile(history, "utf8");
    const edited = text.replace(
      '"sms-all":{"matched":7,"reachable":4,"written":4',
      '"sms-all":{"matched":7,"reachable":4,"written":10',
    );
    expect(edited).not.toBe(text);
    await writeFile(history, edited);
    const before = await readdir(join(dir, "out"));
    const manifest = await readFile(join(dir, "out", "manifest.json"), "utf8");
    const run = await runCli(args);
    expect([run.code, run.stdout, run.stderr]).toEqual([
      3,
      "",
      "error a guard tripped; nothing was written:\n" +
        "  sms-all: 4 rows vs 10 in the previous run (−60.0%), beyond its guard max_change 40%\n" +
        "  hint: check today's exports; run with --force to write anyway\n",
    ]);
    expect(await readdir(join(dir, "out"))).toEqual(before);
    expect(await readFile(join(dir, "out", "manifest.json"), "utf8")).toBe(manifest);
    expect(await readFile(history, "utf8")).toBe(edited);
    expect((await readdir(dir)).filter((f) => f.startsWith(".out.build-"))).toHaveLength(1);
  });
});
