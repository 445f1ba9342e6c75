/**
 * Rows → customers: identity merges, line-item orders, exclusions, point in time, profile fields.
 */
import { describe, expect, it } from "vitest";
import { day, loadShop } from "../../test/helpers/shop.js";
import { PRESETS } from "./presets.js";
import { IngestContext } from "./ingest-context.js";
import { OrdersSink } from "./ingest-orders.js";
import { channelName } from "./order-assembly.js";
import { RejectLog, type RejectRecord } from "./rejects.js";

const CONTACTS_HEADER =
  "customer_id,email,phone,first_name,last_name,created_at,acquisition_channel,email_consent,sms_consent,whatsapp_consent,tags,lists";

describe("identity (docs/design.md#inputs)", () => {
  it("merges contact rows by id, then email, then phone; first non-empty value wins; tags and lists are united", async () => {
    const shop = await loadShop({
      config: "default_country: FR",
      contacts: [
        CONTACTS_HEADER,
        "c1,Marie@Example.com,,Marie,,2025-01-01,instagram,yes,,,vip,Newsletter",
        "c1,,06 39 98 00 01,Mary,Dupont,,,,,,promo,Club VIP",
        ",MARIE@example.com ,,,,,,,,,vip;late,",
        ",,+33 6 39 98 00 01,,,,,,yes,,phone-tag,",
        "c2,paul@example.com,,Paul,Martin,,,,,,,",
        "c3,paul@example.com,,Paul,Other,,,,,,,",
        ",anne@example.com,,Anne,,,,,,,,",
        "c4,anne@example.com,,,Petit,,,,,,,",
        "17850.0,id@example.com,,,,,,,,,,",
      ].join("\n"),
      orders:
        "order_id,customer_id,email,created_at,total\n1,17850,,2026-01-01,10\n2,,PAUL@example.com,2026-01-02,20\n",
    });
    expect(shop.keys()).toEqual(["17850", "c1", "c2", "c3", "c4"]);
    expect(shop.profile("c1")).toMatchObject({
      email: "marie@example.com",
      phone: "+33639980001",
      first_name: "Marie",
      last_name: "Dupont",
      acquisition_channel: "instagram",
      // In name order, not as met.
      tags: ["late", "phone-tag", "promo", "vip"],
      lists: ["Club VIP", "Newsletter"],
      sms_consent: true,
      known_contact: true,
    });
    // Two rows with different customer ids stay two customers even with one email; orders by
    // email go to the one whose id sorts first.
    expect(shop.profile("c2")).toMatchObject({ email: "paul@example.com", orders_count: 1 });
    expect(shop.profile("c3")).toMatchObject({ email: "paul@example.com", orders_count: 0 });
    // An id-less row, then a row with an id and the same email: one customer, with that id.
    expect(shop.profile("c4")).toMatchObject({
      first_name: "Anne",
      last_name: "Petit",
      email: "anne@example.com",
    });
    // pandas wrote the id as 17850.0; the orders say 17850.
    expect(shop.profile("17850")).toMatchObject({ orders_count: 1, known_contact: true });
    const contacts = shop.data.inputs[0].stats;
    expect([contacts.rows, contacts.created, contacts.merged]).toEqual([9, 5, 4]);
  });

  it("creates customers for buyers, event senders and list members found nowhere else", async () => {
    const shop = await loadShop({
      config: "default_country: FR",
      contacts: `${CONTACTS_HEADER}\nc1,a@example.com,,,,,,yes,,,,\n`,
      orders:
        "order_id,email,created_at,total,channel\n1,guest@example.com,2026-06-01,30,web\n2,a@example.com,2026-06-02,10,web\n",
      events: "phone,type,occurred_at\n06 39 98 00 09,whatsapp_inbound,2026-06-03T10:00:00Z\n",
      lists: "list,email\nFans,fan@example.com\nFans,A@example.com\n",
    });
    expect(shop.keys()).toEqual(["+33639980009", "c1", "fan@example.com", "guest@example.com"]);
    expect(shop.profile("guest@example.com")).toMatchObject({
      known_contact: false,
      orders_count: 1,
      acquisition_channel: "web",
      email_consent: false,
    });
    expect(shop.profile("+33639980009")).toMatchObject({
      known_contact: false,
      phone: "+33639980009",
      orders_count: 0,
    });
    expect(shop.profile("fan@example.com")).toMatchObject({
      known_contact: false,
      lists: ["Fans"],
    });
    expect(shop.profile("c1")).toMatchObject({ lists: ["Fans"], orders_count: 1 });
  });

  it("never gives an order, event or list row of one customer_id to another id's customer by email or phone", async () => {
    // c9 shares c1's email (a family address). Its rows carry its own id: they are c9's, wherever
    // they come from, and an order with only the email still goes to the first holder, c1.
    const shop = await loadShop({
      config: "default_country: FR",
      contacts: `${CONTACTS_HEADER}\nc1,shared@example.com,06 39 98 00 01,,,,,,,,,\n`,
      orders: [
        "order_id,customer_id,email,phone,created_at,total",
        "1,c9,shared@example.com,,2026-01-01,10",
        "2,c8,,06 39 98 00 01,2026-01-02,20",
        "3,,shared@example.com,,2026-01-03,40",
        "4,c9,,,2026-01-04,80",
      ].join("\n"),
      events: "customer_id,email,type,occurred_at\nc9,shared@example.com,visit,2026-01-05\n",
      lists: "list,customer_id,email\nFamily,c9,shared@example.com\n",
    });
    expect(shop.keys()).toEqual(["c1", "c8", "c9"]);
    expect(shop.profile("c1")).toMatchObject({ orders_count: 1, total_spent: 40, lists: [] });
    expect(shop.profile("c8")).toMatchObject({ orders_count: 1, known_contact: false });
    expect(shop.profile("c9")).toMatchObject({
      orders_count: 2,
      total_spent: 90,
      known_contact: false,
      email: "shared@example.com",
      lists: ["Family"],
    });
  });

  it("links by phone only rows without an email of their own: a shared phone never merges two emails", async () => {
    // Ana and Bea share the shop's landline; a phone-only row and a phone-only order join the first
    // customer with it; an order with a third email and that phone is a third person.
    const shop = await loadShop({
      config: "default_country: US",
      contacts: [
        CONTACTS_HEADER,
        ",ana@example.com,(201) 555-0123,Ana,,,,yes,,,,",
        ",bea@example.com,201-555-0123,Bea,,,,no,,,,",
        ",,+1 201 555 0123,,,,,,yes,,phone-row,",
        ",,+1 201 555 0199,Cy,,,,,,,,",
        ",cy@example.com,+1 201 555 0199,,Doe,,,yes,,,,",
        ",ANA@example.com,,,Alvarez,,,,,,,",
      ].join("\n"),
      orders: [
        "order_id,email,phone,created_at,total",
        "1,,2015550123,2026-01-01,10",
        "2,dee@example.com,2015550123,2026-01-02,20",
        "3,bea@example.com,,2026-01-03,40",
      ].join("\n"),
    });
    expect(shop.keys()).toEqual([
      "ana@example.com",
      "bea@example.com",
      "cy@example.com",
      "dee@example.com",
    ]);
    expect(shop.profile("ana@example.com")).toMatchObject({
      first_name: "Ana",
      last_name: "Alvarez",
      email_consent: true,
      tags: ["phone-row"],
      orders_count: 1,
    });
    expect(shop.profile("bea@example.com")).toMatchObject({
      phone: "+12015550123",
      email_consent: false,
      orders_count: 1,
      total_spent: 40,
    });
    // A phone-only customer takes the email of the row that brings both.
    expect(shop.profile("cy@example.com")).toMatchObject({ first_name: "Cy", last_name: "Doe" });
    expect(shop.profile("dee@example.com")).toMatchObject({
      known_contact: false,
      total_spent: 20,
    });
    const [contacts, orders] = shop.data.inputs.map((input) => input.stats);
    expect(contacts.mergedBy).toEqual({ customer_id: 0, email: 1, phone: 2 });
    expect([contacts.created, contacts.merged, contacts.keptApart]).toEqual([3, 3, 1]);
    expect(orders.keptApart).toBe(1);
  });

  it("reads a phone in its row's country, then default_country; rejects spreadsheet-rounded numbers as such", async () => {
    const shop = await loadShop({
      config: "default_country: FR",
      contacts: [
        "email,phone,country",
        "au@example.com,0412 345 678,AU",
        "uk@example.com,07400 123456,United Kingdom",
        "fr@example.com,06 39 98 00 01,BE",
        "xl@example.com,9.23225E+11,PK",
        "xr@example.com,923428000000,PK",
        "bad@example.com,12,FR",
      ].join("\n"),
      orders: "email,created_at,total\n",
    });
    expect(shop.profile("au@example.com")).toMatchObject({ phone: "+61412345678" });
    expect(shop.profile("uk@example.com")).toMatchObject({ phone: "+447400123456" });
    // Not a Belgian number: read as the French one default_country says.
    expect(shop.profile("fr@example.com")).toMatchObject({ phone: "+33639980001" });
    expect(shop.profile("xl@example.com")).toMatchObject({ phone: null });
    expect(shop.data.rejects.warningsByFile()).toEqual({
      "contacts.csv": {
        "phone rounded by a spreadsheet (like 9.23225E+11) left out": 2,
        "invalid phone left out": 1,
      },
    });
  });

  it("suggests default_country when a national number cannot be read without it", async () => {
    const shop = await loadShop({
      contacts: "email,phone\na@example.com,(201) 555-0123\nb@example.com,+1 201 555 012\n",
      orders: "email,created_at,total\n",
    });
    expect(shop.data.rejects.warningsByFile()).toEqual({
      "contacts.csv": {
        "invalid phone left out (national numbers need `default_country:`, e.g. US or FR)": 1,
        "invalid phone left out": 1,
      },
    });
  });

  it("keeps no when duplicate rows disagree on consent, with a warning; WhatsApp falls back to SMS", async () => {
    const shop = await loadShop({
      contacts: [
        CONTACTS_HEADER,
        "c1,a@example.com,,,,,,yes,yes,,,",
        "c1,,,,,,,no,yes,,,",
        "c2,b@example.com,,,,,,maybe,no,yes,,",
        "c3,c@example.com,,,,,,subscribed,opted_in,,,",
      ].join("\n"),
      orders: "order_id,customer_id,created_at\n",
    });
    expect(shop.profile("c1")).toMatchObject({
      email_consent: false,
      sms_consent: true,
      whatsapp_consent: true,
    });
    expect(shop.profile("c2")).toMatchObject({
      email_consent: false,
      sms_consent: false,
      whatsapp_consent: true,
    });
    expect(shop.profile("c3")).toMatchObject({
      email_consent: true,
      sms_consent: true,
      whatsapp_consent: true,
    });
    expect(shop.data.rejects.warningsByFile()).toEqual({
      "contacts.csv": {
        "duplicate contact rows disagree on consent; kept no": 1,
        "unrecognised email_consent value, read as no": 1,
      },
    });
  });

  it("keeps no whichever row says it first: a later yes never overrides an earlier no", async () => {
    const shop = await loadShop({
      contacts: [
        CONTACTS_HEADER,
        "c1,a@example.com,,,,,,no,,,,",
        "c1,,,,,,,yes,,,,",
        "c1,,,,,,,yes,,,,",
        "c2,b@example.com,,,,,,yes,no,,,",
        "c2,,,,,,,,yes,,,",
        "c3,c@example.com,,,,,,yes,yes,,,",
        "c3,,,,,,,,,,,",
      ].join("\n"),
      orders: "order_id,customer_id,created_at\n",
    });
    expect(shop.profile("c1").email_consent).toBe(false);
    expect(shop.profile("c2")).toMatchObject({ email_consent: true, sms_consent: false });
    // An empty cell says nothing: it neither contradicts nor withdraws.
    expect(shop.profile("c3")).toMatchObject({ email_consent: true, sms_consent: true });
    expect(shop.data.rejects.warningsByFile()).toEqual({
      "contacts.csv": { "duplicate contact rows disagree on consent; kept no": 2 },
    });
  });

  it("leaves out invalid emails and phones with a warning, and skips rows with no usable key", async () => {
    const shop = await loadShop({
      config: "default_country: FR",
      contacts: [
        CONTACTS_HEADER,
        "c1,not-an-email,12,,,,,,,,,",
        ",broken@,,,,,,,,,,",
        ",,,Nobody,,,,,,,,",
      ].join("\n"),
      orders: "order_id,customer_id,created_at\n",
    });
    expect(shop.profile("c1")).toMatchObject({ email: null, phone: null });
    expect(shop.data.rejects.rejectedByFile()).toEqual({
      "contacts.csv": {
        "no customer key (customer_id, email or phone)": 1,
        "no valid customer key (email or phone invalid)": 1,
      },
    });
    expect(shop.data.rejects.warningsByFile()["contacts.csv"]).toEqual({
      "invalid email left out": 1,
      "invalid phone left out": 1,
    });
    expect(shop.data.rejects.examples.map((e) => `${e.line}: ${e.reason}`)).toEqual([
      "3: no valid customer key (email or phone invalid)",
      "4: no customer key (customer_id, email or phone)",
    ]);
  });
});

const ORDERS_HEADER =
  "order_id,customer_id,created_at,status,channel,total,refunded,product,sku,category,quantity,price";

describe("orders (docs/design.md#inputs)", () => {
  it("groups line items by order_id, takes order-level fields from the first non-empty row, totals from lines when there is no total", async () => {
    const shop = await loadShop({
      orders: [
        ORDERS_HEADER,
        "A1,c1,2026-06-01 10:00:00,paid,web,50.00,,Sérum,S1,Sérum,1,30",
        "A1,c1,,,,,,Crème,C1,Crème,2,10",
        "A2,c1,2026-06-10 09:00:00,,,,,Parfum,P1,Parfum,1,40",
        "A2,c1,,,store,,,Savon,B1,Soin,,5",
        "A3,c1,2026-06-20,partially_refunded,web,100,30,Coffret,K1,Coffret,1,100",
      ].join("\n"),
    });
    expect(shop.profile("c1")).toMatchObject({
      orders_count: 3,
      // 50 (given total) + 45 (40 + 1 × 5 from lines) + 70 (100 − 30 refunded)
      total_spent: 165,
      avg_order_value: 55,
      first_order_date: day("2026-06-01"),
      last_order_date: day("2026-06-20"),
      first_order_channel: "web",
      last_order_channel: "web",
      last_product: "Coffret",
      last_category: "Coffret",
      // By first purchase, then (lines of one order) by name: never the order met.
      products: ["Crème", "Sérum", "Parfum", "Savon", "Coffret"],
      categories: ["Crème", "Sérum", "Parfum", "Soin", "Coffret"],
    });
    expect(shop.data.inputs[0].stats.orders).toBe(3);
  });

  it("leaves out excluded statuses (any case), orders after as_of, and rows orders_filter rejects", async () => {
    const shop = await loadShop({
      config:
        'orders_filter: quantity > 0 and not starts_with(order_id, "C")\nexclude_status: [cancelled, voided]',
      orders: [
        ORDERS_HEADER,
        "1,c1,2026-06-01,paid,,10,,,,,1,10",
        "2,c1,2026-06-02,CANCELLED,,20,,,,,1,20",
        "3,c1,2026-06-03,refunded,,30,,,,,1,30",
        "C4,c1,2026-06-04,paid,,-10,,,,,-1,10",
        "5,c1,2026-06-05,paid,,5,,,,,0,5",
        "6,c1,2026-07-01,paid,,99,,,,,1,99",
      ].join("\n"),
    });
    // refunded is not in this exclude_status, so order 3 counts.
    expect(shop.profile("c1")).toMatchObject({
      orders_count: 2,
      total_spent: 40,
      last_order_date: day("2026-06-03"),
    });
    const stats = shop.data.inputs[0].stats;
    expect([
      stats.rows,
      stats.filtered,
      stats.excludedStatus,
      stats.afterAsOf,
      stats.orders,
    ]).toEqual([6, 2, 1, 1, 2]);
  });

  it("compares statuses without case on both sides: exclude_status as configured, status as exported", async () => {
    const shop = await loadShop({
      config: "exclude_status: [Voided, TEST]",
      orders: [
        ORDERS_HEADER,
        "1,c1,2026-06-01,voided,,10,,,,,,",
        "2,c1,2026-06-02,VOIDED,,20,,,,,,",
        "3,c1,2026-06-03,Test,,40,,,,,,",
        "4,c1,2026-06-04,Paid,,80,,,,,,",
        "5,c1,2026-06-05,Cancelled,,160,,,,,,",
      ].join("\n"),
    });
    // Cancelled is not in this exclude_status, so order 5 counts.
    expect(shop.profile("c1")).toMatchObject({ orders_count: 2, total_spent: 240 });
    expect(shop.data.inputs[0].stats.excludedStatus).toBe(3);
  });

  it("reads 0,125 as a decimal comma (a leading zero is never a thousands group) and 1,500 as grouping", async () => {
    const shop = await loadShop({
      orders: [
        "order_id,customer_id,created_at,quantity,price",
        '1,c1,2026-06-01,8,"0,125"',
        '2,c1,2026-06-02,1,"0,5"',
        '3,c2,2026-06-03,1,"1,500"',
      ].join("\n"),
    });
    // 8 × 0.125 + 0.5: amounts are kept to the cent, so the price must be read exactly.
    expect(shop.profile("c1").total_spent).toBe(1.5);
    expect(shop.profile("c2").total_spent).toBe(1500);
  });

  it("treats every row as an order without an order_id column", async () => {
    const shop = await loadShop({
      orders: "customer_id,created_at,total\nc1,2026-01-01,5\nc1,2026-01-01,5\nc1,2026-02-01,5\n",
    });
    expect(shop.profile("c1")).toMatchObject({ orders_count: 3, total_spent: 15 });
  });

  it("reads interleaved rows of orders open at the same time", async () => {
    const shop = await loadShop({
      orders:
        "order_id,customer_id,created_at,quantity,price\n1,c1,2026-01-01,1,10\n2,c2,2026-01-01,1,20\n1,c1,2026-01-01,1,5\n2,c2,2026-01-01,1,5\n",
    });
    expect(shop.profile("c1")).toMatchObject({ orders_count: 1, total_spent: 15 });
    expect(shop.profile("c2")).toMatchObject({ orders_count: 1, total_spent: 25 });
  });

  it("rejects an order id that comes back after its order closed, or that another customer uses", async () => {
    const rows = ["order_id,customer_id,created_at,quantity,price", "1,c1,2026-01-01,1,10"];
    for (let i = 2; i <= 300; i++) rows.push(`${i},c${i},2026-01-02,1,1`);
    rows.push("1,c1,2026-01-01,1,99");
    rows.push("300,c9999,2026-01-02,1,1");
    const shop = await loadShop({ orders: rows.join("\n") });
    expect(shop.profile("c1")).toMatchObject({ orders_count: 1, total_spent: 10 });
    expect(shop.data.rejects.rejectedByFile()).toEqual({
      "orders.csv": {
        "order_id already used by another customer": 1,
        "order_id seen earlier, not next to the other rows of its order": 1,
      },
    });
    expect(shop.data.rejects.examples.map((e) => e.line)).toEqual([302, 303]);
  });

  it("rejects bad values with their line, leaving no partial order behind", async () => {
    const shop = await loadShop({
      orders: [
        "order_id,customer_id,created_at,total,refunded,quantity,price",
        "1,c1,2024-02-30,10,,,",
        "2,c1,2026-01-01,abc,,,",
        "3,c1,2026-01-01,-5,,,",
        "5,,2026-01-01,5,,,",
        "6,c1,1969-12-31,5,,,",
        "7,c1,2026-01-01,NaN,,,",
        "8,c1,,,,,",
        "9,c1,2026-01-05,12.50 €,,2,",
        "10,c1,2026-01-06,10,20,,",
      ].join("\n"),
    });
    expect(shop.profile("c1")).toMatchObject({ orders_count: 1, total_spent: 12.5 });
    expect(shop.data.rejects.examples.map((e) => `${e.line}: ${e.reason}`)).toEqual([
      "2: impossible date in created_at (2024-02-30)",
      "3: invalid number in total (abc)",
      "4: negative total (-5)",
      "5: no customer key (customer_id, email or phone)",
      "6: date before 1970 in created_at (1969-12-31)",
    ]);
    expect(shop.data.rejects.rejectedByFile()["orders.csv"]).toEqual({
      "date before 1970 in created_at": 1,
      "impossible date in created_at": 1,
      "invalid number in total": 2,
      "negative order amount": 1,
      "negative total": 1,
      "no customer key (customer_id, email or phone)": 1,
      "order without a date (created_at empty on all its rows)": 1,
    });
  });

  it("gives the --rejects file the raw first row of an order rejected as a whole", () => {
    const records: RejectRecord[] = [];
    const ctx = new IngestContext(
      {
        asOf: day("2026-06-30"),
        timezone: "UTC",
        decimal: "auto",
        preset: PRESETS.generic,
        columns: {},
        excludeStatus: [],
        aggregates: [],
        props: [],
        products: false,
        categories: false,
      },
      new RejectLog({ listener: (r) => records.push(r) }),
    );
    const sink = new OrdersSink(ctx, "orders.csv", undefined);
    sink.header(["order_id", "customer_id", "created_at", "total", "refunded"]);
    sink.row(["1", "c1", "", "10", ""], 2);
    sink.row(["1", "c1", "", "", ""], 3);
    sink.row(["2", "c1", "2026-01-01", "10", "30"], 4);
    sink.finish();
    expect(records.map((r) => [r.line, r.reason, r.fields.join(",")])).toEqual([
      [2, "order without a date (created_at empty on all its rows)", "1,c1,,10,"],
      [4, "negative order amount (-20.00)", "2,c1,2026-01-01,10,30"],
    ]);
  });

  it("stops at the first bad row with --strict, naming file and line", async () => {
    await expect(
      loadShop({
        strict: true,
        orders: "order_id,customer_id,created_at\n1,c1,2026-01-01\n2,c1,2026-13-01\n",
      }),
    ).rejects.toMatchObject({
      code: "BAD_ROW",
      message: "orders.csv:3: impossible date in created_at (2026-13-01)",
    });
  });
});

describe("point in time (--as-of)", () => {
  const files = {
    contacts: `${CONTACTS_HEADER}\nc1,a@example.com,,,,2025-01-01,,,,,,\nc2,b@example.com,,,,2026-03-15,,,,,,\n`,
    orders:
      "order_id,customer_id,created_at,total\n1,c1,2025-06-01,10\n2,c1,2026-02-01,20\n3,c1,2026-06-30,40\n4,c2,2026-04-01,5\n",
    events:
      "customer_id,type,occurred_at\nc1,visit,2026-01-10T10:00:00Z\nc1,visit,2026-06-01T10:00:00Z\n",
    segments: "segments:\n  visitors:\n    where: 'events(\"visit\") >= 1'\n",
  };

  it("gives exactly the profiles of that day when rewound", async () => {
    const today = await loadShop({ ...files, asOf: "2026-06-30" });
    expect(today.profile("c1")).toMatchObject({
      orders_count: 3,
      total_spent: 70,
      last_order_date: day("2026-06-30"),
      days_since_last_order: 0,
      days_since_signup: 545,
    });
    const before = await loadShop({ ...files, asOf: "2026-03-01" });
    expect(before.profile("c1")).toMatchObject({
      orders_count: 2,
      total_spent: 30,
      last_order_date: day("2026-02-01"),
      days_since_last_order: 28,
      days_since_first_order: 273,
    });
    // c2 signed up after 2026-03-01: not a contact yet on that day.
    expect(before.keys()).toEqual(["c1"]);
    expect(before.members.get("visitors")).toEqual(["c1"]);
    const earlier = await loadShop({ ...files, asOf: "2026-01-09" });
    expect(earlier.members.get("visitors")).toEqual([]);
    expect(earlier.profile("c1")).toMatchObject({
      orders_count: 1,
      total_spent: 10,
      last_order_date: day("2025-06-01"),
    });
  });

  it("never creates a customer from an order or event dated after as_of", async () => {
    const shop = await loadShop({
      contacts: `${CONTACTS_HEADER}\nc1,a@example.com,,,,2025-01-01,,,,,,\n`,
      orders: "order_id,customer_id,created_at,total\n1,c1,2026-06-01,10\n2,c7,2026-07-01,10\n",
      events: [
        "customer_id,email,type,occurred_at",
        "c8,,visit,2026-06-30T12:00:00Z",
        "c9,,visit,2026-07-01T00:00:00Z",
        ",late@example.com,visit,2027-01-01",
      ].join("\n"),
      segments: "segments:\n  visitors:\n    where: 'events(\"visit\") >= 1'\n",
    });
    expect(shop.keys()).toEqual(["c1", "c8"]);
    expect(shop.members.get("visitors")).toEqual(["c8"]);
    const events = shop.data.inputs.find((input) => input.kind === "events");
    expect(events?.stats.afterAsOf).toBe(2);
  });
});

describe("profile fields (docs/design.md#profile)", () => {
  it("fills every field for a buyer and nulls for a prospect", async () => {
    const shop = await loadShop({
      config: "default_country: FR\ntimezone: Europe/Paris",
      contacts:
        "customer_id,email,phone,first_name,last_name,created_at,acquisition_channel,email_consent,country,city,zip,Skin Type\n" +
        "c1,a@example.com,0639980001,Ann,Lee,2026-06-01,,yes,FR,Paris,75011,sèche\n" +
        "c2,b@example.com,,Bob,Ray,2026-06-29T23:30:00Z,newsletter,no,BE,Liège,4000,\n",
      orders:
        "order_id,customer_id,created_at,channel,product,category,quantity,price\n1,c1,2026-06-10,store,Sérum,Sérum,2,20\n2,c1,2026-06-20,web,Crème,Crème,1,10\n",
      segments: 'segments:\n  any:\n    where: props.skin_type = "SÈCHE"\n',
    });
    expect(shop.profile("c1")).toEqual({
      customer_id: "c1",
      email: "a@example.com",
      phone: "+33639980001",
      first_name: "Ann",
      last_name: "Lee",
      country: "FR",
      city: "Paris",
      zip: "75011",
      acquisition_channel: "store",
      signup_date: day("2026-06-01"),
      email_consent: true,
      sms_consent: false,
      whatsapp_consent: false,
      tags: [],
      lists: [],
      known_contact: true,
      orders_count: 2,
      total_spent: 50,
      avg_order_value: 25,
      first_order_date: day("2026-06-10"),
      last_order_date: day("2026-06-20"),
      days_since_first_order: 20,
      days_since_last_order: 10,
      days_since_signup: 29,
      first_order_channel: "store",
      last_order_channel: "web",
      last_product: "Crème",
      last_category: "Crème",
      products: ["Sérum", "Crème"],
      categories: ["Sérum", "Crème"],
      // A lone buyer: every cut point equals their values, so every score is 1.
      rfm_r: 1,
      rfm_f: 1,
      rfm_m: 1,
      rfm_score: "111",
      rfm_segment: "hibernating",
      revenue_percentile: 0,
      "props.skin_type": "sèche",
    });
    expect(shop.members.get("any")).toEqual(["c1"]);
    expect(shop.profile("c2")).toMatchObject({
      // 23:30 UTC on 29 June is 30 June in Paris.
      signup_date: day("2026-06-30"),
      days_since_signup: 0,
      acquisition_channel: "newsletter",
      orders_count: 0,
      total_spent: 0,
      avg_order_value: null,
      first_order_date: null,
      days_since_last_order: null,
      rfm_r: null,
      rfm_score: null,
      rfm_segment: "prospects",
      revenue_percentile: null,
      "props.skin_type": null,
    });
  });

  it("breaks same-day ties for the first order by order id: first_order_channel and the acquisition channel", async () => {
    const shop = await loadShop({
      contacts: `${CONTACTS_HEADER}\nc1,a@example.com,,,,,,,,,,\nc2,b@example.com,,,,,newsletter,,,,,\n`,
      orders: [
        "order_id,customer_id,created_at,channel",
        "1,c1,2026-06-10,instagram",
        "2,c1,2026-06-10,web",
        "3,c1,2026-06-20,store",
        "4,c2,2026-06-20,store",
        "5,c2,2026-06-10,pos",
        "6,c2,2026-06-10,web",
      ].join("\n"),
    });
    expect(shop.profile("c1")).toMatchObject({
      first_order_channel: "instagram",
      acquisition_channel: "instagram",
      last_order_channel: "store",
    });
    // The contact's own column wins over the first order's channel; an earlier day wins over an
    // earlier line.
    expect(shop.profile("c2")).toMatchObject({
      first_order_channel: "pos",
      acquisition_channel: "newsletter",
      last_order_channel: "store",
    });
  });

  it("breaks same-day ties for the last order by order id", async () => {
    const shop = await loadShop({
      orders:
        "order_id,customer_id,created_at,product\n1,c1,2026-06-20,First\n2,c1,2026-06-20,Second\n",
    });
    expect(shop.profile("c1")).toMatchObject({ last_product: "Second", orders_count: 2 });
  });

  it("orders one day's orders by time of day, then equal instants by order id, whatever the file order", async () => {
    const header = "order_id,customer_id,created_at,channel,product";
    const rows = [
      // c1: the same day at three times; the order id says the opposite of the clock.
      "300,c1,2026-06-20 09:00:00,pos,Matin",
      "100,c1,2026-06-20 18:30:00,web,Soir",
      "200,c1,2026-06-20T12:00:00Z,app,Midi",
      // c2: one instant, two orders: "9" before "11" (shorter id first).
      "11,c2,2026-06-20 10:00:00,web,Onze",
      "9,c2,2026-06-20 10:00:00,pos,Neuf",
      // c3: a date without a time is its midnight, before any time of that day.
      "41,c3,2026-06-20 00:00:01,web,Tard",
      "42,c3,2026-06-20,pos,Minuit",
    ];
    for (const order of [rows, [...rows].reverse()]) {
      const shop = await loadShop({ orders: [header, ...order].join("\n") });
      expect(
        ["c1", "c2", "c3"].map((c) => {
          const p = shop.profile(c);
          return [p.first_order_channel, p.last_order_channel, p.last_product];
        }),
      ).toEqual([
        ["pos", "web", "Soir"],
        ["pos", "web", "Onze"],
        ["pos", "web", "Tard"],
      ]);
    }
  });

  it("tells orders without an id at one instant apart by what they carry, never by file order", async () => {
    const header = "customer_id,created_at,channel,product,total";
    const rows = [
      "c1,2026-06-20 10:00:00,web,Baume,5",
      "c1,2026-06-20 10:00:00,pos,Sérum,7",
      "c1,2026-06-20 10:00:00,app,Baume,9",
    ];
    for (const order of [rows, [...rows].reverse(), [rows[1], rows[0], rows[2]]]) {
      const shop = await loadShop({ orders: [header, ...order].join("\n") });
      expect(shop.profile("c1")).toMatchObject({
        orders_count: 3,
        total_spent: 21,
        first_order_channel: "app",
        last_order_channel: "pos",
        last_product: "Sérum",
      });
    }
  });
});

/** Every order of `rows` (all permutations up to 4 rows, else rotations and the reverse). */
function orderings<T>(rows: readonly T[]): T[][] {
  if (rows.length <= 4) {
    if (rows.length <= 1) return [[...rows]];
    return rows.flatMap((row, i) =>
      orderings([...rows.slice(0, i), ...rows.slice(i + 1)]).map((rest) => [row, ...rest]),
    );
  }
  const out = rows.map((_, i) => [...rows.slice(i), ...rows.slice(0, i)]);
  return [...out, [...rows].reverse()];
}

describe("merges that never depend on row order (docs/design.md#inputs)", () => {
  it("merges duplicate contact rows by earliest signup date, then text; tags in name order", async () => {
    const rows = [
      "c1,,,Marie,Dupont,2025-03-01,instagram,,,,vip,A",
      "c1,,,Zoe,,2025-01-15,,,,,promo;vip,B",
      "c1,,,Anna,,2025-01-15,,,,,,",
      "c1,,,Maria,Durand,,web,no,,,late,",
    ];
    for (const order of orderings(rows)) {
      const shop = await loadShop({
        contacts: [CONTACTS_HEADER, ...order].join("\n"),
        orders: "order_id,customer_id,created_at,total\n1,c2,2026-01-01,10\n",
      });
      expect(shop.profile("c1")).toMatchObject({
        // The earliest rows (2025-01-15) tie: the name that sorts first.
        first_name: "Anna",
        // Of the rows with a last name, the dated one.
        last_name: "Dupont",
        acquisition_channel: "instagram",
        signup_date: day("2025-01-15"),
        email_consent: false,
        tags: ["late", "promo", "vip"],
        lists: ["A", "B"],
      });
    }
  });

  it("takes a buyer's name and place from their latest order that has them, as one block", async () => {
    const header = "order_id,email,created_at,first_name,last_name,country,city,zip,total";
    const rows = [
      "1,b@x.com,2026-01-10,Bea,Old,FR,Paris,75001,10",
      "2,b@x.com,2026-03-01 09:00,Béatrice,New,FR,Lyon,,20",
      // Later, but says nothing of the buyer.
      "3,b@x.com,2026-03-01 09:00,,,,,,5",
      "4,b@x.com,2026-02-01,Bee,Mid,FR,Nice,06000,5",
      "5,k@x.com,2026-01-01,Kim,Old,BE,Gent,9000,5",
      "6,k@x.com,2026-02-01,Kay,New,BE,Liège,4000,5",
    ];
    const contacts = "customer_id,email,first_name,city\n,k@x.com,Kimberly,\n";
    for (const order of orderings(rows)) {
      const shop = await loadShop({ contacts, orders: [header, ...order].join("\n") });
      expect(shop.profile("b@x.com")).toMatchObject({
        first_name: "Béatrice",
        last_name: "New",
        country: "FR",
        city: "Lyon",
        // The latest order has no zip: no zip from an older address.
        zip: null,
      });
      // The contact row's first name wins; the rest from the latest order.
      expect(shop.profile("k@x.com")).toMatchObject({
        first_name: "Kimberly",
        last_name: "New",
        city: "Liège",
        zip: "4000",
      });
    }
  });

  it("tells orders without an id at one instant apart by what they say of the buyer", async () => {
    const header = "email,created_at,first_name,city,total";
    const rows = ["b@x.com,2026-03-01,Bea,Paris,5", "b@x.com,2026-03-01,Bea,Lyon,5"];
    for (const order of orderings(rows)) {
      const shop = await loadShop({ orders: [header, ...order].join("\n") });
      // The later of two equal orders: the block that sorts last as text.
      expect(shop.profile("b@x.com")).toMatchObject({ first_name: "Bea", city: "Paris" });
    }
  });
  it("keeps a customer's email and phone by signup day, then text, never the first met", async () => {
    const rows = [
      "d1,d1-new@x.com,06 39 98 00 12,,,2025-03-10,,,,,,",
      "d1,d1-old@x.com,06 39 98 00 11,,,2025-01-10,,,,,,",
      // Undated: after every dated row, though it sorts first.
      "d1,a-d1@x.com,06 39 98 00 10,,,,,,,,,",
      "d2,zz@x.com,,,,,,,,,,",
      "d2,yy@x.com,,,,,,,,,,",
    ];
    for (const order of orderings(rows)) {
      const shop = await loadShop({
        config: "default_country: FR",
        contacts: [CONTACTS_HEADER, ...order].join("\n"),
        // Rows without an id, by d1's second email and its third phone: d1's.
        orders:
          "order_id,customer_id,email,phone,created_at,total\n1,,d1-new@x.com,,2026-01-01,10\n2,,,06 39 98 00 10,2026-01-02,10\n3,d3,z@x.com,,2026-01-03,1\n4,d3,b@x.com,,2026-01-04,1\n",
      });
      expect(shop.keys()).toEqual(["d1", "d2", "d3"]);
      expect(shop.profile("d1")).toMatchObject({
        email: "d1-old@x.com",
        phone: "+33639980011",
        orders_count: 2,
      });
      // Undated rows alike: the one that sorts first.
      expect(shop.profile("d2")).toMatchObject({ email: "yy@x.com" });
      // No contact row: of its orders' emails, the one that sorts first.
      expect(shop.profile("d3")).toMatchObject({ email: "b@x.com" });
    }
  });

  it("gives rows without an id to the customer whose id sorts first, of those sharing their email", async () => {
    const rows = [
      "s2,family@x.com,,Sue,,2025-02-01,,,,,,",
      "s10,family@x.com,,Sid,,2025-02-01,,,,,,",
      "s1,family@x.com,,Sam,,2025-02-01,,,,,,",
    ];
    for (const order of orderings(rows)) {
      const shop = await loadShop({
        contacts: [CONTACTS_HEADER, ...order].join("\n"),
        orders: "order_id,email,created_at,total\n1,family@x.com,2026-01-01,10\n",
        lists: "list,email\nClub,family@x.com\n",
      });
      // Code points: "s1" before "s10" before "s2".
      expect(["s1", "s10", "s2"].map((k) => shop.profile(k).orders_count)).toEqual([1, 0, 0]);
      expect(shop.profile("s1")).toMatchObject({ lists: ["Club"] });
    }
  });

  it("takes the category of an order whose lines have no product as the one that sorts first", async () => {
    const header = "order_id,customer_id,created_at,product,category,total";
    const rows = [
      "1,c1,2026-03-01,,Soin,5",
      "1,c1,2026-03-01,,,5",
      "1,c1,2026-03-01,,Bain,5",
      "2,c2,2026-03-01,,Soin,5",
      "2,c2,2026-03-01,Zeste,,5",
    ];
    for (const order of orderings(rows)) {
      const shop = await loadShop({ orders: [header, ...order].join("\n") });
      expect(shop.profile("c1")).toMatchObject({ last_product: null, last_category: "Bain" });
      // A line with a product before one without, even without a category.
      expect(shop.profile("c2")).toMatchObject({ last_product: "Zeste", last_category: null });
    }
  });
});

describe("event property filters", () => {
  it("stop the run when the events file lacks the property column, rather than match nothing", async () => {
    await expect(
      loadShop({
        orders: "order_id,customer_id,created_at\n",
        events: "customer_id,type,occurred_at\nc1,whatsapp_inbound,2026-06-01T10:00:00Z\n",
        segments:
          "segments:\n  calm:\n    where: 'events(\"whatsapp_inbound\", handled: false) = 0'\n",
      }),
    ).rejects.toMatchObject({
      code: "MISSING_EVENT_PROPERTY",
      message:
        'events.csv has no column "handled", which a segment filters events on (events(…, handled: …))',
    });
  });
});

describe("channelName", () => {
  it("reads a Shopify app id as `app <id>` and leaves names and empty cells as they are", () => {
    expect(channelName("5690175")).toBe("app 5690175");
    expect(channelName("web")).toBe("web");
    expect(channelName("shopify_draft_order")).toBe("shopify_draft_order");
    expect(channelName("web 2")).toBe("web 2");
    expect(channelName(undefined)).toBeUndefined();
  });
});
