/**
 * Faults during a build: killed (SIGKILL) at each step of writing and at seeded random moments, and
 * two builds at once. After every kill the output folder holds either the previous complete set or
 * the new complete set — every file the manifest lists (segment files and their changes/), with
 * its recorded SHA-256, the history, and nothing else — and the history is the previous one, or
 * the previous one with exactly one more build. Builds alternate between two shops (set A and set
 * B), so every kill interrupts a real change of the folder's contents.
 *
 * The named steps come from the test hook of src/io/output-transaction.ts: with
 * AUDIENCE_TEST_PAUSE_AT=<step> a build writes AUDIENCE_TEST_PAUSE_MARKER and waits there.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

const BIN = join(REPO_ROOT, "bin/audience.js");

type SetName = "A" | "B";
const other = (set: SetName): SetName => (set === "A" ? "B" : "A");

let dir: string;
let out: string;
const configs: Record<SetName, string> = { A: "", B: "" };
/** file name → content of each complete set, without the manifest's timestamp. */
const sets: Record<SetName, Map<string, string>> = { A: new Map(), B: new Map() };
/** The set the output folder holds now. */
let current: SetName;
/** How long one build takes here, start-up included (ms). */
let buildMs: number;
/** OUT/history.jsonl after the last complete build into OUT. */
let history: string;

async function snapshot(folder: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of (await readdir(folder, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    if (entry.isDirectory()) {
      for (const name of (await readdir(join(folder, entry.name))).sort())
        files.set(`${entry.name}/${name}`, await readFile(join(folder, entry.name, name), "utf8"));
    } else {
      files.set(entry.name, await readFile(join(folder, entry.name), "utf8"));
    }
  }
  return files;
}

interface ManifestFiles {
  segments: {
    file: string;
    sha256: string;
    changes: {
      entered: { file: string; sha256: string };
      exited: { file: string; sha256: string };
    };
  }[];
  report?: { file: string; sha256: string };
}

/**
 * The folder is one complete set: the manifest's files (segments and their changes), each with its
 * recorded hash, the history, and nothing else.
 */
async function expectComplete(folder: string): Promise<Map<string, string>> {
  const files = await snapshot(folder);
  const manifest = JSON.parse(files.get("manifest.json") ?? "null") as ManifestFiles | null;
  expect(manifest).not.toBeNull();
  const listed = (manifest?.segments ?? []).flatMap((s) => [
    { file: s.file, sha256: s.sha256 },
    s.changes.entered,
    s.changes.exited,
  ]);
  if (manifest?.report !== undefined) listed.push(manifest.report);
  expect([...files.keys()].sort()).toEqual(
    [
      ".audience-output.json",
      "manifest.json",
      "history.jsonl",
      ...listed.map((f) => f.file),
    ].sort(),
  );
  for (const f of listed) {
    const hash = createHash("sha256")
      .update(files.get(f.file) ?? "")
      .digest("hex");
    expect({ file: f.file, sha256: hash }).toEqual(f);
  }
  return comparable(files);
}

/**
 * What identifies a set, whatever build came before it: its segment files and manifest, without
 * the manifest's time and without the changes and history (they depend on the previous build).
 */
function comparable(files: Map<string, string>): Map<string, string> {
  const copy = new Map([...files].filter(([name]) => name.endsWith(".csv") && !name.includes("/")));
  const manifest = JSON.parse(files.get("manifest.json") ?? "{}") as {
    generated_at?: string;
    segments?: Record<string, unknown>[];
    report?: unknown;
  };
  delete manifest.generated_at;
  // The report shows the history, which depends on the previous build too.
  delete manifest.report;
  for (const segment of manifest.segments ?? []) {
    delete segment.entered;
    delete segment.exited;
    delete segment.changes;
  }
  copy.set("manifest.json", JSON.stringify(manifest));
  return copy;
}

async function historyNow(): Promise<string> {
  return readFile(join(out, "history.jsonl"), "utf8");
}

/** OUT's history is the last complete build's (`kept`), or it with exactly one more build. */
async function expectHistory(grown: boolean): Promise<void> {
  const now = await historyNow();
  if (!grown) {
    expect(now).toBe(history);
  } else {
    expect(now.startsWith(history)).toBe(true);
    expect(now.slice(history.length).split("\n")).toHaveLength(2);
  }
  history = now;
}

/** Which complete set the output folder holds (fails when it is neither). */
async function setInOut(): Promise<SetName> {
  const files = JSON.stringify([...(await expectComplete(out))]);
  const found = (["A", "B"] as const).find((s) => JSON.stringify([...sets[s]]) === files);
  expect(found).toBeDefined();
  return found as SetName;
}

/** What is left beside OUT: exactly one build folder (the current one), no lock, no link. */
async function leftovers(): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.startsWith(".out.")).map((f) => f.split("-")[0]);
}

function startBuild(set: SetName, env: Record<string, string> = {}) {
  return spawn(
    process.execPath,
    [BIN, "build", "--config", configs[set], "--out", out, "--quiet"],
    { env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...env }, stdio: "ignore" },
  );
}

function build(set: SetName, target = out) {
  return runCli(["build", "--config", configs[set], "--out", target, "--quiet"]);
}

async function waitFor(path: string, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      await stat(path);
      return;
    } catch {
      if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${path}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function closed(child: ReturnType<typeof startBuild>): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.on("close", () => resolve());
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "audience-faults-"));
  // A few thousand customers, so that a build takes long enough to be killed in the middle.
  const shopA = join(dir, "shopA");
  const shopB = join(dir, "shopB");
  const demo = await runCli([
    "demo",
    "--out",
    shopA,
    "--contacts",
    "6000",
    "--seed",
    "3",
    "--quiet",
  ]);
  expect(demo.code).toBe(0);
  await cp(shopA, shopB, { recursive: true });
  configs.A = join(shopA, "audience.yaml");
  configs.B = join(shopB, "audience.yaml");
  // Set B is tomorrow's data: fewer orders change every file, and one segment file is gone.
  const orders = await readFile(join(shopB, "orders.csv"), "utf8");
  await writeFile(join(shopB, "orders.csv"), orders.split("\n").slice(0, 12_000).join("\n") + "\n");
  await rm(join(shopB, "segments", "rfm.yaml"));

  const started = Date.now();
  expect((await build("B", join(dir, "probe"))).code).toBe(0);
  buildMs = Date.now() - started;
  sets.B = await expectComplete(join(dir, "probe"));
  out = join(dir, "out");
  expect((await build("A")).code).toBe(0);
  sets.A = await expectComplete(out);
  history = await historyNow();
  expect(history.split("\n")).toHaveLength(2);
  current = "A";
  expect(sets.B).not.toEqual(sets.A);
  expect(sets.B.size).toBeLessThan(sets.A.size);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("killed during a build", () => {
  for (const [step, kept] of [
    ["file-written", "old"],
    ["before-history", "old"],
    ["before-manifest", "old"],
    ["before-swap", "old"],
    ["after-swap", "new"],
  ] as const) {
    it(`at "${step}": the output folder holds the ${kept} set, complete`, async () => {
      const previous = current;
      const next = other(previous);
      const marker = join(dir, `paused-${step}`);
      const child = startBuild(next, {
        AUDIENCE_TEST_PAUSE_AT: step,
        AUDIENCE_TEST_PAUSE_MARKER: marker,
      });
      await waitFor(marker);
      child.kill("SIGKILL");
      await closed(child);
      expect(child.signalCode).toBe("SIGKILL");
      expect(await setInOut()).toBe(kept === "old" ? previous : next);
      await expectHistory(kept === "new");
      // The next build takes over the dead build's lock, removes its leftovers, and swaps.
      expect((await build(next)).code).toBe(0);
      expect(await setInOut()).toBe(next);
      await expectHistory(true);
      expect(await leftovers()).toEqual([".out.build"]);
      current = next;
    });
  }

  it("at seeded random moments: the folder is always the old or the new set, complete", async () => {
    let seed = 7;
    let killedMidBuild = 0;
    for (let i = 0; i < 8; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      // Between 10% and 100% of a build's time: from reading the inputs to the swap.
      const delay = Math.round(buildMs * (0.1 + ((seed % 1000) / 1000) * 0.9));
      const previous = current;
      const next = other(previous);
      const child = startBuild(next);
      await new Promise((r) => setTimeout(r, delay));
      child.kill("SIGKILL");
      await closed(child);
      const now = await setInOut();
      await expectHistory(now !== previous);
      if (child.signalCode === "SIGKILL") killedMidBuild++;
      else expect({ delay, now }).toEqual({ delay, now: next });
      expect([previous, next]).toContain(now);
      current = now;
    }
    // Most kills land while the build runs (the rest after it ended, which is fine too).
    expect(killedMidBuild).toBeGreaterThanOrEqual(4);
    const next = other(current);
    const after = await build(next);
    expect({ code: after.code, stderr: after.stderr }).toEqual({ code: 0, stderr: "" });
    expect(await setInOut()).toBe(next);
    await expectHistory(true);
    expect(await leftovers()).toEqual([".out.build"]);
    current = next;
  });
});

describe("two builds at once", () => {
  it("the second is refused with a clear message while the first holds the lock", async () => {
    const next = other(current);
    const marker = join(dir, "paused-lock");
    const first = startBuild(next, {
      AUDIENCE_TEST_PAUSE_AT: "before-swap",
      AUDIENCE_TEST_PAUSE_MARKER: marker,
    });
    await waitFor(marker);
    const before = await snapshot(out);
    const second = await build(next);
    expect([second.code, second.stdout, second.stderr]).toEqual([
      1,
      "",
      `error another audience build (process ${first.pid}) is writing ${out}\n` +
        `  hint: wait for it to finish; if no build is running, delete .out.lock in ${dir}\n`,
    ]);
    expect(await snapshot(out)).toEqual(before);
    first.kill("SIGKILL");
    await closed(first);
    expect(await setInOut()).toBe(current);
    await expectHistory(false);
    expect((await build(next)).code).toBe(0);
    expect(await setInOut()).toBe(next);
    await expectHistory(true);
    current = next;
  });
});

/**
 * Stale locks and takeovers (issue 12): a lock records PID, start time, host and a token, so that a
 * dead build's lock is recognised even when its PID is now the builder's own or an unrelated live
 * process's; taking it over is atomic. These builds run on the small fixtures/build shop, and wait
 * right after taking the lock (AUDIENCE_TEST_PAUSE_AT=locked) where a test needs a holder.
 */
describe("stale locks", () => {
  let shop: string;
  let lockOut: string;
  let lock: string;

  beforeAll(async () => {
    shop = join(dir, "small");
    await cp(join(REPO_ROOT, "fixtures/build"), shop, { recursive: true });
    lockOut = join(shop, "out");
    lock = join(shop, ".out.lock");
  });

  function smallBuild(env: Record<string, string> = {}, prefix: string[] = []) {
    const args = [BIN, "build", "--config", join(shop, "audience.yaml"), "--out", lockOut, "-q"];
    const [command, ...rest] =
      prefix.length > 0 ? [...prefix, process.execPath, ...args] : [process.execPath, ...args];
    const child = spawn(command, rest, {
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
      child.on("close", (code) => resolve({ code, stderr })),
    );
    return { child, done };
  }

  async function startTimeOf(pid: number): Promise<string> {
    const text = await readFile(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ")[19];
  }

  const staleLock = (record: Record<string, unknown>) =>
    writeFile(lock, JSON.stringify({ tool: "audience", host: hostname(), ...record }));

  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await closed(child as unknown as ReturnType<typeof startBuild>);
    return child.pid as number;
  }

  it("a lock whose PID is now an unrelated live process (reused PID) is taken over", async () => {
    // This test's own process is alive, but it started at another time than the lock says.
    await staleLock({ pid: process.pid, start: "1", token: "dead-build" });
    const { done } = smallBuild();
    expect(await done).toEqual({ code: 0, stderr: "" });
    await expect(stat(lock)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("a lock of a live process with its recorded start time is respected", async () => {
    const sleeper = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      const pid = sleeper.pid as number;
      await staleLock({ pid, start: await startTimeOf(pid), token: "live-build" });
      const { done } = smallBuild();
      expect(await done).toEqual({
        code: 1,
        stderr:
          `error another audience build (process ${pid}) is writing ${lockOut}\n` +
          `  hint: wait for it to finish; if no build is running, delete .out.lock in ${shop}\n`,
      });
    } finally {
      sleeper.kill("SIGKILL");
      await rm(lock, { force: true });
    }
  });

  it("a lock with the builder's own PID (PID 1 in a container) is taken over", async (ctx) => {
    // A new PID namespace makes the build process 1, as in a container restarted after a crash.
    const probe = spawnSync("unshare", ["-p", "-f", "--mount-proc", "true"], { stdio: "ignore" });
    if (probe.status !== 0) {
      ctx.skip("skipped: cannot make a PID namespace here (unshare -p needs root)");
      return;
    }
    await staleLock({ pid: 1, start: "1", token: "previous-container" });
    const { done } = smallBuild({}, ["unshare", "-p", "-f", "--mount-proc"]);
    expect(await done).toEqual({ code: 0, stderr: "" });
    await expect(stat(lock)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("12 builds taking over the same stale lock at once: exactly one holds it", async () => {
    await staleLock({ pid: await deadPid(), start: "1", token: "dead-build" });
    const builds = Array.from({ length: 12 }, (_, i) => {
      const marker = join(shop, `holder-${i}`);
      return {
        marker,
        ...smallBuild({ AUDIENCE_TEST_PAUSE_AT: "locked", AUDIENCE_TEST_PAUSE_MARKER: marker }),
      };
    });
    const outcome = await Promise.all(
      builds.map(
        (b) =>
          new Promise<"holds" | { code: number | null; stderr: string }>((resolve) => {
            void b.done.then(resolve);
            void waitFor(b.marker, 90_000).then(
              () => resolve("holds"),
              () => undefined,
            );
          }),
      ),
    );
    const holders = builds.filter((_, i) => outcome[i] === "holds");
    expect(holders.length).toBe(1);
    const holder = holders[0].child.pid as number;
    for (const o of outcome.filter((o) => o !== "holds"))
      expect(o).toEqual({
        code: 1,
        stderr:
          `error another audience build (process ${holder}) is writing ${lockOut}\n` +
          `  hint: wait for it to finish; if no build is running, delete .out.lock in ${shop}\n`,
      });
    expect(JSON.parse(await readFile(lock, "utf8"))).toMatchObject({ pid: holder });
    holders[0].child.kill("SIGKILL");
    await holders[0].done;
    // The holder died in turn: the next build takes its lock over and leaves nothing behind.
    expect(await smallBuild().done).toEqual({ code: 0, stderr: "" });
    expect((await readdir(shop)).filter((f) => f.startsWith(".out."))).toEqual([
      expect.stringMatching(/^\.out\.build-/),
    ]);
  }, 120_000);
});
