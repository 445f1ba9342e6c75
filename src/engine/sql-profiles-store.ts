/**
 * The `Profiles` of a SQL run read back from the database (docs/design.md#engines): the `profiles`
 * table of tables.ts, built by src/sql/profiles-sql.ts with the columns `storeFields` names, read
 * row by row in customer order (the session's `each`: DuckDB streams it chunk by chunk) into a
 * `CustomerStore` — customer `c` of the store is row `customer = c` — and the `Profiles` over it.
 *
 * What the rest of the CLI reads (counts, RFM, channels, the writers' columns and guards, report,
 * manifest) then comes from the database, the same values as the memory engine's:
 * - Text, numbers, dates, consent and lists are the table's columns. Consent is stored resolved
 *   (1 or 0; WhatsApp already falls back to SMS in SQL), which every reader of the store reads the
 *   same way as the memory engine's yes / no / not given. `acquisition_channel` goes in
 *   `contactChannel` (the getter reads the contact's channel, else the first order's).
 * - `products` and `categories` come as SQL lists already in first-purchase order; the store keeps
 *   each name with its place in that list, which `listByFirstPurchase` sorts back to the same order.
 * - `sharedEmail` / `sharedPhone` (the writers' duplicate check) are computed in SQL: 1 when another
 *   customer has the same email (phone). The memory engine also marks customers that merely met
 *   a shared value; only whether a written value can repeat matters, and that is exact here.
 * - `cannotText` is the table's `can_text` (the staged untextable phones, sql-run.ts).
 * - RFM scores, segments and revenue percentiles are computed by `Profiles` from the read
 *   `orders_count`, `total_spent` and `last_order_date`, as for the memory engine.
 *
 * Not filled: the plan's aggregates (the compiled statement computes them), the prediction inputs
 * (`purchaseDays`, `firstDaySpent`: prediction plans are not run in SQL), the ingest's bookkeeping
 * (order ids, contact ranks, described order), and — unless `index` is asked — the identifier
 * indexes (`byId`, `byEmail`, `byPhone`), which only `audience explain KEY` reads.
 */
import type { RfmSettings } from "../rfm/settings.js";
import { Profiles } from "../model/profile.js";
import { CustomerStore } from "../model/store.js";
import type { SqlSession } from "./session.js";

/** The list fields, built in SQL only when some reader needs them. */
const LIST_FIELDS = ["tags", "lists", "products", "categories"] as const;

/** The scalar columns the store is filled from, in the order they are selected. */
const SCALARS = [
  "customer",
  "customer_id",
  "email",
  "phone",
  "first_name",
  "last_name",
  "country",
  "city",
  "zip",
  "acquisition_channel",
  "first_order_channel",
  "last_order_channel",
  "last_product",
  "last_category",
  "signup_date",
  "email_consent",
  "sms_consent",
  "whatsapp_consent",
  "can_text",
  "known_contact",
  "orders_count",
  "total_spent",
  "first_order_date",
  "last_order_date",
] as const;

/**
 * The profile fields the `profiles` table must have for `readSqlProfiles`, for a run whose readers
 * need `fields` (`DataNeeds.fields`: profile fields and `props.NAME`): every scalar column, the
 * lists and custom columns among `fields`.
 */
export function storeFields(fields: readonly string[]): string[] {
  const wanted = new Set(fields);
  return [
    ...new Set([
      ...SCALARS.filter((f) => f !== "customer"),
      ...LIST_FIELDS.filter((f) => wanted.has(f)),
      ...fields.filter((f) => f.startsWith("props.")),
    ]),
  ].sort();
}

export interface SqlProfilesOptions {
  asOf: number;
  rfm: RfmSettings;
  /** What the run's readers need (`DataNeeds.fields`): decides the lists and props read. */
  fields: readonly string[];
  /** Fill `byId`, `byEmail` and `byPhone` (for `audience explain KEY`). */
  index?: boolean;
}

/** The store and profiles of the `profiles` table on `session` (built with `storeFields`). */
export async function readSqlProfiles(
  session: SqlSession,
  options: SqlProfilesOptions,
): Promise<Profiles> {
  const d = session.dialect;
  const q = (name: string) => d.identifier(name);
  const wanted = new Set(options.fields);
  const lists = LIST_FIELDS.filter((f) => wanted.has(f));
  const propNames = [
    ...new Set(options.fields.filter((f) => f.startsWith("props.")).map((f) => f.slice(6))),
  ];
  const store = new CustomerStore(0, propNames);
  const profiles = d.tableName("profiles");
  // The values more than one customer has: a grouping of one column each, joined back (a window
  // partitioned by the value would carry every column of the table through its sort).
  const repeated = (column: string) =>
    `(SELECT ${q(column)} AS v FROM ${profiles} WHERE ${q(column)} IS NOT NULL GROUP BY ${q(column)} HAVING COUNT(*) > 1)`;
  const select = [
    ...SCALARS.map((f) => `p.${q(f)}`),
    ...lists.map((f) => `p.${q(f)}`),
    ...propNames.map((name) => `p.${q(`props.${name}`)}`),
    `CASE WHEN se.v IS NULL THEN 0 ELSE 1 END AS ${q("shared_email")}`,
    `CASE WHEN sp.v IS NULL THEN 0 ELSE 1 END AS ${q("shared_phone")}`,
  ];
  const sql = `SELECT ${select.join(", ")} FROM ${profiles} AS p LEFT JOIN ${repeated("email")} AS se ON se.v = p.${q("email")} LEFT JOIN ${repeated("phone")} AS sp ON sp.v = p.${q("phone")} ORDER BY p.${q("customer")}`;

  const s = store;
  const text = (v: unknown): string | undefined => (v === null ? undefined : (v as string));
  const shared_ = (v: unknown): string | undefined =>
    v === null ? undefined : s.strings.intern(v as string);
  const day = (v: unknown): number => (v === null ? NaN : Number(v));
  const items = (v: unknown): string[] | undefined => {
    if (v === null || !Array.isArray(v) || v.length === 0) return undefined;
    return v.map((x) => s.strings.intern(String(x)) as string);
  };
  const firstPurchase = (v: unknown): Map<string, number> | undefined => {
    const names = items(v);
    if (names === undefined) return undefined;
    // The list is in first-purchase order: its place stands for the time (listByFirstPurchase).
    return new Map(names.map((name, i) => [name, i]));
  };
  const propColumns = propNames.map((name) => s.props.get(name) as (string | undefined)[]);
  const base = SCALARS.length;
  const listAt = (field: (typeof LIST_FIELDS)[number]) => base + lists.indexOf(field);
  const at = {
    tags: listAt("tags"),
    lists: listAt("lists"),
    products: listAt("products"),
    categories: listAt("categories"),
  };
  const propsAt = base + lists.length;
  const sharedAt = propsAt + propNames.length;

  await session.each(sql, (row) => {
    const c = store.create(row[19] === true);
    if (Number(row[0]) !== c)
      throw new Error(`the SQL profiles skip customer ${c} (a bug: please report it)`);
    const id = text(row[1]);
    if (id !== undefined) {
      s.customerId[c] = id;
      s.withId++;
    }
    s.email[c] = text(row[2]);
    s.phone[c] = text(row[3]);
    s.firstName[c] = text(row[4]);
    s.lastName[c] = text(row[5]);
    s.country[c] = shared_(row[6]);
    s.city[c] = shared_(row[7]);
    s.zip[c] = text(row[8]);
    s.contactChannel[c] = shared_(row[9]);
    s.firstOrderChannel[c] = shared_(row[10]);
    s.lastOrderChannel[c] = shared_(row[11]);
    s.lastProduct[c] = shared_(row[12]);
    s.lastCategory[c] = shared_(row[13]);
    s.signupDay[c] = day(row[14]);
    s.emailConsent[c] = row[15] === true ? 1 : 0;
    s.smsConsent[c] = row[16] === true ? 1 : 0;
    s.whatsappConsent[c] = row[17] === true ? 1 : 0;
    s.cannotText[c] = row[18] === false ? 1 : 0;
    s.ordersCount[c] = Number(row[20]);
    s.totalSpent[c] = Number(row[21]);
    s.firstOrderDay[c] = day(row[22]);
    s.lastOrderDay[c] = day(row[23]);
    if (at.tags >= base) s.tags[c] = items(row[at.tags]);
    if (at.lists >= base) s.lists[c] = items(row[at.lists]);
    if (at.products >= base) s.products[c] = firstPurchase(row[at.products]);
    if (at.categories >= base) s.categories[c] = firstPurchase(row[at.categories]);
    for (let i = 0; i < propColumns.length; i++) propColumns[i][c] = text(row[propsAt + i]);
    s.sharedEmail[c] = Number(row[sharedAt]) === 1 ? 1 : 0;
    s.sharedPhone[c] = Number(row[sharedAt + 1]) === 1 ? 1 : 0;
  });
  if (options.index === true) indexIdentifiers(store);
  return new Profiles(store, options.asOf, options.rfm);
}

/** `byId`, `byEmail`, `byPhone`: each identifier to the first customer that has it. */
function indexIdentifiers(s: CustomerStore): void {
  const add = (map: Map<string, number>, value: string | undefined, c: number) => {
    if (value !== undefined && !map.has(value)) map.set(value, c);
  };
  for (let c = 0; c < s.size; c++) {
    add(s.byId, s.customerId[c], c);
    add(s.byEmail, s.email[c], c);
    add(s.byPhone, s.phone[c], c);
  }
}
