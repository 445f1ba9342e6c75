import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../calendar.js";
import { PhoneNormalizer } from "../model/phone.js";
import { DEMO_HEADERS, generateShop, nationalNumber, type DemoBatch } from "./generate.js";

const AS_OF = parseIsoDay("2026-06-30") as number;

function shop(contacts: number, seed: number): DemoBatch {
  return generateShop({ contacts, seed, asOf: AS_OF });
}

describe("ShopGenerator", () => {
  const s = shop(2000, 42);

  it("is deterministic for a seed", () => {
    expect(shop(200, 5)).toEqual(shop(200, 5));
    expect(shop(200, 5).orders).not.toEqual(shop(200, 6).orders);
  });

  it("writes rows with the header's width", () => {
    for (const file of ["contacts", "orders", "events", "lists"] as const) {
      for (const row of s[file]) expect(row).toHaveLength(DEMO_HEADERS[file].length);
    }
  });

  it("spells phones and emails the messy ways exports do, all of them valid", () => {
    const phones = s.contacts.map((r) => r[2]).filter((p) => p !== "");
    expect(phones.some((p) => /^06 \d\d \d\d \d\d \d\d$/.test(p))).toBe(true);
    expect(phones.some((p) => p.startsWith("+33 6 "))).toBe(true);
    expect(phones.some((p) => p.startsWith("0033"))).toBe(true);
    expect(phones.some((p) => p.startsWith("'+33"))).toBe(true);
    expect(phones.some((p) => /^06\.\d\d\./.test(p))).toBe(true);
    const fr = new PhoneNormalizer("FR");
    expect(phones.filter((p) => fr.toE164(p) === undefined)).toEqual([]);
    const emails = s.contacts.map((r) => r[1]).filter((e) => e !== "");
    expect(emails.some((e) => e !== e.trim())).toBe(true);
    expect(emails.some((e) => e !== e.toLowerCase())).toBe(true);
    expect(emails.every((e) => /@example\.(com|net|org)$/i.test(e.trim()))).toBe(true);
  });

  it("gives unique phone numbers, in the ARCEP fiction block first", () => {
    expect(nationalNumber(0)).toBe("639980000");
    expect(nationalNumber(9999)).toBe("639989999");
    const seen = new Set<string>();
    for (let i = 10_000; i < 60_000; i++) seen.add(nationalNumber(i));
    expect(seen.size).toBeGreaterThan(49_990);
  });

  it("puts order-level fields on the first row of each order only, and nothing after as_of", () => {
    const firstRow = new Map<string, string[]>();
    for (const row of s.orders) {
      const seen = firstRow.get(row[0]);
      if (seen === undefined) {
        firstRow.set(row[0], row);
        expect(row[4]).not.toBe("");
        expect(row[6]).not.toBe("");
      } else {
        expect([row[4], row[5], row[6], row[8]]).toEqual(["", "", "", ""]);
        expect(row[3]).toBe(seen[3]);
      }
      expect(row[3].slice(0, 10) <= "2026-06-30").toBe(true);
    }
    const statuses = new Set([...firstRow.values()].map((r) => r[4]));
    expect([...statuses].sort()).toEqual(["cancelled", "paid", "partially_refunded", "refunded"]);
    expect([...firstRow.values()].some((r) => r[1] === "" && r[2].startsWith("guest"))).toBe(true);
    const categories = new Set(s.orders.map((r) => r[11]));
    for (const c of ["Sérum", "Crème", "Nettoyant", "Maquillage", "Parfum"])
      expect(categories.has(c)).toBe(true);
  });

  it("has duplicate contact rows, WhatsApp events with a handled flag, and the face-care list", () => {
    const ids = s.contacts.map((r) => r[0]).filter((id) => id !== "");
    expect(new Set(ids).size).toBeLessThan(
      ids.length + s.contacts.filter((r) => r[0] === "").length,
    );
    expect(s.contacts.some((r) => r[0] === "")).toBe(true);
    const inbound = s.events.filter((e) => e[2] === "whatsapp_inbound");
    expect(new Set(inbound.map((e) => e[4]))).toEqual(new Set(["yes", "no"]));
    expect(s.events.some((e) => e[2] === "whatsapp_read")).toBe(true);
    expect(s.events.some((e) => e[0] === "" && e[1] !== "")).toBe(true);
    expect(s.lists.some((l) => l[0] === "Intérêt Gamme Visage")).toBe(true);
  });
});
