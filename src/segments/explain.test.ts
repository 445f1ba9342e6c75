/**
 * Explaining one customer (docs/design.md#explain-and-tests) on a small shop: exclusion, in_segment, the reasons a member
 * is not reachable, --exclusive assignment, and the per-condition funnel.
 */
import { describe, expect, it } from "vitest";
import { loadShop } from "../../test/helpers/shop.js";
import { explainCustomer, segmentFunnel } from "./explain.js";

const CONTACTS = [
  "customer_id,email,phone,email_consent,sms_consent",
  "a,a@example.com,06 39 98 00 01,yes,yes",
  "b,b@example.com,,no,no",
  "c,not-an-email,06 39 98 00 03,yes,no",
  "d,d@example.com,0000,yes,yes",
  "e,e@example.com,06 39 98 00 05,yes,yes",
].join("\n");

const ORDERS = [
  "order_id,customer_id,created_at,total",
  "1,a,2026-06-01,400",
  "2,a,2026-06-10,100",
  "3,b,2026-06-20,30",
  "4,c,2026-01-20,30",
  "5,d,2026-06-25,30",
  "6,e,2026-06-26,30",
].join("\n");

const SEGMENTS = `segments:
  vip:
    where: total_spent >= 300
    priority: 1
  buyers:
    where: orders_count >= 1 and days_since_last_order < 60
    exclude: [vip]
    priority: 2
  recent-sms:
    where: 'orders(within: 30d) >= 1 and not in_segment("vip")'
    channel: sms
    priority: 3
`;

async function shop() {
  const loaded = await loadShop({
    contacts: CONTACTS,
    orders: ORDERS,
    segments: SEGMENTS,
    config: "default_country: FR",
  });
  const plan = loaded.plan;
  if (plan === undefined) throw new Error("no plan");
  const index = new Map(loaded.keys().map((k) => [k, -1]));
  for (let c = 0; c < loaded.data.profiles.size; c++)
    index.set(loaded.data.profiles.store.key(c), c);
  const explain = (key: string, exclusive = false) =>
    explainCustomer(plan, loaded.data.profiles, loaded.results, index.get(key) as number, {
      exclusive,
    });
  return { loaded, plan, explain };
}

describe("explainCustomer", () => {
  it("names the segment that excluded a customer, and traces in_segment", async () => {
    const { explain } = await shop();
    const a = explain("a");
    const buyers = a.segments.find((s) => s.id === "buyers");
    expect(buyers).toMatchObject({
      matched: false,
      excludedBy: ["vip"],
      reason: "excluded by vip",
      written: false,
    });
    expect(buyers?.where.result).toBe(true);
    const sms = a.segments.find((s) => s.id === "recent-sms");
    expect(sms?.where.children.map((c) => [c.text, c.result])).toEqual([
      ["orders(within: 30d) >= 1", true],
      ['not in_segment("vip")', false],
    ]);
    expect(a.fields.map((f) => f.name)).toEqual([
      "customer_id",
      "days_since_last_order",
      "orders_count",
      "total_spent",
    ]);
  });

  it("says why a member is not reachable", async () => {
    const { explain } = await shop();
    const reason = (key: string, id: string) =>
      explain(key).segments.find((s) => s.id === id)?.reason;
    expect(reason("b", "buyers")).toBe("no email consent");
    expect(reason("b", "recent-sms")).toBe("no valid phone number (E.164)");
    expect(reason("c", "buyers")).toBe("the where condition is false");
    expect(reason("d", "recent-sms")).toBe("no valid phone number (E.164)");
    expect(reason("d", "buyers")).toBe(null);
  });

  it("shows where --exclusive put the customer", async () => {
    const { plan } = await shop();
    const exclusive = await loadShop({
      contacts: CONTACTS,
      orders: ORDERS,
      segments: SEGMENTS,
      config: "default_country: FR\nexclusive: true",
    });
    const { profiles } = exclusive.data;
    const e = [...Array(profiles.size).keys()].find((c) => profiles.store.key(c) === "e") as number;
    const explained = explainCustomer(plan, profiles, exclusive.results, e, { exclusive: true });
    expect(explained.assignedTo).toBe("buyers");
    expect(
      explained.segments.map((s) => [s.id, s.matched, s.reachable, s.written, s.reason]),
    ).toEqual([
      ["vip", false, false, false, "the where condition is false"],
      ["buyers", true, true, true, null],
      ["recent-sms", true, true, false, "--exclusive: written to buyers, which comes first"],
    ]);
  });

  it("counts the customers passing each condition in turn", async () => {
    const { loaded, plan } = await shop();
    const funnel = segmentFunnel(plan, loaded.data.profiles, loaded.results, "buyers");
    expect(funnel).toEqual({
      id: "buyers",
      customers: 5,
      steps: [
        { text: "orders_count >= 1", passing: 5 },
        { text: "days_since_last_order < 60", passing: 4 },
      ],
      matched: 3,
      excludedBy: ["vip"],
    });
  });
});
