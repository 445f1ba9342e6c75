// The raw load of `--engine duckdb` (src/engine/duckdb/read.ts: the files into DuckDB tables of
// text cells with their line numbers) beside the memory engine's reader (parse-csv.ts, csv-parse
// on this thread) and the bare csv-parse floor (parse-floor.mjs), on the demo shop of run.mjs.
//
//   npm run build && node test/bench/duckdb-read.mjs      1,000,000 contacts, 3 runs (median)
//   BENCH_CONTACTS=200000 BENCH_RUNS=1 node test/bench/duckdb-read.mjs
//
// The data are generated once with `audience demo` into test/bench/.cache/ (the same folder as
// run.mjs, so either script reuses the other's files). Figures only, on stdout.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { rm, stat, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const here = fileURLToPath(new URL("./", import.meta.url));
const cache = join(here, ".cache");
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const FILES = ["contacts.csv", "orders.csv", "events.csv", "lists.csv"];

const dist = (path) => pathToFileURL(join(root, "dist", path)).href;
const { openDuckDb } = await import(dist("engine/duckdb/open.js"));
const { loadCsvInput } = await import(dist("engine/duckdb/read.js"));
const { parseCsv } = await import(dist("io/parse-csv.js"));

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${args.join(" ")} exited with ${code}`)),
    );
  });
}

async function dataset() {
  const dir = join(cache, `shop-${CONTACTS}-seed1`);
  if (!existsSync(join(dir, ".complete"))) {
    await rm(dir, { recursive: true, force: true });
    process.stderr.write(`generating ${CONTACTS.toLocaleString("en-US")} contacts into ${dir}…\n`);
    await run([
      join(root, "bin", "audience.js"),
      "demo",
      "--out",
      dir,
      "--contacts",
      String(CONTACTS),
      "--seed",
      "1",
      "--as-of",
      "2026-06-30",
      "--segments",
      join(root, "segments"),
      "--quiet",
    ]);
    await writeFile(join(dir, ".complete"), "");
  }
  return dir;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// Wall time, and the CPU time of this process (all its threads: DuckDB's too), which says more
// than wall time on a machine shared with other work.
async function timed(fn) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return {
    seconds: (performance.now() - started) / 1000,
    cpu: (used.user + used.system) / 1e6,
    value,
  };
}

const dir = await dataset();
const files = FILES.map((f) => join(dir, f));
let bytes = 0;
for (const f of files) bytes += (await stat(f)).size;

const samples = { duckdb: [], memory: [], floor: [] };
const cpu = { duckdb: [], memory: [] };
let rows = 0;
const paths = new Set();
for (let i = 0; i < RUNS; i++) {
  const duck = await timed(async () => {
    const db = await openDuckDb({});
    let n = 0;
    try {
      for (const [index, path] of files.entries()) {
        const raw = await loadCsvInput(db.connection, {
          path,
          display: FILES[index],
          table: `raw_${index}`,
        });
        n += raw.rows;
        paths.add(raw.path);
      }
    } finally {
      db.close();
    }
    return n;
  });
  samples.duckdb.push(duck.seconds);
  cpu.duckdb.push(duck.cpu);
  rows = duck.value;
  const memory = await timed(async () => {
    let n = 0;
    for (const [index, path] of files.entries()) {
      const read = await parseCsv({ path, display: FILES[index] }, { header() {}, row() {} });
      n += read.rows;
    }
    return n;
  });
  samples.memory.push(memory.seconds);
  cpu.memory.push(memory.cpu);
  if (memory.value !== rows) throw new Error(`row counts differ: ${memory.value} vs ${rows}`);
  const floor = await timed(() => run([join(here, "parse-floor.mjs"), ...files]));
  samples.floor.push(floor.seconds);
}

const line = (label, seconds, cpuSeconds) =>
  `${label.padEnd(44)} ${seconds.toFixed(2).padStart(7)} s ${Math.round(rows / seconds)
    .toLocaleString("en-US")
    .padStart(12)} rows/s ${(bytes / 1e6 / seconds).toFixed(0).padStart(5)} MB/s` +
  (cpuSeconds === undefined ? "" : `  (CPU ${cpuSeconds.toFixed(2)} s)`);
console.log(
  `${CONTACTS.toLocaleString("en-US")} contacts: ${rows.toLocaleString("en-US")} data rows, ${(bytes / 1e6).toFixed(0)} MB, ${RUNS} run(s), median; ${cpus().length} CPUs`,
);
console.log(
  line(`duckdb raw load (${[...paths].join(", ")})`, median(samples.duckdb), median(cpu.duckdb)),
);
console.log(
  line("memory engine reader (parseCsv, one thread)", median(samples.memory), median(cpu.memory)),
);
console.log(line("csv-parse floor (parse-floor.mjs)", median(samples.floor)));
