// `npm run bench`: audience on a large synthetic shop, with both engines, side by side with the
// floor of its CSV parser, a raw read of the files and a hand-written SQL peer (DuckDB), at two
// sizes to show how cost grows.
//
//   npm run bench                         1,000,000 and 500,000 contacts, 3 runs each (median)
//   BENCH_CONTACTS=200000 npm run bench   one smaller size (and its half), for a quick look
//   BENCH_CONTACTS=10000000 npm run bench the scale run: 10,000,000 contacts only, DuckDB with
//                                         memory_limit 4GB (BENCH_MEMORY_LIMIT), the memory
//                                         engine left out (BENCH_MEMORY_ENGINE=1 keeps it)
//   BENCH_RUNS=5 npm run bench            more runs
//
// Data is generated once with `audience demo` into test/bench/.cache/ and reused. Timed per size:
// `build` with the memory engine; `build --engine duckdb`; `count --engine duckdb` (the analyst's
// loop); csv-parse alone; a raw read; and the DuckDB peer (test/bench/duckdb-peer.mjs).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { cpus, totalmem, platform, release } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const here = fileURLToPath(new URL("./", import.meta.url));
const cache = join(here, ".cache");
const bin = join(root, "bin", "audience.js");
const probe = join(here, "rss-probe.mjs");
const AS_OF = "2026-06-30";
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BIG = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
/** From 5 million contacts on, the scale run: that size alone, DuckDB within a memory limit. */
const SCALE = BIG >= 5_000_000;
const SIZES = SCALE ? [BIG] : [BIG, Math.round(BIG / 2)];
const MEMORY_LIMIT = process.env.BENCH_MEMORY_LIMIT ?? (SCALE ? "4GB" : undefined);
const MEMORY_ENGINE = !SCALE || process.env.BENCH_MEMORY_ENGINE === "1";
const FILES = ["contacts.csv", "orders.csv", "events.csv", "lists.csv"];

function run(args, { rss = false } = {}) {
  return new Promise((resolve, reject) => {
    const rssFile = join(cache, `rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const started = performance.now();
    const child = spawn(process.execPath, rss ? ["--import", probe, ...args] : args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", BENCH_RSS_FILE: rssFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", async (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) {
        reject(new Error(`${args.join(" ")} exited with ${code}\n${stderr.slice(-2000)}`));
        return;
      }
      let peak;
      if (rss) {
        peak = Number(await readFile(rssFile, "utf8"));
        await rm(rssFile, { force: true });
      }
      resolve({ seconds, peak, stdout, stderr });
    });
  });
}

async function dataset(contacts) {
  const dir = join(cache, `shop-${contacts}-seed1`);
  const marker = join(dir, ".complete");
  if (!existsSync(marker)) {
    await rm(dir, { recursive: true, force: true });
    process.stderr.write(`generating ${contacts.toLocaleString("en-US")} contacts into ${dir}…\n`);
    const g = await run([
      bin,
      "demo",
      "--out",
      dir,
      "--contacts",
      String(contacts),
      "--seed",
      "1",
      "--as-of",
      AS_OF,
      "--segments",
      join(root, "segments"),
      "--quiet",
    ]);
    process.stderr.write(`  generated in ${g.seconds.toFixed(1)} s\n`);
    await writeFile(marker, "");
  }
  let bytes = 0;
  for (const f of FILES) bytes += (await stat(join(dir, f))).size;
  const rows =
    Number((await run([join(here, "parse-floor.mjs"), join(dir, "orders.csv")])).stdout.trim()) - 1;
  return { dir, bytes, orderRows: rows };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function once(label, args, options) {
  const result = await run(args, options);
  process.stderr.write(`  ${label}: ${result.seconds.toFixed(2)} s\n`);
  return result;
}

function summary(results, rss) {
  return {
    seconds: median(results.map((r) => r.seconds)),
    peak: rss ? median(results.map((r) => r.peak)) : undefined,
    last: results.at(-1),
  };
}

/** The commands timed for one size. */
async function commands(contacts, data) {
  const files = FILES.map((f) => join(data.dir, f));
  const out = join(cache, `out-${contacts}`);
  let config = join(data.dir, "audience.yaml");
  if (MEMORY_LIMIT !== undefined) {
    // The demo's config, with the memory limit: beside it, so that its relative paths still hold.
    const limited = join(data.dir, `audience-${MEMORY_LIMIT}.yaml`);
    const text = await readFile(config, "utf8");
    await writeFile(limited, `${text.trimEnd()}\nduckdb:\n  memory_limit: ${MEMORY_LIMIT}\n`);
    config = limited;
  }
  const segments = ["--config", config];
  return {
    out,
    build: [bin, "build", ...segments, "--out", out, "--quiet"],
    duckBuild: [bin, "build", ...segments, "--engine", "duckdb", "--out", out, "--quiet"],
    duckCount: [bin, "count", ...segments, "--engine", "duckdb", "--quiet"],
    floor: [join(here, "parse-floor.mjs"), ...files],
    raw: [join(here, "raw-read.mjs"), ...files],
    duck: [
      join(here, "duckdb-peer.mjs"),
      data.dir,
      join(cache, `duckdb-${contacts}.csv`),
      AS_OF,
      ...(MEMORY_LIMIT === undefined ? [] : [MEMORY_LIMIT]),
    ],
  };
}

// The sizes are measured in turn, run after run (not one size and then the other): the speed of a
// shared machine drifts over minutes, and the doubling ratio must not measure that drift.
async function benchSizes(sizes) {
  const prepared = [];
  for (const contacts of sizes) {
    const data = await dataset(contacts);
    process.stderr.write(
      `size ${contacts.toLocaleString("en-US")} contacts, ${data.orderRows.toLocaleString("en-US")} order rows, ${(data.bytes / 1e6).toFixed(0)} MB\n`,
    );
    prepared.push({
      contacts,
      data,
      cmd: await commands(contacts, data),
      samples: { build: [], duckBuild: [], duckCount: [], floor: [], raw: [], duck: [] },
    });
  }
  for (let i = 0; i < RUNS; i++) {
    for (const p of prepared) {
      const tag = `${p.contacts.toLocaleString("en-US")}`;
      if (MEMORY_ENGINE)
        p.samples.build.push(await once(`${tag} audience build`, p.cmd.build, { rss: true }));
      p.samples.duckBuild.push(
        await once(`${tag} audience build --engine duckdb`, p.cmd.duckBuild, { rss: true }),
      );
      p.samples.duckCount.push(
        await once(`${tag} audience count --engine duckdb`, p.cmd.duckCount, { rss: true }),
      );
      p.samples.floor.push(await once(`${tag} csv-parse floor`, p.cmd.floor, { rss: true }));
      p.samples.raw.push(await once(`${tag} raw read`, p.cmd.raw));
      p.samples.duck.push(await once(`${tag} duckdb`, p.cmd.duck, { rss: true }));
    }
  }
  const results = [];
  for (const p of prepared) {
    await rm(p.cmd.out, { recursive: true, force: true });
    results.push({
      contacts: p.contacts,
      ...p.data,
      build: MEMORY_ENGINE ? summary(p.samples.build, true) : undefined,
      duckBuild: summary(p.samples.duckBuild, true),
      duckCount: summary(p.samples.duckCount, true),
      floor: summary(p.samples.floor, true),
      raw: summary(p.samples.raw, false),
      duck: summary(p.samples.duck, true),
    });
  }
  return results;
}

const fmtS = (s) => `${s.toFixed(2)} s`;
const fmtMiB = (b) => (b === undefined ? "" : `${(b / 1024 / 1024).toFixed(0)} MiB`);
const int = (n) => n.toLocaleString("en-US");

await mkdir(cache, { recursive: true });
const results = await benchSizes(SIZES);
const [big, half] = results;

const lines = [];
lines.push(
  `Benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}, median of ${RUNS} runs`,
);
lines.push("");
lines.push(
  "| | " +
    results
      .map(
        (r) =>
          `${int(r.contacts)} contacts · ${int(r.orderRows)} order rows · ${(r.bytes / 1e6).toFixed(0)} MB`,
      )
      .join(" | ") +
    " |",
);
lines.push("|---|" + results.map(() => "---|").join(""));
const row = (label, f) => lines.push(`| ${label} | ${results.map(f).join(" | ")} |`);
const ratio = (a, b) => (a === undefined || b === undefined ? "" : `${(a / b).toFixed(2)}×`);
if (MEMORY_ENGINE) {
  row("`audience build`, whole library, memory engine (wall)", (r) => fmtS(r.build.seconds));
  row("… peak RSS", (r) => fmtMiB(r.build.peak));
}
row("`audience build --engine duckdb` (wall)", (r) => fmtS(r.duckBuild.seconds));
row("… peak RSS", (r) => fmtMiB(r.duckBuild.peak));
row("`audience count --engine duckdb` (wall)", (r) => fmtS(r.duckCount.seconds));
row("… peak RSS", (r) => fmtMiB(r.duckCount.peak));
row("csv-parse floor (parse only)", (r) => fmtS(r.floor.seconds));
row("raw read of the files", (r) => fmtS(r.raw.seconds));
row(
  "DuckDB peer (SQL aggregates + 1 CSV)",
  (r) => `${fmtS(r.duck.seconds)} (${fmtMiB(r.duck.peak)})`,
);
if (MEMORY_ENGINE) {
  row("memory build / csv-parse floor", (r) => ratio(r.build.seconds, r.floor.seconds));
  row("memory build / duckdb build", (r) => ratio(r.build.seconds, r.duckBuild.seconds));
}
row("duckdb build / DuckDB peer", (r) => ratio(r.duckBuild.seconds, r.duck.seconds));
row("duckdb count / DuckDB peer", (r) => ratio(r.duckCount.seconds, r.duck.seconds));
row("duckdb build throughput", (r) => `${(r.bytes / 1e6 / r.duckBuild.seconds).toFixed(0)} MB/s`);
lines.push("");
if (half !== undefined) {
  const by = (pick) => ratio(pick(big), pick(half));
  lines.push(
    `Doubling the data (${int(half.contacts)} → ${int(big.contacts)} contacts) costs ${by((r) => r.duckBuild.seconds)} the duckdb build time${MEMORY_ENGINE ? `, ${by((r) => r.build.seconds)} the memory build time (csv-parse alone: ${by((r) => r.floor.seconds)}) and ${by((r) => r.build.peak)} its peak RSS` : ""}.`,
  );
}
if (MEMORY_LIMIT !== undefined) lines.push(`DuckDB ran with memory_limit ${MEMORY_LIMIT}.`);
const text = lines.join("\n") + "\n";
process.stdout.write(`\n${text}`);
await writeFile(join(cache, "last.md"), text);
