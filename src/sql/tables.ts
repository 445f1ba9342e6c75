/**
 * The tables the compiled segment SQL reads (docs/design.md#engines): the plain normalised data of a shop,
 * one customer view, as any loader (DuckDB reading CSV files, a PostgreSQL schema, a test helper
 * filling them from the memory engine) produces it. They hold what docs/design.md#inputs and #profile define, never a
 * segment's result: the aggregates of the plan (`orders(…)`, `spent(…)`, `events(…)`) are computed
 * by the compiled statement from `orders`, `order_lines`, `events` and `event_properties`.
 *
 * Conventions, the same in every dialect:
 * - `customer` is an integer index, 0-based, unique per customer (the memory engine's customer
 *   index); every table refers to customers by it.
 * - Dates are calendar days in the configured time zone as integer epoch days (days since
 *   1970-01-01): comparisons and windows are integer comparisons, identical everywhere; only
 *   calendar-month arithmetic goes through the dialect's DATE type (dialect.ts).
 * - Numbers are double precision; absent values are NULL. Lists are text lists, empty (never NULL)
 *   when the customer has none. Booleans are never NULL.
 * - Text is as the memory engine keeps it: trimmed, emails lowercased, phones in E.164.
 */
import { PROFILE_FIELDS } from "../dsl/env.js";
import type { Dialect } from "./dialect.js";

export const TABLES = {
  profiles: "profiles",
  orders: "orders",
  orderLines: "order_lines",
  events: "events",
  eventProperties: "event_properties",
} as const;

export type ColumnType = "integer" | "double" | "text" | "boolean" | "text_list";

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  nullable: boolean;
  meaning: string;
}

/**
 * `profiles`: one row per customer. These columns are always there (the statement needs them for
 * keys, reachability and consent); a column per profile field the plan reads follows
 * (`profileColumns`).
 */
export const PROFILE_BASE_COLUMNS: readonly ColumnSpec[] = [
  { name: "customer", type: "integer", nullable: false, meaning: "customer index" },
  {
    name: "customer_key",
    type: "text",
    nullable: false,
    meaning: "customer_id, else the normalized email, else the E.164 phone (docs/design.md#inputs)",
  },
  { name: "email", type: "text", nullable: true, meaning: "valid normalized email" },
  { name: "phone", type: "text", nullable: true, meaning: "valid E.164 phone" },
  { name: "email_consent", type: "boolean", nullable: false, meaning: "consent given (yes)" },
  { name: "sms_consent", type: "boolean", nullable: false, meaning: "consent given (yes)" },
  {
    name: "whatsapp_consent",
    type: "boolean",
    nullable: false,
    meaning: "WhatsApp consent, sms_consent when the customer has no WhatsApp consent value",
  },
  {
    name: "can_text",
    type: "boolean",
    nullable: false,
    meaning: "the phone can receive SMS and WhatsApp (not a landline or toll-free number)",
  },
];

/**
 * `orders`: one row per counted order (status not excluded, amount not negative, currency kept),
 * whatever its date: the statement applies the as_of cut-off and the windows itself.
 */
export const ORDER_COLUMNS: readonly ColumnSpec[] = [
  { name: "order_key", type: "integer", nullable: false, meaning: "unique order index" },
  { name: "customer", type: "integer", nullable: false, meaning: "the buyer" },
  { name: "day", type: "integer", nullable: false, meaning: "order date, epoch day" },
  { name: "channel", type: "text", nullable: true, meaning: "sales channel (first row set)" },
  {
    name: "amount",
    type: "double",
    nullable: false,
    meaning: "what the order counts for: total (else the lines' sum) minus refunds, converted",
  },
];

/** `order_lines`: the lines of the counted orders. */
export const ORDER_LINE_COLUMNS: readonly ColumnSpec[] = [
  { name: "order_key", type: "integer", nullable: false, meaning: "the order" },
  { name: "product", type: "text", nullable: true, meaning: "product name" },
  { name: "sku", type: "text", nullable: true, meaning: "SKU" },
  { name: "category", type: "text", nullable: true, meaning: "category" },
  {
    name: "amount",
    type: "double",
    nullable: false,
    meaning: "quantity (1 when empty) × price, converted; 0 without a price",
  },
];

/** `events`: one row per event of a known or created customer, dated up to as_of. */
export const EVENT_COLUMNS: readonly ColumnSpec[] = [
  { name: "event_key", type: "integer", nullable: false, meaning: "unique event index" },
  { name: "customer", type: "integer", nullable: false, meaning: "the customer" },
  { name: "type", type: "text", nullable: false, meaning: "event type as written, trimmed" },
  { name: "day", type: "integer", nullable: false, meaning: "occurred_at, epoch day" },
];

/**
 * `event_properties`: the other columns of an event row, one row per non-empty cell. `text` is the
 * cell as written; `number` and `flag` are the cell read by the §1 number and boolean rules (NULL
 * when it is not one).
 */
export const EVENT_PROPERTY_COLUMNS: readonly ColumnSpec[] = [
  { name: "event_key", type: "integer", nullable: false, meaning: "the event" },
  { name: "name", type: "text", nullable: false, meaning: "column header in snake_case" },
  { name: "text", type: "text", nullable: false, meaning: "the cell" },
  { name: "number", type: "double", nullable: true, meaning: "the cell as a number" },
  { name: "flag", type: "boolean", nullable: true, meaning: "the cell as a boolean" },
];

/** The SQL type of a profile field, from the expression language's type. */
export function profileFieldType(name: string): ColumnType {
  if (name.startsWith("props.")) return "text";
  const info = PROFILE_FIELDS.get(name);
  // Prediction fields (`predicted_orders(30d)`…) are numbers.
  if (info === undefined) return "double";
  switch (info.type) {
    case "string":
      return "text";
    case "number":
      return "double";
    case "date":
      return "integer";
    case "boolean":
      return "boolean";
    case "list":
      return "text_list";
    default:
      return "text";
  }
}

/** The columns of `profiles` for a plan reading `fields` (profile fields and `props.NAME`). */
export function profileColumns(fields: readonly string[]): ColumnSpec[] {
  const base = new Set(PROFILE_BASE_COLUMNS.map((c) => c.name));
  const extra = [...new Set(fields)]
    .filter((f) => !base.has(f))
    .sort()
    .map((name): ColumnSpec => ({
      name,
      type: profileFieldType(name),
      nullable: profileFieldType(name) !== "boolean" && profileFieldType(name) !== "text_list",
      meaning: name.startsWith("props.") ? "custom contact column" : "profile field",
    }));
  return [...PROFILE_BASE_COLUMNS, ...extra];
}

export function sqlType(dialect: Dialect, type: ColumnType): string {
  switch (type) {
    case "integer":
      return dialect.integerType;
    case "double":
      return dialect.doubleType;
    case "text":
      return dialect.textType;
    case "boolean":
      return dialect.booleanType;
    case "text_list":
      return dialect.textListType;
    default: {
      const never: never = type;
      return never;
    }
  }
}

/** `CREATE TABLE` statements for the layout, for loaders and tests. */
export function createTableStatements(dialect: Dialect, fields: readonly string[]): string[] {
  const table = (name: string, columns: readonly ColumnSpec[]) =>
    `CREATE TABLE ${dialect.identifier(name)} (${columns
      .map(
        (c) =>
          `${dialect.identifier(c.name)} ${sqlType(dialect, c.type)}${c.nullable ? "" : " NOT NULL"}`,
      )
      .join(", ")})`;
  return [
    table(TABLES.profiles, profileColumns(fields)),
    table(TABLES.orders, ORDER_COLUMNS),
    table(TABLES.orderLines, ORDER_LINE_COLUMNS),
    table(TABLES.events, EVENT_COLUMNS),
    table(TABLES.eventProperties, EVENT_PROPERTY_COLUMNS),
  ];
}
