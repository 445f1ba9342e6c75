/**
 * `audience predict` and the prediction fields through the built CLI. CDNOW (the 2,357-customer
 * sample of Fader, Hardie & Lee 2005) is read in place from ../shared/data/cdnow/; the demo shop
 * in fixtures/demo/ is small, synthetic and committed.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDay } from "../src/calendar.js";
import { simulateCustomers } from "../src/predict/simulate.js";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

const CDNOW = join(REPO_ROOT, "../shared/data/cdnow/cdnowElog_BTYD.csv");
const present = existsSync(CDNOW);

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-predict-"));
  await writeFile(
    join(work, "audience.yaml"),
    `orders: ${JSON.stringify(CDNOW)}\ncolumns: { orders: { customer_id: masterid, created_at: date, total: sales } }\n`,
  );
  await writeFile(
    join(work, "predictive.yaml"),
    `segments:
  lost:
    where: p_alive < 0.5 and total_spent >= 100
    channel: none
  soon:
    where: predicted_orders(39w) >= 1
    channel: none
    columns: [p_alive, predicted_spend]
  worth:
    where: predicted_clv(1y) >= 100
    channel: none
`,
  );
  await mkdir(join(work, "tiny"));
  await writeFile(
    join(work, "tiny", "tiny-orders.csv"),
    "customer_id,created_at,total\nA1,2026-01-05,10\nA1,2026-02-05,12\nB2,2026-03-01,30\n",
  );
  // Spend so uneven across customers that Gamma-Gamma's q falls below 1 (no finite mean).
  const asOf = 20_000;
  const shop = simulateCustomers(
    3000,
    { r: 0.5, alpha: 5, a: 0.8, b: 2.5 },
    {
      seed: 21,
      asOf,
      acquisitionDays: 180,
      minimumAgeDays: 180,
      spend: { p: 6, q: 0.6, gamma: 15 },
    },
  );
  const lines = ["customer_id,created_at,total"];
  shop.days.forEach((days, c) => {
    // One order per purchase day, the amount spread evenly (the model only sees day totals).
    const perDay = shop.totalSpent[c] / (days?.length ?? 1);
    for (const day of days ?? []) lines.push(`S${c},${formatDay(day)},${perDay.toFixed(2)}`);
  });
  await mkdir(join(work, "uneven"));
  await writeFile(join(work, "uneven", "orders.csv"), `${lines.join("\n")}\n`);
  await writeFile(
    join(work, "uneven", "segments.yaml"),
    `segments:\n  alive:\n    where: p_alive >= 0.5\n    channel: none\n  spend:\n    where: predicted_spend > 10\n    channel: none\n`,
  );
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface PredictJson {
  as_of: string;
  unit: string;
  customers: number;
  repeat_buyers: number;
  bgnbd: { r: number; alpha: number; a: number; b: number; log_likelihood: number };
  gamma_gamma: { p: number; q: number; gamma: number; customers: number };
  holdout?: {
    calibration_end: string;
    weeks: number;
    customers: number;
    actual: number;
    predicted: number;
    by_frequency: { x: string; customers: number; actual: number; predicted: number }[];
  };
  warnings: unknown[];
}

describe.skipIf(!present)("predict on CDNOW", () => {
  it("prints the paper's parameters in weeks, as of the end of calibration (1997-09-30)", async () => {
    const run = await runCli(["predict", "--as-of", "1997-09-30", "--json", "-q"], { cwd: work });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as PredictJson;
    expect(out.as_of).toBe("1997-09-30");
    expect(out.unit).toBe("week");
    expect(out.customers).toBe(2357);
    expect(out.repeat_buyers).toBe(946);
    const { r, alpha, a, b, log_likelihood } = out.bgnbd;
    expect([r, alpha, a, b].map((v) => v.toFixed(3))).toEqual(["0.243", "4.414", "0.793", "2.426"]);
    expect(log_likelihood.toFixed(1)).toBe("-9582.4");
    const gg = out.gamma_gamma;
    expect([gg.p, gg.q, gg.gamma].map((v) => v.toFixed(2))).toEqual(["6.25", "3.74", "15.44"]);
    expect(gg.customers).toBe(946);
    expect(out.warnings).toEqual([]);
  });

  it("checks the 39-week holdout: 1,882 actual repeat purchase days, by calibration frequency", async () => {
    const run = await runCli(
      ["predict", "--as-of", "1998-06-30", "--holdout", "1997-09-30", "--json", "-q"],
      { cwd: work },
    );
    expect(run.code).toBe(0);
    const h = (JSON.parse(run.stdout) as PredictJson).holdout!;
    expect(h.calibration_end).toBe("1997-09-30");
    expect(h.weeks).toBe(39);
    expect(h.customers).toBe(2357);
    expect(h.actual).toBe(1882);
    expect(h.by_frequency.map((row) => row.customers)).toEqual([
      1411, 439, 214, 100, 62, 38, 29, 64,
    ]);
    // BTYD's expected holdout purchases per customer by calibration frequency 0…7+.
    const btyd = [0.2251, 0.5231, 1.0441, 1.5203, 2.1638, 2.6538, 3.504, 6.157];
    h.by_frequency.forEach((row, i) =>
      expect(row.predicted / row.customers).toBeCloseTo(btyd[i], 3),
    );
    // In total the model expects 1,653 (BG/NBD under-forecasts CDNOW's holdout: FHL 2005, Fig. 4).
    expect(h.predicted).toBeCloseTo(1653.4, 0);
  });

  it("prints the report as text, with histograms and no personal data", async () => {
    const run = await runCli(["predict", "--as-of", "1997-09-30", "--horizon", "39w"], {
      cwd: work,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("r = 0.243  α = 4.414 weeks  a = 0.793  b = 2.426");
    expect(run.stdout).toContain("log-likelihood -9,582.4 · converged");
    expect(run.stdout).toContain("p = 6.250  q = 3.744  γ = 15.444");
    expect(run.stdout).toMatch(/0\.9–1\.0 {2}1,432 {2}60\.8% {2}█{40}\n/);
    expect(run.stdout).toContain("Expected purchase days in the next 39 weeks");
  });

  it("evaluates p_alive, predicted_spend, predicted_orders(D) and predicted_clv(D) in segments", async () => {
    const run = await runCli(
      ["count", "--as-of", "1997-09-30", "--segments", "predictive.yaml", "--json", "-q"],
      { cwd: work },
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const counts = JSON.parse(run.stdout) as { segments: { id: string; matched: number }[] };
    const matched = Object.fromEntries(counts.segments.map((s) => [s.id, s.matched]));
    expect(matched.lost).toBeGreaterThan(0);
    expect(matched.soon).toBeGreaterThan(0);
    expect(matched.worth).toBeGreaterThan(0);
  });

  it("shows the prediction distributions of predict --json in the report page, with no customer in it", async () => {
    const page = join(work, "report.html");
    const report = await runCli(
      ["report", "--as-of", "1997-09-30", "--segments", "predictive.yaml", "--html", page, "-q"],
      { cwd: work },
    );
    expect([report.code, report.stderr]).toEqual([0, ""]);
    const predict = await runCli(["predict", "--as-of", "1997-09-30", "--json", "-q"], {
      cwd: work,
    });
    const json = JSON.parse(predict.stdout) as {
      p_alive: { customers: number }[];
      predicted_orders: { customers: number }[];
      valuable: { likely_lost: number };
      at_risk: { customer_id: string }[];
    };
    const html = await readFile(page, "utf8");
    const shown = (chart: string) => {
      const figure = new RegExp(`data-chart="${chart}">(.*?)</figure>`, "s").exec(html)?.[1] ?? "";
      return [...figure.matchAll(/<text class="bar-value"[^>]*>([\d,]+)</g)].map((m) =>
        Number(m[1].replace(/,/g, "")),
      );
    };
    expect(shown("p_alive")).toEqual(json.p_alive.map((b) => b.customers));
    expect(shown("predicted_orders")).toEqual(json.predicted_orders.map((b) => b.customers));
    expect(html).toContain(`data-field="likely_lost">${json.valuable.likely_lost}<`);
    for (const c of json.at_risk) expect(html).not.toContain(`>${c.customer_id}<`);
  });
});

describe.skipIf(present)("predict on CDNOW", () => {
  it("skipped: no ../shared", () => {});
});

describe("predict errors", () => {
  it("refuses to fit on too few repeat buyers, for predict and for a segment that needs it", async () => {
    const predict = await runCli(
      ["predict", "--orders", "tiny-orders.csv", "--as-of", "2026-06-30", "-q"],
      { cwd: join(work, "tiny") },
    );
    expect(predict.code).toBe(1);
    expect(predict.stdout).toBe("");
    expect(predict.stderr).toContain(
      "predictions need at least 30 customers who bought on two different days; found 1 among 2 buyers",
    );
    const count = await runCli(
      [
        "count",
        "--orders",
        "tiny-orders.csv",
        "--as-of",
        "2026-06-30",
        "--segments",
        "../predictive.yaml",
        "-q",
      ],
      { cwd: join(work, "tiny") },
    );
    expect(count.code).toBe(1);
    expect(count.stdout).toBe("");
    expect(count.stderr).toContain("found 1 among 2 buyers");
  });

  it("stops only the segments that need a spend model without a finite mean", async () => {
    const base = ["--orders", "orders.csv", "--as-of", "2024-10-04", "--segments", "segments.yaml"];
    const cwd = join(work, "uneven");
    const alive = await runCli(["count", ...base, "--only", "alive", "-q"], { cwd });
    expect(alive.stderr).toBe("");
    expect(alive.code).toBe(0);
    const spend = await runCli(["count", ...base, "--only", "spend", "-q"], { cwd });
    expect(spend.code).toBe(1);
    expect(spend.stdout).toBe("");
    expect(spend.stderr).toMatch(
      /the Gamma-Gamma fit gives q = 0\.\d{3} ≤ 1: the mean spend is not finite/,
    );
    const predict = await runCli(
      ["predict", "--orders", "orders.csv", "--as-of", "2024-10-04", "-q"],
      {
        cwd,
      },
    );
    expect(predict.code).toBe(0);
    expect(predict.stderr).toMatch(/^warning the Gamma-Gamma fit gives q = 0\.\d{3} ≤ 1/);
  });

  it("rejects a horizon of 0 and a holdout that is not before as_of", async () => {
    const zero = await runCli(["predict", "--orders", "tiny-orders.csv", "--horizon", "0d"], {
      cwd: join(work, "tiny"),
    });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain("--horizon: a horizon of 0 predicts nothing");
    const late = await runCli(
      [
        "predict",
        "--orders",
        "tiny-orders.csv",
        "--as-of",
        "2026-06-30",
        "--holdout",
        "2026-07-01",
      ],
      { cwd: join(work, "tiny") },
    );
    expect(late.code).toBe(2);
    expect(late.stderr).toContain("--holdout 2026-07-01 is not before as_of 2026-06-30");
  });

  it("shows the demo shop's customers by customer_id only", async () => {
    const run = await runCli(["predict", "--config", "fixtures/demo/audience.yaml", "-q"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Valuable customers likely lost");
    expect(run.stdout).not.toMatch(/@|\+\d{6}/);
  });
});
