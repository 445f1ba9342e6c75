/**
 * rfm, channels and count through the BUILT CLI (NO_COLOR) on fixtures/model/shop/: a shop small
 * enough that every number below is worked out by hand in the comments. Run `npm run build` first.
 *
 * The shop as of 2026-06-30 (contacts c1–c8, one guest buyer; c8 signed up after as_of):
 *   c1  instagram   5 orders: 100 + 100 + (2×30 + 40) + (150 − 50 refunded) + 100 = 500, last 06-28
 *                   (and a cancelled order of 999 on 06-29, excluded)
 *   c2  Instagram   4 × 100 = 400, last 06-10 (a 5th row dated 2026-02-30 is rejected, line 13)
 *   c3  newsletter  3 × 100 = 300, last 05-01
 *   c4  newsletter  2 × 100 = 200, last 01-01
 *   c5  store       1 × 100, on 2025-06-30
 *   c6  store       one order on 07-02, after as_of: a prospect
 *   c7  (none)      a prospect with a phone and no email
 *   guest           1 × 50 on 06-29, channel web (first order channel → acquisition channel)
 */
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/run-cli.js";

const SHOP = ["--config", "fixtures/model/shop/audience.yaml"];

const SUMMARY = [
  "read fixtures/model/shop/contacts.csv: 8 rows → 7 customers, 1 dated after as_of",
  "read fixtures/model/shop/orders.csv: 20 rows → 16 orders, 1 buyer not in contacts, 1 excluded by status, 1 dated after as_of",
  "  status: paid 16 counted · cancelled 1 not counted · partially_refunded 1 counted",
  "customers: 8",
].join("\n");

const PROBLEMS = [
  "skipped 1 bad row (all of them: --rejects FILE)",
  "  fixtures/model/shop/orders.csv: 1 × impossible date in created_at",
  "  fixtures/model/shop/orders.csv:13: impossible date in created_at (2026-02-30)",
].join("\n");

describe("audience rfm", () => {
  // Six buyers, so type-7 quantiles land on order statistics: h = 5p = 1, 2, 3, 4 (0-based).
  //   recency   sorted [1, 2, 20, 60, 180, 365] → cuts [2, 20, 60, 180]
  //   frequency sorted [1, 1, 2, 3, 4, 5]       → cuts [1, 2, 3, 4]
  //   monetary  sorted [50, 100, 200, 300, 400, 500] → cuts [100, 200, 300, 400]
  // R = 1 + cuts strictly above the days, F = 1 + cuts strictly below the orders:
  //   guest (1 day, 1) → R5 F1 new_customers; c1 (2, 5) → R4 F5 loyal; c2 (20, 4) → R3 F4 loyal;
  //   c3 (60, 3) → R2 F3 at_risk; c4 (180, 2) → R1 F2 and c5 (365, 1) → R1 F1 hibernating.
  it("prints the cut points, grid and segments worked out by hand", async () => {
    const run = await runCli(["rfm", ...SHOP]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "RFM as of 2026-06-30 · 6 buyers of 8 customers · revenue 1,550.00",
        "",
        "Cut points (20th, 40th, 60th, 80th percentiles of buyers)",
        "                                     c1   c2   c3   c4",
        "  recency    days since last order    2   20   60  180",
        "  frequency  orders                   1    2    3    4",
        "  monetary   total spent            100  200  300  400",
        "  R = 5 for the most recent buyers; F and M = 5 for the most frequent and the biggest spenders",
        "",
        "Buyers by recency (R, rows) and frequency (F, columns)",
        "          F=1   F=2   F=3   F=4   F=5",
        "  R=5       1     0     0     0     0",
        "  R=4       0     0     0     0     1",
        "  R=3       0     0     0     1     0",
        "  R=2       0     0     1     0     0",
        "  R=1       1     1     0     0     0",
        "",
        "Segments",
        "  segment              customers  % buyers  revenue  % revenue  avg days  avg orders  avg spent",
        "  champions                    0      0.0%     0.00       0.0%         —           —          —",
        // (2 + 20) / 2 = 11 days; (5 + 4) / 2 = 4.5 orders; 900 / 1550 = 58.1%
        "  loyal_customers              2     33.3%   900.00      58.1%        11         4.5     450.00",
        "  potential_loyalists          0      0.0%     0.00       0.0%         —           —          —",
        "  new_customers                1     16.7%    50.00       3.2%         1         1.0      50.00",
        "  promising                    0      0.0%     0.00       0.0%         —           —          —",
        "  need_attention               0      0.0%     0.00       0.0%         —           —          —",
        "  about_to_sleep               0      0.0%     0.00       0.0%         —           —          —",
        "  at_risk                      1     16.7%   300.00      19.4%        60         3.0     300.00",
        "  cant_lose                    0      0.0%     0.00       0.0%         —           —          —",
        // (180 + 365) / 2 = 272.5 days
        "  hibernating                  2     33.3%   300.00      19.4%       273         1.5     150.00",
        "",
      ].join("\n"),
    );
    expect(run.stderr).toBe(`${SUMMARY}\n${PROBLEMS}\n`);
  });

  it("prints the same result as JSON, grid[r - 1][f - 1]", async () => {
    const run = await runCli(["rfm", ...SHOP, "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      as_of: "2026-06-30",
      buyers: 6,
      cut_points: {
        recency: [2, 20, 60, 180],
        frequency: [1, 2, 3, 4],
        monetary: [100, 200, 300, 400],
      },
      grid: [
        [1, 1, 0, 0, 0],
        [0, 0, 1, 0, 0],
        [0, 0, 0, 1, 0],
        [0, 0, 0, 0, 1],
        [1, 0, 0, 0, 0],
      ],
    });
    const segments = (JSON.parse(run.stdout) as { segments: Record<string, unknown>[] }).segments;
    expect(
      segments.filter((s) => s.customers !== 0).map((s) => [s.name, s.customers, s.revenue]),
    ).toEqual([
      ["loyal_customers", 2, 900],
      ["new_customers", 1, 50],
      ["at_risk", 1, 300],
      ["hibernating", 2, 300],
    ]);
    // --json keeps stdout machine-readable; the summary and the problems go to stderr.
    expect(run.stderr).toBe(`${SUMMARY}\n${PROBLEMS}\n`);
  });

  it("rewinds to another as_of: 5 buyers on 2026-03-01, type-7 cut points between order statistics", async () => {
    // Buyers then: c2 (0 days, 3 orders), c1 (19, 2), c3 (28, 2), c4 (59, 2), c5 (244, 1).
    // n = 5, h = 4p = 0.8, 1.6, 2.4, 3.2 over sorted days [0, 19, 28, 59, 244]:
    //   0 + 0.8 × 19 = 15.2; 19 + 0.6 × 9 = 24.4; 28 + 0.4 × 31 = 40.4; 59 + 0.2 × 185 = 96.
    // frequency [1, 2, 2, 2, 3]: 1.8, 2, 2, 2.2.
    const run = await runCli(["rfm", ...SHOP, "--as-of", "2026-03-01", "--json", "--quiet"]);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as { buyers: number; cut_points: unknown; grid: unknown };
    expect(json.buyers).toBe(5);
    expect(json.cut_points).toEqual({
      recency: [15.2, 24.4, 40.4, 96],
      frequency: [1.8, 2, 2, 2.2],
      monetary: [180, 200, 200, 220],
    });
    // c2 R5 F5; c1 R4 F2; c3 R3 F2; c4 R2 F2; c5 R1 F1.
    expect(json.grid).toEqual([
      [1, 0, 0, 0, 0],
      [0, 1, 0, 0, 0],
      [0, 1, 0, 0, 0],
      [0, 1, 0, 0, 0],
      [0, 0, 0, 0, 1],
    ]);
  });
});

describe("audience channels", () => {
  // instagram (c1, c2; "Instagram" counts as the same channel): 9 orders, 900 → 450 a contact.
  // store (c5, c6): 1 buyer of 2. web: the guest, from its first order. (none): c7.
  // Top 20% of 6 buyers = the 2 biggest: (500 + 400) / 1550 = 58.06%.
  it("prints the per-channel table and the Pareto check", async () => {
    const run = await runCli(["channels", ...SHOP]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "Acquisition channels as of 2026-06-30 · 8 customers · 6 buyers · revenue 1,550.00",
        "",
        "  channel     contacts  buyers  conversion  orders  orders/buyer  avg order  revenue  rev/contact  rev/buyer",
        "  instagram          2       2      100.0%       9          4.50     100.00   900.00       450.00     450.00",
        "  newsletter         2       2      100.0%       5          2.50     100.00   500.00       250.00     250.00",
        "  store              2       1       50.0%       1          1.00     100.00   100.00        50.00     100.00",
        "  web                1       1      100.0%       1          1.00      50.00    50.00        50.00      50.00",
        "  (none)             1       0        0.0%       0          0.00       0.00     0.00         0.00       0.00",
        "  sorted by revenue",
        "",
        "Pareto check: the top 20% of buyers bring 58.1% of revenue.",
        "",
      ].join("\n"),
    );
    expect(run.stderr).toBe(`${SUMMARY}\n${PROBLEMS}\n`);
  });

  it("prints the JSON of docs/design.md#json-output", async () => {
    const run = await runCli(["channels", ...SHOP, "--json"]);
    expect(run.code).toBe(0);
    const row = (
      channel: string,
      contacts: number,
      buyers: number,
      orders: number,
      revenue: number,
    ) => ({
      channel,
      contacts,
      buyers,
      conversion: buyers / contacts,
      orders,
      orders_per_buyer: buyers === 0 ? 0 : orders / buyers,
      avg_order_value: orders === 0 ? 0 : revenue / orders,
      revenue,
      revenue_per_contact: revenue / contacts,
      revenue_per_buyer: buyers === 0 ? 0 : revenue / buyers,
    });
    expect(JSON.parse(run.stdout)).toEqual({
      as_of: "2026-06-30",
      channels: [
        row("instagram", 2, 2, 9, 900),
        row("newsletter", 2, 2, 5, 500),
        row("store", 2, 1, 1, 100),
        row("web", 1, 1, 1, 50),
        row("(none)", 1, 0, 0, 0),
      ],
      top_20pct_revenue_share: 0.5806,
    });
  });
});

describe("audience count", () => {
  // loyal: c1, c2 (R4F5, R3F4); email consent only c1.
  // lapsed: last order before 2026-04-01 (−90d): c4, c5; email consent only c4.
  // recent-sms: orders since 2026-06-01: c1, c2, guest; phone and SMS consent: c1, c2.
  // prospects: c6, c7; an email with consent: c6. % of base = matched / 8.
  const COUNT_TEXT = [
    "Segments as of 2026-06-30 · 8 customers · 6 buyers",
    "",
    "  segment     matched  reachable  % of base  channel",
    "  loyal             2          1      25.0%  email",
    "  lapsed            2          1      25.0%  email",
    "  recent-sms        3          2      37.5%  sms",
    "  prospects         2          1      25.0%  email",
    "",
  ].join("\n");

  it("prints matched, reachable and share of base", async () => {
    const run = await runCli(["count", ...SHOP]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(COUNT_TEXT);
    expect(run.stderr).toBe(`${SUMMARY}\n${PROBLEMS}\n`);
  });

  it("prints the JSON of docs/design.md#json-output with the rejected rows per file", async () => {
    const run = await runCli(["count", ...SHOP, "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      as_of: "2026-06-30",
      timezone: "UTC",
      customers: 8,
      buyers: 6,
      segments: [
        { id: "loyal", matched: 2, reachable: 1 },
        { id: "lapsed", matched: 2, reachable: 1 },
        { id: "recent-sms", matched: 3, reachable: 2 },
        { id: "prospects", matched: 2, reachable: 1 },
      ],
      rejected_rows: {
        "fixtures/model/shop/orders.csv": { "impossible date in created_at": 1 },
      },
      order_statuses: {
        "fixtures/model/shop/orders.csv": {
          paid: { orders: 16, counted: true },
          cancelled: { orders: 1, counted: false },
          partially_refunded: { orders: 1, counted: true },
        },
      },
      merges: { by_customer_id: 0, by_email: 0, by_phone: 0, kept_apart_same_phone: 0 },
    });
  });

  it("counts the day asked for with --as-of", async () => {
    // On 2026-03-01: 7 customers (the guest bought later), 5 buyers; RFM makes c2 a champion and
    // nobody loyal; lapsed = last order before 2025-12-01 = c5 (no email consent); in the 30 days
    // from 2026-01-31: c1, c2, c3 (no phone).
    const run = await runCli(["count", ...SHOP, "--as-of", "2026-03-01", "--quiet"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "Segments as of 2026-03-01 · 7 customers · 5 buyers",
        "",
        "  segment     matched  reachable  % of base  channel",
        "  loyal             0          0       0.0%  email",
        "  lapsed            1          0      14.3%  email",
        "  recent-sms        3          2      42.9%  sms",
        "  prospects         2          1      28.6%  email",
        "",
      ].join("\n"),
    );
  });

  it("shows only the segments asked for with --only", async () => {
    const run = await runCli(["count", ...SHOP, "--only", "recent-sms", "--json", "--quiet"]);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { segments: unknown }).segments).toEqual([
      { id: "recent-sms", matched: 3, reachable: 2 },
    ]);
  });
});

describe("errors and exit codes", () => {
  it("stops at the first bad row with --strict (exit 1), naming file and line", async () => {
    const run = await runCli(["count", ...SHOP, "--strict"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "error fixtures/model/shop/orders.csv:13: impossible date in created_at (2026-02-30)\n" +
        "  hint: without --strict, bad rows are skipped and counted\n",
    );
  });

  it("names the file, the missing column and the headers found (exit 1)", async () => {
    const run = await runCli(["rfm", "--config", "fixtures/model/missing-column/audience.yaml"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      'error fixtures/model/missing-column/orders.csv has no column for customer_id or email or phone (did you mean "Client"?)\n' +
        "  hint: headers found: Invoice, Client, Montant, Jour\n" +
        '  map one in audience.yaml, e.g.  columns: { orders: { customer_id: "Client" } }\n',
    );
  });

  it("refuses an unknown --only id with exit 2 and a suggestion", async () => {
    const run = await runCli(["count", ...SHOP, "--only", "loyl"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      'error --only: no segment "loyl" (did you mean "loyal"?)\n' +
        "  hint: segments: loyal, lapsed, recent-sms, prospects\n",
    );
  });
});
