/**
 * `@duckdb/node-api` is loaded only by `--engine duckdb`: with a module hook that makes every
 * `@duckdb/…` import fail (a machine without the native bindings), the BUILT CLI still validates
 * segment files and runs the memory engine with the same output; and opening DuckDB there gives
 * the one clear message.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli, type CliRun } from "./helpers/run-cli.js";

let work: string;
let blocked: Record<string, string>;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-duckdb-lazy-"));
  await writeFile(
    join(work, "hook.mjs"),
    [
      "export async function resolve(specifier, context, next) {",
      '  if (specifier.startsWith("@duckdb/")) throw new Error(`blocked by the test: ${specifier}`);',
      "  return next(specifier, context);",
      "}",
      "",
    ].join("\n"),
  );
  await writeFile(
    join(work, "register.mjs"),
    'import { register } from "node:module";\nregister("./hook.mjs", import.meta.url);\n',
  );
  blocked = { NODE_OPTIONS: `--import=${pathToFileURL(join(work, "register.mjs")).href}` };
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function runNode(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("without loadable DuckDB bindings", () => {
  it("the hook does block the package (the test proves something)", async () => {
    const run = await runNode(
      ["--input-type=module", "-e", 'await import("@duckdb/node-api")'],
      blocked,
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("blocked by the test: @duckdb/node-api");
  });

  it("validate runs as usual", async () => {
    const normal = await runCli(["validate", "segments"]);
    const without = await runCli(["validate", "segments"], { env: blocked });
    expect(normal.code).toBe(0);
    expect(without).toEqual(normal);
  });

  it("the memory engine runs as usual", async () => {
    const args = ["count", "--config", "fixtures/demo/audience.yaml", "--json", "--quiet"];
    const normal = await runCli(args);
    const without = await runCli(args, { env: blocked });
    expect(normal.code).toBe(0);
    expect(without).toEqual(normal);
  });

  it("opening DuckDB says it cannot load, and that the memory engine still works", async () => {
    const open = pathToFileURL(join(REPO_ROOT, "dist/engine/duckdb/open.js")).href;
    const run = await runNode(
      [
        "--input-type=module",
        "-e",
        `const { openDuckDb } = await import(${JSON.stringify(open)});
         try { await openDuckDb(); } catch (e) { console.log(e.code + ": " + e.message); }`,
      ],
      blocked,
    );
    expect(run.stdout).toBe(
      "DUCKDB_UNAVAILABLE: --engine duckdb: DuckDB cannot load on this machine (blocked by the test: @duckdb/node-api); the memory engine still works\n",
    );
  });
});
