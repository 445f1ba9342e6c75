/**
 * The demo shop: a synthetic French beauty brand, generated customer by customer in one pass so
 * that a million contacts stream to disk without being held in memory. Pure: the same options give
 * the same rows, on any machine.
 *
 * Distributions are skewed the way real shops are: many contacts never buy, most buyers buy once
 * or twice, a long tail buys often; spend is heavy-tailed; recency mixes active and lapsed
 * customers; some acquisition channels bring better buyers than others. The values are messy the
 * way exports are: emails in mixed case with stray spaces, phones in five spellings, the
 * spreadsheet apostrophe, duplicate contact rows, guest checkouts, line-item orders whose
 * order-level fields sit on the first row only.
 */
import { formatDay, type EpochDay } from "../calendar.js";
import {
  ACQUISITION_CHANNELS,
  CATALOG,
  CITIES,
  FIRST_NAMES,
  LAST_NAMES,
  LISTS,
  SKIN_TYPES,
  TAGS,
  type ChannelProfile,
  type Product,
} from "./catalog.js";
import type { OrderColumnName } from "../model/order-columns.js";
import { Random } from "./random.js";

export interface DemoOptions {
  contacts: number;
  seed: number;
  asOf: EpochDay;
}

/** The demo files' headers, in the order their columns are written. */
export const DEMO_HEADERS = {
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
    "skin_type",
  ],
  orders: [
    "order_id",
    "customer_id",
    "email",
    "created_at",
    "status",
    "channel",
    "total",
    "refunded",
    "currency",
    "product",
    "sku",
    "category",
    "quantity",
    "price",
  ],
  events: ["customer_id", "phone", "type", "occurred_at", "handled", "campaign"],
  lists: ["list", "email"],
} as const satisfies {
  // Order headers are canonical order columns (the demo has no custom order column).
  orders: readonly OrderColumnName[];
  contacts: readonly string[];
  events: readonly string[];
  lists: readonly string[];
};

export type DemoFile = keyof typeof DEMO_HEADERS;

/** The rows one customer (and the guests or leads generated next to them) adds to each file. */
export interface DemoBatch {
  contacts: string[][];
  orders: string[][];
  events: string[][];
  lists: string[][];
}

/** History covered by the demo: two years before as_of. */
const HISTORY_DAYS = 730;

const ORDER_COUNTS: readonly (readonly [number, number])[] = [
  [1, 29],
  [2, 23],
  [3, 15],
  [4, 10],
  [5, 7],
  [6, 5],
  [7, 3.5],
  [8, 2.5],
  [10, 2],
  [12, 1.3],
  [15, 0.9],
  [20, 0.5],
  [26, 0.3],
];

const LINES_PER_ORDER: readonly (readonly [number, number])[] = [
  [1, 24],
  [2, 32],
  [3, 26],
  [4, 18],
];

const CAMPAIGNS = [
  "printemps-2026",
  "fete-des-meres",
  "soldes-ete",
  "rentree",
  "black-friday",
  "noel",
];

function ascii(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z]/g, "");
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The nine national digits after the trunk 0 of contact i's phone: unique per contact. */
export function nationalNumber(i: number): string {
  if (i < 10_000) return `63998${String(i).padStart(4, "0")}`;
  // Spread the others over 06 0… to 06 4… numbers, outside the ARCEP fiction block; leads use 06 5… and up.
  let n = (i * 7_919 + 12_345_678) % 50_000_000;
  if (n >= 39_980_000 && n < 39_990_000) n = (n + 10_000_000) % 50_000_000;
  return `6${String(n).padStart(8, "0")}`;
}

/**
 * The same (French mobile) phone written the ways exports write it. Customers who live in Belgium
 * or Switzerland write it with +33: written nationally it would be read in their own country's plan.
 */
function spellPhone(r: Random, national: string, country: string): string {
  const pairs = `0${national}`.match(/../g) as string[];
  const spelling = r.weighted([
    ["spaced", 38],
    ["intl-spaced", 20],
    ["e164", 15],
    ["apostrophe", 10],
    ["double-zero", 10],
    ["dots", 7],
  ] as const);
  const abroad = country !== "FR" && (spelling === "spaced" || spelling === "dots");
  switch (abroad ? "intl-spaced" : spelling) {
    case "spaced":
      return pairs.join(" ");
    case "intl-spaced":
      return `+33 ${national[0]} ${national.slice(1).match(/../g)?.join(" ")}`;
    case "e164":
      return `+33${national}`;
    case "apostrophe":
      return `'+33${national}`;
    case "double-zero":
      return `0033${national}`;
    case "dots":
      return pairs.join(".");
  }
}

function spellEmail(r: Random, email: string): string {
  const roll = r.next();
  if (roll < 0.12)
    return email
      .replace(/^./, (c) => c.toUpperCase())
      .replace(/\.(.)/, (_, c: string) => `.${c.toUpperCase()}`);
  if (roll < 0.15) return email.toUpperCase();
  if (roll < 0.2) return ` ${email} `;
  return email;
}

function timestamp(r: Random, day: EpochDay): string {
  return `${formatDay(day)} ${pad2(r.int(8, 22))}:${pad2(r.int(0, 59))}:${pad2(r.int(0, 59))}`;
}

/** An ISO UTC instant whose calendar date in Paris is `day` (from 22:00 UTC the evening before). */
function instant(r: Random, day: EpochDay): string {
  const minutes = r.int(0, 24 * 60 - 1) - 120;
  const d = minutes < 0 ? day - 1 : day;
  const m = (minutes + 24 * 60) % (24 * 60);
  return `${formatDay(d)}T${pad2(Math.floor(m / 60))}:${pad2(m % 60)}:${pad2(r.int(0, 59))}Z`;
}

function money(value: number): string {
  return value.toFixed(2);
}

interface Person {
  id: string;
  email: string | undefined;
  phone: string | undefined;
  national: string | undefined;
  channel: ChannelProfile;
  signupAgo: number;
  emailConsent: boolean;
  smsConsent: boolean;
  whatsappConsent: boolean | undefined;
}

export class ShopGenerator {
  private readonly r: Random;
  private readonly asOf: EpochDay;
  private orderSeq = 100_000;
  private guests = 0;
  private leads = 0;

  constructor(private readonly options: DemoOptions) {
    this.r = new Random(options.seed);
    this.asOf = options.asOf;
  }

  *batches(): Generator<DemoBatch> {
    for (let i = 0; i < this.options.contacts; i++) {
      const batch: DemoBatch = { contacts: [], orders: [], events: [], lists: [] };
      this.customer(i, batch);
      if (i % 30 === 29) this.guest(batch);
      if (i % 40 === 39) this.lead(batch);
      yield batch;
    }
  }

  private customer(i: number, out: DemoBatch): void {
    const r = this.r;
    const first = r.pick(FIRST_NAMES);
    const last = r.pick(LAST_NAMES);
    const channel = r.weighted(ACQUISITION_CHANNELS.map((c) => [c, c.weight] as const));
    const signupAgo = r.chance(0.1) ? r.int(0, 59) : r.int(60, HISTORY_DAYS - 1);
    const id = `C${100_000 + i}`;
    const email = r.chance(0.97)
      ? `${ascii(first)}.${ascii(last)}${i}@${r.pick(["example.com", "example.net", "example.org"])}`
      : undefined;
    const national = r.chance(0.82) ? nationalNumber(i) : undefined;
    const country = r.weighted([
      ["FR", 90],
      ["BE", 6],
      ["CH", 4],
    ] as const);
    const [city, zip] = r.pick(CITIES[country]);
    const emailConsent = r.chance(channel.name === "newsletter" ? 0.92 : 0.74);
    const smsConsent = national !== undefined && r.chance(0.48);
    const whatsappRoll = r.next();
    const whatsappConsent =
      channel.name === "whatsapp_qr"
        ? national !== undefined
        : whatsappRoll < 0.4
          ? undefined
          : whatsappRoll < 0.75;
    const tags: string[] = [];
    for (let k = r.int(0, 2); k > 0; k--) {
      const tag = r.pick(TAGS);
      if (!tags.includes(tag)) tags.push(tag);
    }
    const person: Person = {
      id,
      email,
      phone: national === undefined ? undefined : spellPhone(r, national, country),
      national,
      channel,
      signupAgo,
      emailConsent,
      smsConsent,
      whatsappConsent: national === undefined ? undefined : whatsappConsent,
    };
    const yesNo = (b: boolean | undefined) => (b === undefined ? "" : b ? "yes" : "no");
    const row = [
      id,
      email === undefined ? "" : spellEmail(r, email),
      person.phone ?? "",
      first,
      last,
      timestamp(r, this.asOf - signupAgo),
      channel.name,
      yesNo(emailConsent),
      yesNo(smsConsent),
      yesNo(person.whatsappConsent),
      country,
      city,
      zip,
      tags.join(", "),
      r.pick(SKIN_TYPES),
    ];
    out.contacts.push(row);
    if (r.chance(0.005)) out.contacts.push(this.duplicateOf(row));

    const orders = this.orders(person, out);
    this.events(person, orders, out);
    this.lists(person, orders, out);
  }

  /** The same person exported twice: same id with the email in capitals, or no id at all. */
  private duplicateOf(row: string[]): string[] {
    const copy = [...row];
    if (this.r.chance(0.6)) {
      copy[1] = copy[1].trim().toUpperCase();
      copy[12] = "";
      copy[13] = "";
    } else {
      copy[0] = "";
      copy[1] = copy[1].trim().toLowerCase();
      copy[2] = "";
    }
    return copy;
  }

  /** Writes the customer's orders; returns their count (before cancellations). */
  private orders(p: Person, out: DemoBatch): number {
    const r = this.r;
    const recentSignup = p.signupAgo < 30 ? 0.35 : 1;
    if (!r.chance(p.channel.buy * recentSignup)) return 0;
    let n = r.weighted(ORDER_COUNTS);
    if (n > 1) n = Math.max(2, Math.round(n * p.channel.frequency * (0.8 + 0.4 * r.next())));
    const maxAgo = Math.min(p.signupAgo, HISTORY_DAYS - 1);
    // Recency: frequent buyers are more often active, but some are lapsed (RFM "can't lose").
    const active = n >= 5 && r.chance(0.55);
    let lastAgo = active
      ? r.int(0, 60)
      : r.weighted([
          [r.int(0, 30), 24],
          [r.int(31, 120), 26],
          [r.int(121, 365), 26],
          [r.int(366, HISTORY_DAYS - 1), 24],
        ] as const);
    lastAgo = Math.min(lastAgo, maxAgo);
    const days: EpochDay[] = [this.asOf - lastAgo];
    if (n > 1) {
      const firstAgo = Math.min(maxAgo, lastAgo + Math.max(n * 9, r.int(30, HISTORY_DAYS)));
      days.push(this.asOf - firstAgo);
      for (let k = 2; k < n; k++) days.push(this.asOf - r.int(lastAgo, firstAgo));
    }
    days.sort((a, b) => a - b);
    const storeBuyer = p.channel.name === "store";
    for (const day of days)
      this.order(p.id, undefined, day, storeBuyer ? 0.7 : 0.08, p.channel.basket, out);
    return n;
  }

  private order(
    customerId: string,
    email: string | undefined,
    day: EpochDay,
    storeShare: number,
    basket: number,
    out: DemoBatch,
  ): void {
    const r = this.r;
    const id = String(++this.orderSeq);
    let lines = r.weighted(LINES_PER_ORDER);
    if (basket > 1 && r.chance(basket - 1)) lines++;
    if (basket < 1 && lines > 1 && r.chance(1 - basket)) lines--;
    const items: { product: Product; quantity: number }[] = [];
    for (let k = 0; k < lines; k++) {
      items.push({
        product: r.pick(CATALOG),
        quantity: r.weighted([
          [1, 85],
          [2, 12],
          [3, 3],
        ] as const),
      });
    }
    const total = items.reduce((sum, item) => sum + item.quantity * item.product.price, 0);
    const status = r.weighted([
      ["paid", 93],
      ["cancelled", 3],
      ["refunded", 2],
      ["partially_refunded", 2],
    ] as const);
    const refunded = status === "partially_refunded" ? money(Math.round(total * 30) / 100) : "";
    const channel = r.chance(storeShare) ? "store" : "web";
    const when = timestamp(r, day);
    items.forEach((item, k) => {
      const first = k === 0;
      out.orders.push([
        id,
        customerId,
        email ?? "",
        when,
        first ? status : "",
        first ? channel : "",
        first ? money(total) : "",
        first ? refunded : "",
        first ? "EUR" : "",
        item.product.name,
        item.product.sku,
        item.product.category,
        String(item.quantity),
        money(item.product.price),
      ]);
    });
  }

  /** A guest checkout: an email in no contact row. */
  private guest(out: DemoBatch): void {
    const r = this.r;
    const email = `guest${++this.guests}@example.net`;
    const orders = r.chance(0.8) ? 1 : 2;
    for (let k = 0; k < orders; k++)
      this.order("", email, this.asOf - r.int(0, HISTORY_DAYS - 1), 0.05, 1, out);
  }

  /** A WhatsApp lead: someone who wrote in from a number in no contact row, and never bought. */
  private lead(out: DemoBatch): void {
    const r = this.r;
    const n = ++this.leads;
    const national = `6${String(50_000_000 + n).padStart(8, "0")}`;
    const messages = r.int(1, 2);
    for (let k = 0; k < messages; k++) {
      out.events.push([
        "",
        `+33${national}`,
        "whatsapp_inbound",
        instant(r, this.asOf - r.int(0, 120)),
        r.chance(0.7) ? "yes" : "no",
        "",
      ]);
    }
  }

  private events(p: Person, orders: number, out: DemoBatch): void {
    const r = this.r;
    const keyed = (): [string, string] =>
      p.national !== undefined && r.chance(0.3)
        ? ["", r.chance(0.5) ? `+33${p.national}` : `0033${p.national}`]
        : [p.id, ""];
    if (
      p.national !== undefined &&
      r.chance(p.channel.name === "whatsapp_qr" ? 0.5 : orders === 0 ? 0.12 : 0.1)
    ) {
      for (let k = r.int(1, 3); k > 0; k--) {
        const ago = r.chance(0.6) ? r.int(0, 90) : r.int(91, HISTORY_DAYS - 1);
        const handled = ago > 30 || r.chance(0.75) ? "yes" : "no";
        out.events.push([...keyed(), "whatsapp_inbound", instant(r, this.asOf - ago), handled, ""]);
      }
    }
    const whatsapp = p.whatsappConsent ?? p.smsConsent;
    if (p.national !== undefined && whatsapp && r.chance(orders >= 3 ? 0.6 : 0.4)) {
      for (let k = r.int(1, 6); k > 0; k--) {
        out.events.push([
          ...keyed(),
          "whatsapp_read",
          instant(r, this.asOf - r.int(0, 200)),
          "",
          r.pick(CAMPAIGNS),
        ]);
      }
    }
    if (p.email !== undefined && p.emailConsent && r.chance(0.3)) {
      for (let k = r.int(1, 3); k > 0; k--) {
        out.events.push([
          p.id,
          "",
          "email_click",
          instant(r, this.asOf - r.int(0, 180)),
          "",
          r.pick(CAMPAIGNS),
        ]);
      }
    }
  }

  private lists(p: Person, orders: number, out: DemoBatch): void {
    if (p.email === undefined) return;
    const r = this.r;
    if (r.chance(0.22)) out.lists.push([LISTS.faceCare, spellEmail(r, p.email)]);
    if (p.emailConsent && r.chance(0.35))
      out.lists.push([LISTS.newsletter, spellEmail(r, p.email)]);
    if (orders >= 6 && r.chance(0.7)) out.lists.push([LISTS.vipClub, spellEmail(r, p.email)]);
  }
}

/** The whole shop at once (tests and small shops): every batch of the generator, concatenated. */
export function generateShop(options: DemoOptions): DemoBatch {
  const all: DemoBatch = { contacts: [], orders: [], events: [], lists: [] };
  for (const batch of new ShopGenerator(options).batches()) {
    all.contacts.push(...batch.contacts);
    all.orders.push(...batch.orders);
    all.events.push(...batch.events);
    all.lists.push(...batch.lists);
  }
  return all;
}
