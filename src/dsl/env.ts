/**
 * The environments an expression is checked against: which names exist, their types, and which
 * functions may be called. `PROFILE_ENV` is the customer profile of docs/design.md#profile (segment `where:`);
 * `ORDER_ROW_ENV` is one raw order row with its canonical columns (`orders_filter:` in the config).
 */
import type { ValueType } from "./types.js";

export interface FieldInfo {
  type: Exclude<ValueType, "null" | "duration">;
  /** Whether the field can be null (absent) for some customers. */
  nullable: boolean;
  description: string;
}

export type FunctionName =
  | "orders"
  | "spent"
  | "events"
  | "in_segment"
  | "days_since"
  | "starts_with"
  | "predicted_orders"
  | "predicted_clv";

export interface Environment {
  /** "profile" or "order row", for messages. */
  name: string;
  fields: ReadonlyMap<string, FieldInfo>;
  functions: ReadonlySet<FunctionName>;
  /** Whether `props.NAME` (custom contact columns) may be used. */
  props: boolean;
}

const str = (description: string, nullable = true): FieldInfo => ({
  type: "string",
  nullable,
  description,
});
const num = (description: string, nullable = true): FieldInfo => ({
  type: "number",
  nullable,
  description,
});
const date = (description: string): FieldInfo => ({ type: "date", nullable: true, description });
const bool = (description: string): FieldInfo => ({
  type: "boolean",
  nullable: false,
  description,
});
const list = (description: string): FieldInfo => ({ type: "list", nullable: false, description });

/** The profile fields of docs/design.md#profile, in the order the documentation lists them. */
export const PROFILE_FIELDS: ReadonlyMap<string, FieldInfo> = new Map<string, FieldInfo>([
  ["customer_id", str("customer id from the contacts or orders export")],
  ["email", str("email address, trimmed and lowercased")],
  ["phone", str("phone number in E.164 (+33612345678)")],
  ["first_name", str("first name")],
  ["last_name", str("last name")],
  ["country", str("country")],
  ["city", str("city")],
  ["zip", str("postal code")],
  ["acquisition_channel", str("contact column, else the channel of the first order")],
  ["signup_date", date("contacts created_at")],
  ["email_consent", bool("consents to email marketing")],
  ["sms_consent", bool("consents to SMS marketing")],
  ["whatsapp_consent", bool("consents to WhatsApp messages (falls back to sms_consent)")],
  ["tags", list("tags of the contact")],
  ["lists", list("lists the contact belongs to")],
  ["known_contact", bool("false for buyers found only in orders")],
  ["orders_count", num("orders up to as_of, excluded statuses left out", false)],
  ["total_spent", num("sum of order totals up to as_of, refunds deducted", false)],
  ["avg_order_value", num("total_spent / orders_count")],
  ["first_order_date", date("date of the first order")],
  ["last_order_date", date("date of the last order")],
  ["days_since_first_order", num("whole days from the first order to as_of")],
  ["days_since_last_order", num("whole days from the last order to as_of")],
  ["days_since_signup", num("whole days from signup_date to as_of")],
  ["first_order_channel", str("sales channel of the first order")],
  ["last_order_channel", str("sales channel of the last order")],
  ["last_product", str("product of the last order's first line")],
  ["last_category", str("category of the last order's first line")],
  ["products", list("distinct products bought up to as_of")],
  ["categories", list("distinct categories bought up to as_of")],
  ["rfm_r", num("recency score 1–5 (5 = most recent); null for non-buyers")],
  ["rfm_f", num("frequency score 1–5; null for non-buyers")],
  ["rfm_m", num("monetary score 1–5; null for non-buyers")],
  ["rfm_score", str('the three scores, e.g. "545"')],
  ["rfm_segment", str("named RFM segment; prospects for non-buyers", false)],
  ["revenue_percentile", num("% of buyers whose total_spent is strictly lower (top 20% = >= 80)")],
  [
    "p_alive",
    num("probability the customer is still active (BG/NBD, SPEC §12); null for non-buyers"),
  ],
  [
    "predicted_spend",
    num("expected amount per future purchase (Gamma-Gamma); null for non-buyers"),
  ],
]);

/**
 * Prediction functions (docs/design.md#predictions): `predicted_orders(30d)` and `predicted_clv(365d)`. The compiler
 * turns a call into the field `NAME(Nd)` with the horizon in days, which `Profiles` evaluates.
 */
export const PREDICTION_FUNCTIONS = ["predicted_orders", "predicted_clv"] as const;
export type PredictionFunction = (typeof PREDICTION_FUNCTIONS)[number];

/** The compiled field name of a prediction call: `predicted_orders(30d)`. */
export function predictionField(fn: PredictionFunction, days: number): string {
  return `${fn}(${days}d)`;
}

/** The function and horizon of a compiled prediction field, or undefined. */
export function parsePredictionField(
  name: string,
): { fn: PredictionFunction; days: number } | undefined {
  const match = /^(predicted_orders|predicted_clv)\((\d+)d\)$/.exec(name);
  if (match === null) return undefined;
  return { fn: match[1] as PredictionFunction, days: Number(match[2]) };
}

/** Whether a profile field (as a plan lists it) needs the prediction models fitted. */
export function needsPredictions(name: string): boolean {
  return (
    name === "p_alive" || name === "predicted_spend" || parsePredictionField(name) !== undefined
  );
}

/** The canonical order columns of docs/design.md#inputs, as `orders_filter` sees one raw row. */
export const ORDER_ROW_FIELDS: ReadonlyMap<string, FieldInfo> = new Map<string, FieldInfo>([
  ["order_id", str("order id (rows with the same id are one order)")],
  ["customer_id", str("customer id")],
  ["email", str("buyer email")],
  ["phone", str("buyer phone")],
  ["created_at", date("order date")],
  ["total", num("order total")],
  ["currency", str("currency")],
  ["status", str("order status")],
  ["channel", str("sales channel")],
  ["product", str("product (line item)")],
  ["sku", str("SKU (line item)")],
  ["category", str("category (line item)")],
  ["quantity", num("quantity (line item)")],
  ["price", num("unit price (line item)")],
  ["refunded", num("refunded amount")],
]);

export const PROFILE_ENV: Environment = {
  name: "customer profile",
  fields: PROFILE_FIELDS,
  functions: new Set<FunctionName>([
    "orders",
    "spent",
    "events",
    "in_segment",
    "days_since",
    "starts_with",
    ...PREDICTION_FUNCTIONS,
  ]),
  props: true,
};

export const ORDER_ROW_ENV: Environment = {
  name: "order row",
  fields: ORDER_ROW_FIELDS,
  functions: new Set<FunctionName>(["days_since", "starts_with"]),
  props: false,
};
