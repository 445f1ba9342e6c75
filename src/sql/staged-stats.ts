/**
 * The per-file counts of the input summary (src/report/inputs.ts, the `--json` inputs section) for
 * a run staged in SQL (docs/design.md#engines, issue 14): what the memory engine's sinks count row
 * by row into each file's FileStats (src/model/ingest-contacts.ts, ingest-orders.ts,
 * ingest-events.ts, order-assembly.ts, order-folding.ts), and the UTC offsets its date parsers
 * collect (LoadedData.offsets), computed from the staging tables (staging.ts), the tables the SQL
 * staging writes beside them (stage-rejects.ts: rejects, offsets) and the tables the profile build
 * keeps (profiles-sql.ts KEPT_TABLES: every row that met a customer, with its customer; every order).
 *
 * Identity counts follow the order-free identity (docs/design.md#inputs identity) the build
 * decides, as the memory engine's reading that follows it counts them:
 * - a row is created when it is its customer's first (the memory engine creates a customer at its
 *   first row), else merged; a contacts file's merged rows by each row's own identifier
 *   (customer_id, else email, else phone), the strongest of a customer's rows in the file that
 *   created it left out (ingest-contacts.ts `countMerged`);
 * - a row is kept apart when it has no customer_id, an email and a phone, its customer has no id,
 *   and the phone's owner (phone-only rows' customer) is another customer (store.ts `keptApart`).
 */
import type { SqlSession } from "../engine/session.js";
import type { FileStats } from "../model/ingest-context.js";
import type { InputKind } from "../model/presets.js";
import type { MatchReason } from "../model/store.js";
import { KEPT_TABLES } from "./profiles-sql.js";
import { STAGE_OFFSETS, STAGE_REJECTS } from "./stage-rejects.js";
import { STAGING } from "./staging.js";

/** A staged file's FileStats; `file` is its index within its input (staging.ts `file`). */
export interface StagedStatsFile {
  kind: InputKind;
  file: number;
  stats: FileStats;
}

export interface StagedStatsOptions {
  /** The run's as_of (epoch day). */
  asOf: number;
  /** `currency:`: orders in other currencies are left out. */
  currency?: string;
}

/** `aud_ident.kind` of each staged input (profiles-sql.ts KIND). */
const KIND_NUMBER: Partial<Record<InputKind, number>> = {
  contacts: 0,
  orders: 1,
  events: 2,
  lists: 3,
};

const STAGED_TABLE: Partial<Record<InputKind, string>> = {
  contacts: STAGING.contacts,
  orders: STAGING.orders,
  events: STAGING.events,
  lists: STAGING.lists,
};

/**
 * Fills, in place, the row-level counts of each staged file's FileStats, and returns the UTC
 * offsets (minutes, ascending, each once) the timestamps of those files carry.
 *
 * Must have run before, in `session`: the SQL staging of the files (stage-people.ts `stagePeople`,
 * stage-orders.ts `stageOrders`, into the tables of staging.ts and stage-rejects.ts — for contacts,
 * events and lists give each PeopleFile its `stats`, which gets the header's values there), then
 * profiles-sql.ts `buildProfileTables` (its kept tables). The header's values (preset, detected,
 * header warnings, hasAmount) are the sinks' that bound the headers and are not touched; `rows` is
 * set when still 0 (stageOrders sets it).
 *
 * Filled: rows, merged, mergedBy, keptApart, created (contacts, orders, events, lists as their
 * sinks count them); orders, excludedStatus, afterAsOf, statuses, currencies, otherCurrency,
 * duplicates (orders); afterAsOf (contacts, events). Not filled: filtered (`orders_filter`),
 * mapped, unmapped, noLines, orphanLines (`key_map:`, `order_lines:`): those runs take the
 * TypeScript path, whose sinks count them. The reader's warnings (a file not in UTF-8, a table
 * without order) are the reader's to add. Offsets of inputs read by the TypeScript path are in
 * their IngestContext: the caller merges both.
 */
export async function fillStagedStats(
  session: SqlSession,
  files: readonly StagedStatsFile[],
  options: StagedStatsOptions,
): Promise<{ offsets: number[] }> {
  const d = session.dialect;
  const q = (name: string) => d.identifier(name);
  const byKey = new Map<string, FileStats>();
  for (const f of files) {
    if (STAGED_TABLE[f.kind] === undefined)
      throw new Error(`${f.kind} files are not staged in SQL: their sinks count them`);
    byKey.set(`${f.kind}:${f.file}`, f.stats);
  }
  const statsOf = (kind: unknown, file: unknown) => byKey.get(`${String(kind)}:${Number(file)}`);
  const kindOfNumber = new Map(Object.entries(KIND_NUMBER).map(([k, n]) => [n, k]));
  const asOf = d.integer(options.asOf);
  const int = (v: string) => `CAST(${v} AS ${d.integerType})`;
  const count = (condition: string) => int(`SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END)`);

  // Rows: every row read is staged or rejected (a row-level reject, once).
  const perFile = Object.entries(STAGED_TABLE).map(
    ([kind, table]) =>
      `SELECT ${d.string(kind)} AS kind, s.${q("file")} AS file, COUNT(*) AS n FROM ${q(table)} AS s GROUP BY s.${q("file")}`,
  );
  perFile.push(
    `SELECT r.${q("kind")} AS kind, r.${q("file")} AS file, COUNT(*) AS n FROM ${q(STAGE_REJECTS)} AS r GROUP BY r.${q("kind")}, r.${q("file")}`,
  );
  for (const row of await session.rows(
    `SELECT u.kind, u.file, ${int("SUM(u.n)")} AS n FROM (${perFile.join(" UNION ALL ")}) AS u GROUP BY u.kind, u.file`,
  )) {
    const stats = statsOf(row.kind, row.file);
    if (stats !== undefined && stats.rows === 0) stats.rows = Number(row.n);
  }

  // Point in time: contacts signed up, events dated after as_of.
  for (const [kind, column] of [
    ["contacts", "signup_day"],
    ["events", "day"],
  ] as const) {
    for (const row of await session.rows(
      `SELECT s.${q("file")} AS file, ${count(`s.${q(column)} > ${asOf}`)} AS n FROM ${q(STAGED_TABLE[kind] as string)} AS s GROUP BY s.${q("file")}`,
    )) {
      const stats = statsOf(kind, row.file);
      if (stats !== undefined) stats.afterAsOf = Number(row.n);
    }
  }

  // Identity: each row's customer (profiles-sql.ts KEPT_TABLES.identity). A contacts row is
  // counted as merged by its own identifier (`reason`), but for the customers the file created:
  // of their rows there, the one of the strongest identifier is the one not counted.
  const kept = q(KEPT_TABLES.identity);
  const creators = `SELECT k.g, k.kind, k.file FROM ${kept} AS k WHERE k.cust = k.g`;
  const ranked = `SELECT k.*, CASE WHEN cr.kind = k.kind AND cr.file = k.file AND ROW_NUMBER() OVER (PARTITION BY k.cust, k.kind, k.file ORDER BY k.reason DESC, k.g) = 1 THEN 1 ELSE 0 END AS uncounted FROM ${kept} AS k JOIN (${creators}) AS cr ON cr.g = k.cust`;
  const by = (reason: number) => count(`x.uncounted = 0 AND x.reason = ${reason}`);
  const identity = await session.rows(
    `SELECT x.kind, x.file, ${count("x.cust = x.g")} AS created, ${count("x.cust <> x.g")} AS merged, ${by(2)} AS by_id, ${by(1)} AS by_email, ${by(0)} AS by_phone, ${count("x.apart = 1")} AS kept_apart, ${int("COUNT(*)")} AS n FROM (${ranked}) AS x GROUP BY x.kind, x.file`,
  );
  for (const row of identity) {
    const kind = kindOfNumber.get(Number(row.kind));
    const stats = statsOf(kind, row.file);
    if (stats === undefined) continue;
    stats.created = Number(row.created);
    if (kind === "contacts") {
      const mergedBy: Record<MatchReason, number> = {
        customer_id: Number(row.by_id),
        email: Number(row.by_email),
        phone: Number(row.by_phone),
      };
      stats.merged = Number(row.merged);
      stats.mergedBy = mergedBy;
    }
    // Events and lists find their customer without counting the phones kept apart.
    if (kind === "contacts" || kind === "orders") stats.keptApart = Number(row.kept_apart);
    // The order rows of the identity are the orders counted.
    if (kind === "orders") stats.orders = Number(row.n);
  }

  // Orders: each closed order that is not a duplicate goes through the status, as_of and
  // currency rules in turn (order-folding.ts foldOrder), counted where it stops.
  const orders = q(KEPT_TABLES.orders);
  const duplicate = "(a.order_id IS NOT NULL AND a.id_first_file < a.file)";
  const folded = `NOT ${duplicate} AND a.day IS NOT NULL`;
  const excluded = "COALESCE(a.status_excluded, FALSE)";
  const other =
    options.currency === undefined
      ? "FALSE"
      : `(a.currency IS NOT NULL AND a.currency <> ${d.string(options.currency)})`;
  const inTime = `${folded} AND NOT ${excluded} AND a.day <= ${asOf}`;
  for (const row of await session.rows(
    `SELECT a.file, ${count(duplicate)} AS duplicates, ${count(`${folded} AND ${excluded}`)} AS excluded, ${count(`${folded} AND NOT ${excluded} AND a.day > ${asOf}`)} AS after, ${count(`${inTime} AND ${other}`)} AS other FROM ${orders} AS a GROUP BY a.file`,
  )) {
    const stats = statsOf("orders", row.file);
    if (stats === undefined) continue;
    stats.duplicates = Number(row.duplicates);
    stats.excludedStatus = Number(row.excluded);
    stats.afterAsOf = Number(row.after);
    stats.otherCurrency = Number(row.other);
    stats.statuses = new Map();
    stats.currencies = new Map();
  }
  // Statuses and currencies in the order the memory engine meets them: orders close after their
  // last row (profiles-sql.ts), and each map keeps its first order's place.
  for (const row of await session.rows(
    `SELECT a.file, COALESCE(a.status, '') AS status, ${int("COUNT(*)")} AS n, ${count(excluded)} AS excluded, MIN(a.last_seq) AS since FROM ${orders} AS a WHERE ${folded} GROUP BY a.file, COALESCE(a.status, '') ORDER BY a.file, since`,
  )) {
    const stats = statsOf("orders", row.file);
    stats?.statuses.set(row.status as string, {
      orders: Number(row.n),
      counted: Number(row.excluded) === 0,
    });
  }
  for (const row of await session.rows(
    `SELECT a.file, COALESCE(a.currency, '') AS currency, ${int("COUNT(*)")} AS n, MIN(a.last_seq) AS since FROM ${orders} AS a WHERE ${inTime} AND NOT ${other} GROUP BY a.file, COALESCE(a.currency, '') ORDER BY a.file, since`,
  )) {
    statsOf("orders", row.file)?.currencies.set(row.currency as string, Number(row.n));
  }

  const offsets = new Set<number>();
  for (const row of await session.rows(
    `SELECT DISTINCT o.${q("kind")} AS kind, o.${q("file")} AS file, o.${q("minutes")} AS minutes FROM ${q(STAGE_OFFSETS)} AS o`,
  )) {
    if (statsOf(row.kind, row.file) !== undefined) offsets.add(Number(row.minutes));
  }
  return { offsets: [...offsets].sort((a, b) => a - b) };
}
