/**
 * The per-file counts of a run staged in SQL (src/sql/staged-stats.ts `fillStagedStats`) against
 * the memory engine's: every fixture shop whose staging succeeds, seeded demo shops, hostile
 * identity shops and hand-written shops (contacts merged by id, email and phone, phones kept apart,
 * rows and orders after as_of, excluded statuses, currencies with `currency:`, one order in two
 * files, events and lists creating customers, timestamps with offsets) are read by the memory
 * engine; the same files are loaded into DuckDB raw tables, staged in SQL (stagePeople,
 * stageOrders), the profile tables built, and the FileStats filled: each must equal the memory
 * engine's as a whole (maps in order), and the offsets LoadedData's. The staged tables are also
 * copied into a throwaway PostgreSQL server, where the build and the counts must give the same.
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIsoDay } from "../src/calendar.js";
import { ingestOptions } from "../src/config/ingest-options.js";
import { resolveSettings, type Settings } from "../src/config/settings.js";
import { needsPredictions } from "../src/dsl/env.js";
import { openDuckDb } from "../src/engine/duckdb/open.js";
import { loadCsvInput } from "../src/engine/duckdb/read.js";
import { duckDbSessionOver } from "../src/engine/duckdb/session.js";
import type { SqlSession } from "../src/engine/session.js";
import { openPostgresWork } from "../src/io/pg-work.js";
import { readConfig } from "../src/io/read-config.js";
import { loadProfiles, type LoadedData } from "../src/io/read-inputs.js";
import { loadSegmentFiles } from "../src/io/segment-files.js";
import { emptyStats, IngestContext, type FileStats } from "../src/model/ingest-context.js";
import { RejectLog } from "../src/model/rejects.js";
import { prepareRun, type PreparedRun } from "../src/segments/prepare-run.js";
import { normaliseDialectFor } from "../src/sql/dialect.js";
import { buildProfileTables } from "../src/sql/profiles-sql.js";
import { stagePeople, type PeopleFile } from "../src/sql/stage-people.js";
import { stageOrders, type RawOrdersFile } from "../src/sql/stage-orders.js";
import {
  createStageRejectStatements,
  STAGE_OFFSETS,
  STAGE_REJECTS,
  STAGE_WARNINGS,
} from "../src/sql/stage-rejects.js";
import { fillStagedStats, type StagedStatsFile } from "../src/sql/staged-stats.js";
import { createStagingStatements, STAGING_LAYOUT } from "../src/sql/staging.js";
import { writeDemoShop } from "./helpers/demo-shop.js";
import { propertyNames } from "./helpers/duckdb-tables.js";
import { writeHostileShop } from "./helpers/hostile-shop.js";
import { postgresBin, startPostgres, type TestPostgres } from "./helpers/postgres.js";

const ROOT = resolve(import.meta.dirname, "..");
const FIXTURES = readdirSync(join(ROOT, "fixtures")).filter((name) =>
  existsSync(join(ROOT, "fixtures", name, "audience.yaml")),
);
const STAGED_KINDS = new Set(["contacts", "orders", "events", "lists"]);

/** Why the SQL staging may leave a shop to the TypeScript path (stage-people.ts, stage-orders.ts). */
const FALLBACKS = [
  /disagree on a consent/,
  /orders_filter/,
  /normalised export/,
  /ambiguous/,
  /other buyer identifiers/,
  /Name/,
  /other orders apart/,
  /line row before/,
  /--strict/,
  /beyond/,
];

interface Shop {
  dir: string;
  settings: Settings;
  asOf: number;
  run: PreparedRun;
}

async function shopAt(dir: string): Promise<Shop> {
  const settings = resolveSettings(await readConfig(join(dir, "audience.yaml"), dir), {}, dir);
  const asOf = settings.asOf ?? (parseIsoDay("2026-06-30") as number);
  const loaded = await loadSegmentFiles(
    settings.segments.map((s) => s.path),
    dir,
  );
  return { dir, settings, asOf, run: prepareRun(loaded.definitions, settings, asOf) };
}

/** FileStats compared as plain data, the maps as entry lists (their order is the summary's). */
function plainStats(stats: FileStats): unknown {
  return { ...stats, statuses: [...stats.statuses], currencies: [...stats.currencies] };
}

/** The shop's files staged in DuckDB, or why the staging left it to the TypeScript path. */
async function stageInDuckDb(
  session: SqlSession,
  connection: Parameters<typeof loadCsvInput>[0],
  shop: Shop,
  memory: LoadedData,
): Promise<StagedStatsFile[] | string> {
  const { settings, asOf, run } = shop;
  const d = session.dialect;
  for (const sql of createStagingStatements(d)) await session.run(sql);
  for (const sql of createStageRejectStatements(d)) await session.run(sql);
  const people: PeopleFile[] = [];
  const orders: RawOrdersFile[] = [];
  const windows1252: { stats: () => FileStats | undefined; display: string; bytes: number }[] = [];
  const files: StagedStatsFile[] = [];
  const perKind = new Map<string, number>();
  for (const [i, input] of memory.inputs.entries()) {
    if (!STAGED_KINDS.has(input.kind)) return `${input.kind} input`;
    const file = perKind.get(input.kind) ?? 0;
    perKind.set(input.kind, file + 1);
    const raw = await loadCsvInput(connection, {
      path: input.path,
      display: input.display,
      table: `raw_${i}`,
      ...(settings.delimiter === undefined ? {} : { delimiter: settings.delimiter }),
    });
    if (input.kind === "orders") {
      orders.push({
        display: input.display,
        table: raw.table,
        header: raw.header,
        width: raw.width,
      });
      windows1252.push({
        stats: () => files.find((f) => f.kind === "orders" && f.file === file)?.stats,
        display: input.display,
        bytes: raw.read.windows1252Bytes,
      });
      continue;
    }
    const stats = emptyStats(input.kind, input.display);
    files.push({ kind: input.kind, file, stats });
    windows1252.push({
      stats: () => stats,
      display: input.display,
      bytes: raw.read.windows1252Bytes,
    });
    people.push({
      kind: input.kind as PeopleFile["kind"],
      file,
      display: input.display,
      table: raw.table,
      width: raw.width,
      header: raw.header,
      stats,
    });
  }
  const ingest = ingestOptions(settings, asOf, run.needs);
  const staged = await stagePeople(session, people, {
    ingest,
    eventProperties: propertyNames(run.plan),
  });
  if (!staged.staged) return staged.reason;
  const outcome = await stageOrders(session, orders, {
    ctx: new IngestContext(ingest, new RejectLog()),
    ordersFilter: run.needs.ordersFilter,
    strict: settings.strict,
  });
  if (!outcome.staged) return outcome.needsTypeScript;
  outcome.stats.forEach((stats, file) => files.push({ kind: "orders", file, stats }));
  // The reader's warning (read-inputs.ts), after the sink's.
  for (const w of windows1252)
    if (w.bytes > 0)
      w.stats()?.warnings.push(
        `${w.display} is not valid UTF-8: ${w.bytes} byte(s) read as Windows-1252`,
      );
  return files;
}

/** Builds the profile tables on `session` (staged already) and fills copies of `files`' stats. */
async function fill(
  session: SqlSession,
  shop: Shop,
  files: readonly StagedStatsFile[],
): Promise<{ files: StagedStatsFile[]; offsets: number[] }> {
  const { settings, asOf, run } = shop;
  await buildProfileTables(
    session.dialect,
    { run: (sql) => session.run(sql), query: (sql) => session.rows(sql) },
    {
      asOf,
      fields: run.plan.fields.filter((f) => !needsPredictions(f)),
      rfm: settings.rfm,
      ...(settings.currency === undefined ? {} : { currency: settings.currency }),
      ...(settings.exchangeRates === undefined ? {} : { exchangeRates: settings.exchangeRates }),
    },
  );
  const copies = files.map((f) => ({ ...f, stats: structuredClone(f.stats) }));
  const { offsets } = await fillStagedStats(session, copies, {
    asOf,
    ...(settings.currency === undefined ? {} : { currency: settings.currency }),
  });
  return { files: copies, offsets };
}

function expectSame(
  memory: LoadedData,
  got: { files: StagedStatsFile[]; offsets: number[] },
  where: string,
): void {
  const perKind = new Map<string, number>();
  const want = memory.inputs.map((input) => {
    const file = perKind.get(input.kind) ?? 0;
    perKind.set(input.kind, file + 1);
    return { where, kind: input.kind, file, stats: plainStats(input.stats) };
  });
  const mine = want.map(({ kind, file }) => {
    const f = got.files.find((s) => s.kind === kind && s.file === file);
    return { where, kind, file, stats: f === undefined ? undefined : plainStats(f.stats) };
  });
  for (let i = 0; i < want.length; i++) expect(mine[i]).toEqual(want[i]);
  expect({ where, offsets: got.offsets }).toEqual({ where, offsets: memory.offsets });
}

/** Copies the staging tables and the staging's side tables from `from` into `to`. */
async function copyStaging(from: SqlSession, to: SqlSession): Promise<void> {
  const d = to.dialect;
  const n = normaliseDialectFor(d.name);
  for (const sql of createStagingStatements(d)) await to.run(sql);
  for (const sql of createStageRejectStatements(d)) await to.run(sql);
  const tables = [
    ...STAGING_LAYOUT.map((t) => t.table),
    STAGE_REJECTS,
    STAGE_WARNINGS,
    STAGE_OFFSETS,
  ];
  for (const table of tables) {
    const rows = await from.rows(`SELECT * FROM "${table}"`);
    for (let start = 0; start < rows.length; start += 300) {
      const params: (string | number | boolean | null)[] = [];
      const tuples = rows.slice(start, start + 300).map(
        (row) =>
          `(${Object.values(row)
            .map((v) => {
              params.push(
                typeof v === "bigint" ? Number(v) : (v as string | number | boolean | null),
              );
              return n.param(params.length);
            })
            .join(", ")})`,
      );
      await to.run(`INSERT INTO "${table}" VALUES ${tuples.join(", ")}`, params);
    }
  }
}

type Checked = { staged: false; reason: string } | { staged: true; files: number };

/** Compares the shop's counts in DuckDB (and in PostgreSQL at `pgUrl`) with the memory engine's. */
async function check(dir: string, where: string, pgUrl?: string): Promise<Checked> {
  const shop = await shopAt(dir);
  const memory = await loadProfiles({
    settings: shop.settings,
    asOf: shop.asOf,
    needs: shop.run.needs,
  });
  const db = await openDuckDb({ threads: 1 });
  const session = await duckDbSessionOver(db);
  try {
    const files = await stageInDuckDb(session, db.connection, shop, memory);
    if (typeof files === "string") return { staged: false, reason: files };
    if (pgUrl !== undefined) {
      const work = await openPostgresWork({ url: pgUrl, shown: "test" });
      try {
        await copyStaging(session, work.session);
        expectSame(memory, await fill(work.session, shop, files), `${where} (postgres)`);
      } finally {
        await work.close();
      }
    }
    expectSame(memory, await fill(session, shop, files), where);
    return { staged: true, files: files.length };
  } finally {
    await session.close();
  }
}

async function inTemp(
  write: (dir: string) => Promise<void>,
  where: string,
  pgUrl?: string,
): Promise<Checked> {
  const dir = await mkdtemp(join(tmpdir(), "audience-stagedstats-"));
  try {
    await write(dir);
    return await check(dir, where, pgUrl);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function expectStagedOrFallback(checked: Checked): void {
  if (!checked.staged)
    expect(
      FALLBACKS.some((r) => r.test(checked.reason)),
      checked.reason,
    ).toBe(true);
}

const csv = (rows: string[]) => `${rows.join("\n")}\n`;

/** Hand-written shops for each count. */
const HAND_WRITTEN: { name: string; files: Record<string, string>; config: string[] }[] = [
  {
    name: "identity: merged by id, email and phone, phones kept apart, customers from events and lists",
    config: [
      "contacts: [contacts-a.csv, contacts-b.csv]",
      "orders: orders.csv",
      "events: events.csv",
      "lists: lists.csv",
      "default_country: FR",
    ],
    files: {
      "contacts-a.csv": csv([
        "customer_id,email,phone,first_name,created_at",
        "c1,ana@x.com,,Ana,2025-01-01",
        ",bob@x.com,+33612345678,Bob,2025-01-02",
        ",,+33698765432,Cid,2025-01-03",
        "c1,,,Ana2,2025-01-04",
        ",ana@x.com,,Ana3,",
        ",dan@x.com,+33612345678,Dan,2025-01-05",
        ",,+33698765432,Cid2,2025-02-01",
        "c2,bob@x.com,,Bob2,2025-02-02",
        ",late@x.com,,Late,2026-08-01",
        ",,,Nobody,2025-01-01",
        "c3,eve@x.com,+33612345678,Eve,2025-03-01",
      ]),
      "contacts-b.csv": csv([
        "email,phone,created_at",
        "ana@x.com,,2025-05-01T10:00:00+02:00",
        "fay@x.com,+33698765432,2025-05-02 09:00:00 -0500",
        "gus@x.com,,2025-05-03T10:00:00Z",
        "bad-email,,2025-05-04",
      ]),
      "orders.csv": csv([
        "order_id,customer_id,email,phone,created_at,total",
        "1,c1,,,2025-06-01,10",
        "2,,hal@x.com,+33612345678,2025-06-02,20",
        "3,,,+33698765432,2025-06-03,30",
        "4,c9,ivy@x.com,,2025-06-04,40",
        "5,,ivy@x.com,,2025-06-05,50",
      ]),
      "events.csv": csv([
        "email,phone,type,occurred_at",
        "ana@x.com,,click,2025-07-01",
        "new@x.com,,click,2025-07-02T12:00:00+05:30",
        "new@x.com,,click,2025-07-03",
        ",+33611111111,whatsapp,2025-07-04",
        "later@x.com,,click,2026-09-01",
        ",,click,2025-07-05",
      ]),
      "lists.csv": csv([
        "email,list",
        "ana@x.com,vip",
        "list@x.com,vip",
        "list@x.com,news",
        ",vip",
      ]),
    },
  },
  {
    name: "orders: after as_of, excluded statuses, currencies, one order in two files, offsets",
    config: [
      "orders: [orders-a.csv, orders-b.csv]",
      "currency: EUR",
      "exclude_status: [cancelled, refunded]",
      "timezone: Europe/Paris",
    ],
    files: {
      "orders-a.csv": csv([
        "order_id,email,created_at,total,status,currency",
        "1,a@x.com,2025-01-01T10:00:00+01:00,10,paid,EUR",
        "2,a@x.com,2025-01-02,11,cancelled,EUR",
        "3,b@x.com,2026-07-15,12,paid,EUR",
        "4,b@x.com,2025-01-03,13,paid,USD",
        "5,c@x.com,2025-01-04,14,,",
        "6,c@x.com,2025-01-05,15,Refunded,EUR",
        "6,,,,,",
        "7,d@x.com,,16,paid,EUR",
        "8,d@x.com,2025-01-06,-3,paid,EUR",
        "9,e@x.com,2025-01-07 08:00:00 -0300,5,pending,eur",
        "10,,2025-01-08,5,paid,EUR",
        "11,f@x.com,2025-01-09,ten,paid,EUR",
        "12,f@x.com,2025-01-10,0,wc-completed,GBP",
      ]),
      "orders-b.csv": csv([
        "order_id,email,created_at,total,status,currency",
        "1,a@x.com,2025-01-01T10:00:00+01:00,10,paid,EUR",
        "3,b@x.com,2026-07-15,12,paid,EUR",
        "20,g@x.com,2025-02-01T23:30:00+09:00,7,paid,EUR",
        "21,g@x.com,2025-02-02,8,cancelled,EUR",
      ]),
    },
  },
];

async function writeHandWritten(dir: string, shop: (typeof HAND_WRITTEN)[number]): Promise<void> {
  for (const [name, text] of Object.entries(shop.files)) await writeFile(join(dir, name), text);
  await writeFile(join(dir, "audience.yaml"), [...shop.config, "as_of: 2026-06-30", ""].join("\n"));
}

const CONSENTS = new Set(["email_consent", "sms_consent", "whatsapp_consent"]);

/**
 * Removes the consent columns of the contacts files the generators write: their duplicate rows
 * disagree on consent, which leaves most shops to the TypeScript path (stage-people.ts).
 */
async function dropContactConsents(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (!name.startsWith("contacts") || !name.endsWith(".csv")) continue;
    const rows = parse(await readFile(join(dir, name), "utf8"), {
      relax_column_count: true,
    }) as string[][];
    const keep = (rows[0] ?? []).map((h, i) => (CONSENTS.has(h) ? -1 : i)).filter((i) => i >= 0);
    await writeFile(join(dir, name), stringify(rows.map((r) => keep.map((i) => r[i] ?? ""))));
  }
}

const demo = (seed: number) => async (dir: string) => {
  await writeDemoShop(dir, {
    seed,
    contacts: 80 + (seed % 5) * 40,
    segments: join(ROOT, "segments"),
  });
  await dropContactConsents(dir);
};
const hostile = (seed: number) => async (dir: string) => {
  await writeHostileShop(dir, seed, join(ROOT, "segments"));
  await dropContactConsents(dir);
};

describe("FileStats from the SQL staging = memory engine (DuckDB)", () => {
  it.each(FIXTURES)("fixtures/%s", async (name) => {
    expectStagedOrFallback(await check(join(ROOT, "fixtures", name), `fixtures/${name}`));
  });

  it.each(HAND_WRITTEN.map((s) => [s.name, s] as const))("%s", async (name, shop) => {
    const checked = await inTemp((dir) => writeHandWritten(dir, shop), name);
    expect(checked).toMatchObject({ staged: true });
  });

  it.each(Array.from({ length: 10 }, (_, i) => 1000 + i))("demo shop seed %i", async (seed) => {
    expectStagedOrFallback(await inTemp(demo(seed), `demo ${seed}`));
  });

  it.each(Array.from({ length: 60 }, (_, i) => 500 + i))("hostile shop seed %i", async (seed) => {
    expectStagedOrFallback(await inTemp(hostile(seed), `hostile ${seed}`));
  });
});

const server = postgresBin();

describe.skipIf("missing" in server)(
  `FileStats from the SQL staging = memory engine (PostgreSQL)${"missing" in server ? ` — skipped: ${server.missing}` : ""}`,
  () => {
    let pgServer: TestPostgres;
    beforeAll(async () => {
      pgServer = await startPostgres();
    }, 120_000);
    afterAll(async () => {
      await pgServer?.stop();
    });

    it.each(HAND_WRITTEN.map((s) => [s.name, s] as const))("%s", async (name, shop) => {
      const checked = await inTemp((dir) => writeHandWritten(dir, shop), name, pgServer.url);
      expect(checked).toMatchObject({ staged: true });
    });

    it.each(FIXTURES.slice(0, 6))("fixtures/%s", async (name) => {
      const dir = join(ROOT, "fixtures", name);
      expectStagedOrFallback(await check(dir, `fixtures/${name}`, pgServer.url));
    });

    it.each([1000, 1001, 1002])("demo shop seed %i", async (seed) => {
      expectStagedOrFallback(await inTemp(demo(seed), `demo ${seed}`, pgServer.url));
    });

    it.each(Array.from({ length: 8 }, (_, i) => 500 + i))("hostile shop seed %i", async (seed) => {
      expectStagedOrFallback(await inTemp(hostile(seed), `hostile ${seed}`, pgServer.url));
    });
  },
);
