import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../../errors.js";
import { CACHE_FILE, LoadCache, sha256File } from "./cache.js";
import { openDuckDb, type DuckDb } from "./open.js";

let dir: string;
let opened: DuckDb[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "audience-cache-test-"));
  opened = [];
});
afterEach(async () => {
  for (const db of opened) db.close();
  await rm(dir, { recursive: true, force: true });
});

async function db(): Promise<DuckDb> {
  const d = await openDuckDb();
  opened.push(d);
  return d;
}

async function attach(d: DuckDb, notices: string[] = []): Promise<LoadCache> {
  const cache = await LoadCache.attach(d.connection, join(dir, "cache"), (l) => notices.push(l));
  if (cache === undefined) throw new Error(`cache not attached: ${notices.join(" / ")}`);
  return cache;
}

async function input(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function statOf(paths: string[]) {
  return Promise.all(
    paths.map(async (p) => ({ size: (await stat(p)).size, mtimeMs: (await stat(p)).mtimeMs })),
  );
}

/** Loads `paths` as a table `stage_x` and stores it as the orders entry. */
async function storeOrders(cache: LoadCache, d: DuckDb, paths: string[], settings = "s1") {
  await d.connection.run(
    "CREATE OR REPLACE TABLE stage_x AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) t(n, v)",
  );
  return cache.store("orders", paths, await statOf(paths), settings, ["stage_x"], '{"rows":2}');
}

async function rowsOf(d: DuckDb, table: string): Promise<unknown[][]> {
  return (await d.connection.runAndReadAll(`SELECT n, v FROM ${table} ORDER BY n`)).getRows();
}

describe("LoadCache", () => {
  it("creates its folder private, tagged and ignored by git, with no notice", async () => {
    const notices: string[] = [];
    await attach(await db(), notices);
    expect(notices).toEqual([]);
    const folder = join(dir, "cache");
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    expect(await readFile(join(folder, "CACHEDIR.TAG"), "utf8")).toMatch(
      /^Signature: 8a477f597d28d172789f06886806bc55\n/,
    );
    expect(await readFile(join(folder, ".gitignore"), "utf8")).toBe("*\n");
  });

  it("gives back the stored tables and meta to a later run on unchanged files", async () => {
    const path = await input("orders.csv", "order_id\n1\n");
    const first = await db();
    const cache = await attach(first);
    expect(await cache.lookup("orders", [path], "s1")).toBeUndefined();
    expect(await storeOrders(cache, first, [path])).toBe(true);
    await cache.detach();

    const second = await db();
    const again = await attach(second);
    const hit = await again.lookup("orders", [path], "s1");
    expect(hit?.meta).toBe('{"rows":2}');
    expect(await rowsOf(second, hit?.tables.get("stage_x") ?? "")).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
    // Other kinds, settings or files are not this entry.
    expect(await again.lookup("contacts", [path], "s1")).toBeUndefined();
    expect(await again.lookup("orders", [path], "s2")).toBeUndefined();
    expect(await again.lookup("orders", [path, path], "s1")).toBeUndefined();
  });

  it("takes a touched file with the same bytes as unchanged, and a changed one as changed", async () => {
    const path = await input("orders.csv", "order_id\n1\n");
    const d = await db();
    const cache = await attach(d);
    await storeOrders(cache, d, [path]);
    await utimes(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect(await cache.lookup("orders", [path], "s1")).toBeDefined();
    await writeFile(path, "order_id\n2\n"); // same size, other bytes
    await utimes(path, new Date(2021, 0, 1), new Date(2021, 0, 1));
    expect(await cache.lookup("orders", [path], "s1")).toBeUndefined();
  });

  it("replaces the kind's previous entry rather than adding to it", async () => {
    const a = await input("a.csv", "x\n1\n");
    const b = await input("b.csv", "x\n22\n");
    const d = await db();
    const cache = await attach(d);
    await storeOrders(cache, d, [a]);
    await storeOrders(cache, d, [b]);
    expect(await cache.lookup("orders", [a], "s1")).toBeUndefined();
    expect(await cache.lookup("orders", [b], "s1")).toBeDefined();
    const tables = await d.connection.runAndReadAll(
      "SELECT table_name FROM duckdb_tables() WHERE database_name = 'audience_cache' ORDER BY 1",
    );
    expect(tables.getRows().map((r) => r[0])).toEqual(["entries", "format", "orders__stage_x"]);
  });

  it("does not store a file that changed while it was loaded", async () => {
    const path = await input("orders.csv", "order_id\n1\n");
    const d = await db();
    const cache = await attach(d);
    const before = await statOf([path]);
    await writeFile(path, "order_id\n1\n2\n");
    await d.connection.run("CREATE TABLE stage_x AS SELECT 1 AS n, 'a' AS v");
    expect(await cache.store("orders", [path], before, "s1", ["stage_x"], "{}")).toBe(false);
    expect(await cache.lookup("orders", [path], "s1")).toBeUndefined();
  });

  it("rebuilds a file that is not a database, with one notice", async () => {
    await attach(await db());
    await writeFile(join(dir, "cache", CACHE_FILE), "not a database at all, just text");
    const notices: string[] = [];
    const cache = await attach(await db(), notices);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(
      /load\.duckdb is not a database audience can read \(.*\); it is rebuilt$/,
    );
    const path = await input("orders.csv", "order_id\n1\n");
    expect(await cache.lookup("orders", [path], "s1")).toBeUndefined();
  });

  it("rebuilds a DuckDB database that audience did not write", async () => {
    await attach(await db());
    const file = join(dir, "cache", CACHE_FILE);
    await rm(file);
    const other = await db();
    await other.connection.run(`ATTACH '${file}' AS other`);
    await other.connection.run("CREATE TABLE other.t AS SELECT 1 AS x");
    await other.connection.run("DETACH other");
    const notices: string[] = [];
    await attach(await db(), notices);
    expect(notices).toEqual([`cache ${file} was not written by audience; it is rebuilt`]);
  });

  it("refuses a folder holding files it did not write, and a file", async () => {
    const folder = join(dir, "cache");
    await writeFile(join(dir, "cache-file"), "x");
    await import("node:fs/promises").then((fs) => fs.mkdir(folder));
    await writeFile(join(folder, "notes.txt"), "mine");
    const d = await db();
    const refused = LoadCache.attach(d.connection, folder, () => undefined);
    await expect(refused).rejects.toBeInstanceOf(UserError);
    await expect(refused).rejects.toMatchObject({ code: "CACHE_NOT_OURS" });
    expect(await readFile(join(folder, "notes.txt"), "utf8")).toBe("mine");
    await expect(
      LoadCache.attach(d.connection, join(dir, "cache-file"), () => undefined),
    ).rejects.toMatchObject({
      code: "CACHE_NOT_A_FOLDER",
    });
  });

  it("runs without the cache, silently, while another process holds it", async () => {
    await attach(await db()).then((c) => c.detach());
    const file = join(dir, "cache", CACHE_FILE);
    const holder = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { DuckDBInstance } from "@duckdb/node-api";
         const i = await DuckDBInstance.create(${JSON.stringify(file)});
         await i.connect();
         process.stdout.write("ready\\n");
         setTimeout(() => {}, 60000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"], cwd: process.cwd() },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on("data", (b: Buffer) =>
          b.toString().includes("ready") ? resolve() : undefined,
        );
        holder.on("exit", (code) => reject(new Error(`holder exited ${String(code)}`)));
      });
      const notices: string[] = [];
      const d = await db();
      expect(
        await LoadCache.attach(d.connection, join(dir, "cache"), (l) => notices.push(l)),
      ).toBeUndefined();
      // Two runs at once are normal: the second reads the exports itself, silently.
      expect(notices).toEqual([]);
    } finally {
      holder.kill();
    }
  });

  it("hashes files as sha256", async () => {
    const path = await input("x.csv", "abc");
    expect(await sha256File(path)).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});
