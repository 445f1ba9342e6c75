/**
 * A DuckDB run's own folder: created under `temp_directory` (DuckDB spills there), set as DuckDB's
 * temp_directory, and removed when the run closes.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDbRun } from "./run.js";

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "audience-run-test-"));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("DuckDbRun", () => {
  it("spills into a folder of its own under temp_directory, removed on close", async () => {
    const run = await DuckDbRun.open({ tempDirectory: base, memoryLimit: "50%", threads: 1 });
    const folders = await readdir(base);
    expect(folders).toHaveLength(1);
    expect(folders[0]).toMatch(/^audience-duckdb-/);
    await run.close();
    expect(await readdir(base)).toEqual([]);
  });

  it("removes its folder when DuckDB refuses a setting", async () => {
    await expect(DuckDbRun.open({ tempDirectory: base, threads: 0 })).rejects.toThrow(
      "duckdb.threads: 0 is not a whole number of threads",
    );
    expect(await readdir(base)).toEqual([]);
  });
});
