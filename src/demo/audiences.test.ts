/**
 * The demo shop is tuned so that every audience of the segment library, and every cell of the
 * 5×5 RFM grid, has members at about 2,000 contacts. Checked here on the generated rows with a
 * small computation of its own (test/helpers/demo-reference.ts: no code of the model, the DSL or
 * the RFM module), the one test/reports.e2e.test.ts compares the CLI's figures with.
 */
import { describe, expect, it } from "vitest";
import {
  AS_OF,
  firstAgo,
  lastAgo,
  people,
  rfmGrid,
  type Person,
} from "../../test/helpers/demo-reference.js";
import { generateShop, type DemoBatch } from "./generate.js";

function generate(contacts: number, seed: number): DemoBatch {
  return generateShop({ contacts, seed, asOf: AS_OF });
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
