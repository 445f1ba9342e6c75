// Peak memory of `audience count` and `audience build` for one customer with millions of order
// rows (issue 12, docs/reliability.md "Bounded work on hostile data"). Run after a build:
//
//   npx tsc -p tsconfig.build.json && node test/bench/one-customer.mjs
//   BENCH_ROWS=1000000,5000000 node test/bench/one-customer.mjs   other sizes
//   BENCH_LINES=3 …                                              3 rows (line items) per order
//   AUDIENCE_READER=inline …                                     parse on the main thread
//
// The orders file (one customer, every row a distinct order id unless BENCH_LINES > 1, products
// from a small catalogue) is generated into test/bench/.cache/ and reused. Peak RSS is read at exit
// by rss-probe.mjs.
import { spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const here = fileURLToPath(new URL("./", import.meta.url));
const cache = join(here, ".cache", "one-customer");
const bin = join(root, "bin", "audience.js");
const probe = join(here, "rss-probe.mjs");
const SIZES = (process.env.BENCH_ROWS ?? "1000000,3000000,5000000").split(",").map(Number);
const LINES = Number(process.env.BENCH_LINES ?? 1);
const PRODUCTS = ["Sérum visage", "Crème de nuit", "Huile corps", "Baume lèvres", "Savon"];

async function ordersFile(rows) {
  const file = join(cache, `orders-${rows}-${LINES}.csv`);
  if (existsSync(file)) return file;
  await mkdir(cache, { recursive: true });
  const out = createWriteStream(file + ".part");
  const write = (text) =>
    out.write(text) ? undefined : new Promise((resolve) => out.once("drain", resolve));
  await write("order_id,customer_id,email,created_at,status,total,product,category\n");
  const start = Date.UTC(2016, 0, 1);
  const orders = Math.ceil(rows / LINES);
  let chunk = "";
  for (let o = 0, row = 0; o < orders && row < rows; o++) {
    // Spread over ten years, several orders a minute: many on the same day.
    const at = new Date(start + Math.floor((o / orders) * 10 * 365 * 86_400_000));
    const stamp = at.toISOString().slice(0, 19).replace("T", " ");
    for (let l = 0; l < LINES && row < rows; l++, row++) {
      const product = PRODUCTS[(o + l) % PRODUCTS.length];
      chunk += `${100000 + o},c1,one@example.com,${stamp},paid,${(o % 90) + 10}.50,${product},Soin\n`;
    }
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = "";
    }
  }
  await write(chunk);
  await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
  await rm(file, { force: true });
  await import("node:fs/promises").then((fs) => fs.rename(file + ".part", file));
  return file;
}

function run(args) {
  return new Promise((resolve, reject) => {
    const rssFile = join(cache, `rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", probe, bin, ...args], {
      cwd: cache,
      env: { ...process.env, NO_COLOR: "1", BENCH_RSS_FILE: rssFile },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", async (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) {
        reject(new Error(`audience ${args.join(" ")} exited with ${code}\n${stderr.slice(-2000)}`));
        return;
      }
      const peak = Number(await readFile(rssFile, "utf8"));
      await rm(rssFile, { force: true });
      resolve({ seconds, mib: peak / 1024 / 1024 });
    });
  });
}

await mkdir(cache, { recursive: true });
await writeFile(
  join(cache, "segments.yaml"),
  "segments:\n  buyers:\n    where: orders_count >= 1\n    channel: none\n" +
    "    columns: [last_product, first_order_date, last_order_date, orders_count, total_spent]\n",
);
console.log(`rows\tlines/order\tcommand\tpeak RSS (MiB)\tseconds`);
for (const rows of SIZES) {
  const orders = await ordersFile(rows);
  await writeFile(
    join(cache, "audience.yaml"),
    `orders: ${orders}\nsegments: segments.yaml\nas_of: 2026-06-30\ntimezone: UTC\n`,
  );
  for (const command of ["count", "build"]) {
    const args = [command, "--config", "audience.yaml", "-q"];
    if (command === "build") args.push("--out", join(cache, "out"));
    const { mib, seconds } = await run(args);
    console.log(`${rows}\t${LINES}\t${command}\t${mib.toFixed(0)}\t${seconds.toFixed(1)}`);
  }
}
