/**
 * Exports as the platforms write them (synthetic people, fixtures/exports/<platform>/), read with no
 * config and no preset: recognised from the header, each platform's non-purchase statuses, people
 * from the orders, several files, one currency, no amount. The same cases as
 * real-exports.e2e.test.ts, for a clone without ../shared.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

const X = "fixtures/exports";
let work = "";
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-exports-"));
});
afterAll(async () => {
  if (work !== "") await rm(work, { recursive: true, force: true });
});

async function rfmJson(args: string[]) {
  const run = await runCli(["rfm", "--json", "--as-of", "2026-04-01", ...args]);
  expect(run.code, run.stderr).toBe(0);
  return { json: JSON.parse(run.stdout) as Record<string, unknown>, stderr: run.stderr };
}

describe("a Shopify orders export", () => {
  it("is recognised; Id keys its orders across downloads; cancelled, refunded and voided do not count, pending does", async () => {
    const { json, stderr } = await rfmJson(["--orders", `${X}/shopify/orders_export*.csv`]);
    expect(stderr).toBe(
      [
        "orders_export (1).csv: a Shopify orders export (preset shopify)",
        "orders_export (2).csv: a Shopify orders export (preset shopify)",
        "read fixtures/exports/shopify/orders_export (1).csv: 7 rows → 3 orders, 3 buyers not in contacts, 3 excluded by status",
        "  status: cancelled 1 not counted · paid 1 counted · partially_refunded 1 counted · pending 1 counted · refunded 1 not counted · voided 1 not counted",
        "read fixtures/exports/shopify/orders_export (2).csv: 3 rows → 1 order, 1 buyer not in contacts, 1 order already read from an earlier file",
        "  status: paid 1 counted",
        "customers: 4",
        // Shopify writes the shop's offset: with no time zone set, the run says so.
        "timezone the timestamps read carry UTC offsets (+01:00) but no time zone is set, so days are counted in UTC: set `timezone:` in audience.yaml (or pass --timezone) to the shop's IANA zone, such as Europe/Paris or America/New_York",
        "",
      ].join("\n"),
    );
    // With the shop's zone, no note.
    const paris = await rfmJson([
      "--orders",
      `${X}/shopify/orders_export*.csv`,
      "--timezone",
      "Europe/Paris",
    ]);
    expect(paris.stderr).not.toContain("timezone");
    // #1001 (60.00, once though downloaded twice) + #1004 pending 45.00 + #1006 50.00 − 10.00
    // refunded + the other store's #1001 (35.00).
    expect([json.buyers, json.revenue]).toEqual([4, 180]);
  });

  it("the same files as a list in audience.yaml, each file in the manifest", async () => {
    const config = join(work, "shopify.yaml");
    await writeFile(
      config,
      [
        `orders: [${JSON.stringify(join(REPO_ROOT, X, "shopify/orders_export (2).csv"))}, ${JSON.stringify(join(REPO_ROOT, X, "shopify/orders_export (1).csv"))}]`,
        `segments: ${JSON.stringify(join(work, "people.yaml"))}`,
        `out: ${JSON.stringify(join(work, "shopify-out"))}`,
        "as_of: 2026-04-01",
        "",
      ].join("\n"),
    );
    await writeFile(
      join(work, "people.yaml"),
      "segments:\n  buyers:\n    where: orders_count > 0\n    channel: email\n    columns: [country, city, zip]\n",
    );
    const run = await runCli(["build", "--config", config]);
    expect(run.code, run.stderr).toBe(0);
    // Name order, whatever the order of the list.
    expect(run.stderr.indexOf("orders_export (1).csv: 7 rows")).toBeLessThan(
      run.stderr.indexOf("orders_export (2).csv: 3 rows"),
    );
    const manifest = JSON.parse(
      await readFile(join(work, "shopify-out", "manifest.json"), "utf8"),
    ) as { inputs: { kind: string; path: string; rows_read: number }[] };
    expect(manifest.inputs.map((i) => [i.kind, i.path.split("/").at(-1), i.rows_read])).toEqual([
      ["orders", "orders_export (1).csv", 7],
      ["orders", "orders_export (2).csv", 3],
    ]);
    // Orders carry people: consent (Accepts Marketing), Billing Name split, billing place.
    // Ben said no on his orders; Ana, Chloé and Dan said yes.
    const rows = (await readFile(join(work, "shopify-out", "buyers.csv"), "utf8"))
      .trim()
      .split(/\r?\n/);
    expect(rows).toEqual([
      "customer_id,email,phone,first_name,last_name,country,city,zip",
      ",ana.soto@example.com,,Ana,María Soto,FR,Lyon,69001",
      ",chloe.petit@example.com,,Chloé,Petit,BE,Liège,",
      ",dan.leroy@example.com,,Dan,Leroy,FR,,",
    ]);
  });

  it("--preset chooses the columns; an unknown one is a usage error", async () => {
    const run = await runCli([
      "rfm",
      "--orders",
      `${X}/shopify/orders_export (1).csv`,
      "--preset",
      "shopfy",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--preset "shopfy" is not a preset (did you mean "shopify"?)');
    const chosen = await rfmJson([
      "--orders",
      `${X}/shopify/orders_export (1).csv`,
      "--preset",
      "shopify",
    ]);
    expect(chosen.stderr).not.toContain("a Shopify orders export");
    expect(chosen.json.revenue).toBe(145);
  });

  it("a customers export given as the orders file says so", async () => {
    const run = await runCli(["rfm", "--orders", "fixtures/shopify/customers_export.csv"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "error fixtures/shopify/customers_export.csv is a Shopify customers export, given as the orders file",
    );
    expect(run.stderr).toContain("pass it as --contacts");
  });
});

describe("other platforms", () => {
  it("Stripe payments: Failed, requires_payment_method and Refunded do not count", async () => {
    const { json, stderr } = await rfmJson(["--orders", `${X}/stripe/payments.csv`]);
    expect(stderr).toContain("payments.csv: a Stripe payments export (preset stripe)\n");
    expect(stderr).toContain(
      "  status: paid 2 counted · failed 1 not counted · refunded 1 not counted · requires_payment_method 1 not counted\n",
    );
    // 20.00 + 35.50 − 5.50 refunded.
    expect([json.buyers, json.revenue]).toEqual([2, 50]);
    expect(json.order_statuses).toEqual({
      "fixtures/exports/stripe/payments.csv": {
        paid: { orders: 2, counted: true },
        failed: { orders: 1, counted: false },
        requires_payment_method: { orders: 1, counted: false },
        refunded: { orders: 1, counted: false },
      },
    });
  });

  it("WooCommerce: pending, on-hold, failed and checkout-draft do not count; wc-completed does", async () => {
    const { json, stderr } = await rfmJson(["--orders", `${X}/woocommerce/orders.csv`]);
    expect(stderr).toContain("orders.csv: a WooCommerce orders export (preset woocommerce)\n");
    expect(stderr).toContain(
      "  status: completed 2 counted · checkout-draft 1 not counted · failed 1 not counted · on-hold 1 not counted · pending 1 not counted · processing 1 counted\n",
    );
    expect([json.buyers, json.revenue]).toEqual([2, 120]);
  });

  it("PrestaShop customers (`;`): recognised as contacts", async () => {
    const { json, stderr } = await rfmJson([
      "--contacts",
      `${X}/prestashop/customers.csv`,
      "--orders",
      `${X}/prestashop/orders.csv`,
    ]);
    expect(stderr).toContain("customers.csv: a PrestaShop customers export (preset prestashop)\n");
    expect(stderr).toContain(
      "read fixtures/exports/prestashop/customers.csv: 2 rows → 2 customers\n",
    );
    expect([json.customers, json.buyers]).toEqual([2, 2]);
  });
});

describe("money", () => {
  it("orders in several currencies stop the run with both ways out", async () => {
    const run = await runCli(["rfm", "--orders", `${X}/shopify/other-currencies.csv`]);
    expect([run.code, run.stdout]).toEqual([1, ""]);
    expect(run.stderr).toBe(
      [
        "error the orders are in 2 currencies (USD 2, MXN 1 orders): amounts in different currencies cannot be added",
        "  hint: count the orders of one currency only, in audience.yaml:  currency: USD",
        "  or convert them into one:  reporting_currency: USD  with  exchange_rates: { MXN: <value of 1 MXN in USD> }",
        "",
      ].join("\n"),
    );
  });

  it("currency: keeps one; exchange_rates: converts the others", async () => {
    const orders = JSON.stringify(join(REPO_ROOT, X, "shopify/other-currencies.csv"));
    const one = join(work, "usd.yaml");
    await writeFile(one, `orders: ${orders}\ncurrency: usd\n`);
    const usd = await rfmJson(["--config", one]);
    expect(usd.stderr).toContain("1 order in other currencies (currency:)");
    expect(usd.json.revenue).toBe(30);
    const rates = join(work, "rates.yaml");
    await writeFile(
      rates,
      `orders: ${orders}\nreporting_currency: USD\nexchange_rates: { MXN: 0.05 }\n`,
    );
    expect((await rfmJson(["--config", rates])).json.revenue).toBe(35);
    const missing = join(work, "missing.yaml");
    await writeFile(
      missing,
      `orders: ${orders}\nreporting_currency: EUR\nexchange_rates: { MXN: 0.05 }\n`,
    );
    const run = await runCli(["rfm", "--config", missing, "--as-of", "2026-04-01"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error orders in USD have no rate in exchange_rates");
  });

  it("a config with both, or rates without a reporting currency, is refused", async () => {
    const bad = join(work, "bad.yaml");
    await writeFile(bad, "orders: o.csv\ncurrency: EUR\nexchange_rates: { USD: 0 }\n");
    const run = await runCli(["rfm", "--config", bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("exchange_rates needs reporting_currency");
    expect(run.stderr).toContain("exchange_rates.USD is 0");
    expect(run.stderr).toContain("currency (count only one currency) and exchange_rates");
  });

  it("an orders file without amounts: a warning, and rfm says unavailable, not 0.00", async () => {
    const { json, stderr } = await rfmJson(["--orders", `${X}/no-amount/orders.csv`]);
    expect(stderr).toContain(
      "warning fixtures/exports/no-amount/orders.csv has no amount column (looked for total (total, order_total, amount, total_amount); quantity × price (price, unit_price, lineitem_price, item_price))",
    );
    expect(stderr).toContain('columns: { orders: { total: "Your Header" } }');
    expect([json.revenue, json.monetary_available]).toEqual([null, false]);
    expect((json.cut_points as { monetary: unknown }).monetary).toBeNull();
    expect((json.segments as { revenue: unknown }[]).every((s) => s.revenue === null)).toBe(true);
    const text = await runCli([
      "rfm",
      "--orders",
      `${X}/no-amount/orders.csv`,
      "--as-of",
      "2026-04-01",
    ]);
    expect(text.stdout).toContain("revenue unavailable (the orders have no amount column)");
    expect(text.stdout).toMatch(
      /monetary +unavailable \(the orders have no amount column\) +— +— +— +—/,
    );
  });

  it("several files on the command line: name order, each file's own line numbers in messages and --rejects", async () => {
    const rejects = join(work, "rejects.csv");
    const { json, stderr } = await rfmJson([
      "--orders",
      `${X}/generic/orders-b.csv`,
      `${X}/generic/orders-a.csv`,
      "--rejects",
      rejects,
    ]);
    expect(stderr).toContain(
      "read fixtures/exports/generic/orders-a.csv: 2 rows → 2 orders, 2 buyers not in contacts\n" +
        "read fixtures/exports/generic/orders-b.csv: 3 rows → 1 order, 1 order already read from an earlier file\n",
    );
    expect(stderr).toContain(
      "  fixtures/exports/generic/orders-b.csv:3: impossible date in created_at",
    );
    expect((await readFile(rejects, "utf8")).split(/\r?\n/)[1]).toMatch(
      /^fixtures\/exports\/generic\/orders-b\.csv,3,impossible date in created_at/,
    );
    expect(json.revenue).toBe(60);
  });

  it("a name pattern that matches nothing is an error naming it", async () => {
    const run = await runCli(["rfm", "--orders", `${X}/shopify/nothing*.csv`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "error orders: no file matches fixtures/exports/shopify/nothing*.csv",
    );
  });
});

describe("a Shopify export whose Source holds app ids", () => {
  it("reads a numeric Source as `app <id>`, beside web and shopify_draft_order", async () => {
    const run = await runCli([
      "channels",
      "--json",
      "--as-of",
      "2026-04-01",
      "--timezone",
      "Europe/Paris",
      "--orders",
      `${X}/shopify-apps/orders_export.csv`,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as {
      channels: { channel: string; buyers: number; orders: number }[];
    };
    // Acquisition channel = the first order's: chloe's via the app, ben's on the web (his second
    // order, a draft order, counts for him there).
    expect(json.channels.map((c) => [c.channel, c.buyers, c.orders])).toEqual([
      ["app 5690175", 1, 1],
      ["web", 1, 2],
    ]);
  });
});

describe("a normalised export (key_map:, order_lines:)", () => {
  const N = `${X}/normalised`;

  it("Olist's three files recognised: orders joined to people through the customers file, amounts from the items", async () => {
    const { json, stderr } = await rfmJson(["--config", `${N}/olist.yaml`]);
    const lines = stderr.split("\n");
    expect(lines.slice(0, 10)).toEqual([
      "olist_customers_dataset.csv: an Olist customers export (preset olist)",
      "olist_customers_dataset.csv: an Olist customers export (key map) (preset olist)",
      "olist_order_items_dataset.csv: an Olist order items export (preset olist)",
      "olist_orders_dataset.csv: an Olist orders export (preset olist)",
      `read ${N}/olist_customers_dataset.csv: 4 rows → 3 customers, 1 duplicate rows merged (1 by customer_id)`,
      `read ${N}/olist_customers_dataset.csv: 4 rows → 4 customer keys mapped to a person`,
      `read ${N}/olist_order_items_dataset.csv: 8 rows → lines of 6 orders, 2 lines of orders in no orders file (not counted)`,
      `read ${N}/olist_orders_dataset.csv: 6 rows → 5 orders, 1 buyer not in contacts, 1 excluded by status, 1 order with a customer_id not in key_map, 1 order without lines (amount 0)`,
      "  status: delivered 4 counted · canceled 1 not counted · shipped 1 counted",
      "customers: 4",
    ]);
    // The unknown key, the order without lines and the lines of no order, each at its line.
    expect(stderr).toContain(
      `  ${N}/olist_orders_dataset.csv:6: customer_id not in the key_map files: read as its own customer`,
    );
    expect(stderr).toContain(
      `  ${N}/olist_orders_dataset.csv:7: order without lines in the order_lines files: its amount is 0`,
    );
    expect(stderr).toContain(
      `warning ${N}/olist_order_items_dataset.csv: 1 × order_id in no orders file: the order's lines are not counted`,
    );
    expect(stderr).toContain(
      `  ${N}/olist_order_items_dataset.csv:8: order_id in no orders file: the order's lines are not counted`,
    );
    // p-ana's two orders (90.00 + 100.00), p-carla 44.50, c09 (unknown key) 12.00, p-bruno's
    // delivered order without lines 0; his canceled one does not count.
    expect([json.buyers, json.revenue, json.monetary_available]).toEqual([4, 246.5, true]);
    expect(json.order_statuses).toEqual({
      [`${N}/olist_orders_dataset.csv`]: {
        delivered: { orders: 4, counted: true },
        canceled: { orders: 1, counted: false },
        shipped: { orders: 1, counted: true },
      },
    });
  });

  it("include_shipping: false leaves the freight out of revenue", async () => {
    const config = join(work, "olist-no-freight.yaml");
    const source = await readFile(join(REPO_ROOT, N, "olist.yaml"), "utf8");
    await writeFile(
      config,
      source.replace(
        /^(contacts|key_map|order_lines|orders): (.*)$/gm,
        (_, key: string, path: string) => `${key}: ${JSON.stringify(join(REPO_ROOT, N, path))}`,
      ) + "include_shipping: false\n",
    );
    const { json } = await rfmJson(["--config", config]);
    expect([json.buyers, json.revenue]).toEqual([4, 225]);
  });

  it("its own headers mapped in columns:, lines in two files by a pattern, bad lines counted; the manifest lists every file", async () => {
    const { json, stderr } = await rfmJson(["--config", `${N}/shop.yaml`]);
    expect(stderr).toContain(
      `read ${N}/shop-customers.csv: 3 rows → 3 customer keys mapped to a person\n` +
        `read ${N}/shop-lines-1.csv: 2 rows → lines of 2 orders\n` +
        `read ${N}/shop-lines-2.csv: 3 rows → lines of 2 orders\n` +
        `read ${N}/shop-orders.csv: 4 rows → 3 orders, 2 buyers not in contacts, 1 excluded by status\n`,
    );
    expect(stderr).toContain(`  ${N}/shop-lines-2.csv: 1 × invalid number in price\n`);
    expect(stderr).toContain(`  ${N}/shop-lines-2.csv:4: invalid number in price (n/a)\n`);
    // M-1: A1 (2 × 10.00 + 3.00) and A2 (30.00); M-2: A4 (3 × 5.00 + 1.50), A3 refunded.
    expect([json.buyers, json.revenue]).toEqual([2, 69.5]);

    await writeFile(
      join(work, "members.yaml"),
      "segments:\n  members:\n    where: orders_count > 0\n    channel: any\n    columns: [customer_id, orders_count, total_spent]\n",
    );
    const out = join(work, "normalised-out");
    const run = await runCli([
      "build",
      "--config",
      `${N}/shop.yaml`,
      "--segments",
      join(work, "members.yaml"),
      "--out",
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as {
      inputs: { kind: string; path: string; rows_read: number; rows_skipped: object }[];
    };
    expect(
      manifest.inputs.map((i) => [i.kind, i.path.split("/").at(-1), i.rows_read, i.rows_skipped]),
    ).toEqual([
      ["key_map", "shop-customers.csv", 3, {}],
      ["order_lines", "shop-lines-1.csv", 2, {}],
      ["order_lines", "shop-lines-2.csv", 3, { "invalid number in price": 1 }],
      ["orders", "shop-orders.csv", 4, {}],
    ]);
  });

  it("a key map without the mapped header: a located error with a suggestion, exit 1", async () => {
    const config = join(work, "bad-key-map.yaml");
    await writeFile(
      config,
      [
        `key_map: ${JSON.stringify(join(REPO_ROOT, N, "shop-customers.csv"))}`,
        `orders: ${JSON.stringify(join(REPO_ROOT, N, "shop-orders.csv"))}`,
        "columns:",
        "  key_map: { from: checkout_customer, to: member_id }",
        "  orders: { order_id: order_ref, customer_id: checkout_customer, created_at: placed_at }",
        "",
      ].join("\n"),
    );
    const run = await runCli(["rfm", "--config", config]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `columns.key_map.to names the header "member_id", which ${N}/shop-customers.csv does not have (did you mean "member_no"?)`,
    );
    expect(run.stderr).toContain("headers found: checkout_customer, member_no");
    // Without columns: the generic names are looked for, and the error says what to add.
    await writeFile(
      config,
      [
        `key_map: ${JSON.stringify(join(REPO_ROOT, N, "shop-customers.csv"))}`,
        `orders: ${JSON.stringify(join(REPO_ROOT, N, "shop-orders.csv"))}`,
        "columns:",
        "  orders: { order_id: order_ref, customer_id: checkout_customer, created_at: placed_at }",
        "",
      ].join("\n"),
    );
    const generic = await runCli(["rfm", "--config", config]);
    expect(generic.code).toBe(1);
    expect(generic.stderr).toContain(
      'has no column for from (the per-order customer key) (did you mean "checkout_customer"?)',
    );
    expect(generic.stderr).toContain('columns: { key_map: { from: "checkout_customer" } }');
  });

  it("the items file given as the orders says it is an order_lines file", async () => {
    const run = await runCli(["rfm", "--orders", `${N}/olist_order_items_dataset.csv`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `error ${N}/olist_order_items_dataset.csv is an Olist order items export, given as the orders file`,
    );
    expect(run.stderr).toContain("give it as `order_lines:` in audience.yaml");
  });
});
