/**
 * The demo shop is tuned so that every audience of the segment library, and every cell of the
 * 5×5 RFM grid, has members at about 2,000 contacts. Checked here on the generated rows with a
 * small computation of its own (no code of the model, the DSL or the RFM module).
 */
import { describe, expect, it } from "vitest";
import { generateShop, type DemoBatch } from "./generate.js";

const AS_OF_TEXT = "2026-06-30";

function dayNumber(text: string): number {
  return (
    Date.UTC(Number(text.slice(0, 4)), Number(text.slice(5, 7)) - 1, Number(text.slice(8, 10))) /
    86_400_000
  );
}

const AS_OF = dayNumber(AS_OF_TEXT);

function generate(contacts: number, seed: number): DemoBatch {
  return generateShop({ contacts, seed, asOf: AS_OF });
}

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

interface Order {
  day: number;
  value: number;
  channel: string;
  categories: Set<string>;
}

interface Person {
  signupAgo: number | undefined;
  lists: Set<string>;
  orders: Order[];
  inbound: { ago: number; handled: string }[];
  readAgo: number[];
}

/** One record per person: contacts by customer_id, guests by email, WhatsApp leads by phone. */
function people(shop: DemoBatch): Map<string, Person> {
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

const lastAgo = (p: Person) => AS_OF - Math.max(...p.orders.map((o) => o.day));
const firstAgo = (p: Person) => AS_OF - Math.min(...p.orders.map((o) => o.day));

/** Type-7 percentile (linear interpolation between order statistics) of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function cutPoints(values: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  return [0.2, 0.4, 0.6, 0.8].map((p) => percentile(sorted, p));
}

/** The 5×5 grid of buyers by R (rows, R=1 first) and F (columns). */
function rfmGrid(all: readonly Person[]): number[][] {
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

describe("the demo shop at 2,000 contacts (seed 42)", () => {
  const all = [...people(generate(2000, 42)).values()];
  const buyers = all.filter((p) => p.orders.length > 0);
  const count = (test: (p: Person) => boolean) => all.filter(test).length;

  it.each<[string, (p: Person) => boolean, number]>([
    [
      "signed up in the last 30 days, no order",
      (p) => (p.signupAgo ?? 99) < 30 && p.orders.length === 0,
      5,
    ],
    ["first-time buyers of the last 30 days", (p) => p.orders.length === 1 && firstAgo(p) < 30, 5],
    [
      "exactly 2 orders, the 2nd in the last 30 days",
      (p) => p.orders.length === 2 && lastAgo(p) < 30,
      5,
    ],
    [
      "one order, none for 60 to 180 days",
      (p) => p.orders.length === 1 && lastAgo(p) >= 60 && lastAgo(p) <= 180,
      5,
    ],
    [
      "repeat buyers with no order for 90+ days",
      (p) => p.orders.length >= 2 && lastAgo(p) >= 90,
      5,
    ],
    ["last order today", (p) => p.orders.length > 0 && lastAgo(p) === 0, 3],
    ["last order 2 days ago", (p) => p.orders.length > 0 && lastAgo(p) === 2, 3],
    ["last order 7 days ago", (p) => p.orders.length > 0 && lastAgo(p) === 7, 3],
    ["last order 21 days ago", (p) => p.orders.length > 0 && lastAgo(p) === 21, 3],
    ["a WhatsApp inbound message not handled", (p) => p.inbound.some((e) => e.handled === "no"), 5],
    ["WhatsApp leads who never bought", (p) => p.inbound.length > 0 && p.orders.length === 0, 5],
    [
      "3+ orders and a WhatsApp read in the last 90 days",
      (p) => p.orders.length >= 3 && p.readAgo.some((a) => a < 90),
      5,
    ],
    [
      "on the face-care list with a Sérum order in the last 30 days",
      (p) =>
        p.lists.has("Intérêt Gamme Visage") &&
        p.orders.some((o) => AS_OF - o.day < 30 && o.categories.has("Sérum")),
      3,
    ],
    [
      "on the face-care list without one",
      (p) =>
        p.lists.has("Intérêt Gamme Visage") &&
        !p.orders.some((o) => AS_OF - o.day < 30 && o.categories.has("Sérum")),
      5,
    ],
    [
      "bought in store only",
      (p) => p.orders.length > 0 && p.orders.every((o) => o.channel === "store"),
      5,
    ],
    [
      "bought on the web only",
      (p) => p.orders.length > 0 && p.orders.every((o) => o.channel === "web"),
      5,
    ],
    ["buyers inactive for over a year", (p) => p.orders.length > 0 && lastAgo(p) > 365, 5],
  ])("has members: %s", (_, test, atLeast) => {
    expect(count(test)).toBeGreaterThanOrEqual(atLeast);
  });

  it("has skewed, believable purchase behaviour", () => {
    const contacts = all.filter((p) => p.signupAgo !== undefined);
    const contactBuyers = contacts.filter((p) => p.orders.length > 0);
    const never = 1 - contactBuyers.length / contacts.length;
    expect(never).toBeGreaterThan(0.35);
    expect(never).toBeLessThan(0.5);
    const once = contactBuyers.filter((p) => p.orders.length === 1).length / contactBuyers.length;
    expect(once).toBeGreaterThan(0.25);
    expect(once).toBeLessThan(0.5);
    expect(Math.max(...buyers.map((p) => p.orders.length))).toBeGreaterThanOrEqual(20);
    const spent = buyers
      .map((p) => p.orders.reduce((s, o) => s + o.value, 0))
      .sort((a, b) => b - a);
    const top = spent.slice(0, Math.round(spent.length / 5)).reduce((s, v) => s + v, 0);
    expect(top / spent.reduce((s, v) => s + v, 0)).toBeGreaterThan(0.45);
  });

  it("populates every cell of the 5×5 R×F grid with quintile cut points", () => {
    const grid = rfmGrid(all);
    expect(grid.flat().reduce((s, n) => s + n, 0)).toBe(buyers.length);
    expect(grid.flat().filter((n) => n === 0)).toEqual([]);
  });

  it.each([1, 7, 2026])("populates every R×F cell with seed %i too", (seed) => {
    const grid = rfmGrid([...people(generate(2000, seed)).values()]);
    expect(grid.flat().filter((n) => n === 0)).toEqual([]);
  });
});
