/**
 * The Profiles read back from the database (src/engine/sql-profiles-store.ts) against the memory
 * engine's: every fixture shop with a config, generated demo shops and hostile identity shops are
 * read by the memory engine (which records the staging rows), the SQL builder runs on those rows in
 * DuckDB (and in a throwaway PostgreSQL server for a subset), and the store read back must give,
 * for every customer, every profile field of PROFILE_FIELD_TABLE but the predictions (RFM scores
 * and segment, revenue_percentile, avg_order_value and the day counts included), the custom
 * columns, the customer key, textability and the buyer count — the memory engine's values exactly.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIsoDay } from "../src/calendar.js";
import { resolveSettings } from "../src/config/settings.js";
import { writeDemoShop } from "./helpers/demo-shop.js";
import { needsPredictions } from "../src/dsl/env.js";
import { duckDbSession } from "../src/engine/duckdb/session.js";
import type { SqlSession } from "../src/engine/session.js";
import { readSqlProfiles, storeFields } from "../src/engine/sql-profiles-store.js";
import { openPostgresWork } from "../src/io/pg-work.js";
import { readConfig } from "../src/io/read-config.js";
import { loadSegmentFiles } from "../src/io/segment-files.js";
import { PROFILE_FIELD_TABLE } from "../src/model/fields.js";
import type { Profiles } from "../src/model/profile.js";
import { prepareRun } from "../src/segments/prepare-run.js";
import { buildProfileTables } from "../src/sql/profiles-sql.js";
import { createStagingStatements, STAGING_LAYOUT } from "../src/sql/staging.js";
import { writeHostileShop } from "./helpers/hostile-shop.js";
import { postgresBin, startPostgres, type TestPostgres } from "./helpers/postgres.js";
import {
  buildOptions,
  recordShop,
  stageInDuckDB,
  type RecordedShop,
} from "./helpers/sql-profiles.js";

const ROOT = resolve(import.meta.dirname, "..");
const FIXTURES = readdirSync(join(ROOT, "fixtures")).filter((name) =>
  existsSync(join(ROOT, "fixtures", name, "audience.yaml")),
);

/** Every profile field but the predictions, and the custom columns the shops have. */
const ALL_FIELDS = [
  ...Object.keys(PROFILE_FIELD_TABLE).filter((f) => !needsPredictions(f)),
  "props.skin_type",
  "props.tier",
];

async function readShopAt(dir: string): Promise<RecordedShop> {
  const source = await readConfig(join(dir, "audience.yaml"), dir);
  const settings = resolveSettings(source, {}, dir);
  const asOf = settings.asOf ?? (parseIsoDay("2026-06-30") as number);
  const loaded = await loadSegmentFiles(
    settings.segments.map((s) => s.path),
    dir,
  );
  const planFields = prepareRun(loaded.definitions, settings, asOf).plan.fields;
  const fields = [...new Set([...ALL_FIELDS, ...planFields])].filter((f) => !needsPredictions(f));
  return recordShop(loaded.definitions, settings, asOf, fields.sort());
}

/** The fields the store is read for: the plan's and every compared one. */
function readFields(shop: RecordedShop): string[] {
  return [...new Set([...shop.plan.fields, ...ALL_FIELDS])].filter((f) => !needsPredictions(f));
}

/** Builds the profile tables on `session` (staged already) and reads the Profiles back. */
async function buildAndRead(session: SqlSession, shop: RecordedShop): Promise<Profiles> {
  const fields = readFields(shop);
  const options = buildOptions(shop);
  await buildProfileTables(
    session.dialect,
    { run: (sql) => session.run(sql), query: (sql) => session.rows(sql) },
    { ...options, fields: [...new Set([...shop.plan.fields, ...storeFields(fields)])] },
  );
  return readSqlProfiles(session, {
    asOf: shop.asOf,
    rfm: shop.settings.rfm,
    fields,
    index: true,
  });
}

async function readFromDuckDB(shop: RecordedShop): Promise<Profiles> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const connection = await instance.connect();
  try {
    await stageInDuckDB(connection, shop);
    return await buildAndRead(await duckDbSession(connection), shop);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** On a work connection of `engine: postgres` (src/io/pg-work.ts): temporary tables only. */
async function readFromPostgres(url: string, shop: RecordedShop): Promise<Profiles> {
  const work = await openPostgresWork({ url, shown: "test" });
  try {
    const session = work.session;
    for (const sql of createStagingStatements(session.dialect)) await session.run(sql);
    for (const { table } of STAGING_LAYOUT) {
      const rows = shop.staged.get(table) ?? [];
      for (let start = 0; start < rows.length; start += 400) {
        const params: (string | number | boolean | null)[] = [];
        const tuples = rows
          .slice(start, start + 400)
          .map((row) => `(${row.map((v) => `$${params.push(v)}`).join(", ")})`);
        await session.run(`INSERT INTO "${table}" VALUES ${tuples.join(", ")}`, params);
      }
    }
    return await buildAndRead(session, shop);
  } finally {
    await work.close();
  }
}

/** -0 is 0; lists as plain arrays. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Object.is(value, -0) ? 0 : value;
  if (Array.isArray(value)) return [...(value as unknown[])];
  return value;
}

function expectSame(want: Profiles, got: Profiles, fields: readonly string[], where: string): void {
  expect({ where, size: got.size, buyers: got.buyers }).toEqual({
    where,
    size: want.size,
    buyers: want.buyers,
  });
  expect(got.rfm.cutPoints).toEqual(want.rfm.cutPoints);
  const names = [...fields].sort();
  const a = names.map((n) => want.field(n));
  const b = names.map((n) => got.field(n));
  const ws = want.store;
  const gs = got.store;
  for (let c = 0; c < want.size; c++) {
    const w: Record<string, unknown> = { key: ws.key(c), cannotText: ws.cannotText[c] };
    const g: Record<string, unknown> = { key: gs.key(c), cannotText: gs.cannotText[c] };
    names.forEach((n, i) => {
      w[n] = plain(a[i](c));
      g[n] = plain(b[i](c));
    });
    expect({ where, customer: c, ...g }).toEqual({ where, customer: c, ...w });
    // The writers' duplicate check: a value marked unique is one no other customer has.
    for (const [column, flags] of [
      [gs.email, gs.sharedEmail],
      [gs.phone, gs.sharedPhone],
    ] as const) {
      if (flags[c] === 0 && column[c] !== undefined)
        expect(column.filter((v) => v === column[c]).length).toBe(1);
    }
  }
  // The identifier index (explain KEY): each stored id, email and phone finds its customer.
  for (let c = 0; c < got.size; c++) {
    const id = gs.customerId[c];
    if (id !== undefined) expect(gs.customerId[gs.byId.get(id) as number]).toBe(id);
    const email = gs.email[c];
    if (email !== undefined) expect(gs.email[gs.byEmail.get(email) as number]).toBe(email);
  }
}

async function demoShop(seed: number, contacts: number): Promise<RecordedShop> {
  const dir = await mkdtemp(join(tmpdir(), "audience-sqlstore-"));
  try {
    await writeDemoShop(dir, {
      seed,
      contacts,
      segments: join(ROOT, "segments"),
      rfmVariant: true,
    });
    return await readShopAt(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function hostileShop(seed: number): Promise<RecordedShop> {
  const dir = await mkdtemp(join(tmpdir(), "audience-sqlstore-"));
  try {
    await writeHostileShop(dir, seed, join(ROOT, "segments"));
    return await readShopAt(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const HOSTILE = Array.from({ length: 30 }, (_, i) => 500 + i);
const GENERATED = Array.from({ length: 12 }, (_, i) => ({
  seed: 2000 + i,
  contacts: 80 + (i % 5) * 60,
}));

describe("Profiles read from DuckDB = memory engine", () => {
  it.each(FIXTURES)("fixtures/%s", async (name) => {
    const shop = await readShopAt(join(ROOT, "fixtures", name));
    const got = await readFromDuckDB(shop);
    expect(got.size).toBeGreaterThan(0);
    expectSame(shop.profiles, got, readFields(shop), `fixtures/${name}`);
  });

  it.each(GENERATED)(
    "generated shop seed $seed ($contacts contacts)",
    async ({ seed, contacts }) => {
      const shop = await demoShop(seed, contacts);
      const got = await readFromDuckDB(shop);
      expect(got.buyers).toBeGreaterThan(0);
      expectSame(shop.profiles, got, readFields(shop), `seed ${seed}`);
    },
  );

  it.each(HOSTILE)("hostile identity shop seed %i", async (seed) => {
    const shop = await hostileShop(seed);
    expectSame(shop.profiles, await readFromDuckDB(shop), readFields(shop), `hostile ${seed}`);
  });
});

const server = postgresBin();

describe.skipIf("missing" in server)(
  `Profiles read from PostgreSQL = memory engine${"missing" in server ? ` — skipped: ${server.missing}` : ""}`,
  () => {
    let pgServer: TestPostgres;
    beforeAll(async () => {
      pgServer = await startPostgres();
    }, 120_000);
    afterAll(async () => {
      await pgServer?.stop();
    });

    it("the work session's each reads through a cursor, in batches, with parameters", async () => {
      const work = await openPostgresWork({ url: pgServer.url, shown: "test" });
      try {
        const seen: unknown[][] = [];
        await work.session.each(
          "SELECT CAST(i AS integer) AS i, CAST($1 AS text) AS t FROM generate_series(1, 25003) AS i ORDER BY i",
          (row) => seen.push([...row]),
          ["x"],
        );
        expect(seen.length).toBe(25_003);
        expect(seen[0]).toEqual([1, "x"]);
        expect(seen[25_002]).toEqual([25_003, "x"]);
        // A failing row handler leaves the session usable.
        await expect(
          work.session.each("SELECT 1 AS one", () => {
            throw new Error("stop");
          }),
        ).rejects.toThrow("stop");
        expect(await work.session.rows("SELECT 2 AS two")).toEqual([{ two: 2 }]);
      } finally {
        await work.close();
      }
    });

    it("the work session's appendTexts appends texts and NULLs column by column, in batches", async () => {
      const work = await openPostgresWork({ url: pgServer.url, shown: "test" });
      try {
        await work.session.run(
          `CREATE TEMPORARY TABLE "appended" (raw TEXT PRIMARY KEY, value TEXT)`,
        );
        const raws = Array.from({ length: 25_003 }, (_, i) => (i === 0 ? "\ufeffé'\"" : `r${i}`));
        const values = raws.map((raw, i) => (i % 3 === 0 ? null : raw.toUpperCase()));
        await work.session.appendTexts("appended", [raws, values]);
        const rows = await work.session.rows(
          `SELECT count(*) AS n, count(value) AS v, max(CASE WHEN raw = $1 THEN 1 ELSE 0 END) AS bom FROM "appended"`,
          [raws[0]],
        );
        expect(rows).toEqual([{ n: 25_003, v: 16_668, bom: 1 }]);
        expect(
          await work.session.rows(`SELECT value FROM "appended" WHERE raw = 'r25001'`),
        ).toEqual([{ value: "R25001" }]);
      } finally {
        await work.close();
      }
    });

    it.each(FIXTURES.slice(0, 6))("fixtures/%s", async (name) => {
      const shop = await readShopAt(join(ROOT, "fixtures", name));
      const got = await readFromPostgres(pgServer.url, shop);
      expectSame(shop.profiles, got, readFields(shop), `fixtures/${name} (postgres)`);
    });

    it.each(GENERATED.slice(0, 4))("generated shop seed $seed", async ({ seed, contacts }) => {
      const shop = await demoShop(seed, contacts);
      const got = await readFromPostgres(pgServer.url, shop);
      expectSame(shop.profiles, got, readFields(shop), `seed ${seed} (postgres)`);
    });

    it.each(HOSTILE.slice(0, 8))("hostile identity shop seed %i", async (seed) => {
      const shop = await hostileShop(seed);
      const got = await readFromPostgres(pgServer.url, shop);
      expectSame(shop.profiles, got, readFields(shop), `hostile ${seed} (postgres)`);
    });
  },
);
