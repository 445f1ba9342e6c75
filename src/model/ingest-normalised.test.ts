/**
 * A normalised export (docs/design.md#normalised-exports): orders keyed by a per-order customer
 * key that `key_map:` maps to the person, amounts in `order_lines:`.
 */
import { describe, expect, it } from "vitest";
import { loadShop } from "../../test/helpers/shop.js";
import { UserError } from "../errors.js";
import { lineAmount, OrderLines } from "./order-lines.js";
import { detectPreset } from "./presets.js";

const OLIST_ORDERS = "order_id,customer_id,order_status,order_purchase_timestamp";
const OLIST_CUSTOMERS = "customer_id,customer_unique_id,customer_city";
const OLIST_ITEMS = "order_id,order_item_id,price,freight_value";

const olist = {
  key_map: [OLIST_CUSTOMERS, "c1,ana,recife", "c2,ana,recife", "c3,bruno,natal"].join("\n"),
  order_lines: [
    OLIST_ITEMS,
    "o1,1,50.00,10.00",
    "o1,2,25.00,5.00",
    "o2,1,100.00,0",
    "o3,1,80.00,8.00",
    "o4,1,12.00,3.00",
  ].join("\n"),
  orders: [
    OLIST_ORDERS,
    "o1,c1,delivered,2018-01-10 10:00:00",
    "o2,c2,delivered,2018-03-05 09:30:00",
    "o3,c3,canceled,2018-02-01 14:00:00",
    "o4,c3,unavailable,2018-02-02 14:00:00",
    "o5,c3,shipped,2018-04-01 08:00:00",
  ].join("\n"),
};

describe("a normalised export", () => {
  it("joins each order to its person through the key map and sums its lines with freight", async () => {
    const shop = await loadShop(olist);
    expect(shop.keys()).toEqual(["ana", "bruno"]);
    // o1 (50 + 10 + 25 + 5) and o2 (100): two per-order keys, one person.
    expect(shop.profile("ana")).toMatchObject({ orders_count: 2, total_spent: 190 });
    // o3 canceled and o4 unavailable do not count (the olist preset); o5 has no lines.
    expect(shop.profile("bruno")).toMatchObject({ orders_count: 1, total_spent: 0 });
    const [keyMap, lines, orders] = shop.data.inputs.map((i) => i.stats);
    expect([keyMap.kind, keyMap.preset, keyMap.mapped]).toEqual(["key_map", "olist", 3]);
    expect([lines.kind, lines.rows, lines.orders, lines.orphanLines]).toEqual([
      "order_lines",
      5,
      4,
      0,
    ]);
    expect([orders.orders, orders.excludedStatus, orders.noLines, orders.unmapped]).toEqual([
      3, 2, 1, 0,
    ]);
    expect(orders.hasAmount).toBe(true);
    expect(orders.warnings).toEqual([]);
    expect(shop.data.rejects.warnings.get("orders.csv")).toEqual(
      new Map([["order without lines in the order_lines files: its amount is 0", 1]]),
    );
  });

  it("include_shipping: false leaves the freight out", async () => {
    const shop = await loadShop({ ...olist, config: "include_shipping: false" });
    expect(shop.profile("ana")).toMatchObject({ total_spent: 175 });
  });

  it("a key the map does not know is its own customer; lines of no order are reported at their first line", async () => {
    const shop = await loadShop({
      key_map: olist.key_map,
      order_lines: [OLIST_ITEMS, "o1,1,20.00,0", "o9,1,5.00,1.00", "o9,2,5.00,1.00"].join("\n"),
      orders: [OLIST_ORDERS, "o1,c7,delivered,2018-01-10 10:00:00"].join("\n"),
    });
    expect(shop.keys()).toEqual(["c7"]);
    expect(shop.profile("c7")).toMatchObject({ orders_count: 1, total_spent: 20 });
    const [, lines, orders] = shop.data.inputs.map((i) => i.stats);
    expect(orders.unmapped).toBe(1);
    expect(lines.orphanLines).toBe(2);
    expect(shop.data.rejects.warningExamples).toEqual([
      {
        file: "orders.csv",
        line: 2,
        reason: "customer_id not in the key_map files: read as its own customer",
      },
      {
        file: "order_lines.csv",
        line: 3,
        reason: "order_id in no orders file: the order's lines are not counted",
      },
    ]);
  });

  it("counts bad key map and line rows per reason; an order's own total wins over its lines", async () => {
    const shop = await loadShop({
      key_map: ["from,to", "c1,ana", "c1,bruno", ",carla", "c2,", "c1,ana"].join("\n"),
      order_lines: [
        "order_id,quantity,price,freight",
        "o1,2,10.00,1.00",
        "o1,1,abc,0",
        "o1,1,-3.00,0",
        ",1,4.00,0",
        "o2,1,99.00,0",
      ].join("\n"),
      orders: [
        "order_id,customer_id,created_at,total",
        "o1,c1,2026-01-01,",
        "o2,c1,2026-01-02,30",
      ].join("\n"),
    });
    // o1: 2 × 10 + 1 freight from its lines; o2: its own total, 30.
    expect(shop.profile("ana")).toMatchObject({ orders_count: 2, total_spent: 51 });
    expect(shop.data.rejects.rejectedByFile()).toEqual({
      "key_map.csv": {
        "customer key already mapped to another person": 1,
        "empty from (the order's customer key)": 1,
        "empty to (the person's key)": 1,
      },
      "order_lines.csv": {
        "invalid number in price": 1,
        "negative price": 1,
        "empty order_id": 1,
      },
    });
    expect(shop.data.inputs[1].stats.orphanLines).toBe(0);
  });

  it("a missing column is a located error naming the file, with a suggestion", async () => {
    const error = await loadShop({
      key_map: ["customer_id,person_ref", "c1,ana"].join("\n"),
      orders: olist.orders,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      'key_map.csv has no column for to (the person\'s key) (did you mean "person_ref"?)',
    );
    expect((error as UserError).hint).toContain('columns: { key_map: { to: "person_ref" } }');
    const mapped = await loadShop({
      order_lines: ["order_ref,amount", "o1,3"].join("\n"),
      orders: olist.orders,
      config: "columns: { order_lines: { order_id: order_ref, price: amont } }",
    }).catch((e: unknown) => e);
    expect((mapped as UserError).message).toBe(
      'columns.order_lines.price names the header "amont", which order_lines.csv does not have (did you mean "amount"?)',
    );
  });

  it("Olist orders alone ask for the items file and the key map", async () => {
    const shop = await loadShop({ orders: olist.orders });
    expect(shop.data.amounts).toBe(false);
    expect(shop.data.inputs[0].stats.warnings).toEqual([
      "orders.csv has no amount column: revenue, total_spent and RFM monetary are unavailable; the amounts of an Olist export are in its order items file: add it in audience.yaml, e.g.  order_lines: olist_order_items_dataset.csv",
      "orders.csv: the customer_id of an Olist order is per order, so each order is its own buyer; to join a person's orders, add the customers file in audience.yaml, e.g.  key_map: olist_customers_dataset.csv",
    ]);
  });

  it("the order items file given as the orders says where it goes", async () => {
    const error = await loadShop({ orders: olist.order_lines }).catch((e: unknown) => e);
    expect((error as UserError).message).toBe(
      "orders.csv is an Olist order items export, given as the orders file",
    );
    expect((error as UserError).hint).toBe("give it as `order_lines:` in audience.yaml");
  });
});

describe("recognising an Olist file", () => {
  it("the customers file is the key map or the contacts, as given", () => {
    const header = OLIST_CUSTOMERS.split(",");
    expect(detectPreset(header, "key_map")?.signature.what).toBe(
      "an Olist customers export (key map)",
    );
    expect(detectPreset(header, "contacts")?.signature.what).toBe("an Olist customers export");
    expect(detectPreset(OLIST_ORDERS.split(","), "orders")?.preset.name).toBe("olist");
  });
});

describe("order lines", () => {
  it("a line is quantity × price (one without a quantity) plus its freight", () => {
    expect(lineAmount(3, 2.5)).toBe(7.5);
    expect(lineAmount(NaN, 4)).toBe(4);
    expect(lineAmount(2, NaN, 1.5)).toBe(1.5);
    expect(lineAmount(2, 3, 1)).toBe(7);
  });

  it("sums per order, each order taken once; freight left out without include_shipping", () => {
    const lines = new OrderLines(false);
    const at = { file: "items.csv", line: 2 };
    expect(lines.add("o1", NaN, 10, 5, at)).toBe(true);
    expect(lines.add("o1", 2, 1, 5, { ...at, line: 3 })).toBe(false);
    lines.add("o2", 1, 4, 0, { ...at, line: 4 });
    expect(lines.take("o1")).toBe(12);
    expect(lines.take("o3")).toBeUndefined();
    expect(lines.orphans()).toEqual([{ file: "items.csv", line: 4, lines: 1 }]);
  });
});

describe("a normalised export whatever the row order (issue 12 item 7)", () => {
  it("shuffling the rows of the orders, the key map and the order lines gives the same profiles and counts", async () => {
    const fc = await import("fast-check");
    const body = (text: string) => text.split("\n").slice(1);
    const header = (text: string) => text.split("\n")[0];
    const files = {
      key_map: [...body(olist.key_map), "c4,bruno,natal", "c5,carla,olinda"],
      order_lines: [
        ...body(olist.order_lines),
        "o6,1,30.00,2.00",
        "o6,2,30.00,2.00",
        "o7,1,9.00,0",
      ],
      orders: [
        ...body(olist.orders),
        // Same instant for one person: the order id decides (o6 before o7), never the file.
        "o6,c4,delivered,2018-05-01 10:00:00",
        "o7,c4,delivered,2018-05-01 10:00:00",
        "o8,c5,delivered,2018-05-02 10:00:00",
      ],
    };
    const load = (f: typeof files) =>
      loadShop({
        key_map: [header(olist.key_map), ...f.key_map].join("\n"),
        order_lines: [header(olist.order_lines), ...f.order_lines].join("\n"),
        orders: [header(olist.orders), ...f.orders].join("\n"),
      });
    const summary = async (f: typeof files) => {
      const shop = await load(f);
      return {
        customers: shop.keys().map((key) => [key, shop.profile(key)]),
        counts: shop.data.inputs.map(({ stats: s }) => ({
          rows: s.rows,
          orders: s.orders,
          created: s.created,
          mapped: s.mapped,
          unmapped: s.unmapped,
          noLines: s.noLines,
          orphanLines: s.orphanLines,
          excludedStatus: s.excludedStatus,
        })),
        warnings: shop.data.rejects.rejectedByFile(),
      };
    };
    const reference = await summary(files);
    expect(reference.customers.map(([key]) => key)).toEqual(["ana", "bruno", "carla"]);
    const shuffled = (items: readonly string[]) =>
      fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
    await fc.assert(
      fc.asyncProperty(
        shuffled(files.key_map),
        shuffled(files.order_lines),
        shuffled(files.orders),
        async (key_map, order_lines, orders) => {
          expect(await summary({ key_map, order_lines, orders })).toEqual(reference);
        },
      ),
      { numRuns: 30, seed: 12 },
    );
  });
});
