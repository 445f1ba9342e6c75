/**
 * Raw order tables → stage_orders in SQL (src/sql/stage-orders.ts) against the memory engine:
 * every fixture shop (fixtures/*, fixtures/exports/*), hand-written hostile orders files and
 * generated shops (demo shops, test/helpers/hostile-shop.ts) are read by the memory engine, which
 * records the order rows it accepted (test/helpers/staging-capture.ts) and the row-level rejects
 * it raised; the same files are loaded into DuckDB by the engine's loader and staged by the SQL.
 * stage_orders must hold the same rows, stage_rejects the same rejects (reason, detail, line), in
 * the same order — or the SQL must say that the run needs the TypeScript path, for a reason it
 * names.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../src/calendar.js";
import { ingestOptions } from "../src/config/ingest-options.js";
import { resolveSettings, type Settings } from "../src/config/settings.js";
import { writeDemoShop } from "./helpers/demo-shop.js";
import { openDuckDb } from "../src/engine/duckdb/open.js";
import { loadCsvInput } from "../src/engine/duckdb/read.js";
import { duckDbSessionOver } from "../src/engine/duckdb/session.js";
import { expandPatterns, loadProfiles } from "../src/io/read-inputs.js";
import { readConfig } from "../src/io/read-config.js";
import { loadSegmentFiles } from "../src/io/segment-files.js";
import { IngestContext, type FileStats } from "../src/model/ingest-context.js";
import { RejectLog } from "../src/model/rejects.js";
import { prepareRun } from "../src/segments/prepare-run.js";
import { stageOrders, type StageOrdersOutcome } from "../src/sql/stage-orders.js";
import { STAGE_ORDER_COLUMNS, STAGING } from "../src/sql/staging.js";
import { writeHostileShop } from "./helpers/hostile-shop.js";
import { captureStaging, onReadingAgain } from "./helpers/staging-capture.js";

const ROOT = resolve(import.meta.dirname, "..");

/** Order-level rejects: the profile builder's to decide, not the reader's. */
const ORDER_LEVEL = new Set([
  "order without a date (created_at empty on all its rows)",
  "negative order amount",
]);

interface Reject {
  file: string;
  line: number;
  reason: string;
  detail: string | null;
}

interface Memory {
  staged: unknown[][];
  rejects: Reject[];
  stats: FileStats[];
}

function plain(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number" && Object.is(value, -0)) return 0;
  return value;
}

async function runAt(
  dir: string,
  configFile: string,
): Promise<{ settings: Settings; asOf: number }> {
  const source = await readConfig(configFile, dir);
  const settings = resolveSettings(source, {}, dir);
  const asOf = settings.asOf ?? (parseIsoDay("2026-06-30") as number);
  return { settings, asOf };
}

async function needsOf(settings: Settings, asOf: number, dir: string) {
  const loaded = await loadSegmentFiles(
    settings.segments.map((s) => s.path),
    dir,
  );
  return prepareRun(loaded.definitions, settings, asOf).needs;
}

/** The memory engine's reading, with the order rows it staged and the rejects it raised. */
async function memoryRead(settings: Settings, asOf: number, dir: string): Promise<Memory | Error> {
  const needs = await needsOf(settings, asOf, dir);
  const rejects: Reject[] = [];
  const forget = () => {
    rejects.length = 0;
  };
  onReadingAgain.add(forget);
  const proto = RejectLog.prototype as unknown as { reject: (...args: unknown[]) => void };
  const saved = proto.reject;
  proto.reject = function (this: unknown, ...args: unknown[]) {
    const [file, line, reason, , detail] = args as [string, number, string, unknown, string?];
    rejects.push({ file, line, reason, detail: detail ?? null });
    return saved.apply(this, args);
  };
  try {
    const { result, staged } = await captureStaging(
      () => loadProfiles({ settings, asOf, needs }),
      [],
    );
    const orders = result.inputs.filter((i) => i.kind === "orders");
    const names = new Set(orders.map((i) => i.display));
    return {
      staged: (staged.get(STAGING.orders) ?? []).map((row) => row.map(plain)),
      rejects: rejects.filter((r) => names.has(r.file) && !ORDER_LEVEL.has(r.reason)),
      stats: orders.map((i) => i.stats),
    };
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  } finally {
    onReadingAgain.delete(forget);
    proto.reject = saved;
  }
}

interface Sql {
  outcome: StageOrdersOutcome;
  staged: unknown[][];
  rejects: Reject[];
  warnings: number;
}

/** The same files loaded into DuckDB and staged by the SQL. */
async function sqlRead(settings: Settings, asOf: number, dir: string): Promise<Sql> {
  const needs = await needsOf(settings, asOf, dir);
  const db = await openDuckDb({ threads: 1 });
  const session = await duckDbSessionOver(db);
  try {
    const files = await expandPatterns("orders", settings.inputs.orders ?? []);
    const raws = [];
    for (const [i, file] of files.entries()) {
      const raw = await loadCsvInput(db.connection, {
        path: file.path,
        display: file.display,
        table: `raw_orders_${i}`,
        ...(settings.delimiter === undefined ? {} : { delimiter: settings.delimiter }),
      });
      raws.push({ display: file.display, table: raw.table, header: raw.header, width: raw.width });
    }
    const ctx = new IngestContext(ingestOptions(settings, asOf, needs), new RejectLog());
    if ((settings.inputs.key_map ?? []).length > 0) ctx.keyMap = new Map();
    if ((settings.inputs.order_lines ?? []).length > 0) ctx.orderLines();
    const outcome = await stageOrders(session, raws, {
      ctx,
      ordersFilter: needs.ordersFilter,
      strict: settings.strict,
    });
    if (!outcome.staged) return { outcome, staged: [], rejects: [], warnings: 0 };
    const columns = STAGE_ORDER_COLUMNS.map((c) => c.name);
    const staged = (await session.rows(`SELECT * FROM ${STAGING.orders} ORDER BY file, seq`)).map(
      (row) => columns.map((c) => plain(row[c])),
    );
    const rejects = (
      await session.rows(
        `SELECT file, line, reason, detail FROM stage_rejects WHERE kind = 'orders' ORDER BY file, seq`,
      )
    ).map((row) => ({
      file: files[Number(row.file)]?.display ?? "?",
      line: Number(row.line),
      reason: row.reason as string,
      detail: (row.detail as string | null) ?? null,
    }));
    const warnings = await session.rows(`SELECT count(*) AS n FROM stage_warnings`);
    return { outcome, staged, rejects, warnings: Number(warnings[0]?.n) };
  } finally {
    await session.close();
  }
}

/** Why the SQL may leave a run to the TypeScript path. */
const REASONS = [
  "orders_filter",
  "a normalised export (key_map: or order_lines:)",
  "a date whose day/month order is ambiguous (the run stops there)",
  "an order Name shared by orders with different ids",
  "an order whose rows carry different Names",
  "rows of one order more than 255 other orders apart",
  "a line row before its order has a buyer",
  "a row of an order with other buyer identifiers than its first row (order_id already used by another customer?)",
  "--strict with a rejected row",
  "a reject detail with a character beyond U+FFFF",
];

async function compare(dir: string, configFile: string, where: string): Promise<string> {
  const { settings, asOf } = await runAt(dir, configFile);
  const memory = await memoryRead(settings, asOf, dir);
  const sql = await sqlRead(settings, asOf, dir);
  if (!sql.outcome.staged) {
    expect(REASONS).toContain(sql.outcome.needsTypeScript);
    return sql.outcome.needsTypeScript;
  }
  if (memory instanceof Error) throw memory;
  expect({ where, rejects: sql.rejects }).toEqual({ where, rejects: memory.rejects });
  expect(sql.staged.length).toBe(memory.staged.length);
  const columns = STAGE_ORDER_COLUMNS.map((c) => c.name);
  for (let i = 0; i < memory.staged.length; i++) {
    const got = Object.fromEntries(columns.map((c, k) => [c, sql.staged[i][k]]));
    const want = Object.fromEntries(columns.map((c, k) => [c, memory.staged[i][k]]));
    expect({ where, row: i, ...got }).toEqual({ where, row: i, ...want });
  }
  expect(sql.warnings).toBe(0);
  // The files' counts and header warnings are the memory engine's.
  const stats = sql.outcome.stats.map((s) => [
    s.file,
    s.rows,
    s.preset,
    s.detected,
    s.hasAmount,
    s.warnings,
  ]);
  expect(stats).toEqual(
    memory.stats.map((s) => [s.file, s.rows, s.preset, s.detected, s.hasAmount, s.warnings]),
  );
  return "staged";
}

const FIXTURES = readdirSync(join(ROOT, "fixtures")).filter((name) =>
  existsSync(join(ROOT, "fixtures", name, "audience.yaml")),
);

/** The platform exports, read as the CLI reads them with no preset chosen. */
const EXPORTS: { name: string; orders: string[]; contacts?: string; config?: string }[] = [
  { name: "generic", orders: ["orders-a.csv", "orders-b.csv"] },
  { name: "no-amount", orders: ["orders.csv"] },
  { name: "prestashop", orders: ["orders.csv"], contacts: "customers.csv" },
  { name: "shopify", orders: ["orders_export (1).csv", "orders_export (2).csv"] },
  { name: "shopify", orders: ["other-currencies.csv"], config: "currency: USD" },
  { name: "shopify-apps", orders: ["orders_export.csv"] },
  { name: "stripe", orders: ["payments.csv"] },
  { name: "woocommerce", orders: ["orders.csv"] },
];

async function inTemp<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "audience-stageorders-"));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const yamlList = (paths: string[]) => `[${paths.map((p) => JSON.stringify(p)).join(", ")}]`;

/** Hand-written orders files: every row-level reject, Shopify line rows, bad cells. */
const HOSTILE: { name: string; config?: string; files: Record<string, string> }[] = [
  {
    name: "bad values and keys",
    config: "currency: EUR",
    files: {
      "orders.csv": [
        "order_id,customer_id,email,phone,created_at,total,refunded,quantity,price,status,currency,channel,product,country,zip,accepts_marketing",
        "1,c1,a@x.com,,2024-05-01,10,,,,paid,eur,5690175,P,FR,-,yes",
        "2,,not-an-email,,2024-05-02,10,,,,paid,EUR,web,P,FR,75001,maybe",
        "3,,,,2024-05-02,10,,,,paid,EUR,web,P,FR,,",
        "4,c2,,,2024-02-30,10,,,,paid,EUR,web,P,,,",
        "5,c2,,,1969-12-31,10,,,,paid,EUR,web,P,,,",
        "6,c2,,,soon,10,,,,paid,EUR,web,P,,,",
        "7,c2,,,2024-05-03,ten,,,,paid,EUR,web,P,,,",
        "8,c2,,,2024-05-03,-1,,,,paid,EUR,web,P,,,",
        "9,c2,,,2024-05-03,5,x1,,,paid,EUR,web,P,,,",
        "10,c2,,,2024-05-03,5,-2,,,paid,EUR,web,P,,,",
        "11,c2,,,2024-05-03,,,-2,3,paid,EUR,web,P,,,",
        "12,c2,,,2024-05-03,,,2,-3,paid,EUR,web,P,,,",
        "13,c2,,,2024-05-03,,,q,3,paid,EUR,web,P,,,",
        ",c2,,,2024-05-03,5,,,,paid,EUR,web,P,,,",
        '14,,,0612345678,2024-05-03T23:30:00+02:00,"1.234,50",,,,Wc-Completed,zł,web,Ñu,FR,,no',
        "15,,,9.23225E+11,2024-05-03,5,,,,CANCELLED,EUR,web,P,,,",
        "16,' c3,,+33 6 12 34 56 78,2024-05-03 10:00:00,5,,,,,,,,,,",
        "16,' c3,,,2024-05-03 10:00:00,,,2,3.5,,,,Q,,,",
        "17,c4,Ünï@x.com,,2024-05-04,€12.50,,,,PAID,usd,,,,,",
      ].join("\n"),
    },
  },
  {
    name: "Shopify line rows",
    config: "preset: shopify",
    files: {
      "orders.csv": [
        "Id,Name,Email,Created at,Total,Lineitem quantity,Lineitem price,Lineitem name,Financial Status,Currency,Billing Name,Billing Zip,Source,Accepts Marketing",
        "1001,#1001,a@x.com,2024-05-01 10:00:00 +0200,30,1,10,Mug,paid,EUR,Ana María Soto,-,web,yes",
        ",#1001,,,,2,10,Cup,,,,,,",
        "1002,#1002,B@X.com,2024-05-01 11:00:00 +0200,5,1,5,Tea,,EUR,  Bob  ,12345,5690175,no",
        ",#1002,,,,1,0,Gift,,,,,,",
        ",#1003,c@x.com,2024-05-02 11:00:00 +0200,7,1,7,Tea,refunded,EUR,123 456,,,",
        ",#1003,,,,1,7,Tea,,,,,,",
        ",,,,,1,7,Tea,,,,,,",
      ].join("\n"),
    },
  },
  {
    name: "orders without an id column",
    config: "timezone: Europe/Paris",
    files: {
      "orders.csv": [
        "email;date;amount;status",
        "a@x.com;2024-05-01T22:30:00Z;10,5;paid",
        ";2024-05-01;3;paid",
        "b@x.com;;3;paid",
        "b@x.com;2024-13-01;3;paid",
      ].join("\n"),
    },
  },
  {
    name: "interleaved orders and two files",
    files: {
      "a.csv": [
        "order_id,email,created_at,total,product",
        "1,a@x.com,2024-05-01,10,A",
        "2,b@x.com,2024-05-01,11,B",
        "1,,,,C",
        "3,,2024-05-01,4,D",
        "3,c@x.com,,,E",
        "2,B@x.com,,,F",
      ].join("\n"),
      "b.csv": [
        "order_id,email,created_at,total,product",
        "2,,2024-05-01,11,B",
        "4,d@x.com,2024-05-02,5,G",
        "3,,2024-05-01,4,D",
      ].join("\n"),
    },
  },
  {
    name: "an order id shared by two buyers",
    files: {
      "orders.csv": [
        "order_id,email,created_at,total",
        "1,a@x.com,2024-05-01,10",
        "1,b@x.com,2024-05-01,10",
      ].join("\n"),
    },
  },
  {
    name: "an ambiguous date",
    files: {
      "orders.csv": ["order_id,email,created_at,total", "1,a@x.com,03/04/2024,10"].join("\n"),
    },
  },
];

describe("stage_orders in SQL = memory engine (DuckDB)", () => {
  it.each(FIXTURES)("fixtures/%s", async (name) => {
    const dir = join(ROOT, "fixtures", name);
    expect(await compare(dir, join(dir, "audience.yaml"), `fixtures/${name}`)).toBe("staged");
  });

  it.each(EXPORTS.map((e) => [`${e.name} ${e.orders.join(" + ")}`, e] as const))(
    "fixtures/exports/%s",
    async (_label, e) => {
      const dir = join(ROOT, "fixtures", "exports", e.name);
      await inTemp(async (tmp) => {
        const config = join(tmp, "audience.yaml");
        await writeFile(
          config,
          [
            `orders: ${yamlList(e.orders.map((o) => join(dir, o)))}`,
            ...(e.contacts === undefined
              ? []
              : [`contacts: ${JSON.stringify(join(dir, e.contacts))}`]),
            "as_of: 2026-06-30",
            e.config ?? "",
            "",
          ].join("\n"),
        );
        await compare(tmp, config, `exports/${e.name} ${e.orders.join(" + ")}`);
      });
    },
  );

  it.each(["olist.yaml", "shop.yaml"])(
    "fixtures/exports/normalised/%s: TypeScript path",
    async (file) => {
      const dir = join(ROOT, "fixtures", "exports", "normalised");
      expect(await compare(dir, join(dir, file), `normalised/${file}`)).toBe(
        "a normalised export (key_map: or order_lines:)",
      );
    },
  );

  it.each(HOSTILE.map((h) => [h.name, h] as const))("hostile orders: %s", async (name, h) => {
    await inTemp(async (dir) => {
      for (const [file, text] of Object.entries(h.files))
        await writeFile(join(dir, file), `${text}\n`);
      const orders = Object.keys(h.files).sort();
      await writeFile(
        join(dir, "audience.yaml"),
        [
          `orders: ${yamlList(orders)}`,
          "as_of: 2026-06-30",
          "default_country: FR",
          h.config ?? "",
          "",
        ].join("\n"),
      );
      const outcome = await compare(dir, join(dir, "audience.yaml"), `hostile ${name}`);
      if (name === "an order id shared by two buyers")
        expect(outcome).toMatch(/other buyer identifiers/);
      else if (name === "an ambiguous date") expect(outcome).toMatch(/ambiguous/);
      else expect(outcome).toBe("staged");
    });
  });

  it.each(Array.from({ length: 24 }, (_, i) => 500 + i))(
    "hostile identity shop seed %i",
    async (seed) => {
      await inTemp(async (dir) => {
        await writeHostileShop(dir, seed, join(ROOT, "segments"));
        await compare(dir, join(dir, "audience.yaml"), `hostile seed ${seed}`);
      });
    },
  );

  it.each(Array.from({ length: 12 }, (_, i) => 1000 + i))(
    "generated demo shop seed %i",
    async (seed) => {
      await inTemp(async (dir) => {
        await writeDemoShop(dir, {
          seed,
          contacts: 80 + (seed % 5) * 40,
          inputs: ["contacts", "orders"],
        });
        expect(await compare(dir, join(dir, "audience.yaml"), `demo seed ${seed}`)).toBe("staged");
      });
    },
  );
});
