import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compareNames } from "../io/read-inputs.js";
import { namePart } from "./columns.js";
import { detectPreset, PRESETS } from "./presets.js";

const HEADERS = fileURLToPath(
  new URL("../../../shared/data/export-formats/headers/", import.meta.url),
);

const split = (line: string) => line.trim().split(line.includes(";") ? ";" : ",");
const what = (header: string[]) => {
  const found = detectPreset(header);
  return found === undefined ? undefined : `${found.preset.name} ${found.signature.kind}`;
};

describe("detectPreset", () => {
  it.skipIf(!existsSync(HEADERS))(
    "recognises every header generation of ../shared/data/export-formats (skipped: no ../shared)",
    () => {
      const expected: Record<string, string> = {
        "prestashop_customers_export_1.7.csv": "prestashop contacts",
        "prestashop_customers_export_8x_9x.csv": "prestashop contacts",
        "shopify_customers_export_2022.csv": "shopify contacts",
        "shopify_customers_export_2024.csv": "shopify contacts",
        "shopify_orders_export_2022.csv": "shopify orders",
        "shopify_orders_export_2025.csv": "shopify orders",
        "woocommerce_analytics_customers_export_server.csv": "woocommerce contacts",
        "woocommerce_analytics_customers_table_columns.csv": "woocommerce contacts",
        "woocommerce_analytics_orders_export_server.csv": "woocommerce orders",
        "woocommerce_customer_order_csv_export_customers_default.csv": "woocommerce contacts",
        "woocommerce_customer_order_csv_export_orders_default.csv": "woocommerce orders",
      };
      const seen: Record<string, string | undefined> = {};
      for (const name of readdirSync(HEADERS))
        seen[name] = what(split(readFileSync(`${HEADERS}${name}`, "utf8")));
      expect(seen).toEqual(expected);
    },
  );

  it("recognises Stripe's exports and leaves canonical and unknown headers alone", () => {
    expect(
      what(["id", "Created date (UTC)", "Amount", "Currency", "Status", "Customer Email"]),
    ).toBe("stripe orders");
    expect(what(["Created date (UTC)", "Amount", "Currency", "Captured", "Status"])).toBe(
      "stripe orders",
    );
    expect(what(["id", "Email", "Name", "Created (UTC)", "Delinquent"])).toBe("stripe contacts");
    expect(what(["order_id", "email", "created_at", "total", "status"])).toBeUndefined();
    expect(what(["Customer Email", "Order Date", "Products"])).toBeUndefined();
  });

  it("gives each platform its own non-purchase statuses; generic has them all", () => {
    expect(PRESETS.shopify.notPurchase).not.toContain("pending");
    expect(PRESETS.woocommerce.notPurchase).toContain("checkout-draft");
    expect(PRESETS.stripe.notPurchase).toContain("requires_payment_method");
    for (const word of ["pending", "failed", "on-hold", "voided", "unavailable", "canceled"])
      expect(PRESETS.generic.notPurchase).toContain(word);
  });
});

describe("namePart", () => {
  it("splits a full name as shops join it: first word, then the rest", () => {
    expect(namePart("Ana María Soto", "first")).toBe("Ana");
    expect(namePart("Ana María Soto", "last")).toBe("María Soto");
    expect(namePart(" Cher ", "first")).toBe("Cher");
    expect(namePart("Cher", "last")).toBeUndefined();
    expect(namePart("+1 209 812 4682", "first")).toBeUndefined();
  });
});

describe("compareNames", () => {
  it("orders file names with their numbers in turn", () => {
    const names = [
      "orders_export.csv",
      "orders_export (10).csv",
      "orders_export (2).csv",
      "orders_export (1).csv",
    ];
    expect([...names].sort(compareNames)).toEqual([
      "orders_export (1).csv",
      "orders_export (2).csv",
      "orders_export (10).csv",
      "orders_export.csv",
    ]);
  });
});
