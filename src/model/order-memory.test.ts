/**
 * Memory of the orders model for one customer with many order rows (issue 12): the structures it
 * keeps grow with customers and distinct order ids, never with repeated rows (sizes, not RSS).
 */
import { describe, expect, it } from "vitest";
import { day } from "../../test/helpers/shop.js";
import { PRESETS } from "./presets.js";
import { IngestContext } from "./ingest-context.js";
import { OrdersSink } from "./ingest-orders.js";
import { RejectLog } from "./rejects.js";

function context(): IngestContext {
  return new IngestContext(
    {
      asOf: day("2026-06-30"),
      timezone: "UTC",
      decimal: "auto",
      preset: PRESETS.generic,
      columns: {},
      excludeStatus: [],
      aggregates: [],
      props: [],
      products: true,
      categories: true,
      purchaseDays: true,
    },
    new RejectLog({}),
  );
}

const HEADER = ["order_id", "customer_id", "created_at", "total", "product", "category"];
const CATALOGUE = ["Sérum", "Crème", "Baume"];

/** One orders file: `orders` orders of c1 with `lines` rows each, over 100 days. */
function readFile(ctx: IngestContext, name: string, orders: number, lines: number): void {
  const sink = new OrdersSink(ctx, name, undefined);
  sink.header(HEADER);
  let line = 2;
  for (let o = 0; o < orders; o++) {
    const date = new Date(Date.UTC(2026, 0, 1) + (o % 100) * 86_400_000 + o * 1000);
    const stamp = date.toISOString().slice(0, 19).replace("T", " ");
    for (let l = 0; l < lines; l++) {
      const product = CATALOGUE[(o + l) % CATALOGUE.length];
      sink.row([String(10_000 + o), "c1", stamp, "10", product, "Soin"], line++);
    }
  }
  sink.finish();
}

describe("orders memory for one customer", () => {
  it("keeps one id per distinct order in one run-wide set; repeated rows and files add nothing", () => {
    const ctx = context();
    readFile(ctx, "a.csv", 20_000, 3);
    const { store } = ctx;
    expect([store.size, store.ordersCount[0]]).toEqual([1, 20_000]);
    expect(ctx.orderIds.size).toBe(20_000);
    const slots = ctx.orderIds.slots;
    expect(slots).toBeLessThanOrEqual(32_768);
    // Per-customer state: as many entries as distinct products, categories and days.
    expect(store.products[0]?.size).toBe(3);
    expect(store.categories[0]?.size).toBe(1);
    expect(store.purchaseDays[0]?.length).toBe(100);
    // The same orders again in a second file (an overlapping download): read once, no new ids.
    readFile(ctx, "b.csv", 20_000, 3);
    expect([store.ordersCount[0], ctx.orderIds.size, ctx.orderIds.slots]).toEqual([
      20_000,
      20_000,
      slots,
    ]);
    expect(ctx.stats.map((s) => [s.orders, s.duplicates])).toEqual([
      [20_000, 0],
      [0, 20_000],
    ]);
  });
});
