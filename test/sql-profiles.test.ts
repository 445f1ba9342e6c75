/**
 * Identity and profiles in SQL (src/sql/profiles-sql.ts) against the memory engine: every fixture
 * shop with a config and generated demo shops are read by the memory engine, which records the
 * rows it accepted (the staging tables) and the rows it counted; the SQL builder, run on the staging
 * tables, must give the same five tables row for row — `profiles` with every profile field of
 * docs/design.md#profile but the predictions, `orders`, `order_lines`, `events`, `event_properties` — in DuckDB and
 * in a throwaway PostgreSQL server.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIsoDay } from "../src/calendar.js";
import { resolveSettings } from "../src/config/settings.js";
import { writeDemoShop } from "./helpers/demo-shop.js";
import { needsPredictions } from "../src/dsl/env.js";
import { readConfig } from "../src/io/read-config.js";
import { loadSegmentFiles } from "../src/io/segment-files.js";
import { PROFILE_FIELD_TABLE } from "../src/model/fields.js";
import { prepareRun } from "../src/segments/prepare-run.js";
import type { SegmentPlan } from "../src/segments/definition.js";
import { profileColumns } from "../src/sql/tables.js";
import { writeHostileShop } from "./helpers/hostile-shop.js";
import { postgresBin, startPostgres, type TestPostgres } from "./helpers/postgres.js";
import {
  buildInDuckDB,
  buildInPostgres,
  expectedTables,
  recordShop,
  type PlainTables,
  type RecordedShop,
} from "./helpers/sql-profiles.js";

const ROOT = resolve(import.meta.dirname, "..");
const FIXTURES = readdirSync(join(ROOT, "fixtures")).filter((name) =>
  existsSync(join(ROOT, "fixtures", name, "audience.yaml")),
);

/** Every profile field the SQL builder computes (docs/design.md#profile; predictions stay in TypeScript). */
const ALL_FIELDS = [
  ...Object.keys(PROFILE_FIELD_TABLE).filter((f) => !needsPredictions(f)),
  "props.skin_type",
  "props.tier",
];

/** The plan with every field to compare, prediction fields left out. */
function comparedPlan(plan: SegmentPlan): SegmentPlan {
  const fields = [...new Set([...ALL_FIELDS, ...plan.fields])].filter((f) => !needsPredictions(f));
  return { ...plan, fields: fields.sort() };
}

async function readShopAt(dir: string): Promise<RecordedShop> {
  const source = await readConfig(join(dir, "audience.yaml"), dir);
  const settings = resolveSettings(source, {}, dir);
  // A fixture without as_of runs on a fixed day (the CLI would take today).
  const asOf = settings.asOf ?? (parseIsoDay("2026-06-30") as number);
  const loaded = await loadSegmentFiles(
    settings.segments.map((s) => s.path),
    dir,
  );
  // The memory engine keeps every compared field (products, categories, props).
  const fields = comparedPlan(prepareRun(loaded.definitions, settings, asOf).plan).fields;
  const shop = await recordShop(loaded.definitions, settings, asOf, fields);
  return { ...shop, plan: comparedPlan(shop.plan) };
}

function expectSame(shop: RecordedShop, got: PlainTables, where: string): void {
  const want = expectedTables(shop);
  for (const name of ["orders", "lines", "events", "properties"] as const) {
    expect({ where, table: name, rows: got[name] }).toEqual({
      where,
      table: name,
      rows: want[name],
    });
  }
  // Profiles row by row, naming the field that differs.
  const fields = shop.plan.fields;
  expect(got.profiles.length).toBe(want.profiles.length);
  const columns = profileColumns(fields).map((c) => c.name);
  for (let c = 0; c < want.profiles.length; c++) {
    const a = Object.fromEntries(columns.map((n, i) => [n, got.profiles[c][i]]));
    const b = Object.fromEntries(columns.map((n, i) => [n, want.profiles[c][i]]));
    expect({ where, customer: c, ...a }).toEqual({ where, customer: c, ...b });
  }
}

/** A demo shop of `contacts` contacts (seeded) in a temporary folder, read with the library. */
async function demoShop(seed: number, contacts: number): Promise<RecordedShop> {
  const dir = await mkdtemp(join(tmpdir(), "audience-sqlprof-"));
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

/** A hostile identity shop (test/helpers/hostile-shop.ts) in a temporary folder. */
async function hostileShop(seed: number): Promise<RecordedShop> {
  const dir = await mkdtemp(join(tmpdir(), "audience-sqlprof-"));
  try {
    await writeHostileShop(dir, seed, join(ROOT, "segments"));
    return await readShopAt(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The identity cases of the row-order property test (test/hostile-data.e2e.test.ts): an id with
 * two emails and phones, rows without an id matched by the second, two ids sharing an email, a
 * customer whose email comes from its orders, lines without a product; rows rotated by `turn`.
 */
async function identityShop(turn: number): Promise<RecordedShop> {
  const dir = await mkdtemp(join(tmpdir(), "audience-sqlprof-"));
  const rotate = (rows: string[]) => [
    ...rows.slice(turn % rows.length),
    ...rows.slice(0, turn % rows.length),
  ];
  try {
    const contacts = [
      "d1,d1-new@example.com,06 39 98 00 12,Dan,2025-03-10",
      "d1,d1-old@example.com,06 39 98 00 11,Dan,2025-01-10",
      "d1,a-d1@example.com,06 39 98 00 10,Dan,",
      "s2,family@example.com,,Sue,2025-02-01",
      "s1,family@example.com,,Sam,2025-02-01",
      "e1,,,Eve,2025-01-01",
    ];
    const orders = [
      "80,,d1-new@example.com,,2026-05-01 10:00:00,5,Sérum,Soin",
      "81,,,06 39 98 00 10,2026-05-02 10:00:00,5,Baume,Soin",
      "82,,family@example.com,,2026-05-03 10:00:00,5,Savon,Bain",
      "83,e1,zed@example.com,,2026-05-04 10:00:00,5,Gel,Bain",
      "84,e1,amy@example.com,,2026-05-05 10:00:00,5,Gel,Bain",
      "85,x1,,,2026-05-06 10:00:00,5,,Soin",
      "86,x1,,,2026-05-06 11:00:00,5,,",
      "86,x1,,,2026-05-06 11:00:00,5,,Bain",
      "86,x1,,,2026-05-06 11:00:00,5,,Soin",
    ];
    await writeFile(
      join(dir, "contacts.csv"),
      ["customer_id,email,phone,first_name,created_at", ...rotate(contacts)].join("\n"),
    );
    await writeFile(
      join(dir, "orders.csv"),
      [
        "order_id,customer_id,email,phone,created_at,total,product,category",
        ...rotate(orders),
      ].join("\n"),
    );
    await writeFile(
      join(dir, "lists.csv"),
      ["list,email,phone", "Club,family@example.com,", "VIP,,06 39 98 00 12"].join("\n"),
    );
    await writeFile(
      join(dir, "audience.yaml"),
      `contacts: contacts.csv\norders: orders.csv\nlists: lists.csv\nsegments: ${join(ROOT, "segments")}\ndefault_country: FR\nas_of: 2026-06-30\n`,
    );
    return await readShopAt(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The cases where identity used to follow row order (docs/design.md#inputs identity): a row
 * without an id before the id rows carrying its email, in contacts and in orders; ids sharing an
 * email read in any order; phone-only rows among customers sharing the phone, with and without an
 * id; rows rotated by `turn`, and reversed when `turn` is odd.
 */
async function orderShop(turn: number): Promise<RecordedShop> {
  const dir = await mkdtemp(join(tmpdir(), "audience-sqlprof-"));
  const rotate = (rows: string[]) => {
    const turned = [...rows.slice(turn % rows.length), ...rows.slice(0, turn % rows.length)];
    return turn % 2 === 1 ? turned.reverse() : turned;
  };
  try {
    const contacts = [
      ",b@example.com,,Bea,",
      "c1,a@example.com,,Ann,2025-01-01",
      "c1,b@example.com,,,",
      ",fam@example.com,,Kid,",
      "f2,fam@example.com,,Sue,",
      "f1,fam@example.com,,Sam,",
      ",bea@example.com,06 39 98 00 21,Bea,",
      ",ana@example.com,06 39 98 00 21,Ana,",
      ",,06 39 98 00 21,Phone,",
      ",,06 39 98 00 22,Cy,",
      ",cy@example.com,06 39 98 00 22,,",
      ",ann@example.com,06 39 98 00 23,Ann,",
      ",,06 39 98 00 23,Landline,",
    ];
    const orders = [
      "1,,fam@example.com,,2026-05-01 10:00:00,10,Gel,Bain",
      "2,,,06 39 98 00 24,2026-05-02 10:00:00,20,Gel,Bain",
      "3,o2,,06 39 98 00 24,2026-05-03 10:00:00,30,Savon,Bain",
      "4,c7,,06 39 98 00 23,2026-05-04 10:00:00,5,Gel,Bain",
      "5,,,06 39 98 00 23,2026-05-05 10:00:00,6,Baume,Soin",
      "6,,dee@example.com,06 39 98 00 21,2026-05-06 10:00:00,7,Gel,Bain",
      "7,,zed@example.com,,2026-05-07 10:00:00,8,Gel,Bain",
      "8,o1,zed@example.com,,2026-05-08 10:00:00,9,Gel,Bain",
      "9,o0,zed@example.com,06 39 98 00 25,2026-05-09 10:00:00,10,Gel,Bain",
    ];
    await writeFile(
      join(dir, "contacts.csv"),
      ["customer_id,email,phone,first_name,created_at", ...rotate(contacts)].join("\n"),
    );
    await writeFile(
      join(dir, "orders.csv"),
      [
        "order_id,customer_id,email,phone,created_at,total,product,category",
        ...rotate(orders),
      ].join("\n"),
    );
    await writeFile(
      join(dir, "events.csv"),
      [
        "email,phone,type,occurred_at,handled",
        ",06 39 98 00 25,visit,2026-05-10,",
        "zed@example.com,,open,2026-05-11,",
      ].join("\n"),
    );
    await writeFile(
      join(dir, "audience.yaml"),
      `contacts: contacts.csv\norders: orders.csv\nevents: events.csv\nsegments: ${join(ROOT, "segments")}\ndefault_country: FR\nas_of: 2026-06-30\n`,
    );
    return await readShopAt(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Customer keys and profiles by key: what must not change with row order. */
function byKey(shop: RecordedShop, got: PlainTables): unknown[] {
  const columns = profileColumns(shop.plan.fields).map((c) => c.name);
  const key = columns.indexOf("customer_key");
  const drop = new Set(["customer", "rfm_recency_score", "rfm_frequency_score"]);
  return got.profiles
    .map((row) =>
      Object.fromEntries(
        columns.map((n, i) => [n, row[i]]).filter(([n]) => !drop.has(n as string)),
      ),
    )
    .sort((a, b) => String(a[columns[key]]).localeCompare(String(b[columns[key]])));
}

const ORDER_FREE = [0, 1, 2, 3, 4, 5, 6, 7];

const IDENTITY = [0, 1, 2, 3, 4, 5];

const HOSTILE = Array.from({ length: 60 }, (_, i) => 500 + i);

const GENERATED = Array.from({ length: 40 }, (_, i) => ({
  seed: 1000 + i,
  contacts: 60 + (i % 7) * 35,
}));

describe("SQL profile tables = memory engine (DuckDB)", () => {
  it.each(FIXTURES)("fixtures/%s", async (name) => {
    const shop = await readShopAt(join(ROOT, "fixtures", name));
    const { tables, result } = await buildInDuckDB(shop);
    expect(result.customers).toBe(shop.profiles.size);
    expect(result.customers).toBeGreaterThan(0);
    expectSame(shop, tables, `fixtures/${name}`);
  });

  it.each(GENERATED)(
    "generated shop seed $seed ($contacts contacts)",
    async ({ seed, contacts }) => {
      const shop = await demoShop(seed, contacts);
      const { tables, result } = await buildInDuckDB(shop);
      expect(result.buyers).toBe(shop.profiles.buyers);
      expect(result.buyers).toBeGreaterThan(0);
      expectSame(shop, tables, `seed ${seed}`);
    },
  );

  it.each(HOSTILE)("hostile identity shop seed %i", async (seed) => {
    const shop = await hostileShop(seed);
    const { tables } = await buildInDuckDB(shop);
    expectSame(shop, tables, `hostile seed ${seed}`);
  });

  it.each(IDENTITY)("identity rules shop, rows rotated by %i", async (turn) => {
    const shop = await identityShop(turn);
    const { tables, result } = await buildInDuckDB(shop);
    expect(result.customers).toBe(5);
    expectSame(shop, tables, `identity shop ${turn}`);
  });

  it("identity whatever the row order: every rotation gives the customers of the first", async () => {
    let first: unknown[] | undefined;
    for (const turn of ORDER_FREE) {
      const shop = await orderShop(turn);
      const { tables, result } = await buildInDuckDB(shop);
      expect(result.customers).toBe(12);
      expectSame(shop, tables, `order shop ${turn}`);
      first ??= byKey(shop, tables);
      expect(byKey(shop, tables)).toEqual(first);
    }
  });
});

const server = postgresBin();

describe.skipIf("missing" in server)(
  `SQL profile tables = memory engine (PostgreSQL)${"missing" in server ? ` — skipped: ${server.missing}` : ""}`,
  () => {
    let pgServer: TestPostgres;
    let schemas = 0;
    beforeAll(async () => {
      pgServer = await startPostgres();
    }, 120_000);
    afterAll(async () => {
      await pgServer?.stop();
    });

    it.each(FIXTURES)("fixtures/%s", async (name) => {
      const shop = await readShopAt(join(ROOT, "fixtures", name));
      const { tables } = await buildInPostgres(pgServer.url, shop, `prof_${++schemas}`);
      expectSame(shop, tables, `fixtures/${name} (postgres)`);
    });

    it.each(GENERATED.slice(0, 16))(
      "generated shop seed $seed ($contacts contacts)",
      async ({ seed, contacts }) => {
        const shop = await demoShop(seed, contacts);
        const { tables } = await buildInPostgres(pgServer.url, shop, `prof_${++schemas}`);
        expectSame(shop, tables, `seed ${seed} (postgres)`);
      },
    );

    it.each(HOSTILE.slice(0, 15))("hostile identity shop seed %i", async (seed) => {
      const shop = await hostileShop(seed);
      const { tables } = await buildInPostgres(pgServer.url, shop, `prof_${++schemas}`);
      expectSame(shop, tables, `hostile seed ${seed} (postgres)`);
    });

    it.each(IDENTITY)("identity rules shop, rows rotated by %i", async (turn) => {
      const shop = await identityShop(turn);
      const { tables } = await buildInPostgres(pgServer.url, shop, `prof_${++schemas}`);
      expectSame(shop, tables, `identity shop ${turn} (postgres)`);
    });

    it("identity whatever the row order: every rotation gives the customers of the first", async () => {
      let first: unknown[] | undefined;
      for (const turn of ORDER_FREE) {
        const shop = await orderShop(turn);
        const { tables, result } = await buildInPostgres(pgServer.url, shop, `prof_${++schemas}`);
        expect(result.customers).toBe(12);
        expectSame(shop, tables, `order shop ${turn} (postgres)`);
        first ??= byKey(shop, tables);
        expect(byKey(shop, tables)).toEqual(first);
      }
    });
  },
);
