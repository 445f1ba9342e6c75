/**
 * The staging tables the SQL profile builder reads (profiles-sql.ts, docs/design.md#engines): one row per input
 * row the reader accepted, its cells already normalised by the §1 rules — what a CSV loader (or a
 * test recording the memory engine) hands over before identity and profiles are computed in SQL.
 *
 * "Accepted" is the reader's row-level decision: rows rejected for a bad date, amount, missing key
 * or order id that comes back are not staged; rows the later rules leave out (dated after as_of,
 * excluded status, other currency, duplicate order, order without a date, negative amount) are
 * staged, and the builder applies those rules itself.
 *
 * Conventions (as tables.ts): dates are integer epoch days in the configured time zone (an order
 * also has its `time`, the date and time of day there, which orders one day's orders); numbers are
 * double precision; absent cells are NULL; text is trimmed (cleanCell), emails normalised, phones in
 * E.164 (the TypeScript phone normaliser's mapping), statuses normalised (lower case, no `wc-`),
 * currencies upper case, channels named (`app 5690175`), consent cells read as booleans
 * (unrecognised = false, empty = NULL).
 *
 * Every input row is placed by `file` (0-based, the order the files of that input are read) and
 * `seq` (1-based, the reader's count of data rows in that file, rejected and filtered rows
 * included): contacts, then orders, then events, then lists, each file in turn, is the order the
 * memory engine meets them in, and identity depends on that order.
 */
import type { Dialect } from "./dialect.js";
import { sqlType, type ColumnSpec, type ColumnType } from "./tables.js";

export const STAGING = {
  contacts: "stage_contacts",
  contactValues: "stage_contact_values",
  contactProps: "stage_contact_props",
  orders: "stage_orders",
  events: "stage_events",
  eventProperties: "stage_event_properties",
  lists: "stage_lists",
  untextablePhones: "stage_untextable_phones",
} as const;

const col = (name: string, type: ColumnType, nullable: boolean, meaning: string): ColumnSpec => ({
  name,
  type,
  nullable,
  meaning,
});

const PLACE: readonly ColumnSpec[] = [
  col("file", "integer", false, "file index, in reading order"),
  col("seq", "integer", false, "data row number in its file, 1-based"),
];

const KEYS: readonly ColumnSpec[] = [
  col("customer_id", "text", true, "customer id (cleanId: trimmed, apostrophe and .0 removed)"),
  col("email", "text", true, "valid email, trimmed and lowercased"),
  col("phone", "text", true, "valid phone in E.164"),
];

/** `stage_contacts`: one row per accepted contact row. */
export const STAGE_CONTACT_COLUMNS: readonly ColumnSpec[] = [
  ...PLACE,
  ...KEYS,
  col("first_name", "text", true, "first name"),
  col("last_name", "text", true, "last name"),
  col("country", "text", true, "country as written"),
  col("city", "text", true, "city"),
  col("zip", "text", true, "postal code"),
  col("acquisition_channel", "text", true, "acquisition channel"),
  col("signup_day", "integer", true, "created_at as an epoch day; NULL when empty or unreadable"),
  col("email_consent", "boolean", true, "email consent cell read as a boolean"),
  col("sms_consent", "boolean", true, "SMS consent cell"),
  col("whatsapp_consent", "boolean", true, "WhatsApp consent cell"),
];

/** `stage_contact_values`: the values of the tags and lists cells (splitMulti), in cell order. */
export const STAGE_CONTACT_VALUE_COLUMNS: readonly ColumnSpec[] = [
  ...PLACE,
  col("kind", "text", false, "'tag' or 'list'"),
  col("pos", "integer", false, "position in the cell, 0-based"),
  col("value", "text", false, "the tag or list name"),
];

/** `stage_contact_props`: the non-empty custom contact cells a plan uses (`props.NAME`). */
export const STAGE_CONTACT_PROP_COLUMNS: readonly ColumnSpec[] = [
  ...PLACE,
  col("name", "text", false, "property name (header in snake_case)"),
  col("value", "text", false, "the cell, trimmed"),
];

/** `stage_orders`: one row per accepted order row (a line of an order). */
export const STAGE_ORDER_COLUMNS: readonly ColumnSpec[] = [
  ...PLACE,
  col(
    "order_id",
    "text",
    true,
    "order id (Shopify `Name` aliases resolved); NULL when the file has none: each row an order",
  ),
  ...KEYS,
  col("day", "integer", true, "created_at as an epoch day"),
  col(
    "time",
    "double",
    true,
    "created_at as date and time of day in the time zone, to the second: milliseconds since 1970-01-01 00:00 there (a date without a time is its midnight); NULL without `day`, and read as the day's midnight when a loader knows only the day",
  ),
  col("total", "double", true, "order total"),
  col("refunded", "double", true, "refunded amount"),
  col("quantity", "double", true, "line quantity"),
  col("price", "double", true, "line price"),
  col("status", "text", true, "status, normalised"),
  col(
    "status_excluded",
    "boolean",
    true,
    "whether the status is one that does not count (exclude_status, else the file's preset's); NULL without a status",
  ),
  col("currency", "text", true, "currency, upper case"),
  col("channel", "text", true, "sales channel as named"),
  col("product", "text", true, "product"),
  col("sku", "text", true, "SKU"),
  col("category", "text", true, "category"),
  col("first_name", "text", true, "billing first name"),
  col("last_name", "text", true, "billing last name"),
  col("country", "text", true, "billing country"),
  col("city", "text", true, "billing city"),
  col("zip", "text", true, "billing zip (Shopify's `-` removed)"),
  col("email_consent", "boolean", true, "buyer accepts marketing"),
];

/** `stage_events`: one row per accepted event row. */
export const STAGE_EVENT_COLUMNS: readonly ColumnSpec[] = [
  ...PLACE,
  ...KEYS,
  col("type", "text", false, "event type, trimmed"),
  col("day", "integer", false, "occurred_at as an epoch day"),
];

/** `stage_event_properties`: the event cells a plan filters on, as tables.ts `event_properties`. */
export const STAGE_EVENT_PROPERTY_COLUMNS: readonly ColumnSpec[] = [
  ...PLACE,
  col("name", "text", false, "column header in snake_case"),
  col("text", "text", false, "the cell as written"),
  col("number", "double", true, "the cell as a number"),
  col("flag", "boolean", true, "the cell as a boolean"),
];

/** `stage_lists`: one row per accepted list membership row. */
export const STAGE_LIST_COLUMNS: readonly ColumnSpec[] = [
  ...PLACE,
  ...KEYS,
  col("list", "text", false, "list name, trimmed"),
];

/** `stage_untextable_phones`: E.164 phones that cannot receive texts (landline, toll-free). */
export const STAGE_UNTEXTABLE_COLUMNS: readonly ColumnSpec[] = [
  col("phone", "text", false, "E.164 phone"),
];

export const STAGING_LAYOUT: readonly { table: string; columns: readonly ColumnSpec[] }[] = [
  { table: STAGING.contacts, columns: STAGE_CONTACT_COLUMNS },
  { table: STAGING.contactValues, columns: STAGE_CONTACT_VALUE_COLUMNS },
  { table: STAGING.contactProps, columns: STAGE_CONTACT_PROP_COLUMNS },
  { table: STAGING.orders, columns: STAGE_ORDER_COLUMNS },
  { table: STAGING.events, columns: STAGE_EVENT_COLUMNS },
  { table: STAGING.eventProperties, columns: STAGE_EVENT_PROPERTY_COLUMNS },
  { table: STAGING.lists, columns: STAGE_LIST_COLUMNS },
  { table: STAGING.untextablePhones, columns: STAGE_UNTEXTABLE_COLUMNS },
];

/** `CREATE TABLE` statements for the staging tables. */
export function createStagingStatements(dialect: Dialect): string[] {
  return STAGING_LAYOUT.map(
    ({ table, columns }) =>
      `CREATE TABLE ${dialect.identifier(table)} (${columns
        .map(
          (c) =>
            `${dialect.identifier(c.name)} ${sqlType(dialect, c.type)}${c.nullable ? "" : " NOT NULL"}`,
        )
        .join(", ")})`,
  );
}
