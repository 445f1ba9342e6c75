/**
 * No statement of `--engine duckdb` joins every row against every row. A LEFT JOIN whose condition
 * holds, beside its equality, a test on one side only (`ON i.id IS NULL AND f.email = i.email`) is
 * planned by DuckDB as a nested-loop join: the identity of a 200,000-contact shop took 106 s
 * instead of 0.1 s that way, and nothing else noticed (the results are right, only slow). Each
 * command below runs in-process on a copy of a fixture; before each statement DuckDB runs, its
 * plan is asked for (EXPLAIN (FORMAT json)), and any nested-loop join, blockwise join or cross
 * product whose sides are both more than one row is reported with its statement.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { DuckDBConnection, type DuckDBValue } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliContext } from "../src/cli/context.js";
import { runCli } from "../src/cli/main.js";
import { notCache } from "./helpers/sink-run.js";

const ROOT = resolve(import.meta.dirname, "..");
const NOW = Date.UTC(2026, 6, 1, 8, 15, 30);

interface PlanNode {
  name?: string;
  extra_info?: Record<string, unknown>;
  children?: PlanNode[];
}

/** The query a statement computes (CREATE TABLE … AS, INSERT … SELECT, SELECT), else undefined. */
function queryOf(sql: string): string | undefined {
  const s = sql.trim();
  const create =
    /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?TABLE\s+\S+\s+AS\s+([\s\S]*)$/i;
  const insert = /^INSERT\s+INTO\s+\S+\s*(?:\([^)]*\))?\s*((?:SELECT|WITH)\b[\s\S]*)$/i;
  const found = create.exec(s) ?? insert.exec(s);
  if (found) return found[1];
  return /^(SELECT|WITH)\b/i.test(s) ? s : undefined;
}

/** A side known to be at most one row: an empty result, or an estimate of 0 or 1. */
function single(node: PlanNode): boolean {
  if (node.name === "EMPTY_RESULT" || node.name === "UNGROUPED_AGGREGATE") return true;
  const estimate = node.extra_info?.["Estimated Cardinality"];
  if (estimate !== undefined) return Number(estimate) <= 1;
  // A projection of one row, or a product of single rows, is one row.
  const children = node.children ?? [];
  if (node.name === "PROJECTION" && children.length === 1) return single(children[0]);
  return node.name === "CROSS_PRODUCT" && children.every(single);
}

const ROW_BY_ROW = /NESTED_LOOP|NL_JOIN|CROSS_PRODUCT|PIECEWISE_MERGE/;

function rowByRow(node: PlanNode, out: string[]): void {
  const children = node.children ?? [];
  if (ROW_BY_ROW.test(node.name ?? "") && !children.some(single))
    out.push(
      `${node.name} ${JSON.stringify(node.extra_info)} over ${children.map((c) => c.name).join(", ")}`,
    );
  for (const child of children) rowByRow(child, out);
}

type Method = "run" | "runAndReadAll" | "stream";
const METHODS: Method[] = ["run", "runAndReadAll", "stream"];

/** While `body` runs, every statement DuckDB is given whose plan joins row by row, with it. */
async function watchPlans(body: () => Promise<void>): Promise<string[]> {
  const found: string[] = [];
  const proto = DuckDBConnection.prototype as unknown as Record<
    Method,
    (this: DuckDBConnection, sql: string, values?: DuckDBValue[]) => Promise<unknown>
  >;
  const saved = METHODS.map((m) => proto[m]);
  let explaining = false;
  for (const [i, method] of METHODS.entries()) {
    const original = saved[i];
    proto[method] = async function (sql, values) {
      const query = queryOf(sql);
      if (!explaining && query !== undefined) {
        explaining = true;
        try {
          const reader = await this.runAndReadAll(`EXPLAIN (FORMAT json) ${query}`, values);
          for (const row of reader.getRowObjects()) {
            for (const cell of Object.values(row)) {
              if (typeof cell !== "string" || !cell.startsWith("[")) continue;
              const joins: string[] = [];
              for (const node of JSON.parse(cell) as PlanNode[]) rowByRow(node, joins);
              for (const join of joins) found.push(`${join}\n  in: ${query.slice(0, 400)}`);
            }
          }
        } finally {
          explaining = false;
        }
      }
      return original.call(this, sql, values);
    };
  }
  try {
    await body();
  } finally {
    for (const [i, method] of METHODS.entries()) proto[method] = saved[i];
  }
  return found;
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-plans-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A copy of `fixture` whose config reads the repository's segment library. */
async function shop(fixture: string, config: string): Promise<string> {
  const dir = await mkdtemp(join(work, "shop-"));
  await cp(join(ROOT, "fixtures", fixture), dir, { recursive: true, filter: notCache });
  const path = join(dir, config);
  const text = (await readFile(path, "utf8")).replace(/^segments:.*$/m, "");
  await writeFile(path, `${text}\nsegments: ${join(ROOT, "segments")}\n`);
  return dir;
}

/** `args` with `--engine duckdb` in `dir`; the exit code and stderr. */
async function cli(dir: string, args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const err = new PassThrough();
  err.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const context: CliContext = {
    stdout: new PassThrough().resume(),
    stderr: err,
    env: { NO_COLOR: "1" },
    cwd: dir,
    stderrIsTTY: false,
    stdoutIsTTY: false,
    now: () => NOW,
  };
  const code = await runCli([...args, "--engine", "duckdb"], context);
  return { code, stderr };
}

describe("--engine duckdb never joins row by row", () => {
  it("the demo shop: build with the whole library, then count, rfm, channels, explain from the cache", async () => {
    const dir = await shop("demo", "audience.yaml");
    const codes: number[] = [];
    const found = await watchPlans(async () => {
      for (const args of [
        ["build", "--config", "audience.yaml", "--out", "out", "--quiet"],
        ["count", "--config", "audience.yaml", "--quiet"],
        ["count", "--config", "audience.yaml", "--explain", "--quiet"],
        ["rfm", "--config", "audience.yaml"],
        ["channels", "--config", "audience.yaml"],
        ["explain", "C100000", "--config", "audience.yaml"],
      ])
        codes.push((await cli(dir, args)).code);
    });
    expect(codes).toEqual([0, 0, 0, 0, 0, 0]);
    expect(found).toEqual([]);
  });

  it("a normalised export with a key map and order lines in two files", async () => {
    const dir = await shop("exports/normalised", "shop.yaml");
    let code = -1;
    const found = await watchPlans(async () => {
      code = (await cli(dir, ["count", "--config", "shop.yaml", "--no-cache", "--quiet"])).code;
    });
    expect(code).toBe(0);
    expect(found).toEqual([]);
  });

  it("finds the join of a one-sided LEFT JOIN condition (the check is not vacuous)", async () => {
    const { openDuckDbSession } = await import("../src/engine/duckdb/session.js");
    const session = await openDuckDbSession();
    const found = await watchPlans(async () => {
      await session.run(
        "CREATE TEMP TABLE a AS SELECT range AS id, range % 7 AS k FROM range(5000)",
      );
      await session.run(
        "CREATE TEMP TABLE b AS SELECT a.id, f.k FROM a LEFT JOIN (SELECT k FROM a GROUP BY k) AS f ON a.id > 10 AND f.k = a.k",
      );
    });
    await session.close();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^BLOCKWISE_NL_JOIN/);
  });
});
