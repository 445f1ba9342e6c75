/** Renders `audience channels`: text report, and the JSON of docs/design.md#json-output. */
import { formatDay, type EpochDay } from "../calendar.js";
import type { ChannelReport } from "../model/channels.js";
import { formatAmount, formatCount, formatInteger, formatPercent, renderTable } from "./table.js";
import type { Theme } from "./theme.js";

export function renderChannelsText(
  report: ChannelReport,
  asOf: EpochDay,
  sortedBy: string,
  theme: Theme,
): string {
  let out = `${theme.strong("Acquisition channels")} as of ${formatDay(asOf)} · ${formatCount(report.customers, "customer")} · ${formatCount(
    report.buyers,
    "buyer",
  )} · revenue ${formatAmount(report.revenue)}\n\n`;
  out += renderTable(
    [
      { header: "channel" },
      { header: "contacts", align: "right" },
      { header: "buyers", align: "right" },
      { header: "conversion", align: "right" },
      { header: "orders", align: "right" },
      { header: "orders/buyer", align: "right" },
      { header: "avg order", align: "right" },
      { header: "revenue", align: "right" },
      { header: "rev/contact", align: "right" },
      { header: "rev/buyer", align: "right" },
    ],
    report.channels.map((c) => [
      c.channel,
      formatInteger(c.contacts),
      formatInteger(c.buyers),
      formatPercent(c.conversion),
      formatInteger(c.orders),
      formatAmount(c.ordersPerBuyer),
      formatAmount(c.avgOrderValue),
      formatAmount(c.revenue),
      formatAmount(c.revenuePerContact),
      formatAmount(c.revenuePerBuyer),
    ]),
    { indent: "  ", header: theme.muted },
  );
  out += `  ${theme.muted(`sorted by ${sortedBy.replace(/_/g, " ")}`)}\n\n`;
  out += `Pareto check: the top 20% of buyers bring ${theme.strong(formatPercent(report.top20RevenueShare))} of revenue.\n`;
  return out;
}

/** `audience channels --json` (docs/design.md#json-output). */
export interface ChannelsJson {
  as_of: string;
  channels: {
    channel: string;
    contacts: number;
    buyers: number;
    conversion: number;
    orders: number;
    orders_per_buyer: number;
    avg_order_value: number;
    revenue: number;
    revenue_per_contact: number;
    revenue_per_buyer: number;
  }[];
  top_20pct_revenue_share: number;
}

export function channelsJson(report: ChannelReport, asOf: EpochDay): ChannelsJson {
  const r4 = (v: number) => Math.round(v * 10000) / 10000;
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return {
    as_of: formatDay(asOf),
    channels: report.channels.map((c) => ({
      channel: c.channel,
      contacts: c.contacts,
      buyers: c.buyers,
      conversion: r4(c.conversion),
      orders: c.orders,
      orders_per_buyer: r4(c.ordersPerBuyer),
      avg_order_value: r2(c.avgOrderValue),
      revenue: r2(c.revenue),
      revenue_per_contact: r2(c.revenuePerContact),
      revenue_per_buyer: r2(c.revenuePerBuyer),
    })),
    top_20pct_revenue_share: r4(report.top20RevenueShare),
  };
}
