/**
 * `--engine duckdb` reads its inputs in the database (src/io/read-inputs.ts `inDatabase`): the
 * files loaded into raw tables, staged in SQL, the profiles and segments computed there — no row
 * goes through the TypeScript sinks. When a file or the staging needs the TypeScript path, the
 * whole run takes it. Each case runs in-process through both engines, counting the rows handed to
 * the sinks (ContactsSink, OrdersSink, EventsSink, ListsSink): none on the fast path, some on each
 * fallback, and the same exit code, stdout, stderr and files as the memory engine either way.
 */
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliContext } from "../src/cli/context.js";
import { runCli } from "../src/cli/main.js";
import { ContactsSink } from "../src/model/ingest-contacts.js";
import { EventsSink, ListsSink } from "../src/model/ingest-events.js";
import { OrdersSink } from "../src/model/ingest-orders.js";

const ROOT = resolve(import.meta.dirname, "..");
const NOW = Date.UTC(2026, 6, 1, 8, 15, 30);
const SINKS = [ContactsSink, OrdersSink, EventsSink, ListsSink];

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-fastpath-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Every file under `dir`: path → content (manifest and history without `engine`). */
async function filesIn(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      // A build's output folder is a link to its dated folder (hidden, named by pid and time).
      if ((await stat(path)).isDirectory()) {
        if (!entry.name.startsWith(".")) await walk(path);
      } else {
        let text = await readFile(path, "utf8");
        if (entry.name === "manifest.json" || entry.name === "history.jsonl")
          text = text.replace(/"engine": ?"(memory|duckdb)",/g, "");
        out[relative(dir, path)] = text;
      }
    }
  };
  await walk(dir);
  return out;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  files: Record<string, string>;
  /** Rows handed to the TypeScript sinks. */
  sinkRows: number;
}

/** `args` in-process with `engine`, in a copy of `shop` (a folder with audience.yaml). */
async function run(shop: string, args: string[], engine: string): Promise<Run> {
  const dir = await mkdtemp(join(work, `${engine}-`));
  await cp(shop, dir, { recursive: true });
  const out = { stdout: "", stderr: "" };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on("data", (chunk: Buffer) => (out.stdout += chunk.toString("utf8")));
  stderr.on("data", (chunk: Buffer) => (out.stderr += chunk.toString("utf8")));
  const context: CliContext = {
    stdout,
    stderr,
    env: { NO_COLOR: "1" },
    cwd: dir,
    stderrIsTTY: false,
    stdoutIsTTY: false,
    now: () => NOW,
  };
  let sinkRows = 0;
  const saved = SINKS.map((sink) => sink.prototype.row);
  for (const [i, sink] of SINKS.entries()) {
    const row = saved[i];
    sink.prototype.row = function (this: never, ...args: Parameters<typeof row>) {
      sinkRows++;
      return row.apply(this, args);
    };
  }
  let code: number;
  try {
    code = await runCli([...args, "--engine", engine], context);
  } finally {
    for (const [i, sink] of SINKS.entries()) sink.prototype.row = saved[i];
  }
  const files = await filesIn(dir);
  return { code, ...out, files, sinkRows };
}

/** Both engines on `args`: the same results; returns the duckdb run. */
async function both(shop: string, args: string[]): Promise<Run> {
  const memory = await run(shop, args, "memory");
  const duckdb = await run(shop, args, "duckdb");
  expect(memory.sinkRows).toBeGreaterThan(0);
  const { sinkRows: _m, ...want } = memory;
  const { sinkRows: _d, ...got } = duckdb;
  expect(got).toEqual(want);
  return duckdb;
}

/** A copy of fixtures/library (which the fast path reads), or `fixture`, with `change` applied. */
async function library(
  name: string,
  change?: (dir: string) => Promise<void>,
  fixture = "library",
): Promise<string> {
  const dir = join(work, name);
  await cp(join(ROOT, "fixtures", fixture), dir, { recursive: true });
  const config = join(dir, "audience.yaml");
  const text = await readFile(config, "utf8");
  await writeFile(config, text.replace("../../segments", join(ROOT, "segments")));
  await change?.(dir);
  return dir;
}

async function append(path: string, text: string): Promise<void> {
  await writeFile(path, (await readFile(path, "utf8")) + text);
}

describe("--engine duckdb reads the inputs in the database", () => {
  it("count: no row through the TypeScript sinks, the memory engine's outputs", async () => {
    const shop = await library("fast");
    for (const args of [
      ["count", "--quiet"],
      ["count", "--quiet", "--exclusive"],
    ]) {
      const got = await both(shop, args);
      expect({ args, code: got.code, sinkRows: got.sinkRows }).toEqual({
        args,
        code: 0,
        sinkRows: 0,
      });
    }
  });

  it("skipped rows, --rejects and their counts by reason come from the staged rejects", async () => {
    const shop = await library("rejects", async (dir) => {
      await append(join(dir, "orders.csv"), "1999,,2026-06-25 10:00:00,paid,,20.00,x,y,1,20.00\n");
      await append(join(dir, "contacts.csv"), "\n,,,,\n");
    });
    const got = await both(shop, ["count", "--quiet", "--rejects", "rejects.csv"]);
    expect(got.sinkRows).toBe(0);
    expect(got.stderr).toContain("skipped");
    expect(Object.keys(got.files)).toContain("rejects.csv");
  });

  it("--strict stops at the first staged reject, a Windows-1252 file warns: as the memory engine", async () => {
    const strict = await library("strict-contacts", (dir) =>
      append(join(dir, "contacts.csv"), ",,,,,,,yes,yes,yes\n"),
    );
    const stopped = await both(strict, ["count", "--quiet", "--strict"]);
    expect({ code: stopped.code, sinkRows: stopped.sinkRows }).toEqual({ code: 1, sinkRows: 0 });
    const latin = await library("windows-1252", async (dir) => {
      const path = join(dir, "contacts.csv");
      const text = await readFile(path, "utf8");
      await writeFile(
        path,
        Buffer.from(text.replace("Client,signup-0d", "Cl\u00e9ment,signup-0d"), "latin1"),
      );
    });
    const warned = await both(latin, ["count", "--quiet"]);
    expect(warned.stderr).toContain("Windows-1252");
    expect({ code: warned.code, sinkRows: warned.sinkRows }).toEqual({ code: 0, sinkRows: 0 });
  });

  it("the input summary, --json, build and contact rows that disagree on a consent: in the database too", async () => {
    const shop = await library("summary");
    for (const args of [["count"], ["count", "--json"], ["build", "--out", "out"]]) {
      const got = await both(shop, args);
      expect({ args, sinkRows: got.sinkRows }).toEqual({ args, sinkRows: 0 });
    }
    // fixtures/demo: its duplicate contact rows disagree on consent (the warning is SQL's).
    const demo = await both(await library("demo", undefined, "demo"), ["count"]);
    expect({ code: demo.code, sinkRows: demo.sinkRows }).toEqual({ code: 0, sinkRows: 0 });
  });

  const fallbacks: [string, () => Promise<string>, string[]][] = [
    [
      "orders_filter",
      () =>
        library("filter", (dir) =>
          append(join(dir, "audience.yaml"), 'orders_filter: not starts_with(order_id, "C")\n'),
        ),
      ["count", "--quiet"],
    ],
    [
      "--strict with a rejected order row",
      () =>
        library("strict", (dir) =>
          append(join(dir, "orders.csv"), "1999,,2026-06-25 10:00:00,paid,,20.00,x,y,1,20.00\n"),
        ),
      ["count", "--quiet", "--strict"],
    ],
    [
      "orders in two currencies",
      () =>
        library("currencies", async (dir) => {
          const path = join(dir, "orders.csv");
          const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
          const priced = lines.map(
            (l, i) => `${l},${i === 0 ? "currency" : i === 2 ? "USD" : "EUR"}`,
          );
          await writeFile(path, `${priced.join("\n")}\n`);
        }),
      ["count", "--quiet"],
    ],
    [
      "a header error in a later file",
      () => library("header", (dir) => writeFile(join(dir, "lists.csv"), "nothing,known\na,b\n")),
      ["count", "--quiet"],
    ],
    [
      "a file that does not load",
      () => library("missing", (dir) => rm(join(dir, "events.csv"))),
      ["count", "--quiet"],
    ],
  ];

  it.each(fallbacks)(
    "falls back to the TypeScript path with the same outputs: %s",
    async (_, shop, args) => {
      const got = await both(await shop(), args);
      expect(got.sinkRows).toBeGreaterThan(0);
    },
  );
});
