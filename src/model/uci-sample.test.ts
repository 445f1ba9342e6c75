/**
 * The UCI Online Retail sample (fixtures/model/uci/, public data): every customer's orders_count,
 * total_spent, first and last order date and last product agree with a plain computation over the
 * parsed rows, with the usual cleaning (CustomerID present, InvoiceNo not starting with C,
 * Quantity > 0, UnitPrice > 0). test/uci.e2e.test.ts checks the segments built from it.
 */
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../calendar.js";
import { loadConfigText } from "../config/load-config.js";
import { resolveSettings } from "../config/settings.js";
import { needsPredictions, PROFILE_FIELDS } from "../dsl/env.js";
import { AggregateTable, compileExpression } from "../dsl/index.js";
import { ingestOptions } from "../config/ingest-options.js";
import { rowTable } from "../../test/helpers/shop.js";
import { buildProfiles } from "./build-profiles.js";
import { RejectLog } from "./rejects.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CONFIG = "fixtures/model/uci/audience.yaml";

interface Expected {
  invoices: Set<string>;
  spent: number;
  first: string;
  last: string;
  lastInvoice: string;
  lastProduct: string;
}

/** One pass over the rows, the way an analyst would write it. */
function independent(csv: string): Map<string, Expected> {
  const rows = parse(csv, { columns: true }) as Record<string, string>[];
  const out = new Map<string, Expected>();
  for (const r of rows) {
    const id = r.CustomerID.replace(/\.0$/, "");
    const quantity = Number(r.Quantity);
    const price = Number(r.UnitPrice);
    if (id === "" || r.InvoiceNo.startsWith("C") || !(quantity > 0) || !(price > 0)) continue;
    const date = r.InvoiceDate.slice(0, 10);
    let c = out.get(id);
    if (c === undefined) {
      c = {
        invoices: new Set(),
        spent: 0,
        first: date,
        last: "",
        lastInvoice: "",
        lastProduct: "",
      };
      out.set(id, c);
    }
    c.invoices.add(r.InvoiceNo);
    c.spent += quantity * price;
    if (date < c.first) c.first = date;
    // The last order is the latest date; on the same day, the invoice whose id sorts last
    // (shorter ids first, then by text), never by place in the file. Its product is the one of
    // its lines that sorts first.
    const product = r.Description.trim(); // cells are read trimmed
    const later = (a: string, b: string) => (a.length !== b.length ? a.length > b.length : a > b);
    if (date > c.last || (date === c.last && later(r.InvoiceNo, c.lastInvoice))) {
      c.last = date;
      c.lastInvoice = r.InvoiceNo;
      c.lastProduct = product;
    } else if (r.InvoiceNo === c.lastInvoice && product < c.lastProduct) {
      c.lastProduct = product;
    }
  }
  return out;
}

describe("UCI Online Retail sample", () => {
  it("agrees with an independent computation for every customer", async () => {
    const path = `${ROOT}${CONFIG}`;
    const values = loadConfigText(CONFIG, await readFile(path, "utf8")).values;
    const settings = resolveSettings(
      { values, dir: dirname(path), file: { path, display: CONFIG } },
      {},
      ROOT,
    );
    const asOf = settings.asOf as number;
    const filter = settings.ordersFilter;
    if (filter === undefined) throw new Error("the UCI config has an orders_filter");
    const needs = {
      aggregates: [],
      fields: [...PROFILE_FIELDS.keys()].filter((f) => !needsPredictions(f)),
      ordersFilter: compileExpression(filter.checked, asOf, new AggregateTable()),
    };
    const csv = await readFile(`${ROOT}fixtures/model/uci/online_retail_sample.csv`, "utf8");
    const { profiles } = buildProfiles({
      orders: rowTable("online_retail_sample.csv", csv),
      options: ingestOptions(settings, asOf, needs),
      rfm: settings.rfm,
      rejects: new RejectLog(),
      ordersFilter: needs.ordersFilter,
    });
    const expected = independent(csv);
    const get = (name: string) => profiles.field(name);
    const [id, count, spent, first, last, product] = [
      "customer_id",
      "orders_count",
      "total_spent",
      "first_order_date",
      "last_order_date",
      "last_product",
    ].map(get);
    const actual = new Map<string, unknown>();
    for (let c = 0; c < profiles.size; c++) {
      actual.set(String(id(c)), [count(c), spent(c), first(c), last(c), product(c)]);
    }
    const wanted = new Map<string, unknown>();
    for (const [key, e] of expected) {
      wanted.set(key, [
        e.invoices.size,
        Math.round(e.spent * 100) / 100,
        parseIsoDay(e.first),
        parseIsoDay(e.last),
        e.lastProduct,
      ]);
    }
    expect(actual.size).toBeGreaterThan(30);
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(wanted));
    // Not a trivial sample: repeat buyers and same-day invoices are in it.
    expect([...expected.values()].filter((e) => e.invoices.size >= 2).length).toBeGreaterThan(5);
  });
});
