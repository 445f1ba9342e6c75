import { describe, expect, it } from "vitest";
import { paretoCurve, topShare, type ChannelReport } from "../model/channels.js";
import type { RfmReport } from "../rfm/report.js";
import { DEFAULT_RFM_MAP } from "../rfm/segment-map.js";
import type { SegmentMembers } from "../segments/evaluate.js";
import type { CountsView } from "./counts.js";
import { renderReportHtml, type BuildHistory, type ReportView } from "./html.js";

/** A segment result with only what the page reads (the member arrays are not used). */
function result(id: string, name: string, matched: number, reachable: number): SegmentMembers {
  return {
    segment: { id, name, channel: "email" },
    matched,
    reachableCount: reachable,
    assignedCount: reachable,
  } as unknown as SegmentMembers;
}

const ASOF = 20634; // 2026-06-30

function view(overrides: Partial<ReportView> = {}, counts: Partial<CountsView> = {}): ReportView {
  const grid = [
    [117, 61, 26, 26, 14],
    [93, 53, 41, 36, 18],
    [86, 58, 34, 35, 32],
    [60, 36, 28, 46, 68],
    [72, 34, 41, 46, 1234],
  ];
  const rfm: RfmReport = {
    customers: 3000,
    buyers: grid.flat().reduce((a, b) => a + b, 0),
    revenue: 1234567.89,
    cutPoints: {
      recency: [24.8, 54, 117, 275],
      frequency: [1, 2, 3, 5],
      monetary: [71.98, 149.02, 261.84, 469.9],
    },
    fixed: { recency: false, frequency: true, monetary: false },
    collapsed: {},
    grid,
    map: DEFAULT_RFM_MAP,
    segments: [
      {
        name: "champions",
        customers: 1280,
        share: 0.5,
        revenue: 1000000,
        revenueShare: 0.81,
        avgDaysSinceLastOrder: 9,
        avgOrders: 7,
        avgSpent: 781.25,
      },
      {
        name: "cant_lose",
        customers: 0,
        share: 0,
        revenue: 0,
        revenueShare: 0,
        avgDaysSinceLastOrder: NaN,
        avgOrders: NaN,
        avgSpent: NaN,
      },
    ],
  };
  const spends = [500, 300, 100, 50, 50];
  const channels: ChannelReport = {
    channels: [
      {
        channel: "instagram",
        contacts: 2000,
        buyers: 1500,
        conversion: 0.75,
        orders: 4000,
        ordersPerBuyer: 2.6667,
        avgOrderValue: 80.5,
        revenue: 322000,
        revenuePerContact: 161,
        revenuePerBuyer: 214.67,
      },
      {
        channel: "<web & co>",
        contacts: 1000,
        buyers: 0,
        conversion: 0,
        orders: 0,
        ordersPerBuyer: 0,
        avgOrderValue: 0,
        revenue: 0,
        revenuePerContact: 0,
        revenuePerBuyer: 0,
      },
    ],
    customers: 3000,
    buyers: 5,
    revenue: 1000,
    top20RevenueShare: topShare(spends, 1000, 0.2),
    pareto: paretoCurve(spends, 1000),
  };
  return {
    counts: {
      asOf: ASOF,
      timezone: "Europe/Paris",
      customers: 3000,
      buyers: 2557,
      results: [result("vip", "VIP <best> & co", 1500, 1200), result("lapsed", "Lapsed", 300, 250)],
      exclusive: false,
      rejected: {},
      ...counts,
    },
    rfm,
    channels,
    inputs: [],
    warnings: {},
    version: "9.9.9",
    ...overrides,
  };
}

const HISTORY: BuildHistory = {
  builds: [
    {
      as_of: "2026-06-28",
      built_at: "2026-06-28T04:30:00Z",
      segments: {
        vip: { matched: 1400, reachable: 1100, written: 1100, entered: 1100, exited: 0 },
      },
    },
    {
      as_of: "2026-06-29",
      built_at: "2026-06-29T04:30:00Z",
      segments: {
        vip: { matched: 1450, reachable: 1150, written: 1150, entered: 80, exited: 30 },
        lapsed: { matched: 280, reachable: 240, written: 240, entered: 240, exited: 0 },
      },
    },
    {
      as_of: "2026-06-30",
      built_at: "2026-06-30T04:30:00Z",
      segments: {
        vip: { matched: 1500, reachable: 1200, written: 1200, entered: 1234, exited: 1184 },
        lapsed: { matched: 300, reachable: 250, written: 250, entered: 17, exited: 7 },
      },
    },
  ],
};

const rowOf = (html: string, attribute: string) => {
  const start = html.indexOf(`<tr ${attribute}`);
  expect(start, attribute).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf("</tr>", start));
};

describe("renderReportHtml", () => {
  it("shows each segment's counts with thousands separators and its share of the base", () => {
    const html = renderReportHtml(view());
    const vip = rowOf(html, 'data-segment="vip"');
    expect(vip).toContain('data-field="matched">1,500<');
    expect(vip).toContain('data-field="reachable">1,200<');
    expect(vip).toContain('<span class="share-text">50.0%</span>');
    expect(vip).toContain('<span style="width:50.0%">');
    // No history, no build: no written, entered or exited column.
    expect(html).not.toMatch(/<td[^>]*data-field="(written|entered|exited)"/);
    expect(html).not.toContain('id="history"');
  });

  it("escapes every name taken from the definitions or the data", () => {
    const html = renderReportHtml(view());
    expect(html).toContain("VIP &lt;best&gt; &amp; co");
    expect(html).toContain('data-channel="&lt;web &amp; co&gt;"');
    expect(html).not.toContain("<best>");
    expect(html).not.toContain("<web & co>");
  });

  it("draws the RFM grid with a count in each of the 25 cells, R 5 on top, and names each cell", () => {
    const html = renderReportHtml(view());
    const cells = [
      ...html.matchAll(
        /data-r="(\d)" data-f="(\d)"[^>]*><span class="cell-count">([^<]*)<\/span><span class="cell-name">([^<]*)</g,
      ),
    ];
    expect(cells).toHaveLength(25);
    expect(cells[0].slice(1)).toEqual(["5", "1", "72", "New customers"]);
    expect(cells[4].slice(1)).toEqual(["5", "5", "1,234", "Champions"]);
    expect(cells[24].slice(1)).toEqual(["1", "5", "14", "Can&#39;t lose"]);
    // The largest cell is the darkest, with light text; an empty map still shows its zeros.
    expect(html).toMatch(/class="cell dark[^"]*" style="background:#1d4a84" data-r="5" data-f="5"/);
    expect(html).toContain('Recency<span class="seg-id">days since last order</span>');
    expect(html).toContain('Frequency<span class="seg-id">orders · fixed</span>');
  });

  it("lists the named segments with customers, revenue and an em dash for averages of nobody", () => {
    const html = renderReportHtml(view());
    const champions = rowOf(html, 'data-rfm-segment="champions"');
    expect(champions).toContain('data-field="customers">1,280<');
    expect(champions).toContain('data-field="revenue">1,000,000.00<');
    expect(champions).toContain('<span class="share-text">81.0%</span>');
    const cantLose = rowOf(html, 'data-rfm-segment="cant_lose"');
    expect(cantLose).toContain('data-field="avg_days">—<');
    expect(cantLose).toContain('data-field="avg_spent">—<');
  });

  it("draws the Pareto curve and marks the top 20% with the channels JSON's share", () => {
    const html = renderReportHtml(view());
    // 5 buyers: the top 20% is the biggest one, 500 of 1,000.
    expect(html).toContain('<b data-field="top_20pct_revenue_share">50.0%</b>');
    expect(html).toContain("top 20% → 50.0% of revenue");
    expect(html).toContain("Half of all revenue comes from the top 1% of buyers.");
    expect(rowOf(html, 'data-top="1"')).toContain('<span class="share-text">50.0%</span>');
    expect(rowOf(html, 'data-top="50"')).toContain('<span class="share-text">90.0%</span>');
    expect(html).toContain('<path class="line" d="M52 296');
  });

  it("shows entered, exited and the size over time when there is a history", () => {
    const html = renderReportHtml(view({ history: HISTORY }));
    const vip = rowOf(html, 'data-segment="vip"');
    expect(vip).toContain('data-field="entered">+1,234<');
    expect(vip).toContain('data-field="exited">−1,184<');
    expect(vip).toContain("vip: reachable in the last 3 builds");
    expect(rowOf(html, 'data-segment="lapsed"')).toContain(
      "lapsed: reachable in the last 2 builds",
    );
    expect(html).toContain("members gained and lost by the build of 2026-06-30");
    expect(html).toContain('<section id="history">');
    expect(html).toContain(
      "Reachable customers in each of the last 3 builds, from 2026-06-28 to 2026-06-30.",
    );
    const card = html.slice(
      html.indexOf('data-history="vip"'),
      html.indexOf('data-history="lapsed"'),
    );
    expect(card).toContain('<span class="sm-value">1,200</span>');
    expect(card).toContain("min 1,100");
    expect(card).toContain("max 1,200");
    // Three points, the highest at the top.
    expect(card).toMatch(/<polyline class="spark" points="3,[\d.]+ 110,[\d.]+ 217,3"\/>/);
  });

  it("shows a dash for a segment the history does not have yet", () => {
    const history: BuildHistory = { builds: [HISTORY.builds[0]] };
    const lapsed = rowOf(renderReportHtml(view({ history })), 'data-segment="lapsed"');
    expect(lapsed).toContain('data-field="entered">—<');
    expect(lapsed).toContain('<td class="trend">—</td>');
  });

  it("adds the assigned column under --exclusive and the written column for a build", () => {
    const html = renderReportHtml(
      view(
        {},
        {
          exclusive: true,
          written: new Map([
            ["vip", { written: 1190, file: "out/vip.csv", entered: 0, exited: 0 }],
          ]),
        },
      ),
    );
    expect(html).toContain("exclusive: each customer in one segment only");
    const vip = rowOf(html, 'data-segment="vip"');
    expect(vip).toContain('data-field="assigned">1,200<');
    expect(vip).toContain('data-field="written">1,190<');
  });

  it("says so when there are no buyers to score", () => {
    const v = view();
    const html = renderReportHtml({ ...v, rfm: { ...v.rfm, buyers: 0 } });
    expect(html).toContain("No buyers as of this date: nothing to score.");
    expect(html).not.toContain('class="heatmap"');
  });

  it("is the same page for the same results", () => {
    expect(renderReportHtml(view({ history: HISTORY }))).toBe(
      renderReportHtml(view({ history: HISTORY })),
    );
  });
});

describe("paretoCurve", () => {
  it("is the share of revenue of the top k% of buyers, rounded up as topShare", () => {
    const spends = [10, 40, 20, 30, 0, 100, 5];
    const curve = paretoCurve(spends, 205);
    expect(curve).toHaveLength(101);
    expect(curve[0]).toBe(0);
    expect(curve[100]).toBe(1);
    for (const k of [1, 10, 14, 15, 20, 50, 99])
      expect(curve[k], `k=${k}`).toBe(topShare(spends, 205, k / 100));
    for (let k = 1; k <= 100; k++) expect(curve[k]).toBeGreaterThanOrEqual(curve[k - 1]);
  });

  it("is flat zero without buyers or revenue", () => {
    expect(paretoCurve([], 0)).toEqual(new Array(101).fill(0));
  });
});
