/**
 * Header binding (docs/design.md#inputs canonical columns): presets and synonyms, `columns:` overrides, the
 * missing-column error, duplicate headers, custom properties, multi-source cells.
 */
import { describe, expect, it } from "vitest";
import { PRESETS } from "./presets.js";
import { bindHeader, cellReader } from "./columns.js";

const generic = PRESETS.generic;
const shopify = PRESETS.shopify;

function bound(
  kind: "contacts" | "orders" | "events" | "lists",
  header: string[],
  preset = generic,
  overrides?: Record<string, string[]>,
) {
  const b = bindHeader(kind, `${kind}.csv`, header, preset, overrides);
  return Object.fromEntries(
    [...b.bindings].map(([name, binding]) => [name, binding.sources.map((s) => s.header)]),
  );
}

describe("bindHeader", () => {
  it("recognises the UCI Online Retail headers with the generic preset", () => {
    expect(
      bound("orders", [
        "InvoiceNo",
        "StockCode",
        "Description",
        "Quantity",
        "InvoiceDate",
        "UnitPrice",
        "CustomerID",
        "Country",
      ]),
    ).toEqual({
      order_id: ["InvoiceNo"],
      sku: ["StockCode"],
      product: ["Description"],
      quantity: ["Quantity"],
      created_at: ["InvoiceDate"],
      price: ["UnitPrice"],
      customer_id: ["CustomerID"],
      country: ["Country"],
    });
  });

  it("takes the first synonym present with the generic preset, every source with an exact preset", () => {
    expect(bound("contacts", ["E-mail", "Email", "Prénom", "Téléphone"])).toEqual({
      email: ["E-mail"],
      first_name: ["Prénom"],
      phone: ["Téléphone"],
    });
    expect(
      bound(
        "orders",
        ["Name", "Email", "Financial Status", "Created at", "Cancelled at", "Total"],
        shopify,
      ),
    ).toEqual({
      order_id: ["Name"],
      email: ["Email"],
      created_at: ["Created at"],
      total: ["Total"],
      status: ["Cancelled at", "Financial Status"],
    });
  });

  it("lets columns: replace the preset, and names what is missing", () => {
    expect(
      bound("orders", ["masterid", "date", "sales"], generic, {
        customer_id: ["masterid"],
        total: ["sales"],
      }),
    ).toEqual({ customer_id: ["masterid"], total: ["sales"], created_at: ["date"] });
    expect(() =>
      bindHeader("orders", "orders.csv", ["masterid", "date"], generic, {
        customer_id: ["master_id2"],
      }),
    ).toThrow(
      expect.objectContaining({
        code: "MAPPED_COLUMN_MISSING",
        message:
          'columns.orders.customer_id names the header "master_id2", which orders.csv does not have (did you mean "masterid"?)',
      }),
    );
    expect(() =>
      bindHeader("orders", "orders.csv", ["Client", "Jour"], generic, undefined),
    ).toThrow(
      expect.objectContaining({
        code: "MISSING_COLUMN",
        message:
          'orders.csv has no column for customer_id or email or phone (did you mean "Client"?)',
      }),
    );
    expect(() => bindHeader("events", "events.csv", ["email", "type"], generic, undefined)).toThrow(
      expect.objectContaining({
        message: "events.csv has no column for occurred_at (the event date)",
      }),
    );
  });

  it("keeps other columns as snake_case properties and warns about duplicate headers", () => {
    const b = bindHeader(
      "contacts",
      "contacts.csv",
      ["customer_id", "Skin Type", "skin-type", "Email", "email", "Date de naissance"],
      generic,
      undefined,
    );
    expect(b.extras.map((e) => [e.name, e.header])).toEqual([
      ["skin_type", "Skin Type"],
      ["skin_type_3", "skin-type"],
      ["email", "email"],
      ["date_de_naissance", "Date de naissance"],
    ]);
    expect(b.warnings).toEqual([
      'contacts.csv: the header "skin-type" appears more than once; the first one is used',
      'contacts.csv: the header "email" appears more than once; the first one is used',
    ]);
  });
});

describe("cellReader", () => {
  it("reads the first non-empty source, or its constant", () => {
    const read = cellReader({
      canonical: "status",
      sources: [
        { index: 0, header: "Cancelled at", value: "cancelled" },
        { index: 1, header: "Financial Status" },
      ],
    });
    expect(read(["2024-05-01 10:00:00 +0200", "paid"])).toBe("cancelled");
    expect(read(["", "paid"])).toBe("paid");
    expect(read([" ", ""])).toBeUndefined();
    expect(cellReader(undefined)(["x"])).toBeUndefined();
    const single = cellReader({ canonical: "email", sources: [{ index: 1, header: "Email" }] });
    expect([single(["a", "b"]), single(["a", ""]), single(["a"])]).toEqual([
      "b",
      undefined,
      undefined,
    ]);
  });
});
