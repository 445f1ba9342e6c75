/**
 * The per-file counts of the input summary (src/report/inputs.ts, the `--json` inputs section) for
 * a run staged in SQL (docs/design.md#engines, issue 14): what the memory engine's sinks count row
 * by row into each file's FileStats (src/model/ingest-contacts.ts, ingest-orders.ts,
 * ingest-events.ts, order-assembly.ts, order-folding.ts), and the UTC offsets its date parsers
 * collect (LoadedData.offsets), computed from the staging tables (staging.ts), the tables the SQL
 * staging writes beside them (stage-rejects.ts: rejects, offsets) and the tables the profile build
 * keeps (profiles-sql.ts KEPT_TABLES: every row that met a customer, with its customer; every order).
 *
 * Identity counts follow store.ts `find` and ingest-context.ts `findCustomer` on the build's final
 * assignment, each row looking only at the rows before it (`g`):
 * - a row of a customer created earlier is merged, by its customer_id when an earlier row had
 *   that id, else by its email when an earlier row had that email, else by its phone;
 * - a row is kept apart when its phone's owner (the customer of the customer_id sorting first
 *   among the earlier rows with that phone, else of the first of them) already has an email and
 *   the row has another one (its email is in no earlier row), it has no earlier customer_id, and
 *   — for a row with a customer_id — some customer so far has no id (else the store does not look).
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

  // Identity: each row's customer, and how the store found it.
  const kept = q(KEPT_TABLES.identity);
  const earliest = (key: string) =>
    `CASE WHEN k.${key} IS NOT NULL THEN MIN(k.g) OVER (PARTITION BY k.${key}) END`;
  const before = "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING";
  const rows = `SELECT k.*, ${earliest("id")} AS id_g0, ${earliest("email")} AS email_g0, ${earliest("phone")} AS phone_g0, MIN(CASE WHEN k.id IS NOT NULL THEN k.g END) OVER (PARTITION BY k.cust) AS id_since, MIN(CASE WHEN k.email IS NOT NULL THEN k.g END) OVER (PARTITION BY k.cust) AS email_since FROM ${kept} AS k`;
  // Customers so far, and those of them with a customer_id (store.ts `size`, `withId`).
  const counted = `SELECT r.*, COALESCE(SUM(CASE WHEN r.cust = r.g THEN 1 ELSE 0 END) OVER (ORDER BY r.g ${before}), 0) AS created_before, COALESCE(SUM(CASE WHEN r.g = r.id_since THEN 1 ELSE 0 END) OVER (ORDER BY r.g ${before}), 0) AS with_id_before FROM (${rows}) AS r`;
  const first = (key: string) =>
    `SELECT f.${key} AS v, k.cust FROM (SELECT ${key}, MIN(g) AS g0 FROM ${kept} WHERE ${key} IS NOT NULL GROUP BY ${key}) AS f JOIN ${kept} AS k ON k.g = f.g0`;
  const owner = `SELECT c.*, COALESCE(pi.cust, ph.cust) AS phone_owner FROM (${counted}) AS c LEFT JOIN (${first("id")}) AS pi ON pi.v = c.phone_id LEFT JOIN (${first("phone")}) AS ph ON ph.v = c.phone`;
  const byId = "(x.id_g0 < x.g)";
  const byEmail = "(x.email_g0 < x.g)";
  const keptApart = `NOT COALESCE(${byId}, FALSE) AND x.email IS NOT NULL AND NOT COALESCE(${byEmail}, FALSE) AND x.phone_g0 < x.g AND COALESCE(o.email_since < x.g, FALSE) AND (x.id IS NULL OR x.created_before > x.with_id_before)`;
  const merged = "x.cust <> x.g";
  const identity = await session.rows(
    `SELECT x.kind, x.file, ${count("x.cust = x.g")} AS created, ${count(merged)} AS merged, ${count(`${merged} AND COALESCE(${byId}, FALSE)`)} AS by_id, ${count(`${merged} AND NOT COALESCE(${byId}, FALSE) AND COALESCE(${byEmail}, FALSE)`)} AS by_email, ${count(keptApart)} AS kept_apart, ${int("COUNT(*)")} AS n FROM (${owner}) AS x LEFT JOIN (SELECT cust, MIN(email_since) AS email_since FROM (${rows}) AS e GROUP BY cust) AS o ON o.cust = x.phone_owner GROUP BY x.kind, x.file`,
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
        phone: Number(row.merged) - Number(row.by_id) - Number(row.by_email),
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
