import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { DEFAULT_RFM } from "../rfm/settings.js";
import { dialectFor, profileDialectFor } from "./dialect.js";
import { buildProfileTables, type ProfileBuildOptions, type SqlSession } from "./profiles-sql.js";
import { createStagingStatements, STAGING, STAGING_LAYOUT } from "./staging.js";

const AS_OF = 20_000;
const d = dialectFor("duckdb");

type Row = Record<string, string | number | boolean | null>;
type Staged = Partial<Record<keyof typeof STAGING, Row[]>>;

/** Builds the profile tables from `staged` (rows by column name) in an in-memory DuckDB. */
async function build(staged: Staged, options: Partial<ProfileBuildOptions> = {}) {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const session: SqlSession = {
    run: async (sql) => {
      await connection.run(sql);
    },
    query: async (sql) =>
      (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[],
  };
  try {
    for (const sql of createStagingStatements(d)) await session.run(sql);
    for (const [key, rows] of Object.entries(staged) as [keyof typeof STAGING, Row[]][]) {
      const table = STAGING[key];
      const columns = STAGING_LAYOUT.find((t) => t.table === table)?.columns ?? [];
      for (const row of rows) {
        const values = columns.map((c) => {
          const v = row[c.name] ?? null;
          if (v === null) return "NULL";
          if (typeof v === "string") return d.string(v);
          return String(v);
        });
        await session.run(`INSERT INTO ${table} VALUES (${values.join(", ")})`);
      }
    }
    const result = await buildProfileTables(d, session, {
      asOf: AS_OF,
      fields: ["customer_id", "first_name", "orders_count", "total_spent", "last_product", "tags"],
      rfm: DEFAULT_RFM,
      ...options,
    });
    const profiles = await session.query(`SELECT * FROM profiles ORDER BY customer`);
    const orders = await session.query(`SELECT * FROM orders ORDER BY order_key`);
    return { result, profiles, orders };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const contact = (seq: number, row: Row): Row => ({ file: 0, seq, ...row });
const order = (seq: number, row: Row): Row => ({ file: 0, seq, ...row });

describe("buildProfileTables: identity", () => {
  it("keeps two people apart who share a phone with different emails; a phone-only row joins the first", async () => {
    const { profiles } = await build({
      contacts: [
        contact(1, { email: "a@x.fr", phone: "+33612345678", first_name: "Ana" }),
        contact(2, { email: "b@x.fr", phone: "+33612345678", first_name: "Bea" }),
        contact(3, { phone: "+33612345678", first_name: "Phone" }),
      ],
    });
    expect(profiles.map((p) => [p.customer_key, p.first_name])).toEqual([
      ["a@x.fr", "Ana"],
      ["b@x.fr", "Bea"],
    ]);
  });

  it("gives a customer found by email the id of the first row that brings one, and links later rows by it", async () => {
    const { profiles, orders } = await build({
      contacts: [contact(1, { email: "a@x.fr" })],
      orders: [
        order(1, { order_id: "1", customer_id: "C1", email: "a@x.fr", day: AS_OF - 5, total: 10 }),
        order(2, { order_id: "2", customer_id: "C1", day: AS_OF - 2, total: 5 }),
        // Another id with the same email: the email's customer has an id already, so a new one.
        order(3, { order_id: "3", customer_id: "C2", email: "a@x.fr", day: AS_OF - 1, total: 1 }),
      ],
    });
    expect(profiles.map((p) => [p.customer_key, p.orders_count, p.total_spent])).toEqual([
      ["C1", 2, 15],
      ["C2", 1, 1],
    ]);
    expect(orders.map((o) => o.customer)).toEqual([0, 0, 1]);
  });
});

describe("buildProfileTables: merges and point in time", () => {
  it("merges contact rows: first non-empty value, tags united by name, consent no wins, WhatsApp falls back to SMS", async () => {
    const { profiles } = await build(
      {
        contacts: [
          contact(1, { email: "a@x.fr", email_consent: true, sms_consent: true }),
          contact(2, { email: "a@x.fr", first_name: "Ana", email_consent: false }),
          contact(3, { email: "a@x.fr", first_name: "Other" }),
        ],
        contactValues: [
          { file: 0, seq: 1, kind: "tag", pos: 0, value: "vip" },
          { file: 0, seq: 2, kind: "tag", pos: 0, value: "b2b" },
          { file: 0, seq: 2, kind: "tag", pos: 1, value: "vip" },
        ],
      },
      {
        fields: ["first_name", "tags", "email_consent", "sms_consent", "whatsapp_consent"],
      },
    );
    expect(profiles).toHaveLength(1);
    expect(profiles[0]).toMatchObject({
      first_name: "Ana",
      tags: ["b2b", "vip"],
      email_consent: false,
      sms_consent: true,
      whatsapp_consent: true,
    });
  });

  it("takes each merged field from the row with the earliest signup day, an undated row last, then by text", async () => {
    const prop = (seq: number, value: string): Row => ({ file: 0, seq, name: "skin", value });
    const { profiles } = await build(
      {
        contacts: [
          contact(1, { email: "a@x.fr", signup_day: AS_OF - 1, first_name: "Zed", city: "Lyon" }),
          contact(2, { email: "a@x.fr", signup_day: AS_OF - 5, first_name: "Bob" }),
          contact(3, { email: "a@x.fr", first_name: "Al", last_name: "Undated" }),
          contact(4, { email: "a@x.fr", signup_day: AS_OF - 5, first_name: "Ann" }),
        ],
        contactProps: [prop(1, "oily"), prop(3, "dry"), prop(4, "normal"), prop(2, "mixed")],
      },
      { fields: ["first_name", "last_name", "city", "signup_date", "props.skin"] },
    );
    expect(profiles).toHaveLength(1);
    expect(profiles[0]).toMatchObject({
      first_name: "Ann",
      last_name: "Undated",
      city: "Lyon",
      signup_date: AS_OF - 5,
      "props.skin": "mixed",
    });
  });

  it("takes a buyer's empty name and place as one block from their latest order naming them", async () => {
    const H = 3_600_000;
    const at = (day: number, hour: number) => day * 86_400_000 + hour * H;
    const buyer = (seq: number, hour: number, row: Row): Row =>
      order(seq, { email: "a@x.fr", day: AS_OF - 1, time: at(AS_OF - 1, hour), total: 1, ...row });
    const { profiles } = await build(
      {
        contacts: [contact(1, { email: "a@x.fr", first_name: "Ana" })],
        orders: [
          buyer(1, 12, {
            order_id: "2",
            first_name: "Old",
            last_name: "Lee",
            city: "Lyon",
            zip: "69001",
          }),
          buyer(2, 8, { order_id: "1", last_name: "Early", city: "Nice", zip: "06000" }),
          // The latest order naming the buyer: no zip, so zip stays empty.
          buyer(3, 12, { order_id: "10", first_name: "New", last_name: "Roy", city: "Paris" }),
          // Later, but it names no one (the first name is the contacts').
          buyer(4, 20, { order_id: "3", first_name: "Later" }),
        ],
      },
      { fields: ["first_name", "last_name", "city", "zip"] },
    );
    expect(profiles.map((p) => [p.first_name, p.last_name, p.city, p.zip])).toEqual([
      ["Ana", "Roy", "Paris", null],
    ]);
  });

  it("leaves out contacts created, and orders dated, after as_of", async () => {
    const { profiles, result } = await build({
      contacts: [contact(1, { email: "late@x.fr", signup_day: AS_OF + 1 })],
      orders: [order(1, { order_id: "1", email: "b@x.fr", day: AS_OF + 1, total: 10 })],
    });
    expect(profiles).toEqual([]);
    expect(result.customers).toBe(0);
  });
});

describe("buildProfileTables: orders", () => {
  it("assembles a multi-row order: fields from the first row where set, refunds deducted, lines summed without a total", async () => {
    const { profiles, orders } = await build({
      orders: [
        order(1, { order_id: "A", email: "a@x.fr", product: "Soap", quantity: 2, price: 3 }),
        order(2, { order_id: "A", day: AS_OF - 1, channel: "web", product: "Balm", price: 4 }),
        order(3, { order_id: "B", email: "a@x.fr", day: AS_OF, total: 50, refunded: 20 }),
      ],
    });
    expect(orders.map((o) => [o.channel, o.amount])).toEqual([
      ["web", 10],
      [null, 30],
    ]);
    expect(profiles[0]).toMatchObject({ orders_count: 2, total_spent: 40 });
  });

  it("counts an order read in an earlier file once, and never an excluded status", async () => {
    const { orders } = await build({
      orders: [
        order(1, { order_id: "1", email: "a@x.fr", day: AS_OF, total: 10 }),
        { ...order(1, { order_id: "1", email: "a@x.fr", day: AS_OF, total: 10 }), file: 1 },
        order(2, { order_id: "2", email: "a@x.fr", day: AS_OF, total: 10, status_excluded: true }),
      ],
    });
    expect(orders).toHaveLength(1);
  });

  it('takes the last order of a day by order id, shorter first ("9" before "10")', async () => {
    const { profiles } = await build({
      orders: [
        order(1, { order_id: "10", email: "a@x.fr", day: AS_OF, total: 1, product: "Ten" }),
        order(2, { order_id: "9", email: "a@x.fr", day: AS_OF, total: 1, product: "Nine" }),
      ],
    });
    expect(profiles[0].last_product).toBe("Ten");
  });

  it("decides first and last orders by date and time of day, then order id, never by place in the file", async () => {
    const H = 3_600_000;
    const at = (day: number, hour: number) => day * 86_400_000 + hour * H;
    const { profiles } = await build(
      {
        orders: [
          order(1, {
            order_id: "1",
            email: "a@x.fr",
            day: AS_OF,
            time: at(AS_OF, 15),
            total: 1,
            product: "Late",
            channel: "web",
          }),
          order(2, {
            order_id: "2",
            email: "a@x.fr",
            day: AS_OF,
            time: at(AS_OF, 9),
            total: 1,
            product: "Morning",
            channel: "shop",
          }),
          order(3, {
            order_id: "3",
            email: "a@x.fr",
            day: AS_OF - 1,
            time: at(AS_OF - 1, 23),
            total: 1,
            product: "Eve",
            channel: "app",
          }),
          // Same instant as order 1: the longer id comes later ("10" after "9").
          order(4, {
            order_id: "10",
            email: "b@x.fr",
            day: AS_OF,
            time: at(AS_OF, 12),
            total: 1,
            product: "Ten",
          }),
          order(5, {
            order_id: "9",
            email: "b@x.fr",
            day: AS_OF,
            time: at(AS_OF, 12),
            total: 1,
            product: "Nine",
          }),
        ],
      },
      { fields: ["first_order_channel", "last_order_channel", "last_product", "first_order_date"] },
    );
    expect(
      profiles.map((p) => [p.first_order_channel, p.last_order_channel, p.last_product]),
    ).toEqual([
      ["app", "web", "Late"],
      [null, null, "Ten"],
    ]);
  });

  it("breaks a tie between orders without an id at one instant by what they carry, absent first", async () => {
    const t = AS_OF * 86_400_000;
    const { profiles } = await build(
      {
        orders: [
          order(1, {
            email: "a@x.fr",
            day: AS_OF,
            time: t,
            total: 1,
            product: "B",
            channel: "web",
          }),
          order(2, {
            email: "a@x.fr",
            day: AS_OF,
            time: t,
            total: 1,
            product: "A",
            channel: "app",
          }),
          order(3, { email: "a@x.fr", day: AS_OF, time: t, total: 1, product: "C" }),
        ],
      },
      { fields: ["first_order_channel", "last_order_channel", "last_product"] },
    );
    expect(profiles[0]).toMatchObject({
      first_order_channel: null,
      last_order_channel: null,
      last_product: "C",
    });
  });

  it("lists products and categories by first purchase, then by name; lists by name", async () => {
    const t = AS_OF * 86_400_000;
    const { profiles } = await build(
      {
        contacts: [contact(1, { email: "a@x.fr" })],
        contactValues: [{ file: 0, seq: 1, kind: "list", pos: 0, value: "vip" }],
        orders: [
          order(1, {
            order_id: "2",
            email: "a@x.fr",
            day: AS_OF,
            time: t + 5_000,
            total: 1,
            product: "Apple",
            category: "Fruit",
          }),
          order(2, {
            order_id: "1",
            email: "a@x.fr",
            day: AS_OF,
            time: t,
            total: 1,
            product: "Zest",
            category: "Peel",
          }),
          order(3, { order_id: "1", email: "a@x.fr", product: "Mint", category: "Herb" }),
          order(4, {
            order_id: "3",
            email: "a@x.fr",
            day: AS_OF,
            time: t + 9_000,
            total: 1,
            product: "Zest",
            category: "Fruit",
          }),
          order(5, { order_id: "3", email: "a@x.fr", product: "Basil", category: "Herb" }),
        ],
        lists: [
          { file: 0, seq: 1, email: "a@x.fr", list: "newsletter" },
          { file: 0, seq: 2, email: "a@x.fr", list: "b2b" },
        ],
      },
      { fields: ["products", "categories", "lists", "last_product", "last_category"] },
    );
    expect(profiles[0]).toMatchObject({
      products: ["Mint", "Zest", "Apple", "Basil"],
      categories: ["Herb", "Peel", "Fruit"],
      lists: ["b2b", "newsletter", "vip"],
      // Of the last order's lines, the one that sorts first.
      last_product: "Basil",
      last_category: "Herb",
    });
  });

  it("converts currencies by exchange_rates, an unknown rate counting 0, and keeps only `currency:` when set", async () => {
    const rows = [
      order(1, { order_id: "1", email: "a@x.fr", day: AS_OF, total: 10, currency: "USD" }),
      order(2, { order_id: "2", email: "a@x.fr", day: AS_OF, total: 10, currency: "GBP" }),
      order(3, { order_id: "3", email: "a@x.fr", day: AS_OF, total: 10, currency: "EUR" }),
    ];
    const converted = await build(
      { orders: rows },
      { exchangeRates: { reporting: "EUR", rates: new Map([["USD", 0.5]]) } },
    );
    expect(converted.orders.map((o) => o.amount)).toEqual([5, 0, 10]);
    const filtered = await build({ orders: rows }, { currency: "EUR" });
    expect(filtered.orders.map((o) => o.amount)).toEqual([10]);
  });
});

describe("buildProfileTables: RFM and refusals", () => {
  it("scores frequency by the documented thresholds when its quintiles collapse", async () => {
    const orders: Row[] = [];
    for (let i = 0; i < 6; i++)
      orders.push(
        order(i + 1, { order_id: String(i + 1), email: `b${i}@x.fr`, day: AS_OF, total: 10 }),
      );
    // One buyer with six orders: quintiles 1 1 1 1 collapse; thresholds 1, 2, 3, 5 give F = 5.
    for (let k = 0; k < 5; k++)
      orders.push(order(10 + k, { order_id: `x${k}`, email: "b0@x.fr", day: AS_OF, total: 1 }));
    const { profiles, result } = await build({ orders }, { fields: ["rfm_f", "rfm_segment"] });
    expect(result.cutPoints.frequency).toEqual([1, 2, 3, 5]);
    expect(profiles.map((p) => p.rfm_f)).toEqual([5, 1, 1, 1, 1, 1]);
  });

  it("refuses the prediction fields, which are fitted in TypeScript", async () => {
    await expect(build({}, { fields: ["p_alive"] })).rejects.toThrow(/fitted in TypeScript/);
  });
});

describe("profile dialect", () => {
  it("writes order-preserving aggregates for each executed dialect", () => {
    expect(profileDialectFor("duckdb").orderedSum("x", "k")).toBe(
      "list_reduce(list_transform(list_sort(list(struct_pack(k0 := k, v := x)), 'ASC', 'NULLS LAST'), x -> x.v), (a, b) -> a + b)",
    );
    expect(profileDialectFor("postgres").firstNonNull("x", "k")).toBe(
      "(array_agg(x ORDER BY k) FILTER (WHERE x IS NOT NULL))[1]",
    );
    expect(profileDialectFor("postgres").sortText("t")).toBe('(t) COLLATE "C"');
    expect(profileDialectFor("duckdb").firstNonNullBy("x", ["a", "b"])).toBe(
      "arg_min(x, struct_pack(k0 := a, k1 := b)) FILTER (WHERE x IS NOT NULL)",
    );
    expect(profileDialectFor("postgres").firstNonNullBy("x", ["a", "b"])).toBe(
      "(array_agg(x ORDER BY a, b) FILTER (WHERE x IS NOT NULL))[1]",
    );
  });
});
