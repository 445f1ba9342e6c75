/**
 * `engine: postgres` with every input a table or a query reads them in the server (src/io/
 * read-inputs.ts `InDatabase.tables`, src/io/pg-stage-tables.ts): the raw tables filled there on
 * the run's snapshot, staged in SQL, profiles and segments computed there — no row goes through
 * the TypeScript sinks. When an input or the staging needs the TypeScript path, the whole run
 * takes it (TableSession.read, as before). The postgres twin of test/duckdb-fast-path.test.ts, on
 * a throwaway PostgreSQL server (test/helpers/postgres.ts): each shop is loaded as text tables and
 * as typed tables (test/helpers/pg-shop-tables.ts), each case runs in-process through the memory
 * engine and engine postgres on the same tables, counting the rows handed to the sinks (none on
 * the fast path, some on each fallback), with the same exit code, stdout, stderr and files either
 * way; the segment files of a build are also those of the memory engine on the CSV files.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCountingSinks, type SinkRun } from "./helpers/sink-run.js";
import { parse, stringify } from "yaml";
import { createCastsFunction, loadShopTables, shopConfig } from "./helpers/pg-shop-tables.js";
import { postgresBin, startPostgres, type TestPostgres } from "./helpers/postgres.js";

const ROOT = resolve(import.meta.dirname, "..");
/** The files of a build that name its engine or inputs: the rest is the CSV run's too. */
const NAMING = new Set(["manifest.json", "report.html", "history.jsonl"]);
const VARIANTS = ["text", "typed"] as const;

const server = postgresBin();

let work: string;
let pgServer: TestPostgres;
let admin: pg.Client;

const run = (shop: string, args: string[], engine: string): Promise<SinkRun> =>
  runCountingSinks(shop, args, engine, { work, env: { AUDIENCE_TEST_DATABASE: pgServer.url } });

/** Both engines on `args` (with `--config <variant>.yaml`): the same results; the postgres run. */
async function both(shop: string, variant: string, args: string[]): Promise<SinkRun> {
  const withConfig = [...args, "--config", `${variant}.yaml`];
  const memory = await run(shop, withConfig, "memory");
  const postgres = await run(shop, withConfig, "postgres");
  expect(memory.sinkRows).toBeGreaterThan(0);
  const { sinkRows: _m, ...want } = memory;
  const { sinkRows: _p, ...got } = postgres;
  expect(got).toEqual(want);
  return postgres;
}

let shops = 0;

/**
 * A copy of fixtures/library (or `fixture`) with `change` applied, loaded into the server as text
 * and typed tables, with text.yaml and typed.yaml beside its audience.yaml.
 */
async function shop(change?: (dir: string) => Promise<void>, fixture = "library"): Promise<string> {
  const dir = join(work, `shop${++shops}`);
  await cp(join(ROOT, "fixtures", fixture), dir, { recursive: true });
  const config = join(dir, "audience.yaml");
  const text = await readFile(config, "utf8");
  await writeFile(config, text.replace("../../segments", join(ROOT, "segments")));
  await change?.(dir);
  const tables = await loadShopTables(admin, dir, `s${shops}`);
  for (const variant of VARIANTS) await shopConfig(tables, variant, dir);
  return dir;
}

async function append(path: string, text: string): Promise<void> {
  await writeFile(path, (await readFile(path, "utf8")) + text);
}

/** Sets `key` to `value` in both configs of `dir`. */
async function configure(dir: string, key: string, value: unknown): Promise<void> {
  for (const variant of VARIANTS) {
    const file = join(dir, `${variant}.yaml`);
    const config = parse(await readFile(file, "utf8")) as Record<string, unknown>;
    config[key] = value;
    await writeFile(file, stringify(config));
  }
}

describe.skipIf("missing" in server)("engine postgres reads table inputs in the server", () => {
  beforeAll(async () => {
    pgServer = await startPostgres();
    work = await mkdtemp(join(tmpdir(), "audience-pgfast-"));
    admin = new pg.Client({ connectionString: pgServer.url });
    await admin.connect();
    await createCastsFunction(admin);
  }, 300_000);

  afterAll(async () => {
    await admin?.end();
    await pgServer?.stop();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it.each(VARIANTS)(
    "%s tables: count, --exclusive, --json, build and report with no row through the sinks, the memory engine's outputs",
    async (variant) => {
      const dir = await shop();
      for (const args of [
        ["count", "--quiet"],
        ["count", "--quiet", "--exclusive"],
        ["count"],
        ["count", "--json"],
        ["build", "--out", "out"],
        ["report", "--html", "report.html"],
      ]) {
        const got = await both(dir, variant, args);
        expect({ args, code: got.code, sinkRows: got.sinkRows }).toEqual({
          args,
          code: 0,
          sinkRows: 0,
        });
      }
      // The segment files of the build are those of the memory engine on the CSV files.
      const tables = await run(
        dir,
        ["build", "--out", "out", "--config", `${variant}.yaml`],
        "postgres",
      );
      const csv = await run(dir, ["build", "--out", "out"], "memory");
      const members = (r: SinkRun) =>
        Object.fromEntries(
          Object.entries(r.files).filter(
            ([path]) => path.startsWith("out/") && !NAMING.has(path.split("/").pop() ?? ""),
          ),
        );
      expect(Object.keys(members(tables)).length).toBeGreaterThan(5);
      expect(members(tables)).toEqual(members(csv));
    },
  );

  it("skipped rows, --rejects, --strict: the staged rejects, replayed in the memory engine's order", async () => {
    const dir = await shop(async (d) => {
      await append(join(d, "orders.csv"), "1999,,2026-06-25 10:00:00,paid,,20.00,x,y,1,20.00\n");
      await append(join(d, "contacts.csv"), ",,,,,,,yes,yes,yes\n");
    });
    for (const variant of VARIANTS) {
      const got = await both(dir, variant, ["count", "--quiet", "--rejects", "rejects.csv"]);
      expect(got.sinkRows).toBe(0);
      expect(got.stderr).toContain("skipped");
      expect(Object.keys(got.files)).toContain("rejects.csv");
    }
    // A staged contact reject: --strict stops there, in the database's replay.
    const strict = await shop((d) => append(join(d, "contacts.csv"), ",,,,,,,yes,yes,yes\n"));
    for (const variant of VARIANTS) {
      const stopped = await both(strict, variant, ["count", "--quiet", "--strict"]);
      expect({ code: stopped.code, sinkRows: stopped.sinkRows }).toEqual({ code: 1, sinkRows: 0 });
    }
  });

  it("the demo shop, whose contact rows disagree on consents: in the database too", async () => {
    const dir = await shop(undefined, "demo");
    for (const variant of VARIANTS) {
      const got = await both(dir, variant, ["count"]);
      expect({ code: got.code, sinkRows: got.sinkRows }).toEqual({ code: 0, sinkRows: 0 });
    }
  });

  it("a table without a primary key or order_by: the warning, and the fast path", async () => {
    const dir = await shop();
    await admin.query(`ALTER TABLE s${shops}_text.lists DROP CONSTRAINT lists_pkey`);
    // One row per list member in the fixture: the order does not change a count.
    const got = await both(dir, "text", ["count"]);
    expect(got.stderr).toContain("no primary key and no order_by");
    expect({ code: got.code, sinkRows: got.sinkRows }).toEqual({ code: 0, sinkRows: 0 });
  });

  const fallbacks: [string, () => Promise<string>, string[]][] = [
    [
      "orders_filter",
      async () => {
        const dir = await shop();
        await configure(dir, "orders_filter", 'not starts_with(order_id, "C")');
        return dir;
      },
      ["count", "--quiet"],
    ],
    [
      "--strict with a rejected order row",
      () =>
        shop((d) =>
          append(join(d, "orders.csv"), "1999,,2026-06-25 10:00:00,paid,,20.00,x,y,1,20.00\n"),
        ),
      ["count", "--quiet", "--strict"],
    ],
    [
      "orders in two currencies",
      () =>
        shop(async (d) => {
          const path = join(d, "orders.csv");
          const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
          const priced = lines.map(
            (l, i) => `${l},${i === 0 ? "currency" : i === 2 ? "USD" : "EUR"}`,
          );
          await writeFile(path, `${priced.join("\n")}\n`);
        }),
      ["count", "--quiet"],
    ],
    [
      "a header error in a later table",
      () => shop((d) => writeFile(join(d, "lists.csv"), "nothing,known\na,b\n")),
      ["count", "--quiet"],
    ],
    [
      "a missing table after a staged one with a reject (--strict meets the reject first)",
      async () => {
        const dir = await shop((d) => append(join(d, "contacts.csv"), ",,,,,,,yes,yes,yes\n"));
        await admin.query(`DROP TABLE s${shops}_text.events`);
        await admin.query(`DROP TABLE s${shops}_typed.events`);
        return dir;
      },
      ["count", "--quiet", "--strict"],
    ],
    [
      "a query the server refuses",
      async () => {
        const dir = await shop();
        await configure(dir, "events", { query: "SELECT nothing FROM nowhere" });
        return dir;
      },
      ["count", "--quiet"],
    ],
    [
      "the meta format (its st column is not staged)",
      () => shop(),
      ["build", "--out", "out", "--format", "meta"],
    ],
  ];

  it.each(fallbacks)(
    "falls back to the TypeScript path with the same outputs: %s",
    async (_, make, args) => {
      const dir = await make();
      for (const variant of VARIANTS) {
        const got = await both(dir, variant, args);
        expect(got.sinkRows).toBeGreaterThan(0);
      }
    },
  );
});
