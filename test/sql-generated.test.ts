/**
 * Generated cases for the compiled segment SQL: seeded random shops (empty cells, mixed case,
 * `%` and `_` in names, lines without prices, buyers without contact rows) and seeded random
 * well-typed `where` expressions over every kind of field, aggregate and operator, with null
 * literals and absent values mixed in; some segments refer to others (`in_segment`, `exclude`),
 * with random channels, consent modes and priorities. The memory engine and the SQL in DuckDB must
 * agree on every segment's members, reachable members and --exclusive assignment, and so must the
 * postgres dialect in a throwaway PostgreSQL server.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveSettings } from "../src/config/settings.js";
import { readConfig } from "../src/io/read-config.js";
import { parseSegmentFile } from "../src/segments/parse-segment-file.js";
import { compareEngines, readShop } from "./helpers/duckdb-tables.js";
import { postgresBin, startPostgres, type TestPostgres } from "./helpers/postgres.js";
import { postgresTarget } from "./helpers/postgres-tables.js";
import { type Rng, chance, mulberry32 as random, pick } from "./helpers/seeded.js";

const CITIES = ["Paris", "PARIS", "lyon", "Lyon", "Saint-Étienne", "O'Brien", "50%_off", ""];
const NAMES = ["Anna", "anna", "Bob", "ÉLODIE", "zoé", "Chris_1", "", "d%d"];
const PRODUCTS = ["Crème de jour", "crème DE nuit", "Sérum 100%", "Huile_2", "Savon", ""];
const CATEGORIES = ["Crème", "Sérum", "soin", "Soin", ""];
const SKUS = ["SKU-1", "SKU-10", "SKU_2", "sku-3", ""];
const CHANNELS = ["web", "Web", "store", "whatsapp", ""];
const TAGS = ["vip", "VIP", "newsletter", "b2b", "Promo"];
const LISTS = ["Gamme Visage", "gamme corps", "Soldes"];
const EVENT_TYPES = ["email_open", "Email_Open", "wa_read", "wa_inbound"];
const TIERS = ["gold", "Silver", "bronze", ""];

function day(r: Rng): string {
  // 2024-01-01 … 2026-07-31 (some after as_of 2026-06-30).
  const ms = Date.UTC(2024, 0, 1) + Math.floor(r() * 943) * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

function csv(rows: string[][]): string {
  return rows
    .map((row) => row.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(","))
    .join("\n");
}

function shop(r: Rng): Record<string, string> {
  const contacts: string[][] = [
    [
      "customer_id",
      "email",
      "phone",
      "first_name",
      "last_name",
      "city",
      "country",
      "created_at",
      "email_consent",
      "sms_consent",
      "whatsapp_consent",
      "tags",
      "tier",
    ],
  ];
  const orders: string[][] = [
    [
      "order_id",
      "customer_id",
      "created_at",
      "status",
      "channel",
      "total",
      "product",
      "sku",
      "category",
      "quantity",
      "price",
    ],
  ];
  const events: string[][] = [
    ["customer_id", "type", "occurred_at", "handled", "score", "campaign"],
  ];
  const lists: string[][] = [["list", "customer_id"]];
  const consent = () => pick(r, ["yes", "no", "", "true", "0"]);
  let orderId = 1000;
  for (let i = 0; i < 90; i++) {
    const id = `c${i}`;
    const contact = i < 75;
    if (contact) {
      contacts.push([
        id,
        chance(r, 0.8) ? `${id}@example.com` : "",
        chance(r, 0.7)
          ? `06 39 98 ${String(10 + (i % 90)).padStart(2, "0")} ${String(10 + i).slice(-2)}`
          : "",
        pick(r, NAMES),
        pick(r, NAMES),
        pick(r, CITIES),
        pick(r, ["FR", "BE", ""]),
        chance(r, 0.8) ? day(r) : "",
        consent(),
        consent(),
        consent(),
        Array.from({ length: Math.floor(r() * 3) }, () => pick(r, TAGS)).join(", "),
        pick(r, TIERS),
      ]);
    }
    const orderCount = contact ? Math.floor(r() * 4) : 1 + Math.floor(r() * 2);
    for (let k = 0; k < orderCount; k++) {
      const oid = String(orderId++);
      const date = day(r);
      const status = pick(r, ["paid", "paid", "paid", "cancelled"]);
      const channel = pick(r, CHANNELS);
      const lines = 1 + Math.floor(r() * 3);
      const withTotal = chance(r, 0.6);
      for (let l = 0; l < lines; l++) {
        const price = chance(r, 0.85) ? (Math.floor(r() * 9000) / 100).toFixed(2) : "";
        orders.push([
          oid,
          id,
          date,
          status,
          l === 0 ? channel : "",
          withTotal && l === 0 ? (Math.floor(r() * 20000) / 100).toFixed(2) : "",
          pick(r, PRODUCTS),
          pick(r, SKUS),
          pick(r, CATEGORIES),
          chance(r, 0.8) ? String(1 + Math.floor(r() * 3)) : "",
          price,
        ]);
      }
    }
    const eventCount = Math.floor(r() * 4);
    for (let k = 0; k < eventCount; k++) {
      events.push([
        id,
        pick(r, EVENT_TYPES),
        day(r),
        pick(r, ["yes", "no", "", "maybe"]),
        pick(r, ["3", "3.0", "4", "", "x"]),
        pick(r, ["Spring sale", "spring", "Été", ""]),
      ]);
    }
    if (contact && chance(r, 0.4)) lists.push([pick(r, LISTS), id]);
  }
  return {
    "contacts.csv": csv(contacts),
    "orders.csv": csv(orders),
    "events.csv": csv(events),
    "lists.csv": csv(lists),
  };
}

// ---- expressions ---------------------------------------------------------------------------------

const STRING_FIELDS = [
  "first_name",
  "last_name",
  "city",
  "country",
  "acquisition_channel",
  "last_product",
  "last_category",
  "rfm_segment",
  "rfm_score",
  "first_order_channel",
  "email",
  "props.tier",
];
const NUMBER_FIELDS = [
  "orders_count",
  "total_spent",
  "avg_order_value",
  "days_since_last_order",
  "days_since_first_order",
  "days_since_signup",
  "rfm_r",
  "rfm_f",
  "rfm_m",
  "revenue_percentile",
];
const DATE_FIELDS = ["signup_date", "first_order_date", "last_order_date"];
const BOOL_FIELDS = ["email_consent", "sms_consent", "whatsapp_consent", "known_contact"];
const LIST_FIELDS = ["tags", "lists", "products", "categories"];
const STRING_LITERALS = [
  "paris",
  "PARIS",
  "Lyon",
  "anna",
  "o'brien",
  "50%_off",
  "crème de jour",
  "champions",
  "hibernating",
  "web",
  "gold",
  "",
  "é",
  "zz",
];
const AGGREGATES = [
  "orders()",
  "orders(within: 30d)",
  "orders(within: 6m)",
  "orders(since: 2026-01-31)",
  "orders(until: -3m)",
  "orders(since: -1y, until: -1m)",
  'orders(channel: "web")',
  'orders(channel: "w*")',
  'orders(product: "crème*")',
  'orders(sku: "sku_*")',
  'orders(sku: "SKU-1")',
  'orders(category: ["soin", "Sérum"])',
  'orders(product: "*100%*", within: 1y)',
  "spent()",
  "spent(within: 90d)",
  'spent(product: "*de*")',
  'spent(category: "crème", channel: "*e*")',
  'spent(product: "huile_2")',
  'events("email_open")',
  'events("email_open", within: 60d)',
  'events("wa_*", handled: false)',
  'events("wa_inbound", handled: true)',
  'events("*", score: 3)',
  'events("email_open", campaign: "spring*")',
  'events("wa_read", since: 2025-06-30)',
];

class Gen {
  constructor(private readonly r: Rng) {}

  num(depth: number): string {
    const r = this.r;
    const k = r();
    if (depth <= 0 || k < 0.35) return pick(r, NUMBER_FIELDS);
    if (k < 0.5) return pick(r, ["0", "1", "2", "3", "2.5", "20", "80", "100", "365", "0.1"]);
    if (k < 0.68) return pick(r, AGGREGATES);
    if (k < 0.76) return `days_since(${this.date(depth - 1)})`;
    if (k < 0.8) return `-${this.num(depth - 1)}`;
    if (k < 0.86) return `(${this.date(depth - 1)} - ${this.date(depth - 1)})`;
    return `(${this.num(depth - 1)} ${pick(r, ["+", "-", "*", "/"])} ${this.num(depth - 1)})`;
  }

  date(depth: number): string {
    const r = this.r;
    const k = r();
    if (depth <= 0 || k < 0.45) return pick(r, DATE_FIELDS);
    if (k < 0.6) return pick(r, ["2026-01-31", "2025-02-28", "2024-02-29", "2026-06-30"]);
    if (k < 0.72) return pick(r, ["-30d", "-6m", "-1y", "+7d", "-1m", "today", "-2w"]);
    return `(${this.date(depth - 1)} ${pick(r, ["+", "-"])} ${pick(r, ["1m", "6m", "1y", "10d", "2w", "13m"])})`;
  }

  str(): string {
    const r = this.r;
    return chance(r, 0.6) ? pick(r, STRING_FIELDS) : JSON.stringify(pick(r, STRING_LITERALS));
  }

  bool(depth: number): string {
    const r = this.r;
    const k = r();
    const op = () => pick(r, ["=", "!=", "<", "<=", ">", ">="]);
    if (depth <= 0 || k < 0.06) return pick(r, BOOL_FIELDS);
    if (k < 0.2) return `${this.num(depth - 1)} ${op()} ${this.num(depth - 1)}`;
    if (k < 0.3) return `${this.date(depth - 1)} ${op()} ${this.date(depth - 1)}`;
    if (k < 0.4) return `${this.str()} ${op()} ${this.str()}`;
    if (k < 0.44)
      return `${pick(r, [...NUMBER_FIELDS, ...STRING_FIELDS, ...DATE_FIELDS])} ${pick(r, ["=", "!="])} null`;
    if (k < 0.5) {
      const items = Array.from({ length: 1 + Math.floor(r() * 3) }, () =>
        JSON.stringify(pick(r, STRING_LITERALS)),
      );
      return `${pick(r, STRING_FIELDS)} ${chance(r, 0.5) ? "not in" : "in"} [${items.join(", ")}]`;
    }
    if (k < 0.54)
      return `${pick(r, NUMBER_FIELDS)} ${chance(r, 0.5) ? "not in" : "in"} [${pick(r, ["1, 2", "0", "3, null", "5, 4.5"])}]`;
    if (k < 0.62)
      return `${pick(r, LIST_FIELDS)} ${chance(r, 0.3) ? "not contains" : "contains"} ${JSON.stringify(pick(r, [...TAGS, ...LISTS, ...PRODUCTS, ...CATEGORIES]))}`;
    if (k < 0.66)
      return `${pick(r, STRING_FIELDS)} ${chance(r, 0.3) ? "not contains" : "contains"} ${this.str()}`;
    if (k < 0.7) return `${this.num(depth - 1)} between ${this.num(0)} and ${this.num(0)}`;
    if (k < 0.72) return `${pick(r, STRING_FIELDS)} between ${this.str()} and ${this.str()}`;
    if (k < 0.76) return `${this.date(depth - 1)} between ${this.date(0)} and ${this.date(0)}`;
    if (k < 0.82)
      return `${pick(r, [...STRING_FIELDS, ...NUMBER_FIELDS, ...DATE_FIELDS])} is ${chance(r, 0.5) ? "not " : ""}null`;
    if (k < 0.86) return `starts_with(${this.str()}, ${this.str()})`;
    if (k < 0.9) return `not (${this.bool(depth - 1)})`;
    return `(${this.bool(depth - 1)} ${chance(r, 0.5) ? "and" : "or"} ${this.bool(depth - 1)})`;
  }
}

function yamlString(text: string): string {
  return JSON.stringify(text);
}

/** Segment definitions: only expressions the checker accepts, referring to earlier valid ones. */
function segmentsFile(r: Rng, count: number): { text: string; tried: number } {
  const gen = new Gen(r);
  const valid: string[] = [];
  let tried = 0;
  while (valid.length < count && tried < count * 4) {
    tried++;
    const where = gen.bool(3);
    const one = parseSegmentFile({
      file: "one.yaml",
      text: `segments:\n  probe:\n    where: ${yamlString(where)}\n`,
    });
    if (one.definitions.length === 1 && !one.diagnostics.some((d) => d.severity === "error"))
      valid.push(where);
  }
  const lines = ["segments:"];
  valid.forEach((where, i) => {
    let expr = where;
    if (i > 0 && chance(r, 0.15))
      expr = `(${where}) ${chance(r, 0.5) ? "and not" : "or"} in_segment("g${Math.floor(r() * i)}")`;
    lines.push(`  g${i}:`, `    where: ${yamlString(expr)}`);
    lines.push(`    channel: ${pick(r, ["email", "sms", "whatsapp", "any", "none"])}`);
    if (chance(r, 0.2)) lines.push("    consent: ignore");
    if (i > 0 && chance(r, 0.15)) lines.push(`    exclude: [g${Math.floor(r() * i)}]`);
    if (chance(r, 0.3)) lines.push(`    priority: ${1 + Math.floor(r() * 5)}`);
  });
  return { text: lines.join("\n") + "\n", tried };
}

const SEEDS = [1, 2, 3];
const PER_SHOP = 90;

const server = postgresBin();
let pgServer: TestPostgres | undefined;

describe(`compiled segment SQL = memory engine, generated shops and expressions, in DuckDB and ${"missing" in server ? `(skipped: ${server.missing}) ` : ""}in a real PostgreSQL`, () => {
  beforeAll(async () => {
    if (!("missing" in server)) pgServer = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await pgServer?.stop();
  });

  it.each(SEEDS)("seed %i", async (seed) => {
    const r = random(seed);
    const dir = await mkdtemp(join(tmpdir(), "audience-sql-"));
    try {
      for (const [name, text] of Object.entries(shop(r))) await writeFile(join(dir, name), text);
      const { text, tried } = segmentsFile(r, PER_SHOP);
      await writeFile(join(dir, "segments.yaml"), text);
      await writeFile(
        join(dir, "audience.yaml"),
        [
          "contacts: contacts.csv",
          "orders: orders.csv",
          "events: events.csv",
          "lists: lists.csv",
          "segments: segments.yaml",
          "as_of: 2026-06-30",
          "timezone: UTC",
          "default_country: FR",
        ].join("\n"),
      );
      const source = await readConfig(join(dir, "audience.yaml"), dir);
      const settings = resolveSettings(source, {}, dir);
      const asOf = settings.asOf as number;
      const parsed = parseSegmentFile({ file: "segments.yaml", text });
      expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const { plan, profiles, rows } = await readShop(parsed.definitions, settings, asOf);
      expect(plan.segments.length).toBe(PER_SHOP);
      expect(tried).toBeLessThan(PER_SHOP * 4);
      expect(await compareEngines(plan, profiles, rows)).toBe(PER_SHOP * 3);
      if (pgServer !== undefined)
        expect(await compareEngines(plan, profiles, rows, postgresTarget(pgServer.url))).toBe(
          PER_SHOP * 3,
        );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
