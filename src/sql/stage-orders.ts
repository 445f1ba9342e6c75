/**
 * Raw order tables → `stage_orders` in SQL (docs/design.md#engines, issue 14): the per-row work of
 * the orders sink (src/model/ingest-orders.ts, order-assembly.ts, order-lines.ts) done by the
 * database on the raw tables of the DuckDB loader (src/engine/duckdb/read.ts: `line`, `c0`…),
 * with the row-level rejects it raises — same reasons, details and line numbers — in
 * `stage_rejects`.
 *
 * What is decided per file, not per row, stays in TypeScript and is the memory engine's own: the
 * header is bound by a real `OrdersSink` (preset detection, `columns:`, the warnings about the
 * header and a file without amounts, its FileStats in the run's context), and its bindings become
 * the SQL that reads each canonical column. Phones, non-ASCII emails, statuses and currencies,
 * and the name parts of a full-name column go through their TypeScript functions on the distinct
 * raw strings, as mapping tables (src/engine/mapping.ts).
 *
 * Order assembly is sequential in the memory engine: an order stays open while its rows keep
 * coming (256 recent orders), Shopify's line rows find their order by its `Name`, and a row whose
 * buyer differs from its order's is judged against the customer store. The SQL reproduces it
 * where the file leaves no doubt — every row of an order within 255 other orders of the previous
 * one, each `Name` naming one order — and otherwise says so (`needsTypeScript`), as it does for
 * what it does not reproduce at all: a row of an order that carries other buyer identifiers than
 * the order's first row (identity decides), `orders_filter`, `key_map:` and `order_lines:` inputs,
 * a date whose day/month order is ambiguous (the run stops), `--strict` with a rejected row, and
 * a reject detail holding a character beyond U+FFFF. The run then reads its orders with the
 * memory engine's sinks, which is exact by construction.
 *
 * Rejects and warnings go to `stage_rejects` / `stage_warnings` (kind, file, line, seq, reason,
 * detail), `detail` being the value the sink passes to `RejectLog.reject` (NULL for none). The
 * orders sink raises no row-level warning: its warnings (an invalid email or phone of a new
 * buyer, an unrecognised consent word) are about counted orders and their customers.
 */
import {
  createStageOffsetsStatement,
  STAGE_OFFSETS,
  STAGE_REJECT_COLUMNS,
  STAGE_REJECTS,
  STAGE_WARNINGS,
} from "./stage-rejects.js";
import type { PlanExpr } from "../dsl/plan.js";
import { buildMapping, mappedSql } from "../engine/mapping.js";
import type { SqlParam, SqlSession } from "../engine/session.js";
import { namePart, type ColumnBinding } from "../model/columns.js";
import {
  emptyStats,
  readKeys,
  type FileStats,
  type IngestContext,
} from "../model/ingest-context.js";
import { OrdersSink } from "../model/ingest-orders.js";
import { normalizeStatus } from "../model/order-assembly.js";
import { ORDER_COLUMNS } from "../model/order-columns.js";
import { cleanCell, normalizeEmail } from "../model/values.js";
import { normaliseDialectFor, type Dialect, type NormaliseDialect } from "./dialect.js";
import {
  JS_SPACE,
  cleanCellSql,
  cleanIdSql,
  dateOffsetSql,
  dateProblemSql,
  dateTimeSql,
  emailNeedsMappingSql,
  excludedStatusSql,
  normalizeEmailSql,
  orderStatusSql,
  parseBooleanSql,
  parseNumberSql,
  statusNeedsMappingSql,
} from "./normalise.js";
import { STAGE_ORDER_COLUMNS, STAGING } from "./staging.js";
import { sqlType } from "./tables.js";

/** A loaded orders file: its raw table (read.ts `RawTable`) and its name in messages. */
export interface RawOrdersFile {
  display: string;
  table: string;
  header: readonly string[];
  /** Number of cell columns `c0`… of the table. */
  width: number;
}

export interface StageOrdersOptions {
  /** The run's ingest context: its options, and the FileStats each orders file adds. */
  ctx: IngestContext;
  ordersFilter: PlanExpr | undefined;
  /** `--strict`: the first rejected row stops the run. */
  strict: boolean;
}

export type StageOrdersOutcome =
  | {
      staged: true;
      /** Rows written into stage_orders. */
      rows: number;
      /** Rows written into stage_rejects. */
      rejected: number;
      /** Each file's FileStats (in `ctx.stats` too), with `rows` counted. */
      stats: FileStats[];
    }
  | { staged: false; needsTypeScript: string };

const T = {
  cells: "audience_so_cells",
  rows: "audience_so_rows",
  ids: "audience_so_ids",
  phones: "audience_so_phones",
  emails: "audience_so_emails",
  statuses: "audience_so_statuses",
  currencies: "audience_so_currencies",
  first: "audience_so_first_names",
  last: "audience_so_last_names",
} as const;

/** Others orders touched between two rows of one order, at most, for it to be open still. */
const OPEN_ORDERS = 256;

interface FilePlan {
  file: RawOrdersFile;
  stats: FileStats;
  bindings: Map<string, ColumnBinding>;
  hasOrderId: boolean;
  /** Shopify's two `order_id` sources: `Id` first, then `Name`. */
  split: boolean;
  excluded: readonly string[];
}

interface Ctx {
  d: Dialect;
  n: NormaliseDialect;
  session: SqlSession;
}

const q = (c: Ctx, name: string) => c.d.identifier(name);

function jsTrim(c: Ctx, text: string): string {
  return c.n.trimChars(text, JS_SPACE);
}

function given(c: Ctx, text: string): string {
  return `(${text} IS NOT NULL AND ${jsTrim(c, text)} <> '')`;
}

/** The SQL of a cell reader (columns.ts `cellReader`) over the raw table's `c0`… columns. */
function readerSql(c: Ctx, binding: ColumnBinding | undefined, width: number): string {
  if (binding === undefined) return `CAST(NULL AS ${c.d.textType})`;
  const cell = (index: number) =>
    index < width ? `r.${q(c, `c${index}`)}` : `CAST(NULL AS ${c.d.textType})`;
  const sources = binding.sources;
  if (sources.length === 1 && sources[0].value === undefined && sources[0].part === undefined)
    return `NULLIF(${cell(sources[0].index)}, '')`;
  const parts = sources.map((source) => {
    const x = cell(source.index);
    const value =
      source.part !== undefined
        ? mappedSql(c.d, source.part === "first" ? T.first : T.last, x)
        : source.value !== undefined
          ? c.d.string(source.value)
          : x;
    return `CASE WHEN ${given(c, x)} THEN ${value} END`;
  });
  return parts.length === 1 ? (parts[0] as string) : `COALESCE(${parts.join(", ")})`;
}

/** The raw cells of a file's part sources (`Billing Name`), for the name-part mappings. */
function partSources(plans: readonly FilePlan[], part: "first" | "last"): string[] {
  const out: string[] = [];
  for (const plan of plans)
    for (const binding of plan.bindings.values())
      for (const source of binding.sources)
        if (source.part === part && source.index < plan.file.width)
          out.push(`SELECT r.c${source.index} FROM ${plan.file.table} AS r`);
  return out;
}

function bool(value: boolean): string {
  return value ? "TRUE" : "FALSE";
}

async function count(c: Ctx, sql: string): Promise<number> {
  const rows = await c.session.rows(`SELECT count(*) AS n FROM (${sql}) AS x`);
  return Number(rows[0]?.n ?? 0);
}

async function createLocalTables(c: Ctx): Promise<void> {
  const d = c.d;
  const columns = STAGE_ORDER_COLUMNS.map(
    (col) => `${q(c, col.name)} ${sqlType(d, col.type)}${col.nullable ? "" : " NOT NULL"}`,
  );
  await c.session.run(`CREATE TABLE IF NOT EXISTS ${q(c, STAGING.orders)} (${columns.join(", ")})`);
  // Shared with the other inputs' staging, which may have filled them already.
  const rejectColumns = STAGE_REJECT_COLUMNS.map(
    (col) => `${q(c, col.name)} ${sqlType(d, col.type)}${col.nullable ? "" : " NOT NULL"}`,
  );
  for (const table of [STAGE_REJECTS, STAGE_WARNINGS]) {
    await c.session.run(`CREATE TABLE IF NOT EXISTS ${q(c, table)} (${rejectColumns.join(", ")})`);
  }
  await c.session.run(createStageOffsetsStatement(d, true));
}

async function dropWork(c: Ctx): Promise<void> {
  for (const table of Object.values(T)) await c.session.run(`DROP TABLE IF EXISTS ${q(c, table)}`);
}

/** The phones of (phone, country) cell pairs, by readKeys itself. */
async function buildPhones(c: Ctx, ctx: IngestContext): Promise<void> {
  const d = c.d;
  await c.session.run(
    `CREATE TEMPORARY TABLE ${q(c, T.phones)} (phone ${d.textType}, country ${d.textType}, value ${d.textType})`,
  );
  const found = await c.session.rows(
    `SELECT DISTINCT k_phone AS phone, COALESCE(k_country, '') AS country FROM ${q(c, T.cells)} WHERE ${given(c, "k_phone")}`,
  );
  const BATCH = 400;
  for (let start = 0; start < found.length; start += BATCH) {
    const params: SqlParam[] = [];
    const tuples = found.slice(start, start + BATCH).map((row) => {
      const phone = row.phone as string;
      const country = row.country as string;
      const keys = readKeys(
        ctx.phones,
        undefined,
        undefined,
        phone,
        country === "" ? undefined : country,
      );
      params.push(phone, country, keys.phone ?? null);
      const i = params.length;
      return `(${c.n.param(i - 2)}, ${c.n.param(i - 1)}, ${c.n.param(i)})`;
    });
    await c.session.run(`INSERT INTO ${q(c, T.phones)} VALUES ${tuples.join(", ")}`, params);
  }
}

/** Binds each file's header as the memory engine does, or says why SQL cannot stage the run. */
function planFiles(
  files: readonly RawOrdersFile[],
  options: StageOrdersOptions,
): FilePlan[] | string {
  const { ctx } = options;
  if (options.ordersFilter !== undefined) return "orders_filter";
  if (ctx.keyMap !== undefined || ctx.lines !== undefined)
    return "a normalised export (key_map: or order_lines:)";
  return files.map((file) => {
    const sink = new OrdersSink(ctx, file.display, undefined);
    sink.header([...file.header]);
    // The same binding again, on a throwaway FileStats: the sink keeps its readers private.
    const { bound, preset } = ctx.bindFile(
      "orders",
      file.display,
      [...file.header],
      emptyStats("orders", file.display),
    );
    const idSources = bound.bindings.get("order_id")?.sources ?? [];
    return {
      file,
      stats: sink.stats,
      bindings: bound.bindings,
      hasOrderId: bound.bindings.has("order_id"),
      split: idSources.length > 1,
      excluded: ctx.options.excludeStatus ?? preset.notPurchase,
    };
  });
}

/**
 * Fills stage_orders (and stage_rejects) from the raw tables of the run's orders files, in
 * reading order; the tables are created when missing. Nothing is written when the outcome is
 * `needsTypeScript`.
 */
export async function stageOrders(
  session: SqlSession,
  files: readonly RawOrdersFile[],
  options: StageOrdersOptions,
): Promise<StageOrdersOutcome> {
  const d = session.dialect;
  const c: Ctx = { d, n: normaliseDialectFor(d.name), session };
  const plans = planFiles(files, options);
  if (typeof plans === "string") return { staged: false, needsTypeScript: plans };
  await createLocalTables(c);
  await dropWork(c);
  try {
    return await stage(c, plans, options);
  } finally {
    await dropWork(c);
  }
}

async function stage(
  c: Ctx,
  plans: readonly FilePlan[],
  options: StageOrdersOptions,
): Promise<StageOrdersOutcome> {
  const { d, n, session } = c;
  const { ctx } = options;
  const bail = (why: string): StageOrdersOutcome => ({ staged: false, needsTypeScript: why });

  // Name parts of a full-name column: namePart on the distinct cells.
  for (const part of ["first", "last"] as const) {
    const sources = partSources(plans, part);
    await buildMapping(session, {
      table: part === "first" ? T.first : T.last,
      source:
        sources.length === 0 ? `SELECT CAST(NULL AS ${d.textType})` : sources.join(" UNION ALL "),
      map: (raw) => namePart(raw, part),
    });
  }

  // 1. Each row's canonical cells, as the sink's readers give them.
  const selects = plans.map((plan, f) => {
    const width = plan.file.width;
    const b = plan.bindings;
    const idSources = b.get("order_id")?.sources ?? [];
    const cells = ORDER_COLUMNS.map((name) => `${readerSql(c, b.get(name), width)} AS k_${name}`);
    const primary = plan.split
      ? readerSql(c, { canonical: "order_id", sources: idSources.slice(0, 1) }, width)
      : `CAST(NULL AS ${d.textType})`;
    const alias = plan.split
      ? readerSql(c, { canonical: "order_id", sources: idSources.slice(1) }, width)
      : `CAST(NULL AS ${d.textType})`;
    // Each row's place: numbered on the line alone, joined back (a window ordered by line over
    // the raw table would sort every cell with it).
    const places = `SELECT y.line, row_number() OVER (ORDER BY y.line) AS seq FROM ${plan.file.table} AS y`;
    return `SELECT ${d.integer(f)} AS file, CAST(r.line AS ${d.integerType}) AS line, CAST(n.seq AS ${d.integerType}) AS seq, ${bool(plan.hasOrderId)} AS has_id, ${bool(plan.split)} AS split, ${cells.join(", ")}, ${primary} AS k_primary, ${alias} AS k_alias FROM ${plan.file.table} AS r JOIN (${places}) AS n ON n.line = r.line`;
  });
  await session.run(`CREATE TEMPORARY TABLE ${q(c, T.cells)} AS ${selects.join(" UNION ALL ")}`);

  // 2. The values normalised in TypeScript, on their distinct raw strings.
  await buildPhones(c, ctx);
  await buildMapping(session, {
    table: T.emails,
    source: `SELECT k_email FROM ${q(c, T.cells)} WHERE ${emailNeedsMappingSql(d, "k_email")}`,
    map: (raw) => normalizeEmail(raw),
  });
  await buildMapping(session, {
    table: T.statuses,
    source: `SELECT k_status FROM ${q(c, T.cells)} WHERE ${statusNeedsMappingSql(d, "k_status")}`,
    map: (raw) => {
      const cleaned = cleanCell(raw);
      return cleaned === undefined ? undefined : normalizeStatus(cleaned);
    },
  });
  const currency = cleanCellSql(d, "k_currency");
  await buildMapping(session, {
    table: T.currencies,
    source: `SELECT k_currency FROM ${q(c, T.cells)} WHERE ${currency} IS NOT NULL AND NOT ${n.isAscii(currency)}`,
    map: (raw) => cleanCell(raw)?.toUpperCase(),
  });

  // 3. Each row's values, the reason it is rejected for a bad value, its keys and order id.
  const dates = {
    timezone: ctx.options.timezone,
    ...(ctx.options.dateOrder === undefined ? {} : { dateOrder: ctx.options.dateOrder }),
    rejectBefore1970: true,
  };
  const decimal = ctx.options.decimal;
  const amount = (name: string) => parseNumberSql(d, jsTrim(c, `k_${name}`), decimal);
  const amountChecks = (
    [
      ["total", false],
      ["refunded", false],
      ["quantity", true],
      ["price", false],
    ] as const
  ).flatMap(([name, negative]) => [
    [`${given(c, `k_${name}`)} AND v_${name} IS NULL`, `invalid number in ${name}`, name],
    ...(negative ? [] : [[`v_${name} < 0`, `negative ${name}`, name]]),
  ]);
  const reason = `CASE WHEN date_given AND v_time IS NULL THEN ${dateProblemSql(d, "k_created_at", dates)} || ' in created_at' ${amountChecks
    .map(([when, why]) => `WHEN ${when} THEN ${d.string(why)}`)
    .join(" ")} END`;
  const detail = `CASE WHEN date_given AND v_time IS NULL THEN SUBSTR(${jsTrim(c, "k_created_at")}, 1, 40) ${amountChecks
    .map(([when, , name]) => `WHEN ${when} THEN SUBSTR(${jsTrim(c, `k_${name}`)}, 1, 30)`)
    .join(" ")} END`;
  const email = normalizeEmailSql(d, "k_email", mappedSql(d, T.emails, "k_email"));
  const status = orderStatusSql(d, "k_status", mappedSql(d, T.statuses, "k_status"));
  const excludedCase = (st: string) =>
    plans
      .map((plan, f) => `WHEN ${d.integer(f)} THEN ${excludedStatusSql(d, st, plan.excluded)}`)
      .join(" ");
  const values = `SELECT x.*, ${reason} AS reason, ${detail} AS detail FROM (SELECT k.*, ${given(c, "k_created_at")} AS date_given, CASE WHEN ${given(c, "k_created_at")} THEN ${dateTimeSql(d, "k_created_at", dates)} END AS v_time, ${["total", "refunded", "quantity", "price"].map((a) => `${amount(a)} AS v_${a}`).join(", ")}, ${cleanIdSql(d, "k_customer_id")} AS key_id, ${email} AS key_email, p.value AS key_phone, ${given(c, "k_email")} AS email_given, ${given(c, "k_phone")} AS phone_given, CASE WHEN split THEN ${cleanCellSql(d, "k_primary")} WHEN has_id THEN ${cleanCellSql(d, "k_order_id")} END AS primary_id, CASE WHEN split THEN ${cleanCellSql(d, "k_alias")} END AS alias_id FROM ${q(c, T.cells)} AS k LEFT JOIN ${q(c, T.phones)} AS p ON p.phone = k.k_phone AND p.country = COALESCE(k.k_country, '')) AS x`;
  await session.run(
    `CREATE TEMPORARY TABLE ${q(c, T.rows)} AS SELECT v.*, (v.reason IS NULL AND (NOT v.has_id OR v.primary_id IS NOT NULL OR v.alias_id IS NOT NULL)) AS eligible, (v.key_id IS NOT NULL OR v.key_email IS NOT NULL OR v.key_phone IS NOT NULL) AS keyed, ${status} AS st FROM (${values}) AS v`,
  );

  const rows = q(c, T.rows);
  if (
    (await count(
      c,
      `SELECT 1 FROM ${rows} WHERE date_given AND v_time IS NULL AND ${dateProblemSql(d, "k_created_at", dates)} = 'ambiguous day/month order'`,
    )) > 0
  )
    return bail("a date whose day/month order is ambiguous (the run stops there)");

  // 4. Order ids: Shopify's line rows (no `Id`, only `Name`) belong to the order that `Name` named.
  const aliases = `SELECT file, alias_id, min(seq) AS first_seq, min(primary_id) AS p, count(DISTINCT primary_id) AS primaries FROM ${rows} WHERE eligible AND split AND primary_id IS NOT NULL AND alias_id IS NOT NULL GROUP BY file, alias_id`;
  await session.run(
    `CREATE TEMPORARY TABLE ${q(c, T.ids)} AS SELECT r.file, r.seq, CASE WHEN r.primary_id IS NOT NULL THEN r.primary_id WHEN a.first_seq < r.seq THEN a.p ELSE r.alias_id END AS order_id, (r.primary_id IS NULL AND a.first_seq < r.seq) AS by_alias, a.primaries AS primaries, r.alias_id FROM ${rows} AS r LEFT JOIN (${aliases}) AS a ON a.file = r.file AND a.alias_id = r.alias_id WHERE r.eligible AND r.has_id`,
  );
  const ids = q(c, T.ids);
  if ((await count(c, `SELECT 1 FROM ${ids} WHERE by_alias AND primaries > 1`)) > 0)
    return bail("an order Name shared by orders with different ids");
  // An order a line row reaches by its Name must carry that Name on every row with its id.
  if (
    (await count(
      c,
      `SELECT 1 FROM (SELECT DISTINCT file, order_id, alias_id FROM ${ids} WHERE by_alias) AS a JOIN ${rows} AS r ON r.file = a.file AND r.primary_id = a.order_id AND r.eligible WHERE r.alias_id IS NULL OR r.alias_id <> a.alias_id`,
    )) > 0
  )
    return bail("an order whose rows carry different Names");

  // 5. Orders: the first row with a buyer (or any, for an order read from an earlier file) opens
  // it; rows before it are rejected for their missing key; later rows continue it.
  const known = `SELECT i.order_id, min(r.file) AS first_file FROM ${ids} AS i JOIN ${rows} AS r ON r.file = i.file AND r.seq = i.seq WHERE r.keyed GROUP BY i.order_id`;
  // The windows run on the few columns they read; the row's other columns are joined back after.
  const withKnown = `SELECT i.file, i.seq, i.order_id, r.keyed, (k.first_file IS NOT NULL AND k.first_file < i.file) AS dup FROM ${ids} AS i JOIN ${rows} AS r ON r.file = i.file AND r.seq = i.seq LEFT JOIN (${known}) AS k ON k.order_id = i.order_id`;
  const assembled = `SELECT w.*, min(CASE WHEN w.dup OR w.keyed THEN w.seq END) OVER (PARTITION BY w.file, w.order_id) AS opener, row_number() OVER (PARTITION BY w.file ORDER BY w.seq) AS pos FROM (${withKnown}) AS w`;
  const windowed = `SELECT a.*, lag(a.pos) OVER (PARTITION BY a.file, a.order_id ORDER BY a.seq) AS prev_pos, lag(a.seq) OVER (PARTITION BY a.file, a.order_id ORDER BY a.seq) AS prev_seq FROM (${assembled}) AS a`;
  const orderTable = "audience_so_orders";
  await session.run(`DROP TABLE IF EXISTS ${q(c, orderTable)}`);
  await session.run(
    `CREATE TEMPORARY TABLE ${q(c, orderTable)} AS SELECT a.file, a.seq, a.order_id, i.by_alias, a.keyed, a.dup, r.k_customer_id, r.k_email, r.k_phone, r.k_country, r.key_id, r.key_email, r.key_phone, r.phone_given, a.opener, a.pos, a.prev_pos, a.prev_seq FROM (${windowed}) AS a JOIN ${ids} AS i ON i.file = a.file AND i.seq = a.seq JOIN ${rows} AS r ON r.file = a.file AND r.seq = a.seq`,
  );
  const orders = q(c, orderTable);
  try {
    if (
      (await count(
        c,
        `SELECT 1 FROM ${orders} WHERE prev_seq IS NOT NULL AND prev_seq >= opener AND pos - prev_pos - 1 >= ${OPEN_ORDERS}`,
      )) > 0
    )
      return bail(`rows of one order more than ${OPEN_ORDERS - 1} other orders apart`);
    if (
      (await count(
        c,
        `SELECT 1 FROM ${orders} WHERE by_alias AND (opener IS NULL OR opener >= seq)`,
      )) > 0
    )
      return bail("a line row before its order has a buyer");
    // A later row with other buyer cells than the opening row's: the customer store decides,
    // unless its identifiers read the same (continueOrder reads its phone without a country).
    const eq = (col: string) => `(o.${col} = f.${col} OR (o.${col} IS NULL AND f.${col} IS NULL))`;
    const sameKeys = `(NOT f.dup AND ${eq("key_id")} AND ${eq("key_email")} AND ${eq("key_phone")} AND (NOT o.phone_given OR o.k_country IS NULL))`;
    const same = (col: string) =>
      `(o.${col} IS NULL OR (f.${col} IS NOT NULL AND o.${col} = f.${col}))`;
    if (
      (await count(
        c,
        `SELECT 1 FROM ${orders} AS o JOIN ${orders} AS f ON f.file = o.file AND f.order_id = o.order_id AND f.seq = o.opener WHERE o.seq > o.opener AND NOT (${same("k_customer_id")} AND ${same("k_email")} AND ${same("k_phone")}) AND (o.key_id IS NOT NULL OR o.key_email IS NOT NULL OR o.phone_given) AND NOT ${sameKeys}`,
      )) > 0
    )
      return bail(
        "a row of an order with other buyer identifiers than its first row (order_id already used by another customer?)",
      );

    // 6. The rejects: a bad value, an empty order_id, no usable key where the row opens an order.
    const missingKey = `CASE WHEN (r.email_given AND r.key_email IS NULL) OR (r.phone_given AND r.key_phone IS NULL) THEN 'no valid customer key (email or phone invalid)' ELSE 'no customer key (customer_id, email or phone)' END`;
    const rejects = `SELECT r.file, r.line, r.seq, r.reason, r.detail FROM ${rows} AS r WHERE r.reason IS NOT NULL UNION ALL SELECT r.file, r.line, r.seq, 'empty order_id', NULL FROM ${rows} AS r WHERE r.reason IS NULL AND r.has_id AND NOT r.eligible UNION ALL SELECT r.file, r.line, r.seq, ${missingKey}, NULL FROM ${rows} AS r LEFT JOIN ${orders} AS o ON o.file = r.file AND o.seq = r.seq WHERE r.eligible AND NOT r.keyed AND (NOT r.has_id OR (NOT o.dup AND (o.opener IS NULL OR r.seq < o.opener)))`;
    await session.run(`DROP TABLE IF EXISTS audience_so_rejects`);
    await session.run(`CREATE TEMPORARY TABLE audience_so_rejects AS ${rejects}`);
    try {
      const rejected = await count(c, `SELECT 1 FROM audience_so_rejects`);
      if (options.strict && rejected > 0) return bail("--strict with a rejected row");
      const wide =
        d.name === "postgres"
          ? `(detail ~ '[\\U00010000-\\U0010FFFF]')`
          : `regexp_matches(detail, '[\\x{10000}-\\x{10FFFF}]')`;
      if (
        (await count(c, `SELECT 1 FROM audience_so_rejects WHERE detail IS NOT NULL AND ${wide}`)) >
        0
      )
        return bail("a reject detail with a character beyond U+FFFF");

      // 7. The accepted rows, staged.
      const staged = STAGE_ORDER_COLUMNS.map((col) => q(c, col.name)).join(", ");
      const excluded = `CASE WHEN r.st IS NULL THEN NULL ELSE CASE r.file ${excludedCase("r.st")} END END`;
      const rCurrency = cleanCellSql(d, "r.k_currency");
      const rChannel = cleanCellSql(d, "r.k_channel");
      const rConsent = cleanCellSql(d, "r.k_email_consent");
      const cur = `CASE WHEN ${rCurrency} IS NULL THEN NULL WHEN ${n.isAscii(rCurrency)} THEN UPPER(${rCurrency}) ELSE ${mappedSql(d, T.currencies, "r.k_currency")} END`;
      const channelName = `CASE WHEN ${n.regexMatches(rChannel, "^[0-9]+$")} THEN 'app ' || ${rChannel} ELSE ${rChannel} END`;
      const select = [
        "r.file",
        "r.seq",
        "o.order_id",
        "r.key_id",
        "r.key_email",
        "r.key_phone",
        `CAST(floor(r.v_time / 86400000) AS ${d.integerType})`,
        "r.v_time",
        "r.v_total",
        "r.v_refunded",
        "r.v_quantity",
        "r.v_price",
        "r.st",
        excluded,
        cur,
        channelName,
        cleanCellSql(d, "r.k_product"),
        cleanCellSql(d, "r.k_sku"),
        cleanCellSql(d, "r.k_category"),
        cleanCellSql(d, "r.k_first_name"),
        cleanCellSql(d, "r.k_last_name"),
        cleanCellSql(d, "r.k_country"),
        cleanCellSql(d, "r.k_city"),
        cleanCellSql(d, `CASE WHEN r.k_zip = '-' THEN '' ELSE r.k_zip END`),
        `CASE WHEN ${rConsent} IS NULL THEN NULL ELSE COALESCE(${parseBooleanSql(d, rConsent)}, FALSE) END`,
      ];
      const accepted = `FROM ${rows} AS r LEFT JOIN ${orders} AS o ON o.file = r.file AND o.seq = r.seq WHERE r.eligible AND (r.keyed OR (r.has_id AND (o.dup OR r.seq >= o.opener)))`;
      await session.run(
        `INSERT INTO ${q(c, STAGING.orders)} (${staged}) SELECT ${select.join(", ")} ${accepted} ORDER BY r.file, r.seq`,
      );
      await session.run(
        `INSERT INTO ${q(c, STAGE_REJECTS)} (kind, file, line, seq, reason, detail) SELECT 'orders', file, line, seq, reason, detail FROM audience_so_rejects ORDER BY file, seq`,
      );
      // The offsets of the dates the sink parses: every row's created_at, before any reject.
      await session.run(
        `INSERT INTO ${q(c, STAGE_OFFSETS)} (kind, file, minutes) SELECT DISTINCT 'orders', x.file, x.minutes FROM (SELECT file, ${dateOffsetSql(d, "k_created_at", dates)} AS minutes FROM ${rows} WHERE date_given) AS x WHERE x.minutes IS NOT NULL`,
      );
      const perFile = await session.rows(
        `SELECT file, count(*) AS n FROM ${q(c, T.cells)} GROUP BY file`,
      );
      for (const row of perFile) {
        const plan = plans[Number(row.file)];
        if (plan !== undefined) plan.stats.rows = Number(row.n);
      }
      return {
        staged: true,
        rows: await count(c, `SELECT 1 ${accepted}`),
        rejected,
        stats: plans.map((p) => p.stats),
      };
    } finally {
      await session.run(`DROP TABLE IF EXISTS audience_so_rejects`);
    }
  } finally {
    await session.run(`DROP TABLE IF EXISTS ${orders}`);
  }
}
