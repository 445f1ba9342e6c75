/**
 * Segment evaluation (docs/design.md#expressions, §5) on small shops: null semantics, time windows at their
 * boundaries, case-insensitive text, wildcards, item filters on multi-line orders, event property
 * filters, in_segment chains, exclude, reachability and --exclusive.
 */
import { describe, expect, it } from "vitest";
import { loadShop } from "../../test/helpers/shop.js";

function segments(entries: Record<string, string>, extra = ""): string {
  return (
    "segments:\n" +
    Object.entries(entries)
      .map(([id, where]) => `  ${id}:\n    where: '${where.replace(/'/g, "''")}'\n${extra}`)
      .join("")
  );
}

const ORDERS = [
  "order_id,customer_id,created_at,channel,product,sku,category,quantity,price",
  // a: last order exactly 30 days ago counts in a 30-day window (2026-06-01 ... 2026-06-30)
  "1,a,2026-06-01,web,Sérum Éclat,S-1,Sérum,1,40",
  "1,a,2026-06-01,,Crème Mains,C-1,Crème,2,10",
  // b: 31 days ago is outside it
  "2,b,2026-05-31,store,SÉRUM nuit,S-2,sérum,1,50",
  // c: 2025-12-30 is as_of − 6 months; d: the day after
  "3,c,2025-12-30,web,Parfum,P-1,Parfum,1,70",
  "4,d,2025-12-31,web,Parfum,P-1,Parfum,1,70",
  // e: two orders, only one with a serum line
  "5,e,2026-06-20,web,Gel,G-1,Nettoyant,1,15",
  "6,e,2026-06-25,web,Mini sérum,S-9,Sérum,3,8",
  "6,e,2026-06-25,,Gel,G-1,Nettoyant,1,15",
].join("\n");

const CONTACTS = [
  "customer_id,email,phone,email_consent,sms_consent,whatsapp_consent,tags,Skin Type",
  "a,a@example.com,06 39 98 00 01,yes,yes,,VIP,Sèche",
  "b,b@example.com,06 39 98 00 02,no,yes,no,,",
  "c,c@example.com,,yes,no,,newsletter,",
  "d,,06 39 98 00 04,no,no,yes,,",
  "e,e@example.com,,yes,,,,",
  "p,p@example.com,,yes,,,,",
].join("\n");

describe("where", () => {
  it("treats comparisons with null as false and tests presence with is null", async () => {
    const shop = await loadShop({
      contacts: CONTACTS,
      orders: ORDERS,
      segments: segments({
        recent: "last_order_date >= -30d",
        "not-recent": "not (last_order_date >= -30d)",
        "null-date": "last_order_date is null",
        "has-date": "last_order_date is not null",
        arith: "days_since_last_order + 1 > 0",
        "null-ne": 'last_product != "Parfum"',
      }),
    });
    // -30d is the date 30 days before as_of (2026-05-31), so b's order that day counts here.
    expect(shop.members.get("recent")).toEqual(["a", "b", "e"]);
    // A prospect has no last order: `not (…)` is true for them.
    expect(shop.members.get("not-recent")).toEqual(["c", "d", "p"]);
    expect(shop.members.get("null-date")).toEqual(["p"]);
    expect(shop.members.get("has-date")).toEqual(["a", "b", "c", "d", "e"]);
    expect(shop.members.get("arith")).toEqual(["a", "b", "c", "d", "e"]);
    // null != "Parfum" is false too: comparisons with null are false both ways.
    expect(shop.members.get("null-ne")).toEqual(["a", "b", "e"]);
  });

  it("counts windows in whole calendar days ending with as_of", async () => {
    const shop = await loadShop({
      contacts: CONTACTS,
      orders: ORDERS,
      segments: segments({
        "within-30d": "orders(within: 30d) >= 1",
        "within-1d": "orders(within: 1d) >= 1",
        "since-6m": "orders(since: -6m) >= 1",
        "until-6m": "orders(until: -6m) >= 1",
        "since-date": "orders(since: 2026-06-20, until: 2026-06-24) >= 1",
        "offset-compare": "last_order_date <= -6m",
      }),
    });
    expect(shop.members.get("within-30d")).toEqual(["a", "e"]);
    expect(shop.members.get("within-1d")).toEqual([]);
    // -6m is 2025-12-30: since includes that day (c) and after (d).
    expect(shop.members.get("since-6m")).toEqual(["a", "b", "c", "d", "e"]);
    expect(shop.members.get("until-6m")).toEqual(["c"]);
    expect(shop.members.get("since-date")).toEqual(["e"]);
    expect(shop.members.get("offset-compare")).toEqual(["c"]);
  });

  it("compares text without case, with wildcards in filters, and contains on lists and text", async () => {
    const shop = await loadShop({
      contacts: CONTACTS,
      orders: ORDERS,
      segments: segments({
        category: 'orders(category: "SÉRUM") >= 1',
        wildcard: 'orders(product: "*sérum*") >= 1',
        prefix: 'orders(sku: "s-*", channel: "STORE") >= 1',
        tags: 'tags contains "vip"',
        substring: 'last_product contains "SÉRUM"',
        "in-list": 'last_order_channel in ["WEB"]',
        "not-in": 'last_order_channel not in ["web"]',
        prop: 'props.skin_type = "sèche"',
        starts: 'starts_with(email, "A@")',
      }),
    });
    expect(shop.members.get("category")).toEqual(["a", "b", "e"]);
    expect(shop.members.get("wildcard")).toEqual(["a", "b", "e"]);
    expect(shop.members.get("prefix")).toEqual(["b"]);
    expect(shop.members.get("tags")).toEqual(["a"]);
    // last_product is the product of the last order's line that sorts first (never file order):
    // "Crème Mains" for a, "Gel" for e.
    expect(shop.members.get("substring")).toEqual(["b"]);
    expect(shop.members.get("in-list")).toEqual(["a", "c", "d", "e"]);
    expect(shop.members.get("not-in")).toEqual(["b"]);
    expect(shop.members.get("prop")).toEqual(["a"]);
    expect(shop.members.get("starts")).toEqual(["a"]);
  });

  it("matches an order when one of its lines matches every item filter; spent sums the matching lines", async () => {
    const shop = await loadShop({
      contacts: CONTACTS,
      orders: ORDERS,
      segments: segments({
        "serum-orders-2": 'orders(category: "Sérum") = 2',
        "serum-spent-24": 'spent(category: "Sérum") = 24',
        "both-filters": 'orders(category: "Crème", sku: "S-1") >= 1',
        "order-total": "spent(within: 30d) = 94",
      }),
    });
    // e has 2 orders, 1 with a serum line: count 1; a: 1 order with a serum line.
    expect(shop.members.get("serum-orders-2")).toEqual([]);
    // e's serum line is 3 × 8 = 24, the rest of that order does not count.
    expect(shop.members.get("serum-spent-24")).toEqual(["e"]);
    // No single line is both a Crème and SKU S-1.
    expect(shop.members.get("both-filters")).toEqual([]);
    // Without item filters spent sums order totals: e spent 15 + 39 = 54, a 40 + 20 = 60.
    expect(shop.members.get("order-total")).toEqual([]);
    const totals = await loadShop({
      contacts: CONTACTS,
      orders: ORDERS,
      segments: segments({ x: "spent(within: 30d) = 54" }),
    });
    expect(totals.members.get("x")).toEqual(["e"]);
  });

  it("compares spent(…) to the cent, like total_spent (no float noise from adding amounts)", async () => {
    // 10.10 + 20.20 is 30.299999999999997 in binary floating point; 3 × 0.10 is
    // 0.30000000000000004. A customer who spent 30.30 must match `>= 30.30`.
    const shop = await loadShop({
      orders: [
        "order_id,customer_id,created_at,total,product,quantity,price",
        "1,a,2026-06-10,10.10,Gel,1,10.10",
        "2,a,2026-06-11,20.20,Gel,1,20.20",
        "3,b,2026-06-12,,Pin,3,0.10",
      ].join("\n"),
      segments: segments({
        "spent-total": "spent(within: 30d) >= 30.30 and total_spent >= 30.30",
        "spent-exact": "spent() = 30.3",
        "line-spent": 'spent(product: "pin") <= 0.30 and spent(product: "pin") = 0.3',
      }),
    });
    expect(shop.members.get("spent-total")).toEqual(["a"]);
    expect(shop.members.get("spent-exact")).toEqual(["a"]);
    expect(shop.members.get("line-spent")).toEqual(["b"]);
  });

  it("filters events by type, window and properties (text, number, yes/no)", async () => {
    const shop = await loadShop({
      contacts: CONTACTS,
      orders: ORDERS,
      events: [
        "customer_id,type,occurred_at,handled,score",
        "a,whatsapp_inbound,2026-06-29T10:00:00Z,no,3",
        "b,whatsapp_inbound,2026-06-29T10:00:00Z,yes,4",
        "c,WhatsApp_Read,2026-04-01T10:00:00Z,,",
        "c,whatsapp_read,2026-04-02T10:00:00Z,,",
        "d,whatsapp_read,2026-07-01T10:00:00Z,,",
      ].join("\n"),
      segments: segments({
        unhandled: 'events("whatsapp_inbound", handled: false) >= 1',
        "handled-text": 'events("whatsapp_inbound", handled: "YES") >= 1',
        score: 'events("whatsapp_inbound", score: 4) >= 1',
        "read-90d": 'events("whatsapp_read", within: 90d) >= 1',
        "read-any": 'events(["whatsapp_read", "email_click"]) = 2',
      }),
    });
    expect(shop.members.get("unhandled")).toEqual(["a"]);
    expect(shop.members.get("handled-text")).toEqual(["b"]);
    expect(shop.members.get("score")).toEqual(["b"]);
    // within: 90d at 2026-06-30 starts 2026-04-02; d's read is after as_of.
    expect(shop.members.get("read-90d")).toEqual(["c"]);
    expect(shop.members.get("read-any")).toEqual(["c"]);
  });

  it("reads event property numbers with the configured decimal mark", async () => {
    const shop = await loadShop({
      config: 'decimal: ","',
      orders: "customer_id,created_at\n",
      events:
        'customer_id,type,occurred_at,amount\na,refund,2026-06-01,"1,500"\nb,refund,2026-06-01,1500\n',
      segments: segments({
        "one-and-a-half": 'events("refund", amount: 1.5) >= 1',
        thousands: 'events("refund", amount: 1500) >= 1',
      }),
    });
    expect(shop.members.get("one-and-a-half")).toEqual(["a"]);
    expect(shop.members.get("thousands")).toEqual(["b"]);
  });
});

describe("segments", () => {
  it("chains in_segment and removes exclude members, whatever the order of definition", async () => {
    const shop = await loadShop({
      contacts: CONTACTS,
      orders: ORDERS,
      segments: [
        "segments:",
        "  vip-buyers:",
        '    where: in_segment("buyers") and tags contains "vip"',
        "  buyers:",
        "    where: orders_count >= 1",
        "    exclude: [perfume]",
        "  perfume:",
        '    where: last_category = "parfum"',
        "  everyone-else:",
        '    where: not in_segment("buyers")',
      ].join("\n"),
    });
    expect(shop.members.get("buyers")).toEqual(["a", "b", "e"]);
    expect(shop.members.get("perfume")).toEqual(["c", "d"]);
    expect(shop.members.get("vip-buyers")).toEqual(["a"]);
    // in_segment sees members after exclude: c and d are not "buyers".
    expect(shop.members.get("everyone-else")).toEqual(["c", "d", "p"]);
  });

  it("reaches members by channel and consent; consent: ignore and channel: none", async () => {
    const shop = await loadShop({
      config: "default_country: FR",
      contacts: CONTACTS,
      orders: ORDERS,
      segments: [
        "segments:",
        ...["email", "sms", "whatsapp", "any", "none"].map(
          (ch) => `  by-${ch}:\n    where: known_contact\n    channel: ${ch}`,
        ),
        "  email-ignore:\n    where: known_contact\n    channel: email\n    consent: ignore",
      ].join("\n"),
    });
    const reach = (id: string) => {
      const r = shop.results.find((x) => x.segment.id === id);
      const keys: string[] = [];
      r?.reachable.forEach((v, c) => {
        if (v === 1) keys.push(shop.data.profiles.store.key(c));
      });
      return keys.sort();
    };
    expect(reach("by-email")).toEqual(["a", "c", "e", "p"]);
    expect(reach("by-sms")).toEqual(["a", "b"]);
    // WhatsApp consent falls back to SMS when absent (a); b said no; d said yes.
    expect(reach("by-whatsapp")).toEqual(["a", "d"]);
    expect(reach("by-any")).toEqual(["a", "b", "c", "e", "p"]);
    expect(reach("by-none")).toEqual(["a", "b", "c", "d", "e", "p"]);
    expect(reach("email-ignore")).toEqual(["a", "b", "c", "e", "p"]);
  });

  it("gives each customer to one segment with --exclusive: lower priority first, then appearance", async () => {
    const shop = await loadShop({
      config: "exclusive: true",
      contacts: CONTACTS,
      orders: ORDERS,
      segments: [
        "segments:",
        "  first-listed:\n    where: known_contact",
        "  high:\n    where: orders_count >= 1\n    priority: 1",
        "  low:\n    where: known_contact\n    priority: 5",
      ].join("\n"),
    });
    const assigned = Object.fromEntries(shop.results.map((r) => [r.segment.id, r.assignedCount]));
    // Email reachable: a c e p. high (priority 1) takes a, c, e; low takes p; first-listed
    // (no priority) comes last and gets nobody.
    expect(assigned).toEqual({ "first-listed": 0, high: 3, low: 1 });
  });
});
