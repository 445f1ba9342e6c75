/**
 * The cache of loaded exports of `--engine duckdb` (src/engine/duckdb/staged-cache.ts, cache.ts):
 * a second run on unchanged files restores their staging instead of reading them, and prints
 * exactly what a first run prints; a changed file reloads its own kind only; a changed setting,
 * `--no-cache`, a corrupt cache file and a foreign folder behave as the README says.
 *
 * "Not read" is shown by what a cache must not do: a file whose size and mtime are those
 * recorded is taken as unchanged without being read (cache.ts), so a file rewritten with other
 * bytes of the same size, its mtime put back, still gives the first run's results from the cache
 * — and the memory engine, reading it, gives other ones.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli, type CliRun } from "./helpers/run-cli.js";

const CONTACTS = [
  "customer_id,email,phone,first_name,created_at,email_consent,sms_consent,tags",
  "c1,ann@example.com,+33612345678,Ann,2025-01-10,yes,yes,vip",
  "c2,bob@example.com,,Bob,2025-02-11,no,,",
  "c3,cat@example.com,0612345679,Cat,2025-03-12,yes,no,face-care",
  ",,,Nobody,2025-03-13,yes,,",
  "c4,dan@example.com,,Dan,not a date,yes,,",
  "c5,eve@example.com,,Eve,2025-04-01,yes,,",
].join("\n");

const ORDERS = [
  "order_id,customer_id,email,created_at,total,status,product",
  "o1,c1,,2026-01-05,120.50,paid,Serum",
  "o2,c1,,2026-05-20,80,paid,Cream",
  "o3,c3,,2026-03-01,45,paid,Serum",
  "o4,,zed@example.com,2026-06-01,30,paid,Soap",
  "o5,c2,,2026-06-02,abc,paid,Soap",
  "o6,c5,,2026-06-10,99,cancelled,Cream",
].join("\n");

const EVENTS = [
  "customer_id,email,type,occurred_at",
  "c2,,email_open,2026-06-01",
  ",wil@example.com,whatsapp_optin,2026-06-15",
].join("\n");

const SEGMENTS = [
  "segments:",
  "  buyers:",
  "    name: Buyers",
  "    where: orders_count >= 1",
  "  serum:",
  "    name: Serum buyers",
  '    where: products contains "Serum"',
  "  leads:",
  "    name: Leads",
  "    where: orders_count = 0",
  "    channel: any",
].join("\n");

const CONFIG = [
  "contacts: contacts.csv",
  "orders: orders.csv",
  "events: events.csv",
  "segments: segments.yaml",
  "as_of: 2026-06-30",
  "default_country: FR",
].join("\n");

let root: string;
let shop: string;
let n = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "audience-cache-e2e-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
beforeEach(async () => {
  shop = join(root, `shop-${++n}`);
  await mkdir(shop);
  await writeFile(join(shop, "contacts.csv"), `${CONTACTS}\n`);
  await writeFile(join(shop, "orders.csv"), `${ORDERS}\n`);
  await writeFile(join(shop, "events.csv"), `${EVENTS}\n`);
  await writeFile(join(shop, "segments.yaml"), `${SEGMENTS}\n`);
  await writeFile(join(shop, "audience.yaml"), `${CONFIG}\n`);
});

const count = (...args: string[]): Promise<CliRun> =>
  runCli(["count", "--quiet", "--config", "audience.yaml", ...args], { cwd: shop });

/** A whole second, so that the mtime set is the mtime recorded, to the nanosecond. */
const MTIME = 1_780_000_000;

/** Sets every input's mtime to MTIME (before the run whose cache a test then fools). */
async function pinTimes(): Promise<void> {
  for (const name of ["contacts.csv", "orders.csv", "events.csv"])
    await utimes(join(shop, name), MTIME, MTIME);
}

/** Rewrites `name` with other bytes of the same length, and puts its mtime back to MTIME. */
async function swapBytes(name: string, from: string, to: string): Promise<void> {
  expect(to.length).toBe(from.length);
  const path = join(shop, name);
  const text = await readFile(path, "utf8");
  expect(text).toContain(from);
  await writeFile(path, text.replace(from, to));
  await utimes(path, MTIME, MTIME);
}

describe("--engine duckdb keeps the loaded exports in .audience-cache", () => {
  it("writes the cache on the first run and restores it on the second, with the same output as the memory engine", async () => {
    const memory = await count();
    expect(memory.code).toBe(0);
    expect(await readdir(shop)).not.toContain(".audience-cache");

    const first = await count("--engine", "duckdb");
    expect([first.code, first.stdout, first.stderr]).toEqual([0, memory.stdout, memory.stderr]);
    const folder = join(shop, ".audience-cache");
    expect((await readdir(folder)).sort()).toEqual([".gitignore", "CACHEDIR.TAG", "load.duckdb"]);
    expect((await stat(folder)).mode & 0o777).toBe(0o700);

    const second = await count("--engine", "duckdb");
    expect([second.code, second.stdout, second.stderr]).toEqual([0, memory.stdout, memory.stderr]);
  });

  it("does not read unchanged files again (same size and mtime), and --no-cache does", async () => {
    await pinTimes();
    const before = await count("--engine", "duckdb");
    expect(before.code).toBe(0);
    // Serum becomes Sirup in the orders: the serum segment empties for a reader of the file.
    await swapBytes(
      "orders.csv",
      "o3,c3,,2026-03-01,45,paid,Serum",
      "o3,c3,,2026-03-01,45,paid,Sirup",
    );
    const cached = await count("--engine", "duckdb");
    expect([cached.code, cached.stdout]).toEqual([0, before.stdout]);
    const read = await count("--engine", "duckdb", "--no-cache");
    const memory = await count();
    expect(read.stdout).toBe(memory.stdout);
    expect(read.stdout).not.toBe(before.stdout);
  });

  it("reloads only the kind whose file changed", async () => {
    await pinTimes();
    await count("--engine", "duckdb");
    // Contacts taken as unchanged (same size and mtime) though their bytes differ…
    await swapBytes("contacts.csv", "2025-04-01,yes,,", "2025-04-01,no ,,");
    // …while a new order really changes the orders file.
    await writeFile(join(shop, "orders.csv"), `${ORDERS}\no7,c2,,2026-06-20,15,paid,Serum\n`);
    const run = await count("--engine", "duckdb");
    expect(run.code).toBe(0);
    // The memory engine on the files as the cache holds them: the first contacts, the new orders.
    const swapped = await count();
    await swapBytes("contacts.csv", "2025-04-01,no ,,", "2025-04-01,yes,,");
    const memory = await count();
    expect(run.stdout).toBe(memory.stdout);
    expect(run.stdout).not.toBe(swapped.stdout);
    expect(run.stdout).toMatch(/serum\s+3\b/);
  });

  it("restages when a setting that changes loading changes (timezone, default_country)", async () => {
    await count("--engine", "duckdb");
    await writeFile(
      join(shop, "audience.yaml"),
      `${CONFIG.replace("default_country: FR", "default_country: US")}\n`,
    );
    const run = await count("--engine", "duckdb");
    const memory = await count();
    expect([run.code, run.stdout, run.stderr]).toEqual([0, memory.stdout, memory.stderr]);
  });

  it("replays the skipped rows of a restored file into --rejects, as a first run writes them", async () => {
    const first = await count("--engine", "duckdb", "--rejects", "r1.csv");
    const second = await count("--engine", "duckdb", "--rejects", "r2.csv");
    const memory = await count("--rejects", "r3.csv");
    const [r1, r2, r3] = await Promise.all(
      ["r1.csv", "r2.csv", "r3.csv"].map((f) => readFile(join(shop, f), "utf8")),
    );
    expect(r1).toBe(r3);
    expect(r2).toBe(r3);
    expect(r3.split("\n").length).toBeGreaterThan(2);
    expect(second.stderr.replace("r2.csv", "r1.csv")).toBe(first.stderr);
    expect(first.stderr.replace("r1.csv", "r3.csv")).toBe(memory.stderr);
  });

  it("rebuilds a corrupt cache file with a one-line notice, and the results do not change", async () => {
    const memory = await count();
    await count("--engine", "duckdb");
    const file = join(shop, ".audience-cache", "load.duckdb");
    await writeFile(file, "this is not a database");
    const run = await count("--engine", "duckdb");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(memory.stdout);
    const notices = run.stderr.split("\n").filter((l) => l.startsWith("cache "));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(
      /^cache .*load\.duckdb is not a database audience can read \(.*\); it is rebuilt$/,
    );
    const again = await count("--engine", "duckdb");
    expect(again.stdout).toBe(memory.stdout);
  });

  it("refuses a cache: folder that holds files audience did not write", async () => {
    await mkdir(join(shop, "mine"));
    await writeFile(join(shop, "mine", "notes.txt"), "keep me\n");
    await writeFile(join(shop, "audience.yaml"), `${CONFIG}\ncache: mine\n`);
    const run = await count("--engine", "duckdb");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("already holds files that audience did not write");
    expect(await readFile(join(shop, "mine", "notes.txt"), "utf8")).toBe("keep me\n");
    expect(await readdir(join(shop, "mine"))).toEqual(["notes.txt"]);
  });
});
