/** Renders `audience predict`: the text report, and the JSON of docs/design.md#predictions. */
import { formatDay } from "../calendar.js";
import type { Convergence } from "../predict/fit.js";
import type { HistogramBin, PredictReport } from "../predict/report.js";
import { formatAmount, formatCount, formatInteger, formatPercent, renderTable } from "./table.js";
import type { Theme } from "./theme.js";

const BAR_WIDTH = 40;

export function renderPredictText(report: PredictReport, theme: Theme): string {
  const horizon = horizonText(report.horizonDays);
  let out = `${theme.strong("Predictions")} as of ${formatDay(report.asOf)} · ${formatCount(report.customers, "buyer")} · ${formatCount(report.repeatBuyers, "repeat buyer")}\n`;
  out += `  ${theme.muted("one purchase per customer and day; time in weeks, as in Fader, Hardie & Lee (2005)")}\n\n`;

  const bg = report.bgnbd;
  out += `${theme.strong("BG/NBD")} (who is still a customer, how often they buy)\n`;
  out += `  r = ${fixed(bg.params.r)}  α = ${fixed(bg.params.alpha)} weeks  a = ${fixed(bg.params.a)}  b = ${fixed(bg.params.b)}\n`;
  out += `  log-likelihood ${formatAmount(bg.logLikelihood, 1)} · ${convergenceText(bg.convergence)}\n`;
  out += `  ${theme.muted(`purchase rate ~ Gamma(r, α): mean ${fixed(bg.params.r / bg.params.alpha)} per week; dropout after a purchase ~ Beta(a, b): mean ${formatPercent(bg.params.a / (bg.params.a + bg.params.b))}`)}\n`;
  const gg = report.gammaGamma;
  if (gg !== undefined) {
    out += `\n${theme.strong("Gamma-Gamma")} (spend per purchase, ${formatCount(gg.customers, "repeat buyer")})\n`;
    out += `  p = ${fixed(gg.params.p)}  q = ${fixed(gg.params.q)}  γ = ${fixed(gg.params.gamma)}\n`;
    out += `  log-likelihood ${formatAmount(gg.logLikelihood, 1)} · ${convergenceText(gg.convergence)}\n`;
    if (gg.params.q > 1) {
      out += `  ${theme.muted(`mean spend per purchase in the population: ${formatAmount((gg.params.p * gg.params.gamma) / (gg.params.q - 1))}`)}\n`;
    }
  }

  out += `\n${theme.strong("P(alive)")} ${theme.muted("(one-time buyers count as alive: the model lets customers drop out only after a purchase)")}\n`;
  out += renderHistogram(report.pAlive, (b) => `${b.from.toFixed(1)}–${b.to.toFixed(1)}`, theme);
  out += `\n${theme.strong(`Expected purchase days in the next ${horizon}`)}\n`;
  out += renderHistogram(report.predictedOrders, (b) => `${trim(b.from)}–${trim(b.to)}`, theme);
  out += `  total ${formatAmount(report.expectedOrders, 0)} purchase days`;
  out += gg === undefined ? "\n" : `, worth ${formatAmount(report.expectedValue, 0)}\n`;

  const v = report.valuable;
  out += `\n${theme.strong("Valuable customers likely lost")} ${theme.muted("(top 20% by total spent, P(alive) < 0.5)")}\n`;
  out += `  ${formatInteger(v.likelyLost)} of ${formatInteger(v.customers)} · their past revenue ${formatAmount(v.likelyLostRevenue)}\n`;
  if (report.atRisk.length > 0) {
    out += renderTable(
      [
        { header: "customer_id" },
        { header: "purchase days", align: "right" },
        { header: "total spent", align: "right" },
        { header: "last purchase" },
        { header: "P(alive)", align: "right" },
        { header: `expected (${horizon})`, align: "right" },
      ],
      report.atRisk.map((c) => [
        c.customerId ?? "(no id)",
        formatInteger(c.purchaseDays),
        formatAmount(c.totalSpent),
        formatDay(c.lastPurchase),
        c.pAlive.toFixed(3),
        c.predictedOrders.toFixed(2),
      ]),
      { indent: "  ", header: theme.muted },
    );
  }

  const h = report.holdout;
  if (h !== undefined) {
    out += `\n${theme.strong("Holdout check")}: fitted to ${formatDay(h.calibrationEnd)} (${formatCount(h.customers, "customer")}), predicted for the ${fixed(h.weeks, 1)} weeks to ${formatDay(report.asOf)}\n`;
    out += `  calibration: r = ${fixed(h.bgnbd.params.r)}  α = ${fixed(h.bgnbd.params.alpha)}  a = ${fixed(h.bgnbd.params.a)}  b = ${fixed(h.bgnbd.params.b)} · log-likelihood ${formatAmount(h.bgnbd.logLikelihood, 1)}\n`;
    out += `  repeat purchase days: actual ${formatInteger(h.actual)}, predicted ${formatAmount(h.predicted, 1)} (${signedPercent(h.predicted / h.actual - 1)})\n`;
    out += renderTable(
      [
        { header: "calibration repeats" },
        { header: "customers", align: "right" },
        { header: "actual / customer", align: "right" },
        { header: "predicted / customer", align: "right" },
      ],
      h.byFrequency.map((row) => [
        row.x,
        formatInteger(row.customers),
        row.customers === 0 ? "—" : (row.actual / row.customers).toFixed(4),
        row.customers === 0 ? "—" : (row.predicted / row.customers).toFixed(4),
      ]),
      { indent: "  ", header: theme.muted },
    );
  }
  return out;
}

/** Warnings for stderr: fits that did not converge, and why. */
export function renderPredictWarnings(report: PredictReport, theme: Theme): string {
  return report.warnings.map((w) => `${theme.warning("warning")} ${w.message}\n`).join("");
}

export function predictJson(report: PredictReport): unknown {
  const bg = report.bgnbd;
  const gg = report.gammaGamma;
  const h = report.holdout;
  return {
    as_of: formatDay(report.asOf),
    unit: "week",
    customers: report.customers,
    repeat_buyers: report.repeatBuyers,
    bgnbd: {
      r: bg.params.r,
      alpha: bg.params.alpha,
      a: bg.params.a,
      b: bg.params.b,
      log_likelihood: bg.logLikelihood,
      convergence: convergenceJson(bg.convergence),
    },
    gamma_gamma:
      gg === undefined
        ? null
        : {
            p: gg.params.p,
            q: gg.params.q,
            gamma: gg.params.gamma,
            log_likelihood: gg.logLikelihood,
            customers: gg.customers,
            convergence: convergenceJson(gg.convergence),
          },
    horizon_days: report.horizonDays,
    p_alive: report.pAlive,
    predicted_orders: report.predictedOrders,
    expected_orders: report.expectedOrders,
    expected_value: report.expectedValue,
    valuable: {
      customers: report.valuable.customers,
      likely_lost: report.valuable.likelyLost,
      likely_lost_revenue: report.valuable.likelyLostRevenue,
    },
    at_risk: report.atRisk.map((c) => ({
      customer_id: c.customerId,
      purchase_days: c.purchaseDays,
      total_spent: c.totalSpent,
      last_purchase: formatDay(c.lastPurchase),
      p_alive: c.pAlive,
      predicted_orders: c.predictedOrders,
      predicted_spend: Number.isNaN(c.predictedSpend) ? null : c.predictedSpend,
    })),
    holdout:
      h === undefined
        ? undefined
        : {
            calibration_end: formatDay(h.calibrationEnd),
            weeks: h.weeks,
            customers: h.customers,
            bgnbd: {
              r: h.bgnbd.params.r,
              alpha: h.bgnbd.params.alpha,
              a: h.bgnbd.params.a,
              b: h.bgnbd.params.b,
              log_likelihood: h.bgnbd.logLikelihood,
              convergence: convergenceJson(h.bgnbd.convergence),
            },
            actual: h.actual,
            predicted: h.predicted,
            by_frequency: h.byFrequency,
          },
    warnings: report.warnings.map((w) => ({ code: w.code, message: w.message })),
  };
}

function convergenceJson(c: Convergence) {
  return {
    converged: c.converged,
    evaluations: c.evaluations,
    gradient: c.gradient,
    at_bound: c.atBound,
    ...(c.reason === "" ? {} : { reason: c.reason }),
  };
}

function convergenceText(c: Convergence): string {
  const bound =
    c.atBound.length === 0
      ? ""
      : ` (${c.atBound.join(", ")} at the search bound 1e6: the data cannot tell ${c.atBound.length === 1 ? "it" : "them"} from infinity, so the fit is the model's limit)`;
  if (!c.converged) return `did not converge: ${c.reason}${bound}`;
  return `converged (${formatInteger(c.evaluations)} evaluations, gradient ${c.gradient.toExponential(1)})${bound}`;
}

function renderHistogram(
  bins: readonly HistogramBin[],
  label: (bin: HistogramBin) => string,
  theme: Theme,
): string {
  const total = bins.reduce((sum, b) => sum + b.customers, 0);
  const max = Math.max(1, ...bins.map((b) => b.customers));
  const labels = bins.map(label);
  const labelWidth = Math.max(...labels.map((l) => l.length));
  const countWidth = Math.max(...bins.map((b) => formatInteger(b.customers).length));
  return bins
    .map((bin, i) => {
      const length = Math.round((bin.customers / max) * BAR_WIDTH);
      const bar = "█".repeat(length) || (bin.customers > 0 ? "▏" : "");
      const share = total === 0 ? "" : formatPercent(bin.customers / total).padStart(6);
      return `  ${labels[i].padEnd(labelWidth)}  ${formatInteger(bin.customers).padStart(countWidth)} ${share}  ${theme.accent(bar)}`.trimEnd();
    })
    .join("\n")
    .concat("\n");
}

function horizonText(days: number): string {
  return days % 7 === 0 ? `${days / 7} weeks` : `${formatInteger(days)} days`;
}

function fixed(value: number, decimals = 3): string {
  return Math.abs(value) >= 1e5 ? value.toExponential(2) : value.toFixed(decimals);
}

function trim(value: number): string {
  return String(value);
}

function signedPercent(fraction: number): string {
  return `${fraction >= 0 ? "+" : ""}${formatPercent(fraction)}`;
}
