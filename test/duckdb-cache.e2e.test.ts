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
import { DuckDBInstance } from "@duckdb/node-api";
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

  it.each(
    [
      ["explain", "--segment", "serum,buyers"],
      ["explain", "c3", "--json"],
      ["count", "--explain"],
      ["rfm", "--json"],
      ["channels"],
    ].map((command) => [command.join(" "), command] as const),
  )("serves %s too: unchanged files are not read again", async (_, command) => {
    const run = (...args: string[]) =>
      runCli([...command, "--quiet", "--config", "audience.yaml", ...args], { cwd: shop });
    await pinTimes();
    const before = await run("--engine", "duckdb");
    expect(before.code).toBe(0);
    expect(before.stdout).toBe((await run()).stdout);
    // A Serum order of 45 becomes a Sirup order of 95, its size and mtime kept.
    await swapBytes(
      "orders.csv",
      "o3,c3,,2026-03-01,45,paid,Serum",
      "o3,c3,,2026-03-01,95,paid,Sirup",
    );
    const cached = await run("--engine", "duckdb");
    expect([cached.code, cached.stdout]).toEqual([0, before.stdout]);
    const read = await run("--engine", "duckdb", "--no-cache");
    const memory = await run();
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

/**
 * Withdraws every email and SMS consent in the stored profile build (profile-cache.ts): a run
 * that restores it counts no one reachable by email, so its output shows whether it did.
 */
async function tamperProfiles(): Promise<void> {
  const instance = await DuckDBInstance.create(join(shop, ".audience-cache", "load.duckdb"));
  const connection = await instance.connect();
  try {
    const entries = await connection.runAndReadAll("SELECT kind FROM entries ORDER BY kind");
    expect(entries.getRows().map((r) => r[0])).toContain("profiles");
    await connection.run(
      "UPDATE profiles__profiles SET email_consent = false, sms_consent = false, whatsapp_consent = false",
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Segments reading RFM scores and an aggregate, beside the ones of SEGMENTS. */
const MORE_SEGMENTS = [
  "  big-spenders:",
  "    name: Big spenders",
  "    where: rfm_m >= 3",
  "  recent:",
  "    name: Recent buyers",
  "    where: orders(within: 90d) >= 1",
].join("\n");

const RFM = ["rfm:", "  monetary: [40, 80, 100, 150]"].join("\n");

describe("--engine duckdb keeps the profile build in .audience-cache", () => {
  beforeEach(async () => {
    await writeFile(join(shop, "segments.yaml"), `${SEGMENTS}\n${MORE_SEGMENTS}\n`);
    await writeFile(join(shop, "audience.yaml"), `${CONFIG}\n${RFM}\n`);
  });

  /** count, count --json, count --exclusive: the same output as the memory engine. */
  async function expectMemoryOutput(...args: string[]): Promise<void> {
    for (const extra of [[], ["--json"], ["--exclusive"]]) {
      const run = await count("--engine", "duckdb", ...args, ...extra);
      const memory = await count(...args, ...extra);
      expect([run.code, run.stdout, run.stderr]).toEqual([0, memory.stdout, memory.stderr]);
    }
  }

  it("restores it on a second count and build: the same output and files as the memory engine", async () => {
    const first = await count("--engine", "duckdb");
    expect(first.code).toBe(0);
    await expectMemoryOutput();
    await expectMemoryOutput("--only", "big-spenders");
    const build = (out: string, ...args: string[]) =>
      runCli(["build", "--config", "audience.yaml", "--out", out, ...args], { cwd: shop });
    const duckdb = await build("out-duckdb", "--engine", "duckdb");
    const memory = await build("out-memory");
    expect(duckdb.code).toBe(0);
    expect(duckdb.stderr).toBe(memory.stderr);
    const files = (await readdir(join(shop, "out-memory"))).filter((f) => f.endsWith(".csv"));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files)
      expect(await readFile(join(shop, "out-duckdb", f), "utf8")).toBe(
        await readFile(join(shop, "out-memory", f), "utf8"),
      );
  });

  it("is what the second run reads: a tampered build shows, and --no-cache bypasses it", async () => {
    const memory = await count();
    await count("--engine", "duckdb");
    await tamperProfiles();
    const tampered = await count("--engine", "duckdb");
    expect(tampered.code).toBe(0);
    expect(tampered.stdout).not.toBe(memory.stdout);
    expect(tampered.stdout).toMatch(/buyers\s+3\s+0\b/);
    const bypass = await count("--engine", "duckdb", "--no-cache");
    expect([bypass.code, bypass.stdout, bypass.stderr]).toEqual([0, memory.stdout, memory.stderr]);
  });

  it("is shared by commands reading other fields: a count after a build restores the build's", async () => {
    const memory = await count();
    const build = await runCli(
      ["build", "--config", "audience.yaml", "--out", "out", "--engine", "duckdb", "--quiet"],
      { cwd: shop },
    );
    expect(build.code).toBe(0);
    await tamperProfiles();
    const tampered = await count("--engine", "duckdb");
    expect(tampered.stdout).not.toBe(memory.stdout);
    expect(tampered.stdout).toMatch(/buyers\s+3\s+0\b/);
  });

  it("is not used once as_of, an rfm: setting, the fields read or an input changes", async () => {
    const changes: [string, () => Promise<void>][] = [
      [
        "as_of",
        () =>
          writeFile(
            join(shop, "audience.yaml"),
            `${CONFIG.replace("as_of: 2026-06-30", "as_of: 2026-06-15")}\n${RFM}\n`,
          ),
      ],
      [
        "rfm",
        () =>
          writeFile(
            join(shop, "audience.yaml"),
            `${CONFIG}\n${RFM.replace("[40, 80, 100, 150]", "[40, 80, 90, 150]")}\n`,
          ),
      ],
      [
        "fields",
        () =>
          writeFile(
            join(shop, "segments.yaml"),
            `${SEGMENTS}\n${MORE_SEGMENTS}\n  vip:\n    name: VIP\n    where: tags contains "vip"\n`,
          ),
      ],
      [
        "input",
        () => writeFile(join(shop, "events.csv"), `${EVENTS}\nc5,,email_open,2026-06-20\n`),
      ],
    ];
    for (const [, change] of changes) {
      await count("--engine", "duckdb");
      await tamperProfiles();
      await change();
      await expectMemoryOutput();
    }
  });

  it("serves a changed segment aggregate from the same build, with the memory engine's counts", async () => {
    await count("--engine", "duckdb");
    await writeFile(
      join(shop, "segments.yaml"),
      `${SEGMENTS}\n${MORE_SEGMENTS.replace("orders(within: 90d) >= 1", 'spent(within: 180d, product: "Serum") > 50')}\n`,
    );
    await expectMemoryOutput();
  });
});
