/**
 * Opening DuckDB: the settings are applied, bad ones are refused clearly, a machine without the
 * native bindings gets a message that says so, and nothing outside this folder loads the package.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { UserError } from "../../errors.js";
import { loadNodeApi, memoryLimitSql, openDuckDb, sqlString } from "./open.js";

const SRC = fileURLToPath(new URL("../../", import.meta.url));

async function failure(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error("expected a UserError");
}

describe("memoryLimitSql", () => {
  it("turns a share of the machine's memory into bytes and keeps sizes as written", () => {
    expect(memoryLimitSql("50%", 8_000_000_000)).toBe("4000000000B");
    expect(memoryLimitSql(" 12.5 % ", 8_000_000_000)).toBe("1000000000B");
    expect(memoryLimitSql(" 4GB ")).toBe("4GB");
  });
});

describe("openDuckDb", () => {
  it("applies memory_limit, threads and temp_directory with SET", async () => {
    const db = await openDuckDb({ memoryLimit: "512MB", threads: 1, tempDirectory: "/tmp/x y" });
    try {
      const result = await db.connection.runAndReadAll(
        "SELECT current_setting('threads'), current_setting('memory_limit'), current_setting('temp_directory'), current_setting('preserve_insertion_order')",
      );
      const [threads, memory, temp, order] = result.getRows()[0];
      expect([Number(threads), String(memory), String(temp), order]).toEqual([
        1,
        "488.2 MiB",
        "/tmp/x y",
        true,
      ]);
    } finally {
      db.close();
    }
  });

  it("refuses a memory_limit that is not a size and threads that are not a count", async () => {
    const memory = await failure(openDuckDb({ memoryLimit: "lots" }));
    expect([memory.code, memory.message]).toEqual([
      "BAD_DUCKDB_SETTING",
      'duckdb.memory_limit: "lots" is not a size',
    ]);
    const threads = await failure(openDuckDb({ threads: 0 }));
    expect([threads.code, threads.message]).toEqual([
      "BAD_DUCKDB_SETTING",
      "duckdb.threads: 0 is not a whole number of threads (1 or more)",
    ]);
  });

  it("says clearly when the bindings cannot load, and that the memory engine still works", async () => {
    const missing = () =>
      Promise.reject(
        new Error("Cannot find module '@duckdb/node-bindings-linux-arm'\nRequire stack:"),
      );
    const error = await failure(openDuckDb({}, missing));
    expect([error.code, error.message]).toEqual([
      "DUCKDB_UNAVAILABLE",
      "--engine duckdb: DuckDB cannot load on this machine (Cannot find module '@duckdb/node-bindings-linux-arm'); the memory engine still works",
    ]);
    expect(error.hint).toContain("engine: memory");
    // A failed load is not remembered: the real module still loads afterwards.
    await expect(loadNodeApi()).resolves.toHaveProperty("DuckDBInstance");
  });

  it("quotes SQL strings", () => {
    expect(sqlString("it's")).toBe("'it''s'");
  });
});

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith(".ts")) out.push(path);
  }
  return out;
}

describe("@duckdb/node-api is loaded lazily", () => {
  it("is imported for its types only, and loaded by open.ts alone, with import()", () => {
    const found: string[] = [];
    // Unit tests are never loaded by the CLI: they may import the package as they like.
    for (const file of sources(SRC).filter((f) => !f.endsWith(".test.ts"))) {
      const text = readFileSync(file, "utf8");
      const name = relative(SRC, file);
      for (const match of text.matchAll(
        /^\s*(import|export)\b([^;]*?)from\s+"(@duckdb\/[^"]+)"/gms,
      )) {
        const typeOnly = /^\s*(import|export)\s+type\b/.test(match[0]);
        if (!typeOnly) found.push(`${name}: static ${match[1]} of ${match[3]}`);
      }
      for (const match of text.matchAll(/\bimport\(\s*"(@duckdb\/[^"]+)"\s*\)/g)) {
        if (name !== join("engine", "duckdb", "open.ts"))
          found.push(`${name}: import() of ${match[1]}`);
      }
      if (/require\(\s*["']@duckdb\//.test(text)) found.push(`${name}: require of @duckdb`);
    }
    expect(found).toEqual([]);
  });
});
