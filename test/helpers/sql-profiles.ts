/**
 * Test helper for the SQL profile builder (src/sql/profiles-sql.ts): a shop read by the memory
 * engine with both recordings (the staging rows it accepted, and the order, line and event rows it
 * counted), the staging tables loaded into DuckDB or PostgreSQL, the builder run there, and the
 * five tables of tables.ts read back in a plain form to compare with the memory engine's.
 */
import { DuckDBInstance, LIST, VARCHAR, type DuckDBConnection } from "@duckdb/node-api";
import pg from "pg";
import type { EpochDay } from "../../src/calendar.js";
import type { Settings } from "../../src/config/settings.js";
import { loadProfiles } from "../../src/io/read-inputs.js";
import type { Profiles } from "../../src/model/profile.js";
import type { SegmentDefinition, SegmentPlan } from "../../src/segments/definition.js";
import { prepareRun } from "../../src/segments/prepare-run.js";
import { dialectFor, type DialectName } from "../../src/sql/dialect.js";
import {
  buildProfileTables,
  type ProfileBuildResult,
  type SqlSession,
} from "../../src/sql/profiles-sql.js";
import { createStagingStatements, STAGING, STAGING_LAYOUT } from "../../src/sql/staging.js";
import { profileColumns, TABLES } from "../../src/sql/tables.js";
import {
  captureIngest,
  profileGetters,
  propertyNames,
  type CapturedRows,
} from "./duckdb-tables.js";
import { captureStaging, untextablePhones, type StagedTables } from "./staging-capture.js";

export interface RecordedShop {
  plan: SegmentPlan;
  profiles: Profiles;
  rows: CapturedRows;
  staged: StagedTables;
  settings: Settings;
  asOf: EpochDay;
}

/** A shop read as the CLI reads it, with what the memory engine staged and counted. */
export async function recordShop(
  definitions: readonly SegmentDefinition[],
  settings: Settings,
  asOf: EpochDay,
  fields: readonly string[] = [],
): Promise<RecordedShop> {
  const run = prepareRun(definitions, settings, asOf, { fields });
  const names = propertyNames(run.plan);
  const { result, rows } = await captureIngest(
    () =>
      captureStaging(
        (staging) => loadProfiles({ settings, asOf, needs: run.needs, staging }),
        names,
      ),
    names,
  );
  const profiles = result.result.profiles;
  await run.evaluate(profiles);
  result.staged.set(STAGING.untextablePhones, untextablePhones(profiles));
  return { plan: run.plan, profiles, rows, staged: result.staged, settings, asOf };
}

/** The five tables in a comparable form: rows of plain values, in key order. */
export interface PlainTables {
  profiles: unknown[][];
  orders: unknown[][];
  lines: unknown[][];
  events: unknown[][];
  properties: unknown[][];
}

/** -0 is 0; lists are arrays of strings; everything else as it is. */
function plain(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === "number") return Object.is(value, -0) ? 0 : value;
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map((v) => String(v));
  return value;
}

/** The memory engine's tables (what the test helpers load today). */
export function expectedTables(shop: RecordedShop): PlainTables {
  const columns = profileGetters(shop.profiles, shop.plan.fields);
  const profiles: unknown[][] = [];
  for (let c = 0; c < shop.profiles.size; c++)
    profiles.push(columns.map(({ get }) => plain(get(c))));
  const r = shop.rows;
  return {
    profiles,
    orders: r.orders.map((o) => [o.orderKey, o.customer, o.day, o.channel, o.amount].map(plain)),
    lines: r.lines.map((l) => [l.orderKey, l.product, l.sku, l.category, l.amount].map(plain)),
    events: r.events.map((e) => [e.eventKey, e.customer, e.type, e.day].map(plain)),
    properties: r.properties.map((p) => [p.eventKey, p.name, p.text, p.number, p.flag].map(plain)),
  };
}

const READS: Record<keyof PlainTables, { table: string; columns: string[]; order: string }> = {
  profiles: { table: TABLES.profiles, columns: [], order: "customer" },
  orders: {
    table: TABLES.orders,
    columns: ["order_key", "customer", "day", "channel", "amount"],
    order: "order_key",
  },
  lines: {
    table: TABLES.orderLines,
    columns: ["order_key", "product", "sku", "category", "amount"],
    order: "order_key",
  },
  events: {
    table: TABLES.events,
    columns: ["event_key", "customer", "type", "day"],
    order: "event_key",
  },
  properties: {
    table: TABLES.eventProperties,
    columns: ["event_key", "name", "text", "number", "flag"],
    order: "event_key",
  },
};

/** Reads the builder's tables through `session` (rows in the order the builder wrote them). */
async function readTables(
  dialect: DialectName,
  session: SqlSession,
  fields: readonly string[],
): Promise<PlainTables> {
  const d = dialectFor(dialect);
  const out = {} as PlainTables;
  for (const [name, spec] of Object.entries(READS) as [keyof PlainTables, typeof READS.orders][]) {
    const columns = name === "profiles" ? profileColumns(fields).map((c) => c.name) : spec.columns;
    // Lines and properties keep the builder's order within a key (row order in the file).
    const rows = await session.query(
      `SELECT ${columns.map((c) => d.identifier(c)).join(", ")} FROM ${d.identifier(spec.table)}${name === "lines" || name === "properties" ? "" : ` ORDER BY ${d.identifier(spec.order)}`}`,
    );
    out[name] = rows.map((row) => columns.map((c) => plain(row[c])));
    if (name === "lines" || name === "properties") {
      // Stable: rows of one key stay in the builder's order.
      out[name] = out[name]
        .map((row, i) => ({ row, i }))
        .sort((a, b) => Number(a.row[0]) - Number(b.row[0]) || a.i - b.i)
        .map((x) => x.row);
    }
  }
  return out;
}

export interface BuiltTables {
  tables: PlainTables;
  result: ProfileBuildResult;
}

export function buildOptions(shop: RecordedShop) {
  const s = shop.settings;
  return {
    asOf: shop.asOf,
    fields: shop.plan.fields,
    rfm: s.rfm,
    ...(s.currency === undefined ? {} : { currency: s.currency }),
    ...(s.exchangeRates === undefined ? {} : { exchangeRates: s.exchangeRates }),
  };
}

export function duckdbSession(connection: DuckDBConnection): SqlSession {
  return {
    async run(sql) {
      await connection.run(sql);
    },
    async query(sql) {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    },
  };
}

/** Stages the shop in a new in-memory DuckDB, builds the profile tables there, reads them back. */
export async function buildInDuckDB(shop: RecordedShop): Promise<BuiltTables> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const connection = await instance.connect();
  try {
    const d = dialectFor("duckdb");
    await stageInDuckDB(connection, shop);
    const session = duckdbSession(connection);
    const result = await buildProfileTables(d, session, buildOptions(shop));
    return { tables: await readTables("duckdb", session, shop.plan.fields), result };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Creates the staging tables on `connection` and appends the shop's staged rows. */
export async function stageInDuckDB(
  connection: DuckDBConnection,
  shop: RecordedShop,
): Promise<void> {
  const d = dialectFor("duckdb");
  for (const sql of createStagingStatements(d)) await connection.run(sql);
  for (const { table, columns } of STAGING_LAYOUT) {
    const appender = await connection.createAppender(table);
    for (const row of shop.staged.get(table) ?? []) {
      row.forEach((v, i) => {
        const type = columns[i].type;
        if (v === null) appender.appendNull();
        else if (type === "integer") appender.appendInteger(v as number);
        else if (type === "double") appender.appendDouble(v as number);
        else if (type === "boolean") appender.appendBoolean(v as boolean);
        else if (type === "text") appender.appendVarchar(v as string);
        else appender.appendValue(v as never, LIST(VARCHAR));
      });
      appender.endRow();
    }
    appender.closeSync();
  }
}

const BATCH = 400;

/** Stages the shop in a schema of its own in PostgreSQL at `url`, builds there, reads back. */
export async function buildInPostgres(
  url: string,
  shop: RecordedShop,
  schema: string,
): Promise<BuiltTables> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path TO ${schema}`);
    const d = dialectFor("postgres");
    for (const sql of createStagingStatements(d)) await client.query(sql);
    for (const { table } of STAGING_LAYOUT) {
      const rows = shop.staged.get(table) ?? [];
      for (let start = 0; start < rows.length; start += BATCH) {
        const params: unknown[] = [];
        const tuples = rows.slice(start, start + BATCH).map(
          (row) =>
            `(${row
              .map((v) => {
                params.push(v);
                return `$${params.length}`;
              })
              .join(", ")})`,
        );
        await client.query(`INSERT INTO "${table}" VALUES ${tuples.join(", ")}`, params);
      }
    }
    const session: SqlSession = {
      async run(sql) {
        await client.query(sql);
      },
      async query(sql) {
        return (await client.query(sql)).rows as Record<string, unknown>[];
      },
    };
    const result = await buildProfileTables(d, session, buildOptions(shop));
    const tables = await readTables("postgres", session, shop.plan.fields);
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    return { tables, result };
  } finally {
    await client.end();
  }
}
