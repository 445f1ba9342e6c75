/**
 * `runCli` in-process, with a fake context: the streams, the environment, the working folder and
 * the clock all come from the context, so a run here is what the process would do.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliContext } from "./context.js";
import { EXIT_OK, EXIT_USAGE, runCli } from "./main.js";
import { VERSION } from "../version.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const CONFIG = join(REPO, "fixtures/demo/audience.yaml");
/** 2026-07-01T08:15:30Z, a fixed clock. */
const NOW = Date.UTC(2026, 6, 1, 8, 15, 30);

function fakeContext(now = NOW) {
  const out = { stdout: "", stderr: "" };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on("data", (chunk: Buffer) => (out.stdout += chunk.toString("utf8")));
  stderr.on("data", (chunk: Buffer) => (out.stderr += chunk.toString("utf8")));
  let reads = 0;
  const context: CliContext = {
    stdout,
    stderr,
    env: { NO_COLOR: "1" },
    cwd: REPO,
    stderrIsTTY: false,
    stdoutIsTTY: false,
    now: () => {
      reads++;
      return now;
    },
  };
  return { context, out, reads: () => reads };
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-runcli-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("runCli in-process", () => {
  it("prints the version on the context's stdout", async () => {
    const { context, out } = fakeContext();
    expect(await runCli(["--version"], context)).toBe(EXIT_OK);
    expect(out.stdout).toBe(`${VERSION}\n`);
  });

  it("maps an unknown option to the usage exit code, on the context's stderr", async () => {
    const { context, out } = fakeContext();
    expect(await runCli(["count", "--no-such-flag"], context)).toBe(EXIT_USAGE);
    expect(out.stderr).toContain("unknown option '--no-such-flag'");
    expect(out.stdout).toBe("");
  });

  it("a bad value is a usage error before anything runs: the message on stderr, nothing written", async () => {
    const { context, out } = fakeContext();
    const dir = join(work, "never-written");
    expect(await runCli(["demo", "--out", dir, "--contacts", "0"], context)).toBe(EXIT_USAGE);
    expect(out.stderr).toBe(
      'error --contacts must be a whole number from 1 to 50,000,000, found "0"\n',
    );
    expect(out.stdout).toBe("");
    await expect(readFile(join(dir, "audience.yaml"), "utf8")).rejects.toThrow(/ENOENT/);
  });

  it("every command answers --help on the context's stdout, with exit 0", async () => {
    for (const name of [
      "build",
      "count",
      "rfm",
      "channels",
      "report",
      "validate",
      "demo",
      "predict",
      "explain",
      "test",
      "plan",
      "history",
    ]) {
      const { context, out } = fakeContext();
      expect(await runCli([name, "--help"], context), name).toBe(EXIT_OK);
      expect(out.stdout, name).toMatch(new RegExp(`^Usage: audience ${name} `));
      expect(out.stderr, name).toBe("");
    }
  });

  it("validate returns exit 1 for invalid definitions, the report on stdout", async () => {
    const { context, out } = fakeContext();
    const code = await runCli(["validate", "fixtures/bad-segments/cycle.yaml"], context);
    expect(code).toBe(1);
    expect(out.stdout).toContain("fixtures/bad-segments/cycle.yaml:");
    expect(out.stderr).toBe("");
  });

  it("a missing orders file is a usage error with its message, no stack trace", async () => {
    const { context, out } = fakeContext();
    expect(await runCli(["rfm", "--as-of", "2026-06-30"], { ...context, cwd: work })).toBe(
      EXIT_USAGE,
    );
    expect(out.stderr).toContain("no orders file");
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });

  it("defaults as_of to the context's clock, in the config's time zone", async () => {
    const { context, out } = fakeContext(Date.UTC(2026, 5, 30, 22, 30));
    const code = await runCli(
      [
        "count",
        "--orders",
        join(REPO, "fixtures/demo/orders.csv"),
        "--timezone",
        "Europe/Paris",
      ].concat(["--segments", join(REPO, "segments"), "--json", "--quiet"]),
      { ...context, cwd: work },
    );
    expect(code).toBe(EXIT_OK);
    // 22:30 UTC on June 30 is July 1 in Paris.
    expect((JSON.parse(out.stdout) as { as_of: string }).as_of).toBe("2026-07-01");
  });

  it("build reads the clock once: the folder stamp and built_at are the same instant", async () => {
    const { context, out, reads } = fakeContext();
    const dir = join(work, "out");
    const code = await runCli(["build", "--config", CONFIG, "--out", dir, "--quiet"], context);
    expect(code, out.stderr).toBe(EXIT_OK);
    expect(reads()).toBe(1);
    const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as {
      generated_at: string;
      as_of: string;
    };
    expect(manifest.generated_at).toBe("2026-07-01T08:15:30.000Z");
    expect(manifest.as_of).toBe("2026-06-30");
    const history = (await readFile(join(dir, "history.jsonl"), "utf8")).trim().split("\n");
    expect(history).toHaveLength(1);
    expect((JSON.parse(history[0]) as { built_at: string }).built_at).toBe(
      "2026-07-01T08:15:30.000Z",
    );
  });
});
