/**
 * The report a marketer opens (docs/design.md#report): one self-contained HTML page — styles and SVG charts
 * inline, nothing loaded from anywhere — with the segments, the RFM heat map and its named
 * segments, the cut points, the acquisition channels, the Pareto curve, the size of each segment
 * over the builds, and what was read. A pure function of the results that `count`, `rfm` and
 * `channels` render, so every number in the page is the one their `--json` prints. Only counts
 * and amounts: no customer, email, phone or name ever reaches it.
 */
import { formatDay } from "../calendar.js";
import type { InputReport } from "../io/read-inputs.js";
import type { ChannelReport } from "../model/channels.js";
import type { RfmReport } from "../rfm/report.js";
import { channelsJson, type ChannelsJson } from "./channels.js";
import { countsJson, type CountsJson, type CountsView } from "./counts.js";
import type { HistoryJson, SegmentSizes } from "../io/history.js";
import type { HistogramBin, PredictReport } from "../predict/report.js";
import { inputNotes } from "./inputs.js";
import { rfmJson, type RfmJson } from "./rfm.js";
import { barChart, escapeHtml as esc, lineChart, sparkline } from "./svg.js";
import { formatAmount, formatCount, formatCut, formatInteger, formatPercent } from "./table.js";

/** The build history of an output folder, oldest build first (`audience history --json`, docs/design.md#changes). */
export type BuildHistory = HistoryJson;

export interface ReportView {
  counts: CountsView;
  rfm: RfmReport;
  channels: ChannelReport;
  inputs: readonly InputReport[];
  /** Warnings by file and warning (rows kept, with a value left out). */
  warnings: Record<string, Record<string, number>>;
  version: string;
  /** False when the orders carry no amounts: revenue and monetary values are not known. */
  amounts?: boolean;
  history?: BuildHistory;
  /** The prediction fit's distributions, when a segment selects on p_alive or predicted_*. */
  predictions?: PredictReport;
}

/**
 * Every number in the page is taken from the `--json` objects of `count` (or `build`), `rfm` and
 * `channels`, rounded as they are there; the page adds only what JSON leaves out (names,
 * averages, the Pareto curve).
 */
interface PageJson {
  counts: CountsJson;
  rfm: RfmJson;
  channels: ChannelsJson;
}

export function renderReportHtml(view: ReportView): string {
  const asOf = formatDay(view.counts.asOf);
  const json: PageJson = {
    counts: countsJson(view.counts),
    rfm: rfmJson(view.rfm, view.counts.asOf, { amounts: view.amounts ?? true }),
    channels: channelsJson(view.channels, view.counts.asOf),
  };
  const body = [
    header(view, json, asOf),
    segmentsSection(view, json.counts),
    rfmSection(view.rfm, json.rfm),
    channelsSection(json.channels),
    paretoSection(view.channels, json.channels),
    ...(view.predictions === undefined ? [] : [predictionsSection(view.predictions)]),
    ...(view.history === undefined || view.history.builds.length === 0
      ? []
      : [historySection(view)]),
    inputsSection(view),
    `<footer>Made by audience ${esc(view.version)} from the files listed above, as of ${asOf} (${esc(view.counts.timezone)}). Counts and amounts only: this page holds no customer's personal data.</footer>`,
  ].join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="audience ${esc(view.version)}">
<title>Audience report · ${asOf}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** "2026-06-30" → "30 June 2026". */
function longDate(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

function header(view: ReportView, json: PageJson, asOf: string): string {
  const { counts, rfm, channels } = json;
  const kpi = (label: string, value: string, note: string, name: string) =>
    `<div class="kpi" data-kpi="${name}"><div class="kpi-label">${label}</div><div class="kpi-value">${value}</div><div class="kpi-note">${note}</div></div>`;
  const buyerShare = counts.customers === 0 ? 0 : counts.buyers / counts.customers;
  return `<header>
<p class="eyebrow">Audience report</p>
<h1>Customers and audiences on ${longDate(asOf)}</h1>
<p class="lede">${formatCount(counts.segments.length, "segment")} · as of ${asOf} · ${esc(counts.timezone)}${counts.exclusive === true ? " · exclusive: each customer in one segment only" : ""}</p>
<div class="kpis">
${kpi("Customers", formatInteger(counts.customers), "contacts and buyers", "customers")}
${kpi("Buyers", formatInteger(counts.buyers), `${formatPercent(buyerShare)} of customers`, "buyers")}
${kpi("Revenue", known(rfm.revenue, formatAmount), rfm.revenue === null ? "no amounts in the orders" : `orders up to ${longDate(asOf)}`, "revenue")}
${kpi("Top 20% of buyers", formatPercent(channels.top_20pct_revenue_share), "of revenue", "top20")}
</div>
<nav><a href="#segments">Segments</a><a href="#rfm">RFM</a><a href="#channels">Channels</a><a href="#pareto">Revenue concentration</a>${view.history !== undefined && view.history.builds.length > 0 ? '<a href="#history">Over time</a>' : ""}<a href="#inputs">Data read</a></nav>
</header>`;
}

/** A value JSON leaves null when it is not known (amounts), shown as an em dash. */
function known(value: number | null, format: (v: number) => string): string {
  return value === null ? "—" : format(value);
}

/** A share as a number and a bar under it. */
function shareCell(fraction: number, field: string): string {
  const width = Math.max(0, Math.min(100, fraction * 100));
  return `<td class="num share" data-field="${field}"><span class="share-text">${formatPercent(fraction)}</span><span class="meter" aria-hidden="true"><span style="width:${width.toFixed(1)}%"></span></span></td>`;
}

function num(value: string, field: string): string {
  return `<td class="num" data-field="${field}">${value}</td>`;
}

/** Each segment's entry in every build of the history that has it, oldest first. */
function segmentHistory(history: BuildHistory | undefined, id: string): SegmentSizes[] {
  if (history === undefined) return [];
  return history.builds.flatMap((b) => (b.segments[id] === undefined ? [] : [b.segments[id]]));
}

function segmentsSection(view: ReportView, json: CountsJson): string {
  const { counts, history } = view;
  const withHistory = history !== undefined && history.builds.length > 0;
  const lastBuild = withHistory ? history.builds[history.builds.length - 1] : undefined;
  const heads = [
    '<th scope="col">Segment</th>',
    '<th scope="col">Channel</th>',
    '<th scope="col" class="num">Matched</th>',
    '<th scope="col" class="num">Reachable</th>',
    ...(counts.exclusive ? ['<th scope="col" class="num">Assigned</th>'] : []),
    ...(counts.written === undefined ? [] : ['<th scope="col" class="num">Written</th>']),
    '<th scope="col" class="num">Share of base</th>',
    ...(withHistory
      ? [
          '<th scope="col" class="num">Entered</th>',
          '<th scope="col" class="num">Exited</th>',
          '<th scope="col">Reachable over time</th>',
        ]
      : []),
  ];
  const rows = counts.results.map((r, i) => {
    const id = r.segment.id;
    const numbers = json.segments[i];
    const past = segmentHistory(history, id);
    const latest = lastBuild?.segments[id];
    const cells = [
      `<th scope="row"${r.segment.description === undefined ? "" : ` title="${esc(r.segment.description)}"`}><span class="seg-name">${esc(r.segment.name)}</span><span class="seg-id">${esc(id)}</span></th>`,
      `<td><span class="pill pill-${esc(r.segment.channel)}">${esc(r.segment.channel)}</span></td>`,
      num(formatInteger(numbers.matched), "matched"),
      num(formatInteger(numbers.reachable), "reachable"),
      ...(counts.exclusive ? [num(formatInteger(numbers.assigned ?? 0), "assigned")] : []),
      ...(counts.written === undefined
        ? []
        : [num(formatInteger(numbers.written ?? 0), "written")]),
      shareCell(json.customers === 0 ? 0 : numbers.matched / json.customers, "share"),
      ...(withHistory
        ? [
            num(latest === undefined ? "—" : `+${formatInteger(latest.entered)}`, "entered"),
            num(latest === undefined ? "—" : `−${formatInteger(latest.exited)}`, "exited"),
            `<td class="trend">${
              past.length === 0
                ? "—"
                : sparkline(
                    past.map((p) => p.reachable),
                    `${id}: reachable in the last ${formatCount(past.length, "build")}`,
                  )
            }</td>`,
          ]
        : []),
    ];
    const file = fileName(r.segment.location?.file);
    const group =
      file !== "" && file !== fileName(counts.results[i - 1]?.segment.location?.file)
        ? `<tr class="group"><th colspan="${heads.length}" scope="rowgroup">${esc(file)}</th></tr>\n`
        : "";
    return `${group}<tr data-segment="${esc(id)}">${cells.join("")}</tr>`;
  });
  const note = withHistory
    ? `<p class="note">Entered and exited: members gained and lost by the build of ${esc(lastBuild?.as_of ?? "")}, against the build before it.</p>`
    : "";
  return `<section id="segments">
<h2>Segments</h2>
<p class="intro"><b>Matched</b> customers satisfy the segment's rule; <b>reachable</b> ones also have a valid address and consent for its channel${counts.written === undefined ? "" : "; <b>written</b> is one row per address in the upload file"}. Share of base: matched customers out of all ${formatInteger(json.customers)}.</p>
<table class="data segments">
<thead><tr>${heads.join("")}</tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
${note}
</section>`;
}

/** The last part of a segment file's path: the page names files, not folders of the machine. */
function fileName(path: string | undefined): string {
  return path === undefined ? "" : (path.split(/[\\/]/).pop() ?? "");
}

/** "loyal_customers" → "Loyal customers", "cant_lose" → "Can't lose". */
function rfmLabel(name: string): string {
  const words = name.replace(/^cant_/, "can't_").replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A cell's colour, from pale (no buyer) through light to deep blue (the largest cell). */
const STOPS = [
  [243, 246, 250],
  [160, 192, 228],
  [29, 74, 132],
];

function heatCell(count: number, max: number): { background: string; dark: boolean } {
  const t = max === 0 ? 0 : count / max;
  const [from, to, u] = t <= 0.5 ? [STOPS[0], STOPS[1], t * 2] : [STOPS[1], STOPS[2], t * 2 - 1];
  const hex = [0, 1, 2]
    .map((i) =>
      Math.round(from[i] + (to[i] - from[i]) * u)
        .toString(16)
        .padStart(2, "0"),
    )
    .join("");
  return { background: `#${hex}`, dark: t > 0.7 };
}

function rfmSection(rfm: RfmReport, json: RfmJson): string {
  if (json.buyers === 0) {
    return `<section id="rfm"><h2>RFM: recency, frequency, money</h2><p class="intro">No buyers as of this date: nothing to score.</p></section>`;
  }
  const max = Math.max(0, ...json.grid.flat());
  const head = [1, 2, 3, 4, 5].map((f) => `<th scope="col">F ${f}</th>`).join("");
  const rows: string[] = [];
  for (let r = 5; r >= 1; r--) {
    const cells = [1, 2, 3, 4, 5].map((f) => {
      const count = json.grid[r - 1][f - 1];
      const name = rfm.map[r - 1][f - 1];
      const { background, dark } = heatCell(count, max);
      // A heavier border where the named segment changes.
      const edges = [
        r < 5 && rfm.map[r][f - 1] !== name ? "edge-top" : "",
        f < 5 && rfm.map[r - 1][f] !== name ? "edge-right" : "",
      ].filter((c) => c !== "");
      return `<td class="${["cell", dark ? "dark" : "", ...edges].filter((c) => c !== "").join(" ")}" style="background:${background}" data-r="${r}" data-f="${f}" title="R ${r}, F ${f}: ${formatInteger(count)} buyers (${esc(rfmLabel(name))})"><span class="cell-count">${formatInteger(count)}</span><span class="cell-name">${esc(rfmLabel(name))}</span></td>`;
    });
    rows.push(`<tr><th scope="row">R ${r}</th>${cells.join("")}</tr>`);
  }
  const allFixed = rfm.fixed.recency && rfm.fixed.frequency && rfm.fixed.monetary;
  const cut = (label: string, what: string, values: number[], fixed: boolean, key: string) =>
    `<tr data-cut="${key}"><th scope="row">${label}<span class="seg-id">${what}${fixed && !allFixed ? " · fixed" : ""}</span></th>${values.map((v, i) => `<td class="num" data-c="${i + 1}">${formatCut(v)}</td>`).join("")}</tr>`;
  const segments = rfm.segments.map(
    (s, i) =>
      `<tr data-rfm-segment="${esc(s.name)}"><th scope="row">${esc(rfmLabel(s.name))}</th>${num(formatInteger(json.segments[i].customers), "customers")}${shareCell(json.segments[i].share, "share")}${num(known(json.segments[i].revenue, formatAmount), "revenue")}${json.segments[i].revenue_share === null ? num("—", "revenue_share") : shareCell(json.segments[i].revenue_share ?? 0, "revenue_share")}${num(s.customers === 0 ? "—" : formatAmount(s.avgDaysSinceLastOrder, 0), "avg_days")}${num(s.customers === 0 ? "—" : formatAmount(s.avgOrders, 1), "avg_orders")}${num(s.customers === 0 ? "—" : formatAmount(s.avgSpent), "avg_spent")}</tr>`,
  );
  return `<section id="rfm">
<h2>RFM: recency, frequency, money</h2>
<p class="intro">${formatInteger(json.buyers)} buyers scored 1 to 5 on how recently they bought (R), how often (F) and how much they spent (M). Each cell counts the buyers with that R and F score; the darker, the more buyers. Lines separate the named segments.</p>
<div class="rfm-layout">
<figure class="heatmap-figure">
<table class="heatmap" aria-label="Buyers by recency and frequency score">
<thead><tr><th class="corner"></th>${head}</tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
<figcaption>Rows: recency, R 5 = bought most recently. Columns: frequency, F 5 = most orders.</figcaption>
</figure>
<div class="cuts">
<h3>Cut points</h3>
<p class="note">${allFixed ? "Fixed in audience.yaml." : "The 20th, 40th, 60th and 80th percentiles of buyers."} A score goes up by one at each cut point.</p>
<table class="data compact">
<thead><tr><th scope="col"></th><th scope="col" class="num">c1</th><th scope="col" class="num">c2</th><th scope="col" class="num">c3</th><th scope="col" class="num">c4</th></tr></thead>
<tbody>
${cut("Recency", "days since last order", json.cut_points.recency, rfm.fixed.recency, "recency")}
${cut("Frequency", "orders", json.cut_points.frequency, rfm.fixed.frequency, "frequency")}
${json.cut_points.monetary === null ? "" : cut("Monetary", "total spent", json.cut_points.monetary, rfm.fixed.monetary, "monetary")}
</tbody>
</table>
</div>
</div>
<h3>Named segments</h3>
<table class="data rfm-segments">
<thead><tr><th scope="col">Segment</th><th scope="col" class="num">Customers</th><th scope="col" class="num">Share of buyers</th><th scope="col" class="num">Revenue</th><th scope="col" class="num">Share of revenue</th><th scope="col" class="num">Avg days since order</th><th scope="col" class="num">Avg orders</th><th scope="col" class="num">Avg spent</th></tr></thead>
<tbody>
${segments.join("\n")}
</tbody>
</table>
</section>`;
}

function channelsSection(report: ChannelsJson): string {
  const rows = report.channels.map(
    (c) =>
      `<tr data-channel="${esc(c.channel)}"><th scope="row">${esc(c.channel)}</th>${num(formatInteger(c.contacts), "contacts")}${num(formatInteger(c.buyers), "buyers")}${shareCell(c.conversion, "conversion")}${num(formatInteger(c.orders), "orders")}${num(formatAmount(c.orders_per_buyer), "orders_per_buyer")}${num(formatAmount(c.avg_order_value), "avg_order_value")}${num(formatAmount(c.revenue), "revenue")}${num(formatAmount(c.revenue_per_contact), "revenue_per_contact")}</tr>`,
  );
  const revenue = barChart(
    report.channels.map((c) => ({
      label: c.channel,
      value: c.revenue,
      text: formatAmount(c.revenue, 0),
    })),
    "Revenue by acquisition channel",
  );
  const buyers = barChart(
    report.channels.map((c) => ({
      label: c.channel,
      value: c.buyers,
      text: `${formatInteger(c.buyers)} of ${formatInteger(c.contacts)}`,
    })),
    "Buyers by acquisition channel",
  );
  return `<section id="channels">
<h2>Acquisition channels</h2>
<p class="intro">Where customers came from, how many of them bought, and what they brought in. Conversion: buyers out of contacts.</p>
<div class="pair">
<figure class="bars-figure"><h3>Revenue</h3>${revenue}</figure>
<figure class="bars-figure"><h3>Buyers, of contacts</h3>${buyers}</figure>
</div>
<table class="data channels">
<thead><tr><th scope="col">Channel</th><th scope="col" class="num">Contacts</th><th scope="col" class="num">Buyers</th><th scope="col" class="num">Conversion</th><th scope="col" class="num">Orders</th><th scope="col" class="num">Orders per buyer</th><th scope="col" class="num">Avg order</th><th scope="col" class="num">Revenue</th><th scope="col" class="num">Revenue per contact</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
</section>`;
}

/** Two histograms of `audience predict --json` and its totals; never a customer (no at-risk list). */
function predictionsSection(report: PredictReport): string {
  const bins = (list: readonly HistogramBin[], label: (b: HistogramBin) => string) =>
    list.map((b) => ({ label: label(b), value: b.customers, text: formatInteger(b.customers) }));
  const short = (n: number) => String(Number(n.toFixed(2)));
  const alive = barChart(
    bins(report.pAlive, (b) => `${b.from.toFixed(1)}–${b.to.toFixed(1)}`),
    "Buyers by P(alive)",
  );
  const orders = barChart(
    bins(report.predictedOrders, (b) => `${short(b.from)}–${short(b.to)}`),
    `Buyers by expected purchase days in the next ${formatInteger(report.horizonDays)} days`,
  );
  const v = report.valuable;
  return `<section id="predictions">
<h2>Predictions</h2>
<p class="intro">BG/NBD fitted on ${formatInteger(report.customers)} buyers (${formatInteger(report.repeatBuyers)} repeat buyers) as of ${formatDay(report.asOf)}: the probability that each buyer is still active, and the purchase days expected over the next ${formatInteger(report.horizonDays)} days — ${formatAmount(report.expectedOrders, 0)} in all. Valuable customers likely lost (top 20% by total spent, P(alive) &lt; 0.5): <b data-field="likely_lost">${formatInteger(v.likelyLost)}</b> of ${formatInteger(v.customers)}, past revenue ${formatAmount(v.likelyLostRevenue)}.</p>
<div class="pair">
<figure class="bars-figure" data-chart="p_alive"><h3>P(alive)</h3>${alive}</figure>
<figure class="bars-figure" data-chart="predicted_orders"><h3>Expected purchase days</h3>${orders}</figure>
</div>
</section>`;
}

function paretoSection(report: ChannelReport, json: ChannelsJson): string {
  // Rounded as top_20pct_revenue_share is in JSON (pareto[20] is that share).
  const curve = report.pareto.map((share) => Math.round(share * 10000) / 10000);
  const top20 = json.top_20pct_revenue_share;
  const percent = (v: number) => `${v}%`;
  const ticks = [0, 20, 40, 60, 80, 100].map((v) => ({ value: v, label: percent(v) }));
  const half = curve.findIndex((share) => share >= 0.5);
  const chart = lineChart({
    width: 640,
    height: 340,
    xMax: 100,
    yMax: 100,
    xTicks: ticks,
    yTicks: ticks,
    xLabel: "share of buyers, biggest spenders first",
    yLabel: "share of revenue",
    points: curve.map((share, k) => [k, share * 100]),
    diagonal: { label: "if every buyer spent the same" },
    marks:
      report.buyers === 0
        ? []
        : [
            {
              x: 20,
              y: top20 * 100,
              label: `top 20% → ${formatPercent(top20)} of revenue`,
            },
          ],
    title: "Pareto curve: share of revenue by share of buyers",
  });
  const halfText = half <= 0 ? "" : ` Half of all revenue comes from the top ${half}% of buyers.`;
  return `<section id="pareto">
<h2>Revenue concentration</h2>
<p class="intro">The top 20% of buyers bring <b data-field="top_20pct_revenue_share">${formatPercent(top20)}</b> of revenue.${halfText} The further the curve bows above the diagonal, the more revenue depends on a few customers.</p>
<div class="pareto-layout">
<figure class="pareto-figure">${chart}</figure>
<div>
<h3>Revenue from the biggest spenders</h3>
<table class="data compact tops">
<thead><tr><th scope="col">Top buyers</th><th scope="col" class="num">Share of revenue</th></tr></thead>
<tbody>
${[1, 5, 10, 20, 50]
  .map(
    (k) =>
      `<tr data-top="${k}"><th scope="row">top ${k}%</th>${shareCell(curve[k] ?? 0, "revenue_share")}</tr>`,
  )
  .join("\n")}
</tbody>
</table>
<p class="note">Buyers ranked by total spent; the top 20% of ${formatInteger(report.buyers)} buyers is the ${formatInteger(Math.ceil(report.buyers * 0.2))} biggest.</p>
</div>
</div>
</section>`;
}

function historySection(view: ReportView): string {
  const history = view.history as BuildHistory;
  const first = history.builds[0];
  const last = history.builds[history.builds.length - 1];
  const cards = view.counts.results.map((r) => {
    const id = r.segment.id;
    const past = segmentHistory(history, id);
    if (past.length === 0) return "";
    const values = past.map((p) => p.reachable);
    return `<div class="small-multiple" data-history="${esc(id)}"><div class="sm-head"><span class="seg-name">${esc(r.segment.name)}</span><span class="sm-value">${formatInteger(values[values.length - 1])}</span></div>${sparkline(values, `${id}: reachable over ${formatCount(values.length, "build")}`, 220, 48)}<div class="sm-range"><span>min ${formatInteger(Math.min(...values))}</span><span>max ${formatInteger(Math.max(...values))}</span></div></div>`;
  });
  return `<section id="history">
<h2>Segment sizes over time</h2>
<p class="intro">Reachable customers in each of the last ${formatCount(history.builds.length, "build")}, from ${esc(first.as_of)} to ${esc(last.as_of)}.</p>
<div class="multiples">
${cards.filter((c) => c !== "").join("\n")}
</div>
</section>`;
}

function inputsSection(view: ReportView): string {
  const rejected = view.counts.rejected;
  const rows = view.inputs.map((input) => {
    const skipped = Object.values(rejected[input.display] ?? {}).reduce((n, c) => n + c, 0);
    return `<tr data-input="${esc(input.kind)}"><th scope="row">${esc(input.kind)}<span class="seg-id">${esc(input.display)}</span></th>${num(formatInteger(input.stats.rows), "rows")}${num(formatInteger(skipped), "skipped")}<td>${esc(inputNotes(input).join(", "))}</td></tr>`;
  });
  const reasonRows = (
    table: Record<string, Record<string, number>>,
    kind: "skipped" | "warning",
  ): string[] =>
    Object.entries(table).flatMap(([file, reasons]) =>
      Object.entries(reasons).map(
        ([reason, count]) =>
          `<tr data-${kind}="${esc(reason)}"><td>${esc(file)}</td><td>${esc(reason)}</td>${num(formatInteger(count), "count")}</tr>`,
      ),
    );
  const skipped = reasonRows(rejected, "skipped");
  const warnings = reasonRows(view.warnings, "warning");
  const reasonTable = (title: string, intro: string, body: string[]) =>
    body.length === 0
      ? ""
      : `<h3>${title}</h3><p class="note">${intro}</p><table class="data compact reasons"><thead><tr><th scope="col">File</th><th scope="col">Reason</th><th scope="col" class="num">Rows</th></tr></thead><tbody>${body.join("")}</tbody></table>`;
  return `<section id="inputs">
<h2>Data read</h2>
<table class="data inputs">
<thead><tr><th scope="col">File</th><th scope="col" class="num">Rows read</th><th scope="col" class="num">Skipped</th><th scope="col">Became</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
${skipped.length === 0 ? '<p class="note">No row was skipped.</p>' : reasonTable("Skipped rows by reason", "These rows were left out of every count.", skipped)}
${reasonTable("Warnings", "These rows were kept; the value named was left out.", warnings)}
</section>`;
}

const STYLE = `
:root{--ink:#1c2633;--muted:#5f6b7a;--faint:#8a95a3;--line:#e3e8ee;--paper:#ffffff;--tint:#f6f8fb;--accent:#2f5f98;--accent-soft:#dbe6f3;--warm:#b4562b}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;background:var(--tint);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","Liberation Sans",Arial,sans-serif;font-variant-numeric:tabular-nums}
main{max-width:1120px;margin:0 auto;padding:32px 40px 48px;background:var(--paper);min-height:100vh}
header{border-bottom:1px solid var(--line);padding-bottom:20px;margin-bottom:8px}
.eyebrow{margin:0;color:var(--accent);font-weight:600;font-size:13px;letter-spacing:.08em;text-transform:uppercase}
h1{margin:4px 0 4px;font-size:30px;line-height:1.2;font-weight:700;letter-spacing:-.01em}
h2{margin:0 0 6px;font-size:22px;font-weight:700;letter-spacing:-.005em}
h3{margin:22px 0 6px;font-size:16px;font-weight:650}
.lede{margin:0 0 18px;color:var(--muted)}
.kpis{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:14px}
.kpi{border:1px solid var(--line);border-radius:10px;padding:12px 16px;background:var(--tint)}
.kpi-label{color:var(--muted);font-size:13px;font-weight:600}
.kpi-value{font-size:26px;font-weight:700;line-height:1.25;margin-top:2px}
.kpi-note{color:var(--faint);font-size:12.5px}
nav{display:flex;flex-wrap:wrap;gap:4px 18px;margin-top:16px;font-size:14px}
nav a{color:var(--accent);text-decoration:none}
nav a:hover{text-decoration:underline}
section{padding:26px 0 6px;border-bottom:1px solid var(--line)}
section:last-of-type{border-bottom:0}
.intro{margin:0 0 14px;color:var(--muted);max-width:78ch}
.note{margin:8px 0 0;color:var(--faint);font-size:13px}
table.data{width:100%;border-collapse:collapse;font-size:14px}
table.data th,table.data td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
table.data thead th{font-size:12px;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;border-bottom:2px solid var(--line);vertical-align:bottom}
table.data thead th.num{white-space:normal}
table.data tbody tr:hover{background:#fafbfd}
table.data tbody th{font-weight:600}
table.data tr.group th{padding:14px 10px 4px;font-size:12px;font-weight:600;color:var(--accent);font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;border-bottom:1px solid var(--accent-soft)}
td[data-field="reachable"]{font-weight:650}
td[data-field="entered"]{color:#2c6b45}
td[data-field="exited"]{color:#9a4a24}
.num{text-align:right!important;white-space:nowrap}
.seg-name{display:block}
.seg-id{display:block;color:var(--faint);font-size:12px;font-weight:400;font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
.pill{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;background:var(--accent-soft);color:var(--accent)}
.pill-whatsapp{background:#dcefe3;color:#2c6b45}
.pill-sms{background:#f4e6d6;color:#8a4b1f}
.pill-none{background:#eceff3;color:var(--muted)}
.share{min-width:96px}
.share-text{display:block}
.meter{display:block;height:4px;margin-top:3px;border-radius:2px;background:var(--line);overflow:hidden}
.meter span{display:block;height:100%;background:var(--accent)}
.trend{padding-top:2px!important;padding-bottom:2px!important}
.rfm-layout{display:grid;grid-template-columns:minmax(0,1.35fr) minmax(0,1fr);gap:32px;align-items:start}
figure{margin:0}
figcaption{color:var(--faint);font-size:13px;margin-top:6px}
table.heatmap{border-collapse:separate;border-spacing:0;width:100%;table-layout:fixed}
table.heatmap th{font-size:12px;font-weight:600;color:var(--muted);padding:4px 6px}
table.heatmap thead th{text-align:center}
table.heatmap tbody th{text-align:right;width:44px}
table.heatmap .corner{width:44px}
td.cell{height:64px;text-align:center;vertical-align:middle;border:1px solid #fff;color:var(--ink);padding:4px 2px}
td.cell.dark{color:#fff}
td.cell.edge-top{border-top:2px solid #2b3644}
td.cell.edge-right{border-right:2px solid #2b3644}
.cell-count{display:block;font-size:18px;font-weight:700;line-height:1.2}
.cell-name{display:block;font-size:10.5px;opacity:.8;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
table.compact{font-size:13.5px}
.cuts h3{margin-top:0}
.chart{display:block;max-width:100%;height:auto;font-family:inherit}
.chart .grid{stroke:var(--line);stroke-width:1}
.chart .axis{stroke:var(--faint);stroke-width:1}
.chart .tick{fill:var(--muted);font-size:12px}
.chart .axis-label{fill:var(--muted);font-size:12.5px}
.chart .note{fill:var(--faint);font-size:12px}
.chart .reference{stroke:var(--faint);stroke-width:1.2;stroke-dasharray:5 4}
.chart .area{fill:var(--accent-soft);opacity:.6}
.chart .line{fill:none;stroke:var(--accent);stroke-width:2.5;stroke-linejoin:round}
.chart .guide{stroke:var(--warm);stroke-width:1.2;stroke-dasharray:3 3}
.chart .dot{fill:var(--warm);stroke:#fff;stroke-width:1.5}
.chart .mark{fill:var(--warm);font-size:13px;font-weight:600}
.bars .bar{fill:var(--accent)}
.bars .bar-label{fill:var(--ink);font-size:13px}
.bars .bar-value{fill:var(--muted);font-size:12.5px}
.pair{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:32px;margin-bottom:12px}
.bars-figure h3{margin:0 0 4px}
.pareto-layout{display:grid;grid-template-columns:minmax(0,1.7fr) minmax(0,1fr);gap:32px;align-items:start}
.pareto-layout h3{margin-top:0}
table.rfm-segments tbody th{white-space:nowrap}
.sparkline{display:block;max-width:100%;height:auto}
.sparkline .spark{fill:none;stroke:var(--accent);stroke-width:1.6;stroke-linejoin:round}
.sparkline .spark-dot{fill:var(--accent)}
.sparkline .spark-base{stroke:var(--line);stroke-width:1}
.multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px}
.small-multiple{border:1px solid var(--line);border-radius:8px;padding:8px 10px;break-inside:avoid}
.sm-head{display:flex;justify-content:space-between;gap:8px;font-size:13px;font-weight:600}
.sm-head .seg-name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.sm-range{display:flex;justify-content:space-between;color:var(--faint);font-size:11.5px}
footer{margin-top:28px;color:var(--faint);font-size:12.5px}
@media screen and (max-width:860px){main{padding:20px}.kpis{grid-template-columns:repeat(2,minmax(0,1fr))}.rfm-layout,.pair,.pareto-layout{grid-template-columns:minmax(0,1fr)}}
@page{size:A4;margin:12mm}
@media print{
body{background:#fff;font-size:10.5px}
main{max-width:none;padding:0;min-height:0}
nav{display:none}
h1{font-size:22px}
h2{font-size:16px}
h3{font-size:12.5px;margin-top:14px}
.kpis{gap:8px}
.kpi{padding:8px 10px}
.kpi-value{font-size:18px}
.kpi-label,.kpi-note{font-size:10px}
section{padding:16px 0 4px;break-inside:auto}
h2,h3{break-after:avoid}
table.data{font-size:10px}
table.data th,table.data td{padding:3px 6px}
table.data thead th{font-size:8.5px}
table.data tr{break-inside:avoid}
.seg-id{font-size:9px}
.pill{font-size:9px;padding:0 6px}
.share{min-width:60px}
td.cell{height:42px}
.cell-count{font-size:13px}
.cell-name{font-size:8px}
figure,.rfm-layout,.pair,.pareto-layout{break-inside:avoid}
.rfm-layout{gap:18px}
.intro,.note,figcaption{font-size:10px}
table.data tbody tr:hover{background:none}
}
`;
