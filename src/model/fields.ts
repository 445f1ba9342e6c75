/**
 * The customer profile fields (docs/design.md#profile), one entry each: type, nullability, description and the
 * getter over the profiles. The expression language's environment (`PROFILE_ENV`), the output
 * columns and `Profiles.field()` all read this table; adding a field is adding its entry here.
 */
import type { FieldInfo } from "../dsl/env.js";
import type { Getter, Value } from "../dsl/evaluator.js";
import type { EpochDay } from "../calendar.js";
import type { Profiles } from "./profile.js";
import { listByFirstPurchase } from "./store.js";

export interface ProfileField extends FieldInfo {
  /** The field's getter over `p`: its value for customer `c` as of `p.asOf` (null when absent). */
  get(p: Profiles): Getter<number>;
  /** Whether reading it needs the prediction models fitted (docs/design.md#predictions). */
  predictions?: true;
}

type Get = ProfileField["get"];

const str = (description: string, get: Get, nullable = true): ProfileField => ({
  type: "string",
  nullable,
  description,
  get,
});
const num = (description: string, get: Get, nullable = true): ProfileField => ({
  type: "number",
  nullable,
  description,
  get,
});
const date = (description: string, get: Get): ProfileField => ({
  type: "date",
  nullable: true,
  description,
  get,
});
const bool = (description: string, get: Get): ProfileField => ({
  type: "boolean",
  nullable: false,
  description,
  get,
});
const list = (description: string, get: Get): ProfileField => ({
  type: "list",
  nullable: false,
  description,
  get,
});

/** The profile fields, in the order the documentation lists them. */
export const PROFILE_FIELD_TABLE = {
  customer_id: str("customer id from the contacts or orders export", (p) =>
    textOf(p.store.customerId),
  ),
  email: str("email address, trimmed and lowercased", (p) => textOf(p.store.email)),
  phone: str("phone number in E.164 (+33612345678)", (p) => textOf(p.store.phone)),
  first_name: str("first name", (p) => textOf(p.store.firstName)),
  last_name: str("last name", (p) => textOf(p.store.lastName)),
  country: str("country", (p) => textOf(p.store.country)),
  city: str("city", (p) => textOf(p.store.city)),
  zip: str("postal code", (p) => textOf(p.store.zip)),
  acquisition_channel: str(
    "contact column, else the channel of the first order",
    (p) => (c) => p.acquisitionChannel(c) ?? null,
  ),
  signup_date: date("contacts created_at", (p) => numberOf(p.store.signupDay)),
  email_consent: bool(
    "consents to email marketing",
    ({ store: s }) =>
      (c) =>
        s.emailConsent[c] === 1,
  ),
  sms_consent: bool(
    "consents to SMS marketing",
    ({ store: s }) =>
      (c) =>
        s.smsConsent[c] === 1,
  ),
  whatsapp_consent: bool(
    "consents to WhatsApp messages (falls back to sms_consent)",
    (p) => (c) => p.whatsappConsent(c),
  ),
  tags: list("tags of the contact", (p) => listOf(p.store.tags)),
  lists: list("lists the contact belongs to", (p) => listOf(p.store.lists)),
  known_contact: bool(
    "false for buyers found only in orders",
    ({ store: s }) =>
      (c) =>
        s.knownContact[c] === 1,
  ),
  orders_count: num(
    "orders up to as_of, excluded statuses left out",
    ({ store: s }) =>
      (c) =>
        s.ordersCount[c],
    false,
  ),
  total_spent: num(
    "sum of order totals up to as_of, refunds deducted",
    ({ store: s }) =>
      (c) =>
        s.totalSpent[c],
    false,
  ),
  avg_order_value: num(
    "total_spent / orders_count",
    ({ store: s }) =>
      (c) =>
        s.ordersCount[c] > 0 ? roundCents(s.totalSpent[c] / s.ordersCount[c]) : null,
  ),
  first_order_date: date("date of the first order", (p) => numberOf(p.store.firstOrderDay)),
  last_order_date: date("date of the last order", (p) => numberOf(p.store.lastOrderDay)),
  days_since_first_order: num("whole days from the first order to as_of", (p) =>
    daysFrom(p.asOf, p.store.firstOrderDay),
  ),
  days_since_last_order: num("whole days from the last order to as_of", (p) =>
    daysFrom(p.asOf, p.store.lastOrderDay),
  ),
  days_since_signup: num("whole days from signup_date to as_of", (p) =>
    daysFrom(p.asOf, p.store.signupDay),
  ),
  first_order_channel: str("sales channel of the first order", (p) =>
    textOf(p.store.firstOrderChannel),
  ),
  last_order_channel: str("sales channel of the last order", (p) =>
    textOf(p.store.lastOrderChannel),
  ),
  last_product: str(
    "product of the last order (of its lines, the one that sorts first by product, then category)",
    (p) => textOf(p.store.lastProduct),
  ),
  last_category: str(
    "category of the last order (of its lines, the one that sorts first by product, then category; a line without a product last)",
    (p) => textOf(p.store.lastCategory),
  ),
  products: list("distinct products bought up to as_of", (p) => byFirstPurchase(p.store.products)),
  categories: list("distinct categories bought up to as_of", (p) =>
    byFirstPurchase(p.store.categories),
  ),
  rfm_r: num("recency score 1–5 (5 = most recent); null for non-buyers", (p) => scoreOf(p.rfm.r)),
  rfm_f: num("frequency score 1–5; null for non-buyers", (p) => scoreOf(p.rfm.f)),
  rfm_m: num("monetary score 1–5; null for non-buyers", (p) => scoreOf(p.rfm.m)),
  rfm_score: str(
    'the three scores, e.g. "545"',
    ({ rfm }) =>
      (c) =>
        rfm.r[c] === 0 ? null : `${rfm.r[c]}${rfm.f[c]}${rfm.m[c]}`,
  ),
  rfm_segment: str(
    "named RFM segment; prospects for non-buyers",
    ({ rfm }) =>
      (c) =>
        rfm.segment[c],
    false,
  ),
  revenue_percentile: num(
    "% of buyers whose total_spent is strictly lower (top 20% = >= 80)",
    (p) => numberOf(p.revenuePercentile),
  ),
  p_alive: {
    ...num("probability the customer is still active (BG/NBD); null for non-buyers", (p) =>
      numberOf(p.predictions().pAlive),
    ),
    predictions: true,
  },
  predicted_spend: {
    ...num("expected amount per future purchase (Gamma-Gamma); null for non-buyers", (p) =>
      numberOf(p.predictions(true).spend),
    ),
    predictions: true,
  },
} as const satisfies Record<string, ProfileField>;

export type ProfileFieldName = keyof typeof PROFILE_FIELD_TABLE;

export function isProfileField(name: string): name is ProfileFieldName {
  return Object.hasOwn(PROFILE_FIELD_TABLE, name);
}

const EMPTY: readonly Value[] = Object.freeze([]) as readonly Value[];

/** Money sums accumulate float noise (0.1 + 0.2); profiles show them to the cent. */
export function roundCents(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Getters over the store's columns, by how a column holds absence. */
function textOf(column: readonly (string | undefined)[]): Getter<number> {
  return (c) => column[c] ?? null;
}

function numberOf(column: ArrayLike<number>): Getter<number> {
  return (c) => {
    const v = column[c];
    return Number.isNaN(v) ? null : v;
  };
}

function daysFrom(asOf: EpochDay, column: ArrayLike<number>): Getter<number> {
  return (c) => {
    const v = column[c];
    return Number.isNaN(v) ? null : asOf - v;
  };
}

function scoreOf(column: Uint8Array): Getter<number> {
  return (c) => (column[c] === 0 ? null : column[c]);
}

function listOf(column: readonly (readonly string[] | undefined)[]): Getter<number> {
  return (c) => column[c] ?? EMPTY;
}

function byFirstPurchase(column: readonly (Map<string, number> | undefined)[]): Getter<number> {
  return (c) => {
    const v = column[c];
    return v === undefined ? EMPTY : listByFirstPurchase(v);
  };
}
