/**
 * The report commands end to end (built CLI, NO_COLOR): rfm, channels and count on the demo shop,
 * their JSON, and the errors a user meets first.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { people, readDemoFolder, rfmFigures } from "./helpers/demo-reference.js";
import { runCli } from "./helpers/run-cli.js";

const DEMO = ["--config", "fixtures/demo/audience.yaml"];

const RFM_TEXT = [
  "RFM as of 2026-06-30 · 1,210 buyers of 2,115 customers · revenue 374,374.87",
  "",
  "Cut points (20th, 40th, 60th, 80th percentiles of buyers)",
  "                                       c1      c2      c3      c4",
  "  recency    days since last order  24.80      54     117     275",
  "  frequency  orders                     1       2       3       5",
  "  monetary   total spent            71.98  149.02  261.84  469.90",
  "  R = 5 for the most recent buyers; F and M = 5 for the most frequent and the biggest spenders",
  "",
  "Buyers by recency (R, rows) and frequency (F, columns)",
  "          F=1   F=2   F=3   F=4   F=5",
  "  R=5      72    34    41    46    49",
  "  R=4      60    36    28    46    68",
  "  R=3      86    58    34    35    32",
  "  R=2      93    53    41    36    18",
  "  R=1     117    61    26    26    14",
  "",
  "Segments",
  "  segment              customers  % buyers     revenue  % revenue  avg days  avg orders  avg spent",
  "  champions                   95      7.9%   62,593.45      16.7%        13         7.0     658.88",
  "  loyal_customers            181     15.0%  128,907.99      34.4%        52         7.4     712.20",
  "  potential_loyalists        139     11.5%   33,674.95       9.0%        22         2.5     242.27",
  "  new_customers               72      6.0%    6,390.60       1.7%        11         1.0      88.76",
  "  promising                   60      5.0%    4,523.00       1.2%        37         1.0      75.38",
  "  need_attention              34      2.8%    9,504.51       2.5%        81         3.0     279.54",
  "  about_to_sleep             144     11.9%   19,233.80       5.1%        85         1.4     133.57",
  "  at_risk                    129     10.7%   42,925.48      11.5%       284         3.6     332.76",
  "  cant_lose                   32      2.6%   27,415.79       7.3%       274         9.0     856.74",
  "  hibernating                324     26.8%   39,205.30      10.5%       314         1.4     121.00",
  "",
].join("\n");

const INPUT_SUMMARY = [
  "read fixtures/demo/contacts.csv: 2,009 rows → 2,000 customers, 9 duplicate rows merged (4 by customer_id, 5 by email)",
  "read fixtures/demo/orders.csv: 10,213 rows → 3,984 orders, 65 buyers not in contacts, 220 excluded by status",
  "  status: paid 3,911 counted · cancelled 124 not counted · refunded 96 not counted · partially_refunded 73 counted",
  "read fixtures/demo/events.csv: 2,966 rows → 50 people not in contacts",
  "read fixtures/demo/lists.csv: 1,086 rows",
  "customers: 2,115",
  "",
].join("\n");

/** The figures of the demo shop computed from its files by test/helpers/demo-reference.ts alone. */
let reference: ReturnType<typeof rfmFigures>;
beforeAll(async () => {
  reference = rfmFigures([...people(await readDemoFolder("fixtures/demo")).values()]);
});

/** Numbers as the text report writes them: thousands with commas, `digits` decimals. */
const shown = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

describe("audience rfm", () => {
  it("pins figures that an independent computation on the same files gives", () => {
    const lines = RFM_TEXT.split("\n");
    expect(lines[0]).toBe(
      `RFM as of 2026-06-30 · ${shown(reference.buyers)} buyers of ${shown(reference.customers)} customers · revenue ${shown(reference.revenue, 2)}`,
    );
    const cuts = reference.cut_points;
    const cells = (values: number[]) =>
      values.map((v) => (Number.isInteger(v) ? `${v}` : v.toFixed(2)));
    expect(lines[4].trim().split(/\s+/).slice(-4)).toEqual(cells(cuts.recency));
    expect(lines[5].trim().split(/\s+/).slice(-4)).toEqual(cells(cuts.frequency));
    expect(lines[6].trim().split(/\s+/).slice(-4)).toEqual(cells(cuts.monetary));
    // The text shows R=5 on top; reference.grid[r - 1][f - 1].
    const grid = lines.slice(11, 16).map((line) => line.trim().split(/\s+/));
    expect(grid).toEqual(
      [5, 4, 3, 2, 1].map((r) => [`R=${r}`, ...reference.grid[r - 1].map(String)]),
    );
  });

  it("prints cut points, the R×F grid and the named segments; the input summary goes to stderr", async () => {
    const run = await runCli(["rfm", ...DEMO, "--as-of", "2026-06-30"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(RFM_TEXT);
    expect(run.stderr).toBe(INPUT_SUMMARY);
  });

  it("prints the JSON of docs/design.md#json-output with --json, and nothing on stderr with --quiet", async () => {
    const run = await runCli(["rfm", ...DEMO, "--json", "--quiet"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const json = JSON.parse(run.stdout) as {
      as_of: string;
      buyers: number;
      customers: number;
      revenue: number;
      cut_points: Record<string, number[]>;
      grid: number[][];
      segments: { name: string; customers: number; revenue: number }[];
    };
    expect(json.as_of).toBe("2026-06-30");
    expect(json.buyers).toBe(1210);
    expect(json.cut_points).toEqual({
      recency: [24.8, 54, 117, 275],
      frequency: [1, 2, 3, 5],
      monetary: [71.98, 149.02, 261.84, 469.904],
    });
    // grid[r - 1][f - 1]: the text shows R=5 on top, the JSON starts at R=1.
    expect(json.grid[0]).toEqual([117, 61, 26, 26, 14]);
    expect(json.grid[4]).toEqual([72, 34, 41, 46, 49]);
    // The same figures, computed from the files without the tool.
    expect(json).toMatchObject({
      buyers: reference.buyers,
      customers: reference.customers,
      revenue: reference.revenue,
      grid: reference.grid,
    });
    for (const [axis, cuts] of Object.entries(reference.cut_points)) {
      cuts.forEach((cut, i) => expect(json.cut_points[axis][i]).toBeCloseTo(cut, 6));
    }
    expect(json.segments.reduce((n, s) => n + s.customers, 0)).toBe(1210);
    expect(json.segments[0]).toMatchObject({ name: "champions", customers: 95, revenue: 62593.45 });
    expect(run.stdout).toContain('"recency": [24.8, 54, 117, 275]');
  });
});

describe("audience channels", () => {
  it("ranks acquisition channels by revenue with the Pareto check", async () => {
    const run = await runCli(["channels", ...DEMO, "--quiet"]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe(
      "Acquisition channels as of 2026-06-30 · 2,115 customers · 1,210 buyers · revenue 374,374.87",
    );
    expect(lines[2]).toBe(
      "  channel      contacts  buyers  conversion  orders  orders/buyer  avg order    revenue  rev/contact  rev/buyer",
    );
    expect(lines[3]).toBe(
      "  store             232     182       78.4%     723          3.97      98.41  71,149.43       306.68     390.93",
    );
    expect(run.stdout).toContain("Pareto check: the top 20% of buyers bring 54.7% of revenue.\n");
  });

  it("prints the JSON of docs/design.md#json-output", async () => {
    const run = await runCli([
      "channels",
      ...DEMO,
      "--json",
      "--quiet",
      "--sort",
      "revenue_per_buyer",
    ]);
    const json = JSON.parse(run.stdout) as {
      channels: Record<string, number | string>[];
      top_20pct_revenue_share: number;
    };
    expect(Object.keys(json.channels[0])).toEqual([
      "channel",
      "contacts",
      "buyers",
      "conversion",
      "orders",
      "orders_per_buyer",
      "avg_order_value",
      "revenue",
      "revenue_per_contact",
      "revenue_per_buyer",
    ]);
    expect(json.channels.map((c) => c.channel).slice(0, 3)).toEqual([
      "referral",
      "store",
      "newsletter",
    ]);
    expect(json.top_20pct_revenue_share).toBe(0.5471);
  });

  it("refuses an unknown --sort with exit 2", async () => {
    const run = await runCli(["channels", ...DEMO, "--sort", "orders"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: option '--sort <key>' argument 'orders' is invalid.");
  });
});

describe("audience count", () => {
  it("prints matched, reachable and share of base", async () => {
    const run = await runCli(["count", ...DEMO, "--quiet", "--only", "repeat-lapsed,whatsapp-vip"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "Segments as of 2026-06-30 · 2,115 customers · 1,210 buyers",
        "",
        "  segment        matched  reachable  % of base  channel",
        "  repeat-lapsed      321        240      15.2%  email",
        "  whatsapp-vip       125        125       5.9%  whatsapp",
        "",
      ].join("\n"),
    );
  });

  it("prints the JSON of docs/design.md#json-output with the rejected rows per file", async () => {
    const run = await runCli(["count", ...DEMO, "--json", "--quiet", "--only", "top-customers"]);
    expect(JSON.parse(run.stdout)).toEqual({
      as_of: "2026-06-30",
      timezone: "Europe/Paris",
      customers: 2115,
      buyers: 1210,
      segments: [{ id: "top-customers", matched: 242, reachable: 193 }],
      rejected_rows: {},
      order_statuses: {
        "fixtures/demo/orders.csv": {
          paid: { orders: 3911, counted: true },
          cancelled: { orders: 124, counted: false },
          refunded: { orders: 96, counted: false },
          partially_refunded: { orders: 73, counted: true },
        },
      },
      merges: { by_customer_id: 4, by_email: 5, by_phone: 0, kept_apart_same_phone: 0 },
    });
  });
});

describe("user mistakes", () => {
  it("names the file, the missing column and the headers found (exit 1)", async () => {
    const run = await runCli(["rfm", "--orders", "fixtures/model/missing-column/orders.csv"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      'error fixtures/model/missing-column/orders.csv has no column for customer_id or email or phone (did you mean "Client"?)\n' +
        "  hint: headers found: Invoice, Client, Montant, Jour\n" +
        '  map one in audience.yaml, e.g.  columns: { orders: { customer_id: "Client" } }\n',
    );
  });

  it("says what is missing without an orders file (exit 2)", async () => {
    const run = await runCli(["rfm"], { cwd: "/" });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "error no orders file: pass --orders FILE, or --config with an `orders:` path\n" +
        "  hint: with an audience.yaml in the current folder, it is used by default\n",
    );
  });

  it("refuses a bad --as-of, an unknown --only id and an unknown command (exit 2)", async () => {
    const asOf = await runCli(["rfm", ...DEMO, "--as-of", "30/06/2026"]);
    expect([asOf.code, asOf.stderr]).toEqual([
      2,
      'error --as-of "30/06/2026" is not a date: expected YYYY-MM-DD\n',
    ]);
    const only = await runCli(["count", ...DEMO, "--only", "repeat-lapsd"]);
    expect(only.code).toBe(2);
    expect(only.stderr.split("\n")[0]).toBe(
      'error --only: no segment "repeat-lapsd" (did you mean "repeat-lapsed"?)',
    );
    const unknown = await runCli(["buidl"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error: unknown command 'buidl'");
  });

  it("shows help with examples and exits 0", async () => {
    const run = await runCli(["--help"]);
    expect(run.code).toBe(0);
    for (const command of ["build", "count", "rfm", "channels", "validate", "demo"]) {
      expect(run.stdout).toContain(`  ${command}`);
    }
    expect(run.stdout).toContain("Exit codes:");
    const version = await runCli(["--version"]);
    expect([version.code, version.stdout]).toEqual([0, "0.1.0\n"]);
  });
});
