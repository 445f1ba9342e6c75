// `npm run bench`: audience build on a large synthetic shop, side by side with the floor of its CSV
// parser, a raw read of the files and a SQL peer (DuckDB), at two sizes to show how cost grows.
//
//   npm run bench                        1,000,000 and 500,000 contacts, 3 runs each (median)
//   BENCH_CONTACTS=200000 npm run bench  one smaller size (and its half), for a quick look
//   BENCH_RUNS=5 npm run bench           more runs
//
// Data is generated once with `audience demo` into test/bench/.cache/ and reused. The SQL peer,
// DuckDB (@duckdb/node-api), is installed into test/bench/.cache/duckdb on the first run rather
// than being a dependency of the project: it ships a native binary per platform, and `npm ci`
// must not depend on every platform's binary being in the registry.
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
const SIZES = [BIG, Math.round(BIG / 2)];
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

const DUCKDB = join(cache, "duckdb");
const DUCKDB_VERSION = "1.5.6-r.1";

async function ensureDuckdb() {
  if (existsSync(join(DUCKDB, "node_modules", "@duckdb", "node-api"))) return;
  await mkdir(DUCKDB, { recursive: true });
  await writeFile(join(DUCKDB, "package.json"), '{ "private": true }\n');
  process.stderr.write(`installing @duckdb/node-api@${DUCKDB_VERSION} into ${DUCKDB}…\n`);
  await new Promise((resolve, reject) => {
    const npm = spawn(
      "npm",
      ["install", "--no-audit", "--no-fund", `@duckdb/node-api@${DUCKDB_VERSION}`],
      {
        cwd: DUCKDB,
        stdio: "inherit",
      },
    );
    npm.on("error", reject);
    npm.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`npm install @duckdb/node-api exited with ${code}`)),
    );
  });
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
function commands(contacts, data) {
  const files = FILES.map((f) => join(data.dir, f));
  const out = join(cache, `out-${contacts}`);
  return {
    out,
    build: [bin, "build", "--config", join(data.dir, "audience.yaml"), "--out", out, "--quiet"],
    floor: [join(here, "parse-floor.mjs"), ...files],
    raw: [join(here, "raw-read.mjs"), ...files],
    duck: [
      join(here, "duckdb-peer.mjs"),
      data.dir,
      join(cache, `duckdb-${contacts}.csv`),
      AS_OF,
      DUCKDB,
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
      cmd: commands(contacts, data),
      samples: { build: [], floor: [], raw: [], duck: [] },
    });
  }
  for (let i = 0; i < RUNS; i++) {
    for (const p of prepared) {
      const tag = `${p.contacts.toLocaleString("en-US")}`;
      p.samples.build.push(await once(`${tag} audience build`, p.cmd.build, { rss: true }));
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
      build: summary(p.samples.build, true),
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
await ensureDuckdb();
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
row("`audience build`, whole library (wall)", (r) => fmtS(r.build.seconds));
row("`audience build`, peak RSS", (r) => fmtMiB(r.build.peak));
row("csv-parse floor (parse only)", (r) => fmtS(r.floor.seconds));
row("raw read of the files", (r) => fmtS(r.raw.seconds));
row(
  "DuckDB peer (SQL aggregates + 1 CSV)",
  (r) => `${fmtS(r.duck.seconds)} (${fmtMiB(r.duck.peak)})`,
);
row("build / csv-parse floor", (r) => `${(r.build.seconds / r.floor.seconds).toFixed(2)}×`);
row("build / DuckDB", (r) => `${(r.build.seconds / r.duck.seconds).toFixed(2)}×`);
row("build throughput", (r) => `${(r.bytes / 1e6 / r.build.seconds).toFixed(0)} MB/s`);
lines.push("");
lines.push(
  `Doubling the data (${int(half.contacts)} → ${int(big.contacts)} contacts) costs ${(big.build.seconds / half.build.seconds).toFixed(2)}× the build time (csv-parse alone: ${(big.floor.seconds / half.floor.seconds).toFixed(2)}×) and ${(big.build.peak / half.build.peak).toFixed(2)}× the peak RSS.`,
);
const text = lines.join("\n") + "\n";
process.stdout.write(`\n${text}`);
await writeFile(join(cache, "last.md"), text);
