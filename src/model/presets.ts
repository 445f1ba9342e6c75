/**
 * Column presets: how the headers of a known export map onto the canonical columns of docs/design.md#inputs.
 *
 * A canonical column takes its value from a list of sources, per row: the first source whose cell
 * is non-empty wins. A source is a header, or a header with a constant (`Cancelled at` set →
 * status `cancelled`).
 */
import { ORDER_COLUMNS } from "./order-columns.js";

/**
 * `key_map` and `order_lines` describe a normalised export (Olist): a file mapping each order's
 * customer key to the person's key, and the order lines that hold the amounts (order-lines.ts).
 */
export const INPUT_KINDS = [
  "contacts",
  "orders",
  "events",
  "lists",
  "key_map",
  "order_lines",
] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

/** The canonical columns of each kind of file; the order columns are `ORDER_COLUMN_TABLE`'s. */
export const CANONICAL_COLUMNS = {
  contacts: [
    "customer_id",
    "email",
    "phone",
    "first_name",
    "last_name",
    "created_at",
    "acquisition_channel",
    "email_consent",
    "sms_consent",
    "whatsapp_consent",
    "country",
    "city",
    "zip",
    "tags",
    "lists",
    "state",
  ],
  orders: ORDER_COLUMNS,
  events: ["customer_id", "email", "phone", "type", "occurred_at"],
  lists: ["list", "customer_id", "email", "phone"],
  key_map: ["from", "to"],
  order_lines: ["order_id", "quantity", "price", "freight"],
} as const satisfies Record<InputKind, readonly string[]>;

/** Columns every file of a kind must have: one of each inner list. */
export const REQUIRED_COLUMNS: Record<InputKind, readonly (readonly string[])[]> = {
  contacts: [["customer_id", "email", "phone"]],
  orders: [["customer_id", "email", "phone"], ["created_at"]],
  events: [["customer_id", "email", "phone"], ["type"], ["occurred_at"]],
  lists: [["list"], ["customer_id", "email", "phone"]],
  key_map: [["from"], ["to"]],
  order_lines: [["order_id"], ["price"]],
};

/**
 * A header; a header with a constant (`Cancelled at` set → "cancelled"); or a part of a full-name
 * header (`Billing Name` "Ana María Soto" → first "Ana", last "María Soto", as Shopify joins them).
 */
export type ColumnSource =
  string | { header: string; value: string } | { header: string; part: "first" | "last" };
export type ColumnMap = Record<string, readonly ColumnSource[]>;

export interface Preset {
  name: string;
  description: string;
  /**
   * With an exact preset, headers must match the preset's spelling (after case and spacing are
   * ignored); the generic preset also accepts common synonyms.
   */
  columns: Record<InputKind, ColumnMap>;
  /** Order statuses that are not a purchase, by default (`exclude_status:` replaces them). */
  notPurchase: readonly string[];
  /**
   * How to recognise the platform's exports from their header line, with no preset chosen: each
   * signature lists headers that must all be present (compared by `headerKey`).
   */
  signatures: readonly Signature[];
}

export interface Signature {
  kind: InputKind;
  /** What the file is, for the line on stderr: "a Shopify orders export". */
  what: string;
  headers: readonly string[];
  /** The file's usual name, for a message that asks for it (`olist_order_items_dataset.csv`). */
  file?: string;
}

/** Canonical names and the usual synonyms found in spreadsheets and other tools. */
const GENERIC: Record<InputKind, ColumnMap> = {
  contacts: {
    customer_id: ["customer_id", "customer", "client_id", "contact_id", "id"],
    email: ["email", "e-mail", "email_address", "mail", "courriel"],
    phone: ["phone", "phone_number", "mobile", "mobile_phone", "telephone", "tel", "téléphone"],
    first_name: ["first_name", "firstname", "given_name", "prénom", "prenom"],
    last_name: ["last_name", "lastname", "surname", "family_name", "nom"],
    created_at: [
      "created_at",
      "signup_date",
      "signed_up_at",
      "date_registered",
      "registration_date",
    ],
    acquisition_channel: ["acquisition_channel", "source", "utm_source", "channel"],
    email_consent: ["email_consent", "accepts_email_marketing", "email_opt_in", "newsletter"],
    sms_consent: ["sms_consent", "accepts_sms_marketing", "sms_opt_in"],
    whatsapp_consent: ["whatsapp_consent", "accepts_whatsapp_marketing", "whatsapp_opt_in"],
    country: ["country", "country_code", "pays"],
    city: ["city", "ville"],
    zip: ["zip", "postal_code", "postcode", "zip_code", "code_postal"],
    state: ["state", "province", "province_code", "state_code", "region"],
    tags: ["tags"],
    lists: ["lists"],
  },
  orders: {
    order_id: ["order_id", "order", "order_number", "invoice", "invoice_no", "commande"],
    customer_id: ["customer_id", "customer", "client_id"],
    email: ["email", "e-mail", "email_address", "customer_email", "billing_email"],
    phone: ["phone", "phone_number", "billing_phone", "mobile"],
    created_at: ["created_at", "order_date", "date", "ordered_at", "invoice_date"],
    total: ["total", "order_total", "amount", "total_amount"],
    currency: ["currency"],
    status: ["status", "order_status", "financial_status"],
    channel: ["channel", "sales_channel", "source"],
    product: ["product", "product_name", "item_name", "lineitem_name", "description"],
    sku: ["sku", "item_sku", "lineitem_sku", "stock_code"],
    category: ["category", "product_category", "product_type"],
    quantity: ["quantity", "qty", "lineitem_quantity", "item_quantity"],
    price: ["price", "unit_price", "lineitem_price", "item_price"],
    refunded: ["refunded", "refunded_amount", "refund", "refunded_total"],
    first_name: ["first_name", "billing_first_name", "firstname"],
    last_name: ["last_name", "billing_last_name", "lastname"],
    email_consent: ["email_consent", "accepts_marketing", "accepts_email_marketing"],
    country: ["country", "billing_country", "country_code"],
    city: ["city", "billing_city"],
    zip: ["zip", "billing_zip", "billing_postcode", "postal_code", "postcode", "zip_code"],
  },
  events: {
    customer_id: ["customer_id", "customer", "contact_id"],
    email: ["email", "e-mail", "email_address"],
    phone: ["phone", "phone_number", "mobile", "wa_id"],
    type: ["type", "event", "event_type", "name"],
    occurred_at: ["occurred_at", "timestamp", "date", "created_at", "time"],
  },
  lists: {
    list: ["list", "list_name", "segment"],
    customer_id: ["customer_id", "customer", "contact_id"],
    email: ["email", "e-mail", "email_address"],
    phone: ["phone", "phone_number", "mobile"],
  },
  key_map: {
    from: ["from", "customer_id", "order_customer_id"],
    to: ["to", "customer_unique_id", "unique_customer_id", "person_id"],
  },
  order_lines: {
    order_id: ["order_id", "order", "order_number"],
    quantity: ["quantity", "qty", "item_quantity"],
    price: ["price", "unit_price", "item_price", "line_total"],
    freight: ["freight", "freight_value", "shipping", "shipping_cost"],
  },
};

/**
 * Shopify's customers and orders exports (2022 and 2024/2025 headers; see
 * shared/data/export-formats/SOURCE.md). Orders exports have one row per line item with the
 * order-level fields on the first row only; the model groups them by `Name`.
 */
const SHOPIFY_COLUMNS: Record<InputKind, ColumnMap> = {
  contacts: {
    customer_id: ["Customer ID"],
    email: ["Email"],
    phone: ["Phone", "Default Address Phone"],
    first_name: ["First Name"],
    last_name: ["Last Name"],
    email_consent: ["Accepts Email Marketing", "Accepts Marketing"],
    sms_consent: ["Accepts SMS Marketing"],
    whatsapp_consent: ["Accepts WhatsApp Marketing"],
    country: ["Default Address Country Code", "Country Code", "Country"],
    city: ["Default Address City", "City"],
    zip: ["Default Address Zip", "Zip"],
    state: ["Default Address Province Code", "Province Code"],
    tags: ["Tags"],
  },
  orders: {
    // `Id` (on the first row of an order) is unique across stores and downloads; the rows after it
    // carry only `Name`, which continues the open order of that name (see order-assembly.ts).
    order_id: ["Id", "Name"],
    email: ["Email"],
    phone: ["Phone", "Billing Phone"],
    created_at: ["Created at"],
    total: ["Total"],
    currency: ["Currency"],
    status: [{ header: "Cancelled at", value: "cancelled" }, "Financial Status"],
    channel: ["Source"],
    product: ["Lineitem name"],
    sku: ["Lineitem sku"],
    quantity: ["Lineitem quantity"],
    price: ["Lineitem price"],
    refunded: ["Refunded Amount"],
    first_name: [{ header: "Billing Name", part: "first" }],
    last_name: [{ header: "Billing Name", part: "last" }],
    email_consent: ["Accepts Marketing"],
    country: ["Billing Country"],
    city: ["Billing City"],
    zip: ["Billing Zip"],
  },
  events: GENERIC.events,
  lists: GENERIC.lists,
  key_map: GENERIC.key_map,
  order_lines: GENERIC.order_lines,
};

/**
 * WooCommerce: the Customer/Order/Coupon CSV Export extension (its "Default", "One Row per Item"
 * and "Legacy" formats), exports in the REST API's field names (`date_created`, `billing_email`),
 * and Analytics → Customers. `customer_id` of an order is 0 for guest checkouts, so orders attach
 * by the billing email, never by it.
 */
const WOOCOMMERCE_COLUMNS: Record<InputKind, ColumnMap> = {
  contacts: {
    customer_id: ["customer_id", "ID"],
    email: ["email", "Email", "billing_email"],
    phone: ["billing_phone", "Phone"],
    first_name: [
      "first_name",
      "First Name",
      "billing_first_name",
      { header: "Name", part: "first" },
    ],
    last_name: ["last_name", "Last Name", "billing_last_name", { header: "Name", part: "last" }],
    created_at: ["date_registered", "Date registered", "Sign Up"],
    country: ["billing_country", "Country / Region", "Country"],
    city: ["billing_city", "City"],
    zip: ["billing_postcode", "Postal Code", "Post code"],
  },
  orders: {
    order_id: ["order_number", "wc_order_id", "order_id", "Order ID", "Order Number", "Order #"],
    email: ["billing_email", "customer_email", "Billing Email", "Customer Email"],
    phone: ["billing_phone", "Billing Phone"],
    created_at: ["date", "order_date", "date_created", "Order Date", "Date"],
    total: ["order_total", "Order Total", "N. Revenue", "N. Revenue (formatted)"],
    currency: ["order_currency", "currency", "Order Currency"],
    status: ["status", "Order Status", "Status"],
    channel: ["created_via", "source"],
    product: ["item_name", "product_name", "Item Name"],
    sku: ["item_sku", "sku", "SKU"],
    quantity: ["item_quantity", "quantity", "Quantity"],
    price: ["item_price", "Item Cost"],
    refunded: ["refunded_total", "Refunded Total"],
    first_name: [
      "billing_first_name",
      "Billing First Name",
      { header: "billing_name", part: "first" },
    ],
    last_name: ["billing_last_name", "Billing Last Name", { header: "billing_name", part: "last" }],
    country: ["billing_country", "Billing Country"],
    city: ["billing_city", "Billing City"],
    zip: ["billing_postcode", "Billing Post code", "Billing Postcode"],
  },
  events: GENERIC.events,
  lists: GENERIC.lists,
  key_map: GENERIC.key_map,
  order_lines: GENERIC.order_lines,
};

/**
 * Stripe Dashboard exports: Payments → Export (all columns or a few) and Customers → Export.
 * `Amount` is in the payment's currency, in units (12.50); a payment is one order.
 */
const STRIPE_COLUMNS: Record<InputKind, ColumnMap> = {
  contacts: {
    customer_id: ["id"],
    email: ["Email"],
    phone: ["Phone"],
    first_name: [{ header: "Name", part: "first" }],
    last_name: [{ header: "Name", part: "last" }],
    created_at: ["Created (UTC)"],
    country: ["Card Address Country", "Address Country"],
    city: ["Card Address City", "Address City"],
    zip: ["Card Address Zip", "Address Postal Code"],
  },
  orders: {
    // A payment attempt that never became a charge has no `id`, only its PaymentIntent.
    order_id: ["id", "PaymentIntent ID"],
    customer_id: ["Customer ID"],
    email: ["Customer Email"],
    phone: ["Customer Phone"],
    created_at: ["Created date (UTC)", "Created (UTC)"],
    total: ["Amount"],
    currency: ["Currency"],
    status: ["Status"],
    product: ["Description"],
    refunded: ["Amount Refunded"],
    email_consent: ["Checkout Promotional Consent"],
    first_name: [{ header: "Card Name", part: "first" }],
    last_name: [{ header: "Card Name", part: "last" }],
    country: ["Card Address Country"],
    city: ["Card Address City"],
    zip: ["Card Address Zip"],
  },
  events: GENERIC.events,
  lists: GENERIC.lists,
  key_map: GENERIC.key_map,
  order_lines: GENERIC.order_lines,
};

/** PrestaShop: Customers → Export (`;`-separated; English back office). */
const PRESTASHOP_COLUMNS: Record<InputKind, ColumnMap> = {
  contacts: {
    customer_id: ["ID"],
    email: ["Email address", "Email"],
    first_name: ["First name"],
    last_name: ["Last name"],
    created_at: ["Registration"],
    email_consent: ["Newsletter"],
  },
  // Its orders export names the customer, not their email: orders need a `columns:` mapping.
  orders: {},
  events: GENERIC.events,
  lists: GENERIC.lists,
  key_map: GENERIC.key_map,
  order_lines: GENERIC.order_lines,
};

/**
 * Olist (Brazilian marketplace, Kaggle `olistbr/brazilian-ecommerce`): a normalised export. Orders
 * carry a per-order `customer_id`; the customers file maps it to the person (`customer_unique_id`);
 * the amounts are in the order items file (price and freight per item).
 */
const OLIST_COLUMNS: Record<InputKind, ColumnMap> = {
  contacts: {
    customer_id: ["customer_unique_id"],
    zip: ["customer_zip_code_prefix"],
    city: ["customer_city"],
    state: ["customer_state"],
  },
  orders: {
    order_id: ["order_id"],
    customer_id: ["customer_id"],
    created_at: ["order_purchase_timestamp"],
    status: ["order_status"],
  },
  events: GENERIC.events,
  lists: GENERIC.lists,
  key_map: { from: ["customer_id"], to: ["customer_unique_id"] },
  order_lines: { order_id: ["order_id"], price: ["price"], freight: ["freight_value"] },
};

/**
 * Order statuses that are not a purchase. Each platform's own words; the generic preset (a file of
 * unknown origin) uses them all. Shopify's `pending` and `authorized` are placed orders whose
 * payment is still to come (cash on delivery, bank transfer, a card captured at shipping): they
 * count, as they do in Shopify's own sales reports.
 */
const NOT_PURCHASE = {
  shopify: ["cancelled", "voided", "refunded", "expired"],
  woocommerce: [
    "cancelled",
    "refunded",
    "failed",
    "pending",
    "pending payment",
    "on-hold",
    "on hold",
    "draft",
    "checkout-draft",
    "trash",
  ],
  stripe: [
    "failed",
    "refunded",
    "canceled",
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "incomplete",
    "blocked",
  ],
  prestashop: ["canceled", "cancelled", "refunded", "payment error", "awaiting payment"],
  olist: ["canceled", "unavailable"],
  other: ["canceled", "unavailable", "declined", "voided"],
} as const;

function union(...lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())];
}

export const PRESETS: Record<string, Preset> = {
  generic: {
    name: "generic",
    description: "canonical column names (and common synonyms), any tool or spreadsheet",
    columns: GENERIC,
    notPurchase: union(...Object.values(NOT_PURCHASE)),
    signatures: [],
  },
  shopify: {
    name: "shopify",
    description: "Shopify admin exports: Customers → Export and Orders → Export",
    columns: SHOPIFY_COLUMNS,
    notPurchase: NOT_PURCHASE.shopify,
    signatures: [
      {
        kind: "orders",
        what: "a Shopify orders export",
        headers: ["Name", "Financial Status", "Created at", "Lineitem name"],
      },
      {
        kind: "contacts",
        what: "a Shopify customers export",
        headers: ["First Name", "Last Name", "Email", "Total Spent", "Total Orders"],
      },
    ],
  },
  woocommerce: {
    name: "woocommerce",
    description:
      "WooCommerce: Customer/Order/Coupon Export (default, one row per item, legacy), REST field names, Analytics → Customers",
    columns: WOOCOMMERCE_COLUMNS,
    notPurchase: NOT_PURCHASE.woocommerce,
    signatures: [
      {
        kind: "orders",
        what: "a WooCommerce orders export",
        headers: ["order_number", "status", "order_total", "billing_email"],
      },
      {
        kind: "orders",
        what: "a WooCommerce orders export",
        headers: ["order_id", "status", "order_total", "billing_email"],
      },
      {
        kind: "orders",
        what: "a WooCommerce orders export (REST API fields)",
        headers: ["status", "date_created", "order_total", "billing_email"],
      },
      {
        kind: "orders",
        what: "a WooCommerce orders export (legacy format)",
        headers: ["Order ID", "Order Status", "Order Total", "Billing Email"],
      },
      {
        kind: "orders",
        what: "a WooCommerce Analytics orders export",
        headers: ["Order #", "Status", "Customer type"],
      },
      {
        kind: "contacts",
        what: "a WooCommerce customers export",
        headers: ["customer_id", "first_name", "last_name", "email", "date_registered"],
      },
      {
        kind: "contacts",
        what: "a WooCommerce Analytics customers export",
        headers: ["Username", "Email", "Orders", "AOV", "Country / Region"],
      },
    ],
  },
  stripe: {
    name: "stripe",
    description: "Stripe Dashboard exports: Payments and Customers",
    columns: STRIPE_COLUMNS,
    notPurchase: NOT_PURCHASE.stripe,
    signatures: [
      {
        kind: "orders",
        what: "a Stripe payments export",
        headers: ["Created date (UTC)", "Amount", "Currency", "Status"],
      },
      {
        kind: "contacts",
        what: "a Stripe customers export",
        headers: ["id", "Email", "Created (UTC)", "Delinquent"],
      },
    ],
  },
  prestashop: {
    name: "prestashop",
    description: "PrestaShop: Customers → Export (English back office)",
    columns: PRESTASHOP_COLUMNS,
    notPurchase: NOT_PURCHASE.prestashop,
    signatures: [
      {
        kind: "contacts",
        what: "a PrestaShop customers export",
        headers: ["ID", "First name", "Last name", "Email address", "Newsletter", "Registration"],
      },
    ],
  },
  olist: {
    name: "olist",
    description:
      "Olist: orders, customers (the key map of per-order customer ids) and order items (the amounts)",
    columns: OLIST_COLUMNS,
    notPurchase: NOT_PURCHASE.olist,
    signatures: [
      {
        kind: "orders",
        what: "an Olist orders export",
        headers: ["order_id", "customer_id", "order_status", "order_purchase_timestamp"],
      },
      {
        kind: "key_map",
        what: "an Olist customers export (key map)",
        headers: ["customer_id", "customer_unique_id"],
        file: "olist_customers_dataset.csv",
      },
      {
        kind: "contacts",
        what: "an Olist customers export",
        headers: ["customer_id", "customer_unique_id"],
      },
      {
        kind: "order_lines",
        what: "an Olist order items export",
        headers: ["order_id", "order_item_id", "price", "freight_value"],
        file: "olist_order_items_dataset.csv",
      },
    ],
  },
};

/**
 * The preset whose signature the header matches, and what the file is; undefined if none. Given
 * the kind the file was given as, a signature of that kind wins (the Olist customers file is
 * both the contacts and the key map).
 */
export function detectPreset(
  header: readonly string[],
  kind?: InputKind,
): { preset: Preset; signature: Signature } | undefined {
  const keys = new Set(header.map(headerKey));
  let first: { preset: Preset; signature: Signature } | undefined;
  for (const preset of Object.values(PRESETS)) {
    for (const signature of preset.signatures) {
      if (!signature.headers.every((h) => keys.has(headerKey(h)))) continue;
      if (kind === undefined || signature.kind === kind) return { preset, signature };
      first ??= { preset, signature };
    }
  }
  return first;
}

export const PRESET_NAMES = Object.keys(PRESETS);

/** Headers compared without case, accents, spaces or punctuation: `Customer ID` = `customer_id`. */
export function headerKey(header: string): string {
  return header
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "");
}
