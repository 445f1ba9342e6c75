/**
 * The canonical order columns (docs/design.md#inputs), one entry each: its type, how `orders_filter:` describes
 * it, and whether the filter sees it. The presets' canonical order columns (`CANONICAL_COLUMNS`),
 * the order-row environment of the expression language (`ORDER_ROW_ENV`), the parsing of a raw
 * order cell (numbers, dates) and the demo's order headers all derive from this table.
 */

export interface OrderColumn {
  /** How a raw cell is read: numbers with the configured decimal mark, dates in the time zone. */
  type: "string" | "number" | "date";
  description: string;
  /** Whether `orders_filter:` can name it (the buyer's billing columns only feed the profile). */
  filter: boolean;
}

const text = (description: string, filter = true): OrderColumn => ({
  type: "string",
  description,
  filter,
});
const number = (description: string): OrderColumn => ({
  type: "number",
  description,
  filter: true,
});
const date = (description: string): OrderColumn => ({ type: "date", description, filter: true });

/** In the order the presets list them. */
export const ORDER_COLUMN_TABLE = {
  order_id: text("order id (rows with the same id are one order)"),
  customer_id: text("customer id"),
  email: text("buyer email"),
  phone: text("buyer phone"),
  created_at: date("order date"),
  total: number("order total"),
  currency: text("currency"),
  status: text("order status"),
  channel: text("sales channel"),
  product: text("product (line item)"),
  sku: text("SKU (line item)"),
  category: text("category (line item)"),
  quantity: number("quantity (line item)"),
  price: number("unit price (line item)"),
  refunded: number("refunded amount"),
  // The buyer as the order describes them (billing columns): used when contacts are silent.
  first_name: text("buyer first name (billing)", false),
  last_name: text("buyer last name (billing)", false),
  email_consent: text("buyer consents to email marketing (checkout)", false),
  country: text("buyer country (billing)", false),
  city: text("buyer city (billing)", false),
  zip: text("buyer postal code (billing)", false),
} as const satisfies Record<string, OrderColumn>;

export type OrderColumnName = keyof typeof ORDER_COLUMN_TABLE;

export const ORDER_COLUMNS = Object.keys(ORDER_COLUMN_TABLE) as OrderColumnName[];

/** How a raw cell of the order column `name` is read, or undefined for another name. */
export function orderColumnType(name: string): OrderColumn["type"] | undefined {
  return Object.hasOwn(ORDER_COLUMN_TABLE, name)
    ? ORDER_COLUMN_TABLE[name as OrderColumnName].type
    : undefined;
}
