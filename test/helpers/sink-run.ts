/**
 * One CLI command in-process, in a copy of a shop folder, counting the rows handed to the
 * TypeScript sinks (ContactsSink, OrdersSink, EventsSink, ListsSink): the harness of the fast-path
 * suites (test/duckdb-fast-path.test.ts, test/postgres-fast-path.test.ts), whose runs read their
 * inputs in the database when the count stays 0.
 */
import { cp, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { PassThrough } from "node:stream";
import type { CliContext } from "../../src/cli/context.js";
import { runCli } from "../../src/cli/main.js";
import { ContactsSink } from "../../src/model/ingest-contacts.js";
import { EventsSink, ListsSink } from "../../src/model/ingest-events.js";
import { OrdersSink } from "../../src/model/ingest-orders.js";

const NOW = Date.UTC(2026, 6, 1, 8, 15, 30);
const SINKS = [ContactsSink, OrdersSink, EventsSink, ListsSink];

export interface SinkRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Every file the run left in its folder: path → content (manifest, history without `engine`). */
  files: Record<string, string>;
  /** Rows handed to the TypeScript sinks. */
  sinkRows: number;
}

/** A copy leaves out the cache other suites' runs keep beside a fixture's config. */
export const notCache = (source: string) => !source.split(/[\\/]/).includes(".audience-cache");

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
          text = text.replace(/"engine": ?"(memory|duckdb|postgres)",/g, "");
        out[relative(dir, path)] = text;
      }
    }
  };
  await walk(dir);
  return out;
}

/**
 * `args` in-process with `engine`, in a copy of `shop` (a folder with audience.yaml) made under
 * `work` and removed after; `env` is the run's environment besides NO_COLOR.
 */
export async function runCountingSinks(
  shop: string,
  args: readonly string[],
  engine: string,
  options: { work: string; env?: Record<string, string> },
): Promise<SinkRun> {
  const dir = await mkdtemp(join(options.work, `${engine}-`));
  await cp(shop, dir, { recursive: true, filter: notCache });
  const out = { stdout: "", stderr: "" };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on("data", (chunk: Buffer) => (out.stdout += chunk.toString("utf8")));
  stderr.on("data", (chunk: Buffer) => (out.stderr += chunk.toString("utf8")));
  const context: CliContext = {
    stdout,
    stderr,
    env: { NO_COLOR: "1", ...options.env },
    cwd: dir,
    stderrIsTTY: false,
    stdoutIsTTY: false,
    now: () => NOW,
  };
  let sinkRows = 0;
  const saved = SINKS.map((sink) => sink.prototype.row);
  for (const [i, sink] of SINKS.entries()) {
    const row = saved[i];
    sink.prototype.row = function (this: never, ...rowArgs: Parameters<typeof row>) {
      sinkRows++;
      return row.apply(this, rowArgs);
    };
  }
  let code: number;
  try {
    code = await runCli([...args, "--engine", engine], context);
  } finally {
    for (const [i, sink] of SINKS.entries()) sink.prototype.row = saved[i];
  }
  const files = await filesIn(dir);
  await rm(dir, { recursive: true, force: true });
  return { code, ...out, files, sinkRows };
}
