/**
 * Column presets: how the headers of a known export map onto the canonical columns of SPEC §1.
 *
 * A canonical column takes its value from a list of sources, per row: the first source whose cell
 * is non-empty wins. A source is a header, or a header with a constant (`Cancelled at` set →
 * status `cancelled`).
 */

export const INPUT_KINDS = ["contacts", "orders", "events", "lists"] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

export const CANONICAL_COLUMNS: Record<InputKind, readonly string[]> = {
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
  orders: [
    "order_id",
    "customer_id",
    "email",
    "phone",
    "created_at",
    "total",
    "currency",
    "status",
    "channel",
    "product",
    "sku",
    "category",
    "quantity",
    "price",
    "refunded",
  ],
  events: ["customer_id", "email", "phone", "type", "occurred_at"],
  lists: ["list", "customer_id", "email", "phone"],
};

/** Columns every file of a kind must have: one of each inner list. */
export const REQUIRED_COLUMNS: Record<InputKind, readonly (readonly string[])[]> = {
  contacts: [["customer_id", "email", "phone"]],
  orders: [["customer_id", "email", "phone"], ["created_at"]],
  events: [["customer_id", "email", "phone"], ["type"], ["occurred_at"]],
  lists: [["list"], ["customer_id", "email", "phone"]],
};

export type ColumnSource = string | { header: string; value: string };
export type ColumnMap = Record<string, readonly ColumnSource[]>;

export interface Preset {
  name: string;
  description: string;
  columns: Record<InputKind, ColumnMap>;
  /**
   * With an exact preset, headers must match the preset's spelling (after case and spacing are
   * ignored); the generic preset also accepts common synonyms.
   */
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
};

/**
 * Shopify's customers and orders exports (2022 and 2024/2025 headers; see
 * shared/data/export-formats/SOURCE.md). Orders exports have one row per line item with the
 * order-level fields on the first row only; the model groups them by `Name`.
 */
const SHOPIFY: Record<InputKind, ColumnMap> = {
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
    order_id: ["Name"],
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
  },
  events: GENERIC.events,
  lists: GENERIC.lists,
};

export const PRESETS: Record<string, Preset> = {
  generic: {
    name: "generic",
    description: "canonical column names (and common synonyms), any tool or spreadsheet",
    columns: GENERIC,
  },
  shopify: {
    name: "shopify",
    description: "Shopify admin exports: Customers → Export and Orders → Export",
    columns: SHOPIFY,
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);

/** Headers compared without case, accents, spaces or punctuation: `Customer ID` = `customer_id`. */
export function headerKey(header: string): string {
  return header
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "");
}
