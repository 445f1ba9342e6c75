/**
 * The demo shop's figures computed from its rows alone, with no code of the model, the DSL or the
 * RFM module: one record per person, the RFM cut points (type-7 percentiles) and the 5×5 grid.
 * Shared by src/demo/audiences.test.ts (on the generator's rows) and test/reports.e2e.test.ts (on
 * the files of fixtures/demo, against what the CLI prints), so that both compare with one
 * independent computation.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import type { DemoBatch } from "../../src/demo/generate.js";

export const AS_OF_TEXT = "2026-06-30";

export function dayNumber(text: string): number {
  return (
    Date.UTC(Number(text.slice(0, 4)), Number(text.slice(5, 7)) - 1, Number(text.slice(8, 10))) /
    86_400_000
  );
}

export const AS_OF = dayNumber(AS_OF_TEXT);

/** French phones in any of the demo's spellings, as +33… */
function e164(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, "");
  if (digits.startsWith("+")) return digits;
  if (digits.startsWith("0033")) return `+${digits.slice(2)}`;
  return `+33${digits.slice(1)}`;
}

const parisDate = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Paris",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

export interface Order {
  day: number;
  value: number;
  channel: string;
  categories: Set<string>;
}

export interface Person {
  signupAgo: number | undefined;
  lists: Set<string>;
  orders: Order[];
  inbound: { ago: number; handled: string }[];
  readAgo: number[];
}

/** One record per person: contacts by customer_id, guests by email, WhatsApp leads by phone. */
export function people(shop: DemoBatch): Map<string, Person> {
  const byKey = new Map<string, Person>();
  const byEmail = new Map<string, string>();
  const byPhone = new Map<string, string>();
  const person = (key: string): Person => {
    let p = byKey.get(key);
    if (p === undefined) {
      p = { signupAgo: undefined, lists: new Set(), orders: [], inbound: [], readAgo: [] };
      byKey.set(key, p);
    }
    return p;
  };
  for (const [id, email, phone, , , createdAt] of shop.contacts) {
    if (id === "") continue; // a duplicate row of a contact that has its own row
    person(id).signupAgo = AS_OF - dayNumber(createdAt);
    if (email !== "") byEmail.set(email.trim().toLowerCase(), id);
    if (phone !== "") byPhone.set(e164(phone), id);
  }
  const orders = new Map<string, { key: string; order: Order; status: string }>();
  for (const row of shop.orders) {
    const [orderId, customerId, email, createdAt, status, channel, total, refunded] = row;
    let entry = orders.get(orderId);
    if (entry === undefined) {
      entry = {
        key: customerId !== "" ? customerId : `guest:${email.trim().toLowerCase()}`,
        status,
        order: {
          day: dayNumber(createdAt),
          value: Number(total) - (refunded === "" ? 0 : Number(refunded)),
          channel,
          categories: new Set(),
        },
      };
      orders.set(orderId, entry);
    }
    entry.order.categories.add(row[11]);
  }
  for (const { key, order, status } of orders.values()) {
    if (status !== "cancelled" && status !== "refunded") person(key).orders.push(order);
  }
  for (const [customerId, phone, type, occurredAt, handled] of shop.events) {
    const key =
      customerId !== "" ? customerId : (byPhone.get(e164(phone)) ?? `lead:${e164(phone)}`);
    const ago = AS_OF - dayNumber(parisDate.format(new Date(occurredAt)));
    if (type === "whatsapp_inbound") person(key).inbound.push({ ago, handled });
    if (type === "whatsapp_read") person(key).readAgo.push(ago);
  }
  for (const [list, email] of shop.lists) {
    const id = byEmail.get(email.trim().toLowerCase());
    if (id !== undefined) person(id).lists.add(list);
  }
  return byKey;
}

export const lastAgo = (p: Person) => AS_OF - Math.max(...p.orders.map((o) => o.day));
export const firstAgo = (p: Person) => AS_OF - Math.min(...p.orders.map((o) => o.day));

/** Type-7 percentile (linear interpolation between order statistics) of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function cutPoints(values: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  return [0.2, 0.4, 0.6, 0.8].map((p) => percentile(sorted, p));
}

/** The 5×5 grid of buyers by R (rows, R=1 first) and F (columns). */
export function rfmGrid(all: readonly Person[]): number[][] {
  const buyers = all.filter((p) => p.orders.length > 0);
  const recency = buyers.map(lastAgo);
  const frequency = buyers.map((p) => p.orders.length);
  const rCuts = cutPoints(recency);
  const fCuts = cutPoints(frequency);
  const grid = Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]);
  buyers.forEach((_, i) => {
    const r = 1 + rCuts.filter((c) => c > recency[i]).length;
    const f = 1 + fCuts.filter((c) => c < frequency[i]).length;
    grid[r - 1][f - 1]++;
  });
  return grid;
}

const spent = (p: Person) => p.orders.reduce((s, o) => s + o.value, 0);

/** What `audience rfm --json` reports, computed independently. */
export function rfmFigures(all: readonly Person[]) {
  const buyers = all.filter((p) => p.orders.length > 0);
  const cents = (n: number) => Math.round(n * 100) / 100;
  return {
    customers: all.length,
    buyers: buyers.length,
    revenue: cents(buyers.reduce((s, p) => s + spent(p), 0)),
    cut_points: {
      recency: cutPoints(buyers.map(lastAgo)),
      frequency: cutPoints(buyers.map((p) => p.orders.length)),
      monetary: cutPoints(buyers.map(spent)),
    },
    grid: rfmGrid(all),
  };
}

/** The rows of a folder written by `audience demo`, in the generator's column order. */
export async function readDemoFolder(dir: string): Promise<DemoBatch> {
  const rows = async (file: string) =>
    (parse(await readFile(join(dir, file), "utf8")) as string[][]).slice(1);
  return {
    contacts: await rows("contacts.csv"),
    orders: await rows("orders.csv"),
    events: await rows("events.csv"),
    lists: await rows("lists.csv"),
  };
}
