/**
 * Test helper: small seeded shops made to stress identity and order assembly (for the SQL profile
 * builder's differential test): few emails, phones and ids shared in every combination (a phone on
 * two people with different emails, an id met first by email, a buyer known only by phone), two
 * contacts files and two orders files whose order ids overlap (the same order in two downloads),
 * multi-row orders whose fields sit on a later row, interleaved rows of orders open together,
 * same-day orders with ids "9" and "10", refunds, statuses, currencies (with `currency:` or
 * `exchange_rates:`), rows and orders dated after as_of, orders files without an order id.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Rng, chance, mulberry32 as random, pick } from "./seeded.js";

function csv(rows: string[][]): string {
  return `${rows
    .map((row) =>
      row.map((c) => (/[",\n;]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(","),
    )
    .join("\n")}\n`;
}

function day(r: Rng): string {
  // 2025-06-01 … 2026-07-20 (as_of is 2026-06-30): some after as_of, many on the same few days.
  const offset = chance(r, 0.3) ? pick(r, [0, 100, 200, 390, 394]) : Math.floor(r() * 415);
  return new Date(Date.UTC(2025, 5, 1) + offset * 86_400_000).toISOString().slice(0, 10);
}

/** Writes the shop's files and audience.yaml into `dir` (which must exist). */
export async function writeHostileShop(dir: string, seed: number, segments: string): Promise<void> {
  const r = random(seed);
  const ids = Array.from({ length: 14 }, (_, i) => `c${i}`);
  const emails = Array.from({ length: 12 }, (_, i) => `p${i}@example.com`);
  const phones = Array.from({ length: 7 }, (_, i) => `06 12 34 56 ${String(70 + i)}`);
  const spell = (email: string) =>
    pick(r, [email, email.toUpperCase(), ` ${email} `, email.replace("p", "P")]);
  /** Identifier cells: a random non-empty combination, sometimes an invalid email or phone. */
  const identity = (): [string, string, string] => {
    for (;;) {
      const id = chance(r, 0.45) ? pick(r, ids) : "";
      const email = chance(r, 0.6) ? spell(pick(r, emails)) : chance(r, 0.05) ? "not-an-email" : "";
      const phone = chance(r, 0.45) ? pick(r, phones) : chance(r, 0.05) ? "12" : "";
      if (id !== "" || email !== "" || phone !== "") return [id, email, phone];
    }
  };
  const names = ["Anna", "", "Bob", "Zoé", "", "=cmd"];
  const consents = ["yes", "no", "", "", "true", "maybe"];

  const contactsHeader = [
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
    "lists",
    "acquisition_channel",
    "tier",
  ];
  const contactFiles = [0, 1].map(() => {
    const rows: string[][] = [contactsHeader];
    const n = 5 + Math.floor(r() * 20);
    for (let i = 0; i < n; i++) {
      rows.push([
        ...identity(),
        pick(r, names),
        pick(r, names),
        pick(r, ["Paris", "", "Lyon"]),
        pick(r, ["FR", "BE", ""]),
        chance(r, 0.7) ? day(r) : chance(r, 0.1) ? "someday" : "",
        pick(r, consents),
        pick(r, consents),
        pick(r, consents),
        Array.from({ length: Math.floor(r() * 3) }, () => pick(r, ["vip", "VIP", "b2b"])).join(
          pick(r, [", ", ";"]),
        ),
        Array.from({ length: Math.floor(r() * 3) }, () => pick(r, ["A", "B", "C"])).join(";"),
        pick(r, ["", "web", "instagram"]),
        pick(r, ["", "gold", "silver"]),
      ]);
    }
    return rows;
  });

  const currencyMode = seed % 3; // 0: EUR only; 1: currency: EUR; 2: exchange_rates
  const withIds = seed % 5 !== 4;
  const ordersHeader = [
    ...(withIds ? ["order_id"] : []),
    "customer_id",
    "email",
    "phone",
    "created_at",
    "total",
    "refunded",
    "currency",
    "status",
    "channel",
    "product",
    "sku",
    "category",
    "quantity",
    "price",
    "first_name",
    "city",
    "email_consent",
  ];
  let nextId = 1;
  const orderFiles = [0, 1].map((f) => {
    const orders: string[][][] = [];
    const n = 10 + Math.floor(r() * 30);
    for (let k = 0; k < n; k++) {
      // Ids "1"…"40" (so "9" and "10" meet); the second file repeats some of the first's.
      const id =
        f === 1 && chance(r, 0.3) ? String(1 + Math.floor(r() * nextId)) : String(nextId++);
      const [cid, email, phone] = identity();
      const date = day(r);
      const lines = 1 + Math.floor(r() * 3);
      const fieldsRow = chance(r, 0.8) ? 0 : lines - 1;
      const rows: string[][] = [];
      for (let l = 0; l < lines; l++) {
        const first = l === fieldsRow;
        rows.push([
          ...(withIds ? [id] : []),
          l === 0 ? cid : chance(r, 0.5) ? cid : "",
          l === 0 ? email : "",
          l === 0 ? phone : "",
          first || (l === 0 && chance(r, 0.5)) ? date : "",
          first && chance(r, 0.6) ? (Math.floor(r() * 30000) / 100).toFixed(2) : "",
          first && chance(r, 0.2) ? (Math.floor(r() * 2000) / 100).toFixed(2) : "",
          first
            ? currencyMode === 0
              ? pick(r, ["EUR", ""])
              : pick(r, ["EUR", "usd", "EUR", ""])
            : "",
          first ? pick(r, ["paid", "paid", "Cancelled", "", "wc-completed", "refunded"]) : "",
          first ? pick(r, ["web", "store", "", "5690175"]) : "",
          pick(r, ["Crème", "Sérum", "", "savon"]),
          pick(r, ["S1", "S2", ""]),
          pick(r, ["Soin", "", "Corps"]),
          pick(r, ["1", "2", "", "-1"]),
          chance(r, 0.85) ? (Math.floor(r() * 9000) / 100).toFixed(2) : "",
          first ? pick(r, names) : "",
          first ? pick(r, ["Nice", ""]) : "",
          first ? pick(r, ["yes", "no", "", "x"]) : "",
        ]);
      }
      orders.push(rows);
    }
    const rows = orders.flat();
    // Interleave rows of orders open at the same time (swap neighbours of different orders).
    for (let i = 1; i < rows.length; i++)
      if (chance(r, 0.1)) [rows[i - 1], rows[i]] = [rows[i], rows[i - 1]];
    return [ordersHeader, ...rows];
  });

  const events: string[][] = [["customer_id", "email", "phone", "type", "occurred_at", "handled"]];
  for (let i = 0; i < 25; i++)
    events.push([
      ...identity(),
      pick(r, ["wa_read", "email_open", ""]),
      day(r),
      pick(r, ["yes", "no", ""]),
    ]);
  const lists: string[][] = [["list", "customer_id", "email", "phone"]];
  for (let i = 0; i < 12; i++) lists.push([pick(r, ["A", "D", " E "]), ...identity()]);

  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "contacts_1.csv"), csv(contactFiles[0]));
  await writeFile(join(dir, "contacts_2.csv"), csv(contactFiles[1]));
  await writeFile(join(dir, "orders_1.csv"), csv(orderFiles[0]));
  await writeFile(join(dir, "orders_2.csv"), csv(orderFiles[1]));
  await writeFile(join(dir, "events.csv"), csv(events));
  await writeFile(join(dir, "lists.csv"), csv(lists));
  await writeFile(
    join(dir, "audience.yaml"),
    [
      'contacts: "contacts_*.csv"',
      'orders: "orders_*.csv"',
      "events: events.csv",
      "lists: lists.csv",
      `segments: ${segments}`,
      `timezone: ${pick(r, ["UTC", "Europe/Paris", "Pacific/Kiritimati"])}`,
      "default_country: FR",
      "as_of: 2026-06-30",
      ...(currencyMode === 1 ? ["currency: EUR"] : []),
      ...(currencyMode === 2 ? ["reporting_currency: EUR", "exchange_rates: { USD: 0.9 }"] : []),
      "",
    ].join("\n"),
  );
}
