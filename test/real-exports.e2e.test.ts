/**
 * The nine real exports of ../shared/data/real-exports/, read where they are (never copied here),
 * as a new user runs them: no config, no preset. Each expected number is worked out in this file
 * from the CSV (csv-parse) by the platform's own rules, never by the code under test.
 * Without ../shared (a clone on its own) the suite is skipped, and says so.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

const REAL = resolve(REPO_ROOT, "../shared/data/real-exports");
const present = existsSync(REAL);
const file = (path: string) => join(REAL, path);

type Row = Record<string, string>;

function rows(path: string, delimiter = ","): Row[] {
  return parse(readFileSync(file(path)), {
    columns: true,
    bom: true,
    delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
  }) as Row[];
}

const cents = (value: string | undefined) => Math.round(Number(value || "0") * 100);
const email = (value: string | undefined) => (value ?? "").trim().toLowerCase();

/** Orders counted from stderr: the sum of "→ N orders" over the orders files read. */
function ordersRead(stderr: string): number {
  let sum = 0;
  for (const m of stderr.matchAll(/: [\d,]+ rows? → ([\d,]+) orders?/g))
    sum += Number(m[1].replace(/,/g, ""));
  return sum;
}

interface Expected {
  orders: number;
  buyers: number;
  revenue: number;
}

async function rfm(args: string[]): Promise<{ json: Record<string, unknown>; stderr: string }> {
  const run = await runCli(["rfm", "--json", ...args]);
  expect(run.code, run.stderr).toBe(0);
  return { json: JSON.parse(run.stdout) as Record<string, unknown>, stderr: run.stderr };
}

/** `audience rfm --json` on one orders file, as a new user runs it. */
const rfmOf = (path: string, asOf: string) => rfm(["--orders", file(path), "--as-of", asOf]);

function expectNumbers(
  result: { json: Record<string, unknown>; stderr: string },
  expected: Expected,
): void {
  expect({
    orders: ordersRead(result.stderr),
    buyers: result.json.buyers,
    revenue: result.json.revenue,
  }).toEqual({
    orders: expected.orders,
    buyers: expected.buyers,
    revenue: expected.revenue / 100,
  });
}

/**
 * Shopify: one row per line item, the order's fields on its first row (the one with `Id`); the
 * rows after it carry only `Name`. An order counts unless `Cancelled at` is set or its financial
 * status is voided, refunded or expired; its amount is Total − Refunded Amount. An order with
 * neither email nor phone has no buyer. The same `Id` in two downloads is one order.
 */
function shopifyExpected(paths: string[], options: { validPhone: (p: string) => boolean }) {
  const orders = new Map<string, Row>();
  for (const path of paths) {
    for (const row of rows(path)) {
      if (row.Id === "" || orders.has(row.Id)) continue;
      orders.set(row.Id, row);
    }
  }
  const buyers = new Map<string, boolean[]>();
  let count = 0;
  let revenue = 0;
  for (const row of orders.values()) {
    const status = row["Cancelled at"] !== "" ? "cancelled" : row["Financial Status"];
    if (["cancelled", "voided", "refunded", "expired"].includes(status)) continue;
    const phone = row.Phone || row["Billing Phone"];
    const key = email(row.Email) || (options.validPhone(phone) ? phone.replace(/\D/g, "") : "");
    if (key === "") continue;
    count++;
    revenue += cents(row.Total) - cents(row["Refunded Amount"]);
    const consents = buyers.get(key) ?? [];
    consents.push(row["Accepts Marketing"] === "yes");
    buyers.set(key, consents);
  }
  const consenting = [...buyers]
    .filter(([key, c]) => key.includes("@") && c.every(Boolean))
    .map(([key]) => key);
  return { orders: count, buyers: buyers.size, revenue, consenting: consenting.length };
}

let work = "";
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-real-"));
});
afterAll(async () => {
  if (work !== "") await rm(work, { recursive: true, force: true });
});

if (!present) {
  describe("real exports", () => {
    it.skip("skipped: no ../shared (the real exports are read in place, beside the clone)", () => {});
  });
}

describe.skipIf(!present)("real exports, as they come", () => {
  it("shopify-2022-oks234: recognised, keyed by Id, cancelled and refunded left out — 358 orders, 62,842.14", async () => {
    const expected = shopifyExpected(["shopify-2022-oks234/orders_export_1.csv"], {
      validPhone: (p) => p.trim().startsWith("+") || p.trim().startsWith("'+"),
    });
    expect([expected.orders, expected.revenue]).toEqual([358, 6_284_214]);
    const result = await rfmOf("shopify-2022-oks234/orders_export_1.csv", "2022-03-01");
    expect(result.stderr).toContain(
      "orders_export_1.csv: a Shopify orders export (preset shopify)\n",
    );
    expect(result.stderr).toContain(
      "  status: paid 332 counted · refunded 31 not counted · partially_refunded 26 counted · cancelled 19 not counted\n",
    );
    expectNumbers(result, expected);
  });

  it("shopify-2022-oks234: an orders-only build takes consent and names from the orders, and writes non-empty files", async () => {
    const expected = shopifyExpected(["shopify-2022-oks234/orders_export_1.csv"], {
      validPhone: () => false,
    });
    const segments = join(work, "consent.yaml");
    await writeFile(
      segments,
      "segments:\n  buyers:\n    where: orders_count > 0\n    channel: email\n    columns: [country]\n",
    );
    const out = join(work, "oks-out");
    const run = await runCli([
      "build",
      "--orders",
      file("shopify-2022-oks234/orders_export_1.csv"),
      "--segments",
      segments,
      "--out",
      out,
      "--as-of",
      "2022-03-01",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const written = (await readFile(join(out, "buyers.csv"), "utf8")).trim().split(/\r?\n/);
    expect(written.length - 1).toBe(expected.consenting);
    expect(expected.consenting).toBeGreaterThan(50);
    const header = written[0].split(",");
    const at = (name: string) => header.indexOf(name);
    const cells = written.slice(1).map((l) => l.split(","));
    // Billing Name "First Last" split as Shopify joins it, and the billing country.
    const named = cells.filter((c) => c[at("first_name")] !== "" && c[at("last_name")] !== "");
    expect(named.length).toBeGreaterThan(expected.consenting / 2);
    expect(cells.filter((c) => /^[A-Z]{2}$/.test(c[at("country")])).length).toBeGreaterThan(
      expected.consenting / 2,
    );
    const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as {
      inputs: { kind: string; path: string }[];
    };
    expect(manifest.inputs.map((i) => i.kind)).toEqual(["orders"]);
  });

  it("shopify-2022-oks234: customers and orders exports both recognised; contacts win", async () => {
    const result = await rfm([
      "--contacts",
      file("shopify-2022-oks234/customers_export_1.csv"),
      "--orders",
      file("shopify-2022-oks234/orders_export_1.csv"),
      "--as-of",
      "2022-03-01",
    ]);
    expect(result.stderr).toContain(
      "customers_export_1.csv: a Shopify customers export (preset shopify)\norders_export_1.csv: a Shopify orders export (preset shopify)\n",
    );
    expect(result.json.revenue).toBe(62_842.14);
  });

  it("shopify-2025-maison-maria: the 2025 header recognised, refunded+cancelled left out", async () => {
    const expected = shopifyExpected(["shopify-2025-maison-maria/orders_export_1.csv"], {
      validPhone: () => false,
    });
    const result = await rfmOf("shopify-2025-maison-maria/orders_export_1.csv", "2026-12-01");
    expect(result.stderr).toContain("a Shopify orders export (preset shopify)");
    expect(result.stderr).toContain("  status: paid 52 counted · cancelled 8 not counted\n");
    expectNumbers(result, expected);
  });

  it("shopify-2025-zhangerson: 17 downloads by a name pattern — the same order once, two stores' #1113 twice: 457 orders, 781,830.86", async () => {
    const names = readdirSync(file("shopify-2025-zhangerson")).filter((n) => n.endsWith(".csv"));
    expect(names).toHaveLength(17);
    const expected = shopifyExpected(
      names.map((n) => `shopify-2025-zhangerson/${n}`),
      { validPhone: (p) => p.replace(/\D/g, "").length >= 10 },
    );
    expect([expected.orders, expected.revenue]).toEqual([457, 78_183_086]);
    const result = await rfmOf("shopify-2025-zhangerson/orders_export*.csv", "2026-05-01");
    expect(result.stderr).toContain("10 orders already read from an earlier file");
    expect(result.stderr).toContain(
      "orders_export (1).csv and 16 more files: a Shopify orders export (preset shopify)\n",
    );
    expect(result.json.revenue).toBe(781_830.86);
    expect(ordersRead(result.stderr)).toBe(457);
    // The files in name order, numbers in turn: (1), (2) … (15), (21), then the one without.
    const read = [...result.stderr.matchAll(/^read .*\/(orders_export[^/]*\.csv):/gm)].map(
      (m) => m[1],
    );
    expect(read[0]).toBe("orders_export (1).csv");
    expect(read[1]).toBe("orders_export (2).csv");
    expect(read.at(-1)).toBe("orders_export.csv");
    expect(read).toHaveLength(17);
  });

  it("shopify-2025-zhangerson: the app id in Source reads as `app <id>`; the offsets suggest a time zone", async () => {
    const names = readdirSync(file("shopify-2025-zhangerson")).filter((n) => n.endsWith(".csv"));
    const all = names.flatMap((n) => rows(`shopify-2025-zhangerson/${n}`));
    // Offsets written in `Created at` (`2025-01-02 10:00:00 +0500`), as `+05:00`.
    const offsets = [
      ...new Set(
        all
          .map((r) => /([+-])(\d\d)(\d\d)$/.exec(r["Created at"] ?? ""))
          .filter((m) => m !== null)
          .map((m) => `${m[1]}${m[2]}:${m[3]}`),
      ),
    ].sort((a, b) => Number(a.replace(":", "")) - Number(b.replace(":", "")));
    const result = await rfmOf("shopify-2025-zhangerson/orders_export*.csv", "2026-05-01");
    expect(result.stderr).toContain(
      `timezone the timestamps read carry UTC offsets (${offsets.join(", ")}) but no time zone is set`,
    );
    const apps = new Set(all.map((r) => r.Source).filter((s) => /^\d+$/.test(s ?? "")));
    expect([...apps]).toEqual(["5690175"]);
    const channels = await runCli([
      "channels",
      "--json",
      "--as-of",
      "2026-05-01",
      "--timezone",
      "Asia/Karachi",
      "--orders",
      file("shopify-2025-zhangerson/orders_export*.csv"),
    ]);
    expect(channels.code, channels.stderr).toBe(0);
    expect(channels.stderr).not.toContain("timezone");
    const json = JSON.parse(channels.stdout) as { channels: { channel: string }[] };
    expect(json.channels.map((c) => c.channel)).toContain("app 5690175");
    expect(json.channels.map((c) => c.channel)).not.toContain("5690175");
  });

  it("shopify-2025-zhangerson: the same files as a list in audience.yaml; the manifest lists each file", async () => {
    const config = join(work, "zhangerson.yaml");
    await writeFile(
      config,
      `orders:\n  - ${JSON.stringify(file("shopify-2025-zhangerson/orders_export (1).csv"))}\n  - ${JSON.stringify(file("shopify-2025-zhangerson/orders_export ([2-9]).csv"))}\n  - ${JSON.stringify(file("shopify-2025-zhangerson/orders_export ([1-9][0-9]).csv"))}\n  - ${JSON.stringify(file("shopify-2025-zhangerson/orders_export.csv"))}\nas_of: 2026-05-01\nsegments: ${JSON.stringify(join(REPO_ROOT, "segments"))}\nout: ${JSON.stringify(join(work, "zh-out"))}\n`,
    );
    const run = await runCli(["build", "--config", config]);
    expect(run.code, run.stderr).toBe(0);
    expect(ordersRead(run.stderr)).toBe(457);
    const manifest = JSON.parse(await readFile(join(work, "zh-out", "manifest.json"), "utf8")) as {
      inputs: { kind: string; path: string }[];
    };
    expect(manifest.inputs).toHaveLength(17);
    expect(new Set(manifest.inputs.map((i) => i.path)).size).toBe(17);
  });

  it("stripe-answersai: payments and customers recognised; Failed and requires_payment_method do not count — 640.47, not 1,165.08", async () => {
    const payments = rows("stripe-answersai/unified_payments.csv");
    const paid = payments.filter((p) => p.Status === "Paid");
    const all = payments.reduce((s, p) => s + cents(p.Amount), 0);
    expect(all).toBe(116_508);
    const expected = {
      orders: paid.length,
      buyers: new Set(paid.map((p) => p["Customer ID"] || email(p["Customer Email"]))).size,
      revenue: paid.reduce((s, p) => s + cents(p.Amount) - cents(p["Amount Refunded"]), 0),
    };
    expect(expected.revenue).toBe(64_047);
    const result = await rfm([
      "--contacts",
      file("stripe-answersai/unified_customers.csv"),
      "--orders",
      file("stripe-answersai/unified_payments.csv"),
      "--as-of",
      "2026-12-01",
    ]);
    expect(result.stderr).toContain(
      "unified_customers.csv: a Stripe customers export (preset stripe)\nunified_payments.csv: a Stripe payments export (preset stripe)\n",
    );
    expect(result.stderr).toContain(
      "  status: failed 28 not counted · paid 23 counted · requires_payment_method 2 not counted\n",
    );
    expectNumbers(result, expected);
  });

  describe("stripe-overlays: three currencies", () => {
    const payments = () =>
      rows("stripe-overlays/payments.csv", ";").filter((p) => p["Customer ID"]);
    const byCurrency = () => {
      const counts = new Map<string, number>();
      for (const p of payments())
        counts.set(p.Currency.toUpperCase(), (counts.get(p.Currency.toUpperCase()) ?? 0) + 1);
      return counts;
    };

    it("stop the run (exit 1), naming the currencies with their orders and both ways out", async () => {
      const counts = byCurrency();
      const run = await runCli([
        "rfm",
        "--orders",
        file("stripe-overlays/payments.csv"),
        "--as-of",
        "2026-12-01",
      ]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain(
        `error the orders are in 3 currencies (EUR ${counts.get("EUR")}, USD ${counts.get("USD")}, MXN ${counts.get("MXN")} orders): amounts in different currencies cannot be added\n`,
      );
      expect(run.stderr).toContain("currency: EUR");
      expect(run.stderr).toContain("reporting_currency: EUR  with  exchange_rates: { USD: ");
    });

    it("currency: EUR counts the EUR payments only", async () => {
      const eur = payments().filter((p) => p.Currency === "eur");
      const config = join(work, "overlays-eur.yaml");
      await writeFile(
        config,
        `orders: ${JSON.stringify(file("stripe-overlays/payments.csv"))}\ncurrency: EUR\nas_of: 2026-12-01\n`,
      );
      const result = await rfm(["--config", config]);
      expect(result.stderr).toMatch(
        /→ \d+ orders, \d+ buyers not in contacts, 291 orders in other currencies/,
      );
      expectNumbers(result, {
        orders: eur.length,
        buyers: new Set(eur.map((p) => p["Customer ID"])).size,
        revenue: eur.reduce((s, p) => s + cents(p.Amount), 0),
      });
    });

    it("exchange_rates convert every payment into reporting_currency", async () => {
      const rate: Record<string, number> = { eur: 1, usd: 0.92, mxn: 0.05 };
      const all = payments();
      const config = join(work, "overlays-rates.yaml");
      await writeFile(
        config,
        `orders: ${JSON.stringify(file("stripe-overlays/payments.csv"))}\nreporting_currency: EUR\nexchange_rates: { USD: 0.92, MXN: 0.05 }\nas_of: 2026-12-01\n`,
      );
      const result = await rfm(["--config", config]);
      const revenue = all.reduce((s, p) => s + Number(p.Amount) * rate[p.Currency], 0);
      expect(ordersRead(result.stderr)).toBe(all.length);
      expect(result.json.revenue).toBeCloseTo(revenue, 2);
    });
  });

  it("woo-emails-itswarwick: email, date, products — no amount: a warning, and monetary unavailable (null), not 0", async () => {
    const orders = rows("woo-emails-itswarwick/woocommerce_orders.csv");
    const result = await rfmOf("woo-emails-itswarwick/woocommerce_orders.csv", "2026-12-01");
    expect(result.stderr).toContain(
      'woocommerce_orders.csv has no amount column (looked for total (total, order_total, amount, total_amount); quantity × price (price, unit_price, lineitem_price, item_price)): revenue, total_spent and RFM monetary are unavailable; if it has one, map it in audience.yaml, e.g.  columns: { orders: { total: "Your Header" } }',
    );
    expect(ordersRead(result.stderr)).toBe(orders.length);
    expect(result.json.buyers).toBe(new Set(orders.map((o) => email(o["Customer Email"]))).size);
    expect(result.json.revenue).toBeNull();
    expect(result.json.monetary_available).toBe(false);
    expect((result.json.cut_points as { monetary: unknown }).monetary).toBeNull();
    const text = await runCli([
      "rfm",
      "--orders",
      file("woo-emails-itswarwick/woocommerce_orders.csv"),
      "--as-of",
      "2026-12-01",
    ]);
    expect(text.stdout).toContain("revenue unavailable (the orders have no amount column)");
    expect(text.stdout).not.toContain("revenue 0.00");
  });

  it("woo-items-farazrawala: one row per item recognised as WooCommerce; pending and on-hold do not count", async () => {
    const all = rows("woo-items-farazrawala/woocommerce_orders.csv").filter(
      (r) => r.order_total !== "",
    );
    const counted = all.filter((r) => ["completed", "processing"].includes(r.status));
    const result = await rfmOf("woo-items-farazrawala/woocommerce_orders.csv", "2026-12-01");
    expect(result.stderr).toContain(
      "woocommerce_orders.csv: a WooCommerce orders export (preset woocommerce)\n",
    );
    expect(result.stderr).toContain(
      "  status: completed 29 counted · processing 15 counted · pending 4 not counted · on-hold 2 not counted\n",
    );
    expectNumbers(result, {
      orders: counted.length,
      buyers: new Set(counted.map((r) => email(r.billing_email))).size,
      revenue: counted.reduce((s, r) => s + cents(r.order_total), 0),
    });
  });

  it("woo-pk-moosakhan: REST field names recognised; the pending twin rows do not count", async () => {
    const all = rows("woo-pk-moosakhan/woocommerce_orders.csv");
    // The buyer: a usable email, else a phone written with its international prefix, else a
    // phone valid in the order's billing country (the shop's phones come in every broken shape).
    const key = (r: Row) => {
      if (/^[^@\s]+@[^@\s]+\.[a-z]+$/i.test(r.billing_email.trim())) return email(r.billing_email);
      if (/^'?\+/.test(r.billing_phone.trim())) return r.billing_phone.replace(/\D/g, "");
      const local = parsePhoneNumberFromString(
        r.billing_phone,
        r.billing_country.trim().toUpperCase() as CountryCode,
      );
      return local?.isValid() === true ? local.number.replace(/\D/g, "") : "";
    };
    const counted = all.filter(
      (r) => ["completed", "processing"].includes(r.status) && key(r) !== "",
    );
    const result = await rfmOf("woo-pk-moosakhan/woocommerce_orders.csv", "2026-12-01");
    expect(result.stderr).toContain(
      "woocommerce_orders.csv: a WooCommerce orders export (REST API fields) (preset woocommerce)\n",
    );
    expect(result.stderr).toMatch(
      /status: completed \d+ counted · pending \d+ not counted · cancelled 8 not counted/,
    );
    expectNumbers(result, {
      orders: counted.length,
      buyers: new Set(counted.map(key)).size,
      revenue: counted.reduce((s, r) => s + cents(r.order_total), 0),
    });
  });

  it("olist-demo: with its date mapped, canceled and unavailable orders do not count; no amount in the orders file", async () => {
    const all = rows("olist-demo/olist_orders_dataset.csv");
    const counted = all.filter((r) => !["canceled", "unavailable"].includes(r.order_status));
    const config = join(work, "olist.yaml");
    await writeFile(
      config,
      `orders: ${JSON.stringify(file("olist-demo/olist_orders_dataset.csv"))}\ncolumns: { orders: { created_at: order_purchase_timestamp } }\nas_of: 2026-12-01\n`,
    );
    const result = await rfm(["--config", config]);
    expect(result.stderr).toMatch(/canceled \d+ not counted/);
    expect(result.stderr).toMatch(/unavailable \d+ not counted/);
    expect(result.stderr).toContain("olist_orders_dataset.csv has no amount column");
    // Orders alone: the missing files of the normalised export are named.
    expect(result.stderr).toContain("order_lines: olist_order_items_dataset.csv");
    expect(result.stderr).toContain("key_map: olist_customers_dataset.csv");
    expect(ordersRead(result.stderr)).toBe(counted.length);
    expect(result.json.buyers).toBe(new Set(counted.map((r) => r.customer_id)).size);
    expect(result.json.revenue).toBeNull();
  });

  /**
   * Olist as a normalised export: an order counts unless canceled or unavailable; its person is
   * the customers file's customer_unique_id for its customer_id (a customer_id the slice lacks is
   * its own person); its amount is the sum of its items' price + freight_value.
   */
  function olistExpected(freight: boolean) {
    const orders = rows("olist-demo/olist_orders_dataset.csv");
    const people = new Map(
      rows("olist-demo/olist_customers_dataset.csv").map((r) => [
        r.customer_id,
        r.customer_unique_id,
      ]),
    );
    const amounts = new Map<string, number>();
    for (const item of rows("olist-demo/olist_order_items_dataset.csv"))
      amounts.set(
        item.order_id,
        (amounts.get(item.order_id) ?? 0) +
          cents(item.price) +
          (freight ? cents(item.freight_value) : 0),
      );
    const counted = orders.filter((r) => !["canceled", "unavailable"].includes(r.order_status));
    const ids = new Set(orders.map((r) => r.order_id));
    const items = rows("olist-demo/olist_order_items_dataset.csv");
    return {
      orders: counted.length,
      buyers: new Set(counted.map((r) => people.get(r.customer_id) ?? r.customer_id)).size,
      revenue: counted.reduce((sum, r) => sum + (amounts.get(r.order_id) ?? 0), 0),
      excluded: orders.length - counted.length,
      mapped: counted.filter((r) => people.has(r.customer_id)).length,
      withoutLines: counted.filter((r) => !amounts.has(r.order_id)).length,
      orphanLines: items.filter((i) => !ids.has(i.order_id)).length,
    };
  }

  async function olistConfig(name: string, extra: string): Promise<string> {
    const config = join(work, name);
    await writeFile(
      config,
      [
        `key_map: ${JSON.stringify(file("olist-demo/olist_customers_dataset.csv"))}`,
        `order_lines: ${JSON.stringify(file("olist-demo/olist_order_items_dataset.csv"))}`,
        `orders: ${JSON.stringify(file("olist-demo/olist_orders_dataset.csv"))}`,
        "as_of: 2026-12-01",
        extra,
        "",
      ].join("\n"),
    );
    return config;
  }

  it("olist-demo as a normalised export: key_map: and order_lines: give its orders, people and revenue (price + freight)", async () => {
    const expected = olistExpected(true);
    const result = await rfm(["--config", await olistConfig("olist-normalised.yaml", "")]);
    expect(result.stderr).toContain(
      "olist_orders_dataset.csv: an Olist orders export (preset olist)",
    );
    expect(result.stderr).toContain(
      "olist_customers_dataset.csv: an Olist customers export (key map) (preset olist)",
    );
    expect(result.stderr).toContain(
      "olist_order_items_dataset.csv: an Olist order items export (preset olist)",
    );
    expect(result.stderr).toContain(`${expected.excluded} excluded by status`);
    // The slices do not join (PROVENANCE.md): what did not join is said, counted.
    expect(result.stderr).toContain(
      `${(expected.orders - expected.mapped).toLocaleString("en")} orders with a customer_id not in key_map`,
    );
    expect(result.stderr).toContain(
      `${expected.withoutLines.toLocaleString("en")} orders without lines (amount 0)`,
    );
    expect(result.stderr).toContain(
      `${expected.orphanLines.toLocaleString("en")} lines of orders in no orders file (not counted)`,
    );
    expect(result.stderr).not.toContain("has no amount column");
    expectNumbers(result, expected);
    expect(result.json.monetary_available).toBe(true);
  });

  it("olist-demo: include_shipping: false counts the items' prices only", async () => {
    const expected = olistExpected(false);
    const result = await rfm([
      "--config",
      await olistConfig("olist-no-freight.yaml", "include_shipping: false"),
    ]);
    expectNumbers(result, expected);
  });
});
