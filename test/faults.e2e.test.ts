/**
 * Faults during a build: killed (SIGKILL) at each step of writing and at random moments, and two
 * builds at once. After every kill the output folder holds either the previous complete set or the
 * new complete set — every file the manifest lists, with its recorded SHA-256, and nothing else.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

const BIN = join(REPO_ROOT, "bin/audience.js");

let dir: string;
let out: string;
/** The shop as it was (set A) and as it is tomorrow (set B). */
let configA: string;
let config: string;
/** file name → content, for the set written before the kills (A) and the set the build would write (B). */
let setA: Map<string, string>;
let setB: Map<string, string>;

async function snapshot(folder: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of (await readdir(folder)).sort())
    files.set(name, await readFile(join(folder, name), "utf8"));
  return files;
}

/** The folder is one complete set: the manifest's files, each with its recorded hash, and nothing else. */
async function expectComplete(folder: string): Promise<Map<string, string>> {
  const files = await snapshot(folder);
  const manifest = JSON.parse(files.get("manifest.json") ?? "null") as {
    segments: { file: string; sha256: string }[];
  };
  expect(manifest).not.toBeNull();
  expect([...files.keys()].sort()).toEqual(
    ["manifest.json", ...manifest.segments.map((s) => s.file)].sort(),
  );
  for (const s of manifest.segments) {
    expect(
      createHash("sha256")
        .update(files.get(s.file) ?? "")
        .digest("hex"),
    ).toBe(s.sha256);
  }
  return files;
}

function withoutTime(files: Map<string, string>): Map<string, string> {
  const copy = new Map(files);
  copy.set(
    "manifest.json",
    (files.get("manifest.json") ?? "").replace(/"generated_at": "[^"]+"/, ""),
  );
  return copy;
}

function startBuild(env: Record<string, string> = {}) {
  return spawn(process.execPath, [BIN, "build", "--config", config, "--out", out, "--quiet"], {
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
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

function killed(child: ReturnType<typeof startBuild>): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.on("close", () => resolve());
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "audience-faults-"));
  // A few thousand customers, so that a build takes long enough to be killed in the middle.
  const shopA = join(dir, "shopA");
  const shop = join(dir, "shopB");
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
  await cp(shopA, shop, { recursive: true });
  configA = join(shopA, "audience.yaml");
  config = join(shop, "audience.yaml");
  out = join(dir, "out");
  expect((await runCli(["build", "--config", configA, "--out", out, "--quiet"])).code).toBe(0);
  setA = withoutTime(await expectComplete(out));
  // Tomorrow's data: new orders change every file; one segment file disappears.
  const orders = await readFile(join(shop, "orders.csv"), "utf8");
  await writeFile(join(shop, "orders.csv"), orders.split("\n").slice(0, 12_000).join("\n") + "\n");
  await rm(join(shop, "segments", "rfm.yaml"));
  const probe = join(dir, "probe");
  expect((await runCli(["build", "--config", config, "--out", probe, "--quiet"])).code).toBe(0);
  setB = withoutTime(await expectComplete(probe));
  expect(setB).not.toEqual(setA);
  expect(setB.size).toBeLessThan(setA.size);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Puts set A in the output folder, as a previous night's build would have. */
async function restoreSetA(): Promise<void> {
  expect((await runCli(["build", "--config", configA, "--out", out, "--quiet"])).code).toBe(0);
  expect(withoutTime(await expectComplete(out))).toEqual(setA);
}

describe("killed during a build", () => {
  for (const [step, expected] of [
    ["file-written", "A"],
    ["before-manifest", "A"],
    ["before-swap", "A"],
    ["after-swap", "B"],
  ] as const) {
    it(`at "${step}": the output folder holds set ${expected}, complete`, async () => {
      await restoreSetA();
      const marker = join(dir, `paused-${step}`);
      const child = startBuild({
        AUDIENCE_TEST_PAUSE_AT: step,
        AUDIENCE_TEST_PAUSE_MARKER: marker,
      });
      await waitFor(marker);
      child.kill("SIGKILL");
      await killed(child);
      const files = withoutTime(await expectComplete(out));
      expect(files).toEqual(expected === "A" ? setA : setB);
      // The next build takes over the dead build's lock, cleans its leftovers, and writes set B.
      expect((await runCli(["build", "--config", config, "--out", out, "--quiet"])).code).toBe(0);
      expect(withoutTime(await expectComplete(out))).toEqual(setB);
      expect((await readdir(dir)).filter((f) => f.startsWith(".out.")).length).toBe(1);
    });
  }

  it("at random moments: the folder is always set A or set B, complete", async () => {
    await restoreSetA();
    // Seeded delays (ms) spread over a build's lifetime, from start-up to the swap.
    let seed = 7;
    const delays = Array.from({ length: 6 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return 150 + (seed % 2200);
    });
    const outcomes: string[] = [];
    for (const delay of delays) {
      const child = startBuild();
      await new Promise((r) => setTimeout(r, delay));
      child.kill("SIGKILL");
      await killed(child);
      const files = withoutTime(await expectComplete(out));
      const which =
        JSON.stringify([...files]) === JSON.stringify([...setA])
          ? "A"
          : JSON.stringify([...files]) === JSON.stringify([...setB])
            ? "B"
            : "?";
      outcomes.push(`${delay}ms:${which}`);
      expect(which).not.toBe("?");
    }
    expect(outcomes).toHaveLength(6);
  });
});

describe("two builds at once", () => {
  it("the second is refused with a clear message while the first holds the lock", async () => {
    await restoreSetA();
    const marker = join(dir, "paused-lock");
    const first = startBuild({
      AUDIENCE_TEST_PAUSE_AT: "before-swap",
      AUDIENCE_TEST_PAUSE_MARKER: marker,
    });
    await waitFor(marker);
    const before = await snapshot(out);
    const second = await runCli(["build", "--config", config, "--out", out, "--quiet"]);
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(
      `error another audience build (process ${first.pid}) is writing ${out}\n` +
        `  hint: wait for it to finish; if no build is running, delete .out.lock in ${dir}\n`,
    );
    expect(await snapshot(out)).toEqual(before);
    first.kill("SIGKILL");
    await killed(first);
    expect((await runCli(["build", "--config", config, "--out", out, "--quiet"])).code).toBe(0);
    expect(withoutTime(await expectComplete(out))).toEqual(setB);
  });
});
