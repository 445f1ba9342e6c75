import { describe, expect, it } from "vitest";
import { loadConfigText } from "./load-config.js";
import { resolveSettings } from "./settings.js";
import { parseTableName, tableInputProblems, tableLabel } from "./table-input.js";

describe("parseTableName", () => {
  it("reads name and schema.name, spelt as written", () => {
    expect(parseTableName("orders")).toEqual({ name: "orders" });
    expect(parseTableName("Shop.Order_Lines")).toEqual({ schema: "Shop", name: "Order_Lines" });
    expect(tableLabel({ schema: "shop", name: "orders" })).toBe("shop.orders");
  });
  it("refuses what is not a table name", () => {
    for (const bad of ["a.b.c", "shop.", ".orders", "shop. orders"])
      expect(parseTableName(bad), bad).toBeUndefined();
  });
});

describe("tableInputProblems", () => {
  it("needs exactly one of table and query, and order_by only with a table", () => {
    expect(tableInputProblems("orders", { table: "shop.orders", order_by: "id" })).toEqual([]);
    expect(tableInputProblems("orders", { query: "SELECT 1" })).toEqual([]);
    expect(tableInputProblems("orders", {}).map((p) => p.code)).toEqual(["NO_TABLE"]);
    expect(tableInputProblems("orders", { table: "t", query: "SELECT 1" })).toMatchObject([
      { key: "query", code: "TABLE_AND_QUERY" },
    ]);
    expect(tableInputProblems("orders", { query: "SELECT 1", order_by: ["id"] })).toMatchObject([
      { key: "order_by", code: "ORDER_BY_WITH_QUERY" },
    ]);
    expect(tableInputProblems("orders", { table: "a.b.c" })).toMatchObject([
      { key: "table", code: "BAD_TABLE_NAME" },
    ]);
  });
});

describe("table inputs in audience.yaml", () => {
  const text = [
    "database: env:SHOP_DATABASE_URL",
    "contacts: { table: shop.customers }",
    "orders:",
    "  table: shop.orders",
    "  order_by: [placed_at, id]",
    'events: { query: "SELECT * FROM shop.events" }',
    "lists: lists.csv",
    "columns: { orders: { total: total_price } }",
  ].join("\n");

  it("reads each input's table or query, located at its key", () => {
    const { values, diagnostics } = loadConfigText("audience.yaml", text);
    expect(diagnostics).toEqual([]);
    expect(values.database).toBe("env:SHOP_DATABASE_URL");
    expect(values.lists).toEqual(["lists.csv"]);
    expect(values.orders).toBeUndefined();
    expect(values.tables).toEqual({
      contacts: {
        table: { schema: "shop", name: "customers" },
        at: { file: "audience.yaml", line: 2, column: 1, endLine: 2, endColumn: 9 },
      },
      orders: {
        table: { schema: "shop", name: "orders" },
        orderBy: ["placed_at", "id"],
        at: { file: "audience.yaml", line: 3, column: 1, endLine: 3, endColumn: 7 },
      },
      events: {
        query: "SELECT * FROM shop.events",
        at: { file: "audience.yaml", line: 6, column: 1, endLine: 6, endColumn: 7 },
      },
    });
    expect(values.columns).toEqual({ orders: { total: "total_price" } });
  });

  it("reports a malformed table input where it is written", () => {
    const { diagnostics } = loadConfigText(
      "audience.yaml",
      ["orders: { query: SELECT 1, order_by: id }", "contacts: { tabel: shop.customers }"].join(
        "\n",
      ),
    );
    expect(diagnostics.map((d) => `${d.location.line}:${d.location.column} ${d.code}`)).toEqual([
      "2:13 UNKNOWN_KEY",
      "2:11 NO_TABLE",
      "1:38 ORDER_BY_WITH_QUERY",
    ]);
  });

  it("a flag's files win over a table; --database over database:", () => {
    const { values } = loadConfigText("audience.yaml", text);
    const config = {
      values,
      dir: "/shop",
      file: { path: "/shop/audience.yaml", display: "audience.yaml" },
    };
    const settings = resolveSettings(
      config,
      { orders: "orders.csv", database: "postgres://me@db/shop" },
      "/shop",
    );
    expect(Object.keys(settings.tables)).toEqual(["contacts", "events"]);
    expect(settings.inputs.orders?.map((f) => f.display)).toEqual(["orders.csv"]);
    expect(settings.database).toEqual({ given: "postgres://me@db/shop", from: "--database" });
    expect(resolveSettings(config, {}, "/shop").database).toEqual({
      given: "env:SHOP_DATABASE_URL",
      from: "database:",
    });
  });
});
