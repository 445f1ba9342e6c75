/**
 * Identity and profiles in SQL (docs/design.md#profile, #rfm, #engines): from the staging tables of staging.ts to
 * the tables of tables.ts (`profiles`, `orders`, `order_lines`, `events`, `event_properties`) that
 * the compiled segment statement reads — the same tables, row for row, as the memory engine's
 * `Profiles` and the rows its sinks count (test/sql-profiles.test.ts proves it).
 *
 * The memory engine meets rows one at a time (contacts, orders as they close, events, lists, each
 * file in turn) and every rule that depends on what came before is written here against that
 * order, as `g`, a row's place in it:
 * - Orders: rows with the same order id in a file are one order; order fields from the first row
 *   where set; totals from lines when no total; refunds deducted; currencies converted or left out;
 *   an order id met in an earlier file is a duplicate. An order takes its place when it closes,
 *   after its last row (the reader keeps recently used orders open and closes the least recently
 *   used first).
 * - Identity (docs/design.md#inputs identity; store.ts `find`, `index`): a row with a customer_id
 *   belongs to that id's customer; a row without one, with an email, to the customer of the id
 *   that sorts first among the rows with an id carrying that email, else to that email's
 *   customer; a phone-only row without an id, to the customer carrying its phone with the id
 *   that sorts first, else the one without an id whose email sorts first, else to the phone's
 *   own customer. It takes nothing from row order (all rows of all inputs decide), and is found
 *   in one statement; a customer is numbered by its first row in the memory engine's order.
 * - Email consent from orders fills what contacts left empty ("no" wins between orders).
 * - Point in time: contacts created after as_of, orders and events dated after it do not count.
 * - RFM (src/rfm): type-7 quintiles of the buyers with the collapse fallback, computed from the
 *   order statistics the database returns (a few values per dimension, never the rows), scored in
 *   SQL.
 *
 * What does not depend on that order (docs/design.md#inputs: results never depend on the order of
 * rows in a file), as ingest-orders.ts `orderBefore` and store.ts decide it:
 * - An order's date and time is the staged `time` of its first dated row: the date and time of day
 *   in the shop's time zone, to the second (a date without a time is its midnight).
 * - A customer's first and last orders: by that time; at the same instant by order id (none first,
 *   then the shorter id, then by text: `9` before `10`); then by what the order carries, compared
 *   as text with an absent value first — the channel for the first order; the product, category
 *   and channel for the last. Orders alike in all of these write the same fields.
 * - An order's own product and category (last_product, last_category): of its lines, the one that
 *   sorts first by product, then category (a line with a product before one without, a line with
 *   a category before one without), as order-assembly.ts does.
 * - `products` and `categories`: each once, by the time of its first purchase, then by name;
 *   `lists` and `tags`: each once, by name.
 * - A customer's email and phone (store.ts `email`): of its contact rows, the one of the earliest
 *   signup day (undated last), then the one that sorts first; else of its other rows, the one that
 *   sorts first. Its customer_id is the one of its rows (a customer has one).
 * - Contact rows of one customer (ingest-contacts.ts `mergeField`): each field, custom columns
 *   too, from the row with the earliest signup day (a row without one after every dated row),
 *   then the value that sorts first; the signup day is the earliest; consent "no" wins.
 * - Name and place from orders (buyer-fields.ts `describeBuyer`): the fields the contacts left
 *   empty (first and last name, country, city, zip) come as one block from the customer's latest
 *   order carrying any of them — by time, then order id, as the last order, then by those fields
 *   as text (an absent value first); an order naming no one is passed over.
 * Text compares in code-point order whatever the collation (`sortText`).
 *
 * Not here: the prediction fields (`p_alive`, `predicted_*`, docs/design.md#predictions) are fitted by numerical
 * optimisation in TypeScript (src/predict) and are refused by this builder.
 */
import type { RfmSettings } from "../rfm/settings.js";
import { QUANTILES, quantileSorted } from "../rfm/cut-points.js";
import { FREQUENCY_THRESHOLDS, type CutPoints, type RfmDimension } from "../rfm/compute.js";
import { PROSPECTS } from "../rfm/segment-map.js";
import { needsPredictions } from "../dsl/env.js";
import type { ExchangeRates } from "../model/ingest-context.js";
import { profileDialectFor, type Dialect } from "./dialect.js";
import { STAGING } from "./staging.js";
import { createTableStatements, profileColumns, sqlType, TABLES } from "./tables.js";

/** Where the statements run: any database session of the dialect. */
export interface SqlSession {
  run(sql: string): Promise<void>;
  query(sql: string): Promise<Record<string, unknown>[]>;
}

export interface ProfileBuildOptions {
  asOf: number;
  /** The profile fields the plan reads (`SegmentPlan.fields`). */
  fields: readonly string[];
  rfm: RfmSettings;
  /** `currency:`: only orders in this currency count. */
  currency?: string;
  exchangeRates?: ExchangeRates;
}

export interface ProfileBuildResult {
  customers: number;
  buyers: number;
  cutPoints: CutPoints;
  /** Identity passes run (the last one changed nothing; the rule needs one). */
  passes: number;
}

/** Temporary tables of the build, dropped at the end. */
const WORK = [
  "aud_order_rows",
  "aud_orders",
  "aud_ident",
  "aud_lab",
  "aud_phone_owner",
  "aud_cust",
  "aud_next",
  "aud_customers",
  "aud_counted",
  "aud_lines",
  "aud_order_stats",
  "aud_contact_fields",
  "aud_order_fields",
  "aud_lists",
  "aud_tags",
  "aud_products",
  "aud_categories",
  "aud_props",
  "aud_events",
  "aud_profile",
] as const;

export async function buildProfileTables(
  d: Dialect,
  session: SqlSession,
  options: ProfileBuildOptions,
): Promise<ProfileBuildResult> {
  const prediction = options.fields.find((f) => needsPredictions(f));
  if (prediction !== undefined) {
    throw new Error(
      `${prediction} is fitted in TypeScript (src/predict); the SQL profile builder does not compute it`,
    );
  }
  const b = new Builder(d, options);
  for (const table of [...WORK, ...Object.values(TABLES)])
    await session.run(`DROP TABLE IF EXISTS ${d.identifier(table)}`);
  for (const sql of b.orderStatements()) await session.run(sql);
  for (const sql of b.identityStatements()) await session.run(sql);
  let passes = 0;
  for (;;) {
    passes++;
    await session.run(b.identityPass());
    const [row] = await session.query(b.identityChanges());
    await session.run(`DROP TABLE aud_cust`);
    await session.run(`ALTER TABLE aud_next RENAME TO aud_cust`);
    if (Number(row?.changed ?? 0) === 0) break;
    if (passes > 10_000) throw new Error("identity passes do not converge");
  }
  for (const sql of keptContactStatements(d)) await session.run(sql);
  for (const sql of b.customerStatements()) await session.run(sql);
  const cutPoints = await b.cutPoints(session);
  for (const sql of createTableStatements(d, options.fields)) await session.run(sql);
  for (const sql of b.outputStatements(cutPoints)) await session.run(sql);
  const [counts] = await session.query(
    `SELECT CAST(COUNT(*) AS ${d.integerType}) AS customers, CAST(SUM(CASE WHEN orders_count > 0 THEN 1 ELSE 0 END) AS ${d.integerType}) AS buyers FROM aud_profile`,
  );
  for (const sql of keptStatements(d)) await session.run(sql);
  for (const table of WORK) await session.run(`DROP TABLE IF EXISTS ${table}`);
  return {
    customers: Number(counts?.customers ?? 0),
    buyers: Number(counts?.buyers ?? 0),
    cutPoints,
    passes,
  };
}

const KIND = { contacts: 0, orders: 1, events: 2, lists: 3 } as const;

/**
 * Temporary tables the build keeps for the input summary's per-file counts (staged-stats.ts):
 * - `identity`: every row that met a customer, in the memory engine's order (`aud_ident`: `kind`
 *   0 contacts, 1 orders — the counted ones —, 2 events, 3 lists; `file`; `g` its place), with
 *   its customer `cust` (the `g` of its first row, which created it), `reason` the identifier the
 *   row carries that links it (2 customer_id, 1 email, 0 phone: ingest-contacts.ts
 *   `countMerged`), and `apart`: 1 for a row kept apart by its phone (store.ts `keptApart`: no
 *   customer_id, an email and a phone, of a customer without an id, the phone another
 *   customer's);
 * - `orders`: every staged order (`aud_orders`) with what decides whether it counts.
 */
export const KEPT_TABLES = { identity: "aud_kept_identity", orders: "aud_kept_orders" } as const;

function keptStatements(d: Dialect): string[] {
  const t = (name: string) => d.identifier(name);
  const apart = `CASE WHEN i.id IS NULL AND i.email IS NOT NULL AND l.lk = 1 AND po.phone IS NOT NULL AND (po.lk <> l.lk OR po.lv <> l.lv) THEN 1 ELSE 0 END`;
  const reason = `CASE WHEN i.id IS NOT NULL THEN 2 WHEN i.email IS NOT NULL THEN 1 ELSE 0 END`;
  return [
    `DROP TABLE IF EXISTS ${t(KEPT_TABLES.identity)}`,
    `CREATE TEMP TABLE ${t(KEPT_TABLES.identity)} AS SELECT i.kind, i.file, i.g, i.pos, c.cust, ${reason} AS reason, ${apart} AS apart FROM aud_ident AS i JOIN aud_cust AS c ON c.g = i.g JOIN aud_lab AS l ON l.g = i.g LEFT JOIN aud_phone_owner AS po ON po.phone = i.phone`,
    `DROP TABLE IF EXISTS ${t(KEPT_TABLES.orders)}`,
    `CREATE TEMP TABLE ${t(KEPT_TABLES.orders)} AS SELECT a.file, a.first_seq, a.last_seq, a.order_id, a.id_first_file, a.day, a.status, a.status_excluded, a.currency FROM aud_orders AS a`,
  ];
}

class Builder {
  private readonly p;
  private readonly q: (name: string) => string;

  constructor(
    private readonly d: Dialect,
    private readonly o: ProfileBuildOptions,
  ) {
    this.p = profileDialectFor(d.name);
    this.q = (name) => d.identifier(name);
  }

  private t(name: string): string {
    return this.d.identifier(name);
  }

  /** Staging orders → one row per order with its fields, amount and whether it counts. */
  orderStatements(): string[] {
    const d = this.d;
    const p = this.p;
    const q = this.q;
    const o = this.o;
    const s = (c: string) => `s.${q(c)}`;
    // Rows of one order share (file, okey, oseq): its order id, or for a file without ids the row.
    const rows = `CREATE TEMP TABLE aud_order_rows AS SELECT ${[
      "file",
      "seq",
      "order_id",
      "customer_id",
      "email",
      "phone",
      "day",
      "total",
      "refunded",
      "status",
      "status_excluded",
      "currency",
      "channel",
      "product",
      "sku",
      "category",
      "first_name",
      "last_name",
      "country",
      "city",
      "zip",
      "email_consent",
    ]
      .map((c) => `${s(c)} AS ${c}`)
      .join(
        ", ",
      )}, CASE WHEN ${s("price")} IS NULL THEN ${d.number(0)} ELSE COALESCE(${s("quantity")}, ${d.number(1)}) * ${s("price")} END AS line_amount, CASE WHEN ${s("time")} IS NULL THEN CAST(${s("day")} AS ${d.doubleType}) * ${d.number(86_400_000)} ELSE ${s("time")} END AS time, COALESCE(${s("order_id")}, '') AS okey, CASE WHEN ${s("order_id")} IS NULL THEN ${s("seq")} ELSE 0 END AS oseq FROM ${this.t(STAGING.orders)} AS s`;

    const first = (c: string) => `${p.firstNonNull(`r.${c}`, "r.seq")} AS ${c}`;
    // The order's own product and category come from its line that sorts first: by product (a
    // line with one first), then category (among lines without a product, the first with one),
    // then place; found here, in the one pass over the rows, rather than by a window over lines.
    const lineOrder = [
      "CASE WHEN r.product IS NULL THEN 1 ELSE 0 END",
      p.sortText("COALESCE(r.product, '')"),
      "CASE WHEN r.category IS NULL THEN 1 ELSE 0 END",
      p.sortText("COALESCE(r.category, '')"),
      "r.seq",
    ];
    // id_first_file: the first file holding the order id, from a grouping of the rows by id
    // joined back (a window partitioned by it would carry every column of the orders through).
    const firstFile = `SELECT r.okey, MIN(r.file) AS id_first_file FROM aud_order_rows AS r GROUP BY r.okey`;
    const orders = `SELECT g.*, ROW_NUMBER() OVER () AS grp, ff.id_first_file, f.customer_id, f.email, f.phone FROM (SELECT r.file, r.okey, r.oseq, MIN(r.order_id) AS order_id, MIN(r.seq) AS first_seq, MAX(r.seq) AS last_seq, ${[
      "day",
      "time",
      "total",
      "refunded",
      "status",
      "status_excluded",
      "currency",
      "channel",
      "first_name",
      "last_name",
      "country",
      "city",
      "zip",
      "email_consent",
    ]
      .map(first)
      .join(
        ", ",
      )}, ${p.orderedSum("r.line_amount", "r.seq")} AS line_sum, ${p.firstNonNullBy("r.seq", lineOrder)} AS pick_seq FROM aud_order_rows AS r GROUP BY r.file, r.okey, r.oseq) AS g JOIN aud_order_rows AS f ON f.file = g.file AND f.seq = g.first_seq JOIN (${firstFile}) AS ff ON ff.okey = g.okey`;

    // Amount and whether the order counts (order-assembly.ts closeOrder, order-folding.ts foldOrder): not a duplicate of an
    // order of an earlier file, dated, status not excluded, up to as_of, currency kept, amount >= 0.
    const rate = this.rateExpression("a.currency");
    const base = `(CASE WHEN a.refunded IS NULL THEN COALESCE(a.total, a.line_sum) ELSE COALESCE(a.total, a.line_sum) - a.refunded END)`;
    const excluded = "COALESCE(a.status_excluded, FALSE)";
    const otherCurrency =
      o.currency === undefined
        ? "FALSE"
        : `(a.currency IS NOT NULL AND a.currency <> ${d.string(o.currency)})`;
    const withAmount = `SELECT a.*, ${rate} AS rate, CASE WHEN ${rate} IS NULL THEN ${d.number(0)} WHEN ${rate} = ${d.number(1)} THEN ${base} ELSE ${base} * ${rate} END AS amount FROM (${orders}) AS a`;
    const counted = `CREATE TEMP TABLE aud_orders AS SELECT a.*, (NOT (a.order_id IS NOT NULL AND a.id_first_file < a.file) AND a.day IS NOT NULL AND NOT (${excluded}) AND a.day <= ${d.integer(o.asOf)} AND NOT (${otherCurrency}) AND a.amount >= ${d.number(0)}) AS counted FROM (${withAmount}) AS a`;
    return [rows, counted];
  }

  /** The rate of `currency` into the reporting currency: 1, a rate, or NULL (no rate: amount 0). */
  private rateExpression(currency: string): string {
    const d = this.d;
    const x = this.o.exchangeRates;
    if (x === undefined) return d.number(1);
    const whens = [...x.rates]
      .filter(([name]) => name !== x.reporting)
      .map(([name, rate]) => `WHEN ${currency} = ${d.string(name)} THEN ${d.number(rate)}`);
    return `(CASE WHEN ${currency} IS NULL OR ${currency} = ${d.string(x.reporting)} THEN ${d.number(1)} ${whens.join(" ")} ELSE CAST(NULL AS ${d.doubleType}) END)`;
  }

  /** The rows that meet a customer, in the memory engine's order, and the customer of each. */
  identityStatements(): string[] {
    const d = this.d;
    const q = this.q;
    const asOf = d.integer(this.o.asOf);
    // `key_rank`: which of a customer's emails and phones it keeps (store.ts `email`): of its contact
    // rows, the earliest signup day (undated after dated), then the value that sorts first; of its
    // other rows (when no contact row has one), the value that sorts first.
    const rank = (v: string) => `CAST(${v} AS ${d.integerType})`;
    const other = rank(d.integer(2_000_000_000));
    const keys = (a: string) =>
      `${a}.${q("customer_id")} AS id, ${a}.${q("email")} AS email, ${a}.${q("phone")} AS phone`;
    const parts = [
      `SELECT ${KIND.contacts} AS kind, c.${q("file")} AS file, c.${q("seq")} AS pos, c.${q("seq")} AS ref, ${keys("c")}, ${rank(`COALESCE(c.${q("signup_day")}, ${d.integer(1_000_000_000)})`)} AS key_rank FROM ${this.t(STAGING.contacts)} AS c WHERE c.${q("signup_day")} IS NULL OR c.${q("signup_day")} <= ${asOf}`,
      `SELECT ${KIND.orders} AS kind, o.file, o.last_seq AS pos, o.grp AS ref, o.customer_id AS id, o.email, o.phone, ${other} AS key_rank FROM aud_orders AS o WHERE o.counted`,
      `SELECT ${KIND.events} AS kind, e.${q("file")} AS file, e.${q("seq")} AS pos, e.${q("seq")} AS ref, ${keys("e")}, ${other} AS key_rank FROM ${this.t(STAGING.events)} AS e WHERE e.${q("day")} <= ${asOf}`,
      `SELECT ${KIND.lists} AS kind, l.${q("file")} AS file, l.${q("seq")} AS pos, l.${q("seq")} AS ref, ${keys("l")}, ${other} AS key_rank FROM ${this.t(STAGING.lists)} AS l`,
    ];
    // The order-free rule (docs/design.md#inputs identity), from all rows at once: a row with a
    // customer_id is that id's customer; a row without one, with an email, the customer of the id
    // that sorts first of the rows with an id carrying that email, else that email's customer; a
    // phone-only row without an id, the customer carrying its phone (any other row is a carrier)
    // with the customer_id that sorts first, else the one whose email sorts first, else the
    // phone's own. A customer is numbered by its first row (`cust`), as the memory engine creates
    // it. `lk`, `lv`: the customer as a kind (0 id, 1 email, 2 phone) and a value.
    // `aud_lab`: each row's own customer (`carrier`: a row with an id or an email decides its
    // customer itself); `aud_phone_owner`: of each phone, the customer phone-only rows go to.
    // The LEFT JOINs hold only their equality: a condition on one side beside it (`i.id IS NULL`)
    // makes DuckDB join block by block, every row against every row (106 s instead of 0.1 s at
    // 200,000 contacts); the CASEs read the joined row only where that condition holds.
    const sort = (t: string) => this.p.sortText(t);
    const fid = `SELECT i.email, MIN(${sort("i.id")}) AS id FROM aud_ident AS i WHERE i.id IS NOT NULL AND i.email IS NOT NULL GROUP BY i.email`;
    const pk = `SELECT l.phone, MIN(l.lk) AS lk FROM aud_lab AS l WHERE l.carrier = 1 AND l.phone IS NOT NULL GROUP BY l.phone`;
    const fin = `SELECT l.g, CASE WHEN l.carrier = 1 OR po.phone IS NULL THEN l.lk ELSE po.lk END AS lk, CASE WHEN l.carrier = 1 OR po.phone IS NULL THEN l.lv ELSE po.lv END AS lv FROM aud_lab AS l LEFT JOIN aud_phone_owner AS po ON po.phone = l.phone`;
    return [
      `CREATE TEMP TABLE aud_ident AS SELECT u.*, ROW_NUMBER() OVER (ORDER BY u.kind, u.file, u.pos) AS g FROM (${parts.join(" UNION ALL ")}) AS u`,
      `CREATE TEMP TABLE aud_lab AS SELECT i.g, i.phone, CASE WHEN i.id IS NOT NULL OR i.email IS NOT NULL THEN 1 ELSE 0 END AS carrier, CASE WHEN i.id IS NOT NULL OR f.id IS NOT NULL THEN 0 WHEN i.email IS NOT NULL THEN 1 ELSE 2 END AS lk, CASE WHEN i.id IS NOT NULL THEN i.id WHEN f.id IS NOT NULL THEN f.id WHEN i.email IS NOT NULL THEN i.email ELSE i.phone END AS lv FROM aud_ident AS i LEFT JOIN (${fid}) AS f ON f.email = i.email`,
      `CREATE TEMP TABLE aud_phone_owner AS SELECT l.phone, l.lk, MIN(${sort("l.lv")}) AS lv FROM aud_lab AS l JOIN (${pk}) AS pk ON pk.phone = l.phone AND pk.lk = l.lk WHERE l.carrier = 1 GROUP BY l.phone, l.lk`,
      `CREATE TEMP TABLE aud_cust AS SELECT fin.g, MIN(fin.g) OVER (PARTITION BY fin.lk, fin.lv) AS cust FROM (${fin}) AS fin`,
    ];
  }

  /**
   * A pass of the build's identity loop: the rule above decides every row from all rows at once,
   * so the first pass confirms the assignment (nothing changes).
   */
  identityPass(): string {
    return `CREATE TEMP TABLE aud_next AS SELECT c.g, c.cust FROM aud_cust AS c`;
  }

  identityChanges(): string {
    return `SELECT CAST(COUNT(*) AS ${this.d.integerType}) AS changed FROM aud_next AS n JOIN aud_cust AS c ON c.g = n.g WHERE n.cust <> c.cust`;
  }

  /** Customers and everything they are made of, up to `aud_profile` (one row per customer). */
  customerStatements(): string[] {
    const d = this.d;
    const p = this.p;
    const q = this.q;
    const asOf = this.o.asOf;
    const int = d.integerType;
    const dbl = d.doubleType;
    const out: string[] = [];
    out.push(
      `CREATE TEMP TABLE aud_customers AS SELECT x.cust, CAST(ROW_NUMBER() OVER (ORDER BY x.cust) - 1 AS ${int}) AS customer, x.customer_id, x.email, x.phone, x.known FROM (SELECT c.cust, ${p.firstNonNull("i.id", "i.g")} AS customer_id, ${p.firstNonNullBy("i.email", ["i.key_rank", p.sortText("i.email")])} AS email, ${p.firstNonNullBy("i.phone", ["i.key_rank", p.sortText("i.phone")])} AS phone, MAX(CASE WHEN i.kind = ${KIND.contacts} THEN 1 ELSE 0 END) AS known FROM aud_ident AS i JOIN aud_cust AS c ON c.g = i.g GROUP BY c.cust) AS x`,
    );
    // Contact rows of each customer, merged (ingest-contacts.ts `mergeField`): each field from the
    // row with the earliest signup day (a row without one after every dated row), then the value
    // that sorts first; the signup day is the earliest; consent "no" wins.
    const sc = (c: string) => `s.${q(c)}`;
    const signup = sc("signup_day");
    const byRank = (v: string) =>
      p.firstNonNullBy(v, [
        `CASE WHEN ${signup} IS NULL THEN 1 ELSE 0 END`,
        `COALESCE(${signup}, 0)`,
        p.sortText(v),
      ]);
    const firstOf = (c: string) => `${byRank(sc(c))} AS ${c}`;
    const consent = (c: string) =>
      `MIN(CASE WHEN ${sc(c)} IS NULL THEN NULL WHEN ${sc(c)} THEN 1 ELSE 0 END) AS ${c}`;
    const contactJoin = `FROM aud_ident AS i JOIN aud_cust AS c ON c.g = i.g JOIN ${this.t(STAGING.contacts)} AS s ON i.kind = ${KIND.contacts} AND s.${q("file")} = i.file AND s.${q("seq")} = i.ref`;
    out.push(
      `CREATE TEMP TABLE aud_contact_fields AS SELECT c.cust, ${[
        "first_name",
        "last_name",
        "country",
        "city",
        "zip",
        "acquisition_channel",
      ]
        .map(firstOf)
        .join(
          ", ",
        )}, MIN(${signup}) AS signup_day, ${["email_consent", "sms_consent", "whatsapp_consent"].map(consent).join(", ")} ${contactJoin} GROUP BY c.cust`,
    );

    // Counted orders with their customer and place; the order key is the place. The order rows of
    // aud_ident are consecutive in g (it numbers by kind first) and are the counted orders, each
    // met once here: their rank is g less the first one's (no sort of the wide rows).
    out.push(
      `CREATE TEMP TABLE aud_counted AS SELECT o.*, i.g, cu.customer, CAST(i.g - (SELECT MIN(j.g) FROM aud_ident AS j WHERE j.kind = ${KIND.orders}) AS ${int}) AS order_key FROM aud_orders AS o JOIN aud_ident AS i ON i.kind = ${KIND.orders} AND i.ref = o.grp JOIN aud_cust AS c ON c.g = i.g JOIN aud_customers AS cu ON cu.cust = c.cust`,
    );
    out.push(
      `CREATE TEMP TABLE aud_lines AS SELECT k.order_key, k.g, r.seq, r.product, r.sku, r.category, r.line_amount * COALESCE(k.rate, ${d.number(0)}) AS amount, CASE WHEN r.seq = k.pick_seq THEN 1 ELSE 0 END AS pick FROM aud_counted AS k JOIN aud_order_rows AS r ON r.file = k.file AND r.okey = k.okey AND r.oseq = k.oseq`,
    );
    // First and last orders (ingest-orders.ts `orderBefore`): by date and time of day, then order
    // id (none first, then the shorter, then by text), then what the order carries, absent first:
    // the channel for the first order; the product, category and channel (its line that sorts
    // first) for the last. Orders alike in all of these change nothing written: the first met.
    const text = (v: string) => p.sortText(`COALESCE(${v}, '')`);
    const byId = (dir: "ASC" | "DESC", a = "k") =>
      `${a}.time ${dir}, length(COALESCE(${a}.order_id, '')) ${dir}, ${text(`${a}.order_id`)} ${dir}`;
    const firstOrder = `${byId("ASC")}, ${text("k.channel")} ASC, k.g ASC`;
    const lastOrder = `${byId("DESC")}, ${text("lp.product")} DESC, ${text("lp.category")} DESC, ${text("k.channel")} DESC, k.g ASC`;
    out.push(
      `CREATE TEMP TABLE aud_order_stats AS SELECT a.customer, a.orders_count, a.total_spent, f.day AS first_day, f.channel AS first_channel, l.day AS last_day, l.channel AS last_channel, l.product AS last_product, l.category AS last_category FROM (SELECT k.customer, CAST(COUNT(*) AS ${dbl}) AS orders_count, ${p.orderedSum("k.amount", "k.g")} AS total_spent FROM aud_counted AS k GROUP BY k.customer) AS a JOIN (SELECT k.customer, k.day, k.channel, ROW_NUMBER() OVER (PARTITION BY k.customer ORDER BY ${firstOrder}) AS n FROM aud_counted AS k) AS f ON f.customer = a.customer AND f.n = 1 JOIN (SELECT k.customer, k.day, k.channel, lp.product, lp.category, ROW_NUMBER() OVER (PARTITION BY k.customer ORDER BY ${lastOrder}) AS n FROM aud_counted AS k JOIN aud_lines AS lp ON lp.order_key = k.order_key AND lp.pick = 1) AS l ON l.customer = a.customer AND l.n = 1`,
    );
    // Name and place from the orders (buyer-fields.ts `describeBuyer`): the fields the contacts
    // left empty, as one block, from the latest order that carries any of them — by date and time
    // of day, then order id, then (orders alike in both) those fields as text, an absent value
    // first; the latest order wins ties on all of these with values equal to its own.
    // Email consent from the orders: "no" wins.
    const place = ["first_name", "last_name", "country", "city", "zip"];
    const mine = (c: string) => `CASE WHEN cf.${c} IS NULL THEN k.${c} END`;
    const latest = `${byId("DESC", "m")}, ${place.map((c) => `${text(`m.${c}`)} DESC`).join(", ")}, m.g ASC`;
    out.push(
      `CREATE TEMP TABLE aud_order_fields AS SELECT c.customer, ${place.map((f) => `b.${f}`).join(", ")}, c.email_consent FROM (SELECT k.customer, MIN(CASE WHEN k.email_consent IS NULL THEN NULL WHEN k.email_consent THEN 1 ELSE 0 END) AS email_consent FROM aud_counted AS k GROUP BY k.customer) AS c LEFT JOIN (SELECT m.*, ROW_NUMBER() OVER (PARTITION BY m.customer ORDER BY ${latest}) AS n FROM (SELECT k.customer, k.g, k.time, k.order_id, ${place.map((c) => `${mine(c)} AS ${c}`).join(", ")} FROM aud_counted AS k JOIN aud_customers AS cu ON cu.customer = k.customer LEFT JOIN aud_contact_fields AS cf ON cf.cust = cu.cust) AS m WHERE ${place.map((c) => `m.${c} IS NOT NULL`).join(" OR ")}) AS b ON b.customer = c.customer AND b.n = 1`,
    );

    // Tags (of the contact rows) and lists (of the contact rows and of the list rows): each once,
    // by name.
    const cv = (kind: string) =>
      `SELECT cu.customer, v.${q("value")} AS value, i.g, v.${q("pos")} AS pos FROM ${this.t(STAGING.contactValues)} AS v JOIN aud_ident AS i ON i.kind = ${KIND.contacts} AND i.file = v.${q("file")} AND i.ref = v.${q("seq")} JOIN aud_cust AS c ON c.g = i.g JOIN aud_customers AS cu ON cu.cust = c.cust WHERE v.${q("kind")} = ${d.string(kind)}`;
    const listRows = `SELECT cu.customer, l.${q("list")} AS value, i.g, 0 AS pos FROM ${this.t(STAGING.lists)} AS l JOIN aud_ident AS i ON i.kind = ${KIND.lists} AND i.file = l.${q("file")} AND i.ref = l.${q("seq")} JOIN aud_cust AS c ON c.g = i.g JOIN aud_customers AS cu ON cu.cust = c.cust`;
    const byName = (table: string, source: string) =>
      `CREATE TEMP TABLE ${table} AS SELECT u.customer, ${p.listAgg("u.value", [p.sortText("u.value")])} AS items FROM (SELECT DISTINCT x.customer, x.value FROM (${source}) AS x) AS u GROUP BY u.customer`;
    // Only the lists the plan reads are built (each is a sort of its values).
    const wants = new Set(this.o.fields);
    if (wants.has("tags")) out.push(byName("aud_tags", cv("tag")));
    if (wants.has("lists")) out.push(byName("aud_lists", `${cv("list")} UNION ALL ${listRows}`));
    // Products and categories: each once, by the date and time of its first purchase, then by name.
    const byFirstPurchase = (table: string, c: string) =>
      `CREATE TEMP TABLE ${table} AS SELECT u.customer, ${p.listAgg("u.value", ["u.since", p.sortText("u.value")])} AS items FROM (SELECT k.customer, l.${c} AS value, MIN(k.time) AS since FROM aud_lines AS l JOIN aud_counted AS k ON k.order_key = l.order_key WHERE l.${c} IS NOT NULL GROUP BY k.customer, l.${c}) AS u GROUP BY u.customer`;
    if (wants.has("products")) out.push(byFirstPurchase("aud_products", "product"));
    if (wants.has("categories")) out.push(byFirstPurchase("aud_categories", "category"));

    // Custom contact columns: per name, as the contact fields (the earliest signup day, then text).
    out.push(
      `CREATE TEMP TABLE aud_props AS SELECT cu.customer, v.${q("name")} AS name, ${byRank(`v.${q("value")}`)} AS value FROM ${this.t(STAGING.contactProps)} AS v JOIN aud_ident AS i ON i.kind = ${KIND.contacts} AND i.file = v.${q("file")} AND i.ref = v.${q("seq")} JOIN ${this.t(STAGING.contacts)} AS s ON s.${q("file")} = i.file AND s.${q("seq")} = i.ref JOIN aud_cust AS c ON c.g = i.g JOIN aud_customers AS cu ON cu.cust = c.cust GROUP BY cu.customer, v.${q("name")}`,
    );

    // Events up to as_of, in file order.
    out.push(
      `CREATE TEMP TABLE aud_events AS SELECT CAST(ROW_NUMBER() OVER (ORDER BY i.g) - 1 AS ${int}) AS event_key, cu.customer, i.file, i.ref AS seq, e.${q("type")} AS type, e.${q("day")} AS day FROM aud_ident AS i JOIN aud_cust AS c ON c.g = i.g JOIN aud_customers AS cu ON cu.cust = c.cust JOIN ${this.t(STAGING.events)} AS e ON i.kind = ${KIND.events} AND e.${q("file")} = i.file AND e.${q("seq")} = i.ref`,
    );

    // One row per customer: everything but RFM.
    const cents = (v: string) =>
      `FLOOR(${v} * ${d.number(100)} + ${d.number(0.5)}) / ${d.number(100)}`;
    out.push(
      `CREATE TEMP TABLE aud_profile AS SELECT cu.customer, COALESCE(cu.customer_id, cu.email, cu.phone, '') AS customer_key, cu.customer_id, cu.email, cu.phone, CASE WHEN cu.known = 1 THEN TRUE ELSE FALSE END AS known_contact, CASE WHEN cu.phone IS NOT NULL AND cu.phone IN (SELECT ${q("phone")} FROM ${this.t(STAGING.untextablePhones)}) THEN FALSE ELSE TRUE END AS can_text, ${["first_name", "last_name", "country", "city", "zip"].map((c) => `COALESCE(cf.${c}, ofl.${c}) AS ${c}`).join(", ")}, cf.acquisition_channel AS contact_channel, cf.signup_day, COALESCE(cf.email_consent, ofl.email_consent) AS email_consent_value, cf.sms_consent AS sms_consent_value, cf.whatsapp_consent AS whatsapp_consent_value, COALESCE(os.orders_count, ${d.number(0)}) AS orders_count, ${cents(`COALESCE(os.total_spent, ${d.number(0)})`)} AS total_spent, os.first_day, os.last_day, os.first_channel, os.last_channel, os.last_product, os.last_category, ${asOf} - os.last_day AS recency FROM aud_customers AS cu LEFT JOIN aud_contact_fields AS cf ON cf.cust = cu.cust LEFT JOIN aud_order_fields AS ofl ON ofl.customer = cu.customer LEFT JOIN aud_order_stats AS os ON os.customer = cu.customer`,
    );
    return out;
  }

  /**
   * The cut points of each dimension (compute.ts `computeRfm`): fixed ones as given, else the
   * type-7 quintiles of the buyers' values — read from the database as the few order statistics
   * they interpolate between — with the collapse fallback.
   */
  async cutPoints(session: SqlSession): Promise<CutPoints> {
    const d = this.d;
    const [row] = await session.query(
      `SELECT CAST(COUNT(*) AS ${d.integerType}) AS n FROM aud_profile WHERE orders_count > 0`,
    );
    const n = Number(row?.n ?? 0);
    const value: Record<RfmDimension, string> = {
      recency: "recency",
      frequency: "orders_count",
      monetary: "total_spent",
    };
    const result = {} as CutPoints;
    for (const dimension of ["recency", "frequency", "monetary"] as const) {
      const given = this.o.rfm.fixed[dimension];
      if (given !== undefined) {
        result[dimension] = given;
        continue;
      }
      if (n === 0) {
        result[dimension] = [];
        continue;
      }
      const column = `CAST(${value[dimension]} AS ${d.doubleType})`;
      const all = await this.quintiles(
        session,
        `SELECT ${column} AS v FROM aud_profile WHERE orders_count > 0`,
        n,
      );
      if (n < 5 || new Set(all).size >= 3) {
        result[dimension] = all;
      } else if (dimension === "frequency") {
        result[dimension] = [...FREQUENCY_THRESHOLDS];
      } else {
        const distinctSql = `SELECT DISTINCT ${column} AS v FROM aud_profile WHERE orders_count > 0`;
        const [count] = await session.query(
          `SELECT CAST(COUNT(*) AS ${d.integerType}) AS n FROM (${distinctSql}) AS x`,
        );
        const m = Number(count?.n ?? 0);
        result[dimension] = m < 2 ? all : await this.quintiles(session, distinctSql, m);
      }
    }
    return result;
  }

  /** The four quintiles of the `n` values `source` selects (cut-points.ts `quintileCutPoints`). */
  private async quintiles(session: SqlSession, source: string, n: number): Promise<number[]> {
    const d = this.d;
    const wanted = new Set<number>();
    for (const p of QUANTILES) {
      const lo = Math.floor((n - 1) * p);
      wanted.add(lo);
      wanted.add(Math.min(lo + 1, n - 1));
    }
    const rows = await session.query(
      `SELECT CAST(x.i AS ${d.integerType}) AS i, x.v FROM (SELECT s.v, ROW_NUMBER() OVER (ORDER BY s.v) - 1 AS i FROM (${source}) AS s) AS x WHERE x.i IN (${[...wanted].join(", ")})`,
    );
    // A sparse array holding the order statistics at their ranks: quantileSorted reads only those.
    const sorted = new Float64Array(n);
    for (const r of rows) sorted[Number(r.i)] = Number(r.v);
    return QUANTILES.map((p) => Math.round(quantileSorted(sorted, p) * 1e9) / 1e9);
  }

  /** Fills the tables of tables.ts. */
  outputStatements(cuts: CutPoints): string[] {
    const d = this.d;
    const p = this.p;
    const q = this.q;
    const asOf = this.o.asOf;
    const x = (v: string, name: string) => `(${v}) AS ${q(name)}`;
    const above = (v: string, list: readonly number[], op: "<" | ">") =>
      list.length === 0
        ? "1"
        : `(1 + ${list.map((c) => `CASE WHEN ${d.number(c)} ${op} ${v} THEN 1 ELSE 0 END`).join(" + ")})`;
    const r = above("a.recency", cuts.recency, ">");
    const f = above("a.orders_count", cuts.frequency, "<");
    const m = above("a.total_spent", cuts.monetary, "<");
    const map = this.o.rfm.map;
    const segment = `CASE ${[1, 2, 3, 4, 5]
      .flatMap((rs) =>
        [1, 2, 3, 4, 5].map(
          (fs) => `WHEN s.rfm_r = ${rs} AND s.rfm_f = ${fs} THEN ${d.string(map[rs - 1][fs - 1])}`,
        ),
      )
      .join(" ")} END`;
    const text = (v: string) => `CAST(${v} AS ${d.textType})`;
    const scored = `SELECT a.*, CASE WHEN a.orders_count > 0 THEN ${r} END AS rfm_r, CASE WHEN a.orders_count > 0 THEN ${f} END AS rfm_f, CASE WHEN a.orders_count > 0 THEN ${m} END AS rfm_m, CASE WHEN a.orders_count > 0 THEN CAST(RANK() OVER (PARTITION BY CASE WHEN a.orders_count > 0 THEN 1 ELSE 0 END ORDER BY a.total_spent) - 1 AS ${d.doubleType}) / CAST(SUM(CASE WHEN a.orders_count > 0 THEN 1 ELSE 0 END) OVER () AS ${d.doubleType}) * ${d.number(100)} END AS revenue_percentile FROM aud_profile AS a`;
    // Lists and properties come by joins (a correlated subquery is a scan per customer in PostgreSQL).
    const joins: string[] = [];
    const joined = (table: string, alias: string): string => {
      joins.push(`LEFT JOIN ${table} AS ${alias} ON ${alias}.customer = s.customer`);
      return alias;
    };
    const wants = new Set(this.o.fields);
    const list = (table: string, field: string) =>
      wants.has(field)
        ? `COALESCE(${joined(table, `j_${table}`)}.items, ${p.emptyList})`
        : p.emptyList;
    const days = (v: string) => `CAST(${d.integer(asOf)} - ${v} AS ${d.doubleType})`;
    const fieldSql: Record<string, string> = {
      customer: "s.customer",
      customer_key: "s.customer_key",
      customer_id: "s.customer_id",
      email: "s.email",
      phone: "s.phone",
      first_name: "s.first_name",
      last_name: "s.last_name",
      country: "s.country",
      city: "s.city",
      zip: "s.zip",
      acquisition_channel: "COALESCE(s.contact_channel, s.first_channel)",
      signup_date: "s.signup_day",
      email_consent: "COALESCE(s.email_consent_value = 1, FALSE)",
      sms_consent: "COALESCE(s.sms_consent_value = 1, FALSE)",
      whatsapp_consent:
        "CASE WHEN s.whatsapp_consent_value IS NULL THEN COALESCE(s.sms_consent_value = 1, FALSE) ELSE s.whatsapp_consent_value = 1 END",
      can_text: "s.can_text",
      tags: list("aud_tags", "tags"),
      lists: list("aud_lists", "lists"),
      known_contact: "s.known_contact",
      orders_count: "s.orders_count",
      total_spent: "s.total_spent",
      avg_order_value: `CASE WHEN s.orders_count > 0 THEN FLOOR(s.total_spent / s.orders_count * ${d.number(100)} + ${d.number(0.5)}) / ${d.number(100)} END`,
      first_order_date: "s.first_day",
      last_order_date: "s.last_day",
      days_since_first_order: days("s.first_day"),
      days_since_last_order: days("s.last_day"),
      days_since_signup: days("s.signup_day"),
      first_order_channel: "s.first_channel",
      last_order_channel: "s.last_channel",
      last_product: "s.last_product",
      last_category: "s.last_category",
      products: list("aud_products", "products"),
      categories: list("aud_categories", "categories"),
      rfm_r: "s.rfm_r",
      rfm_f: "s.rfm_f",
      rfm_m: "s.rfm_m",
      rfm_score: `CASE WHEN s.rfm_r IS NOT NULL THEN ${text("s.rfm_r")} || ${text("s.rfm_f")} || ${text("s.rfm_m")} END`,
      rfm_segment: `CASE WHEN s.rfm_r IS NULL THEN ${d.string(PROSPECTS)} ELSE ${segment} END`,
      revenue_percentile: "s.revenue_percentile",
    };
    const columns = profileColumns(this.o.fields);
    const select = columns.map((c) => {
      let v = fieldSql[c.name];
      if (v === undefined && c.name.startsWith("props.")) {
        const alias = joined(
          `(SELECT pr.customer, pr.value FROM aud_props AS pr WHERE pr.name = ${d.string(c.name.slice("props.".length))})`,
          `j_prop_${joins.length}`,
        );
        v = `${alias}.value`;
      }
      if (v === undefined) throw new Error(`no SQL for profile field ${c.name}`);
      return x(`CAST(${v} AS ${sqlType(d, c.type)})`, c.name);
    });
    const sc = (c: string) => `e.${q(c)}`;
    return [
      `INSERT INTO ${d.tableName(TABLES.profiles)} (${columns.map((c) => q(c.name)).join(", ")}) SELECT ${select.join(", ")} FROM (${scored}) AS s ${joins.join(" ")} ORDER BY s.customer`,
      `INSERT INTO ${d.tableName(TABLES.orders)} (${q("order_key")}, ${q("customer")}, ${q("day")}, ${q("channel")}, ${q("amount")}) SELECT k.order_key, k.customer, k.day, k.channel, k.amount FROM aud_counted AS k WHERE k.counted ORDER BY k.order_key`,
      `INSERT INTO ${d.tableName(TABLES.orderLines)} (${q("order_key")}, ${q("product")}, ${q("sku")}, ${q("category")}, ${q("amount")}) SELECT l.order_key, l.product, l.sku, l.category, l.amount FROM aud_lines AS l ORDER BY l.order_key, l.seq`,
      `INSERT INTO ${d.tableName(TABLES.events)} (${q("event_key")}, ${q("customer")}, ${q("type")}, ${q("day")}) SELECT v.event_key, v.customer, v.type, v.day FROM aud_events AS v ORDER BY v.event_key`,
      `INSERT INTO ${d.tableName(TABLES.eventProperties)} (${q("event_key")}, ${q("name")}, ${q("text")}, ${q("number")}, ${q("flag")}) SELECT v.event_key, ${sc("name")}, ${sc("text")}, ${sc("number")}, ${sc("flag")} FROM aud_events AS v JOIN ${this.t(STAGING.eventProperties)} AS e ON ${sc("file")} = v.file AND ${sc("seq")} = v.seq ORDER BY v.event_key`,
    ];
  }
}

/**
 * A temporary table each build keeps for the consent warning of stage-consent.ts: every contact row
 * that meets a customer (signup on or before as_of), as staged (`file`, `seq`), with its place `g`
 * and its customer `cust` (the `g` of the row that created it) after the identity passes.
 */
export const KEPT_CONTACTS = "aud_kept_contacts";

function keptContactStatements(d: Dialect): string[] {
  const t = d.identifier(KEPT_CONTACTS);
  return [
    `DROP TABLE IF EXISTS ${t}`,
    `CREATE TEMP TABLE ${t} AS SELECT i.file, i.ref AS seq, i.g, c.cust FROM aud_ident AS i JOIN aud_cust AS c ON c.g = i.g WHERE i.kind = ${KIND.contacts}`,
  ];
}
