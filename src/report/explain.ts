/**
 * Renders `audience explain` (docs/design.md#explain-and-tests): one customer's fields and, per segment, the value of
 * every sub-expression of its `where`; and the per-condition funnel of `count --explain`.
 */
import { formatDay, type EpochDay } from "../calendar.js";
import type { TraceNode } from "../dsl/explain.js";
import type {
  CustomerExplanation,
  SegmentExplanation,
  SegmentFunnel,
} from "../segments/explain.js";
import { formatInteger, formatPercent, renderTable } from "./table.js";
import type { Theme } from "./theme.js";

/** Whitespace of a folded or multi-line `where` shown on one line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** `orders_count = 1 → true (1)`, `orders(within: 30d) = 2 (orders from … to …)`. */
export function traceLine(node: TraceNode): string {
  const detail = node.detail === undefined ? "" : ` (${node.detail})`;
  if (node.result !== undefined) return `${oneLine(node.text)} → ${String(node.result)}${detail}`;
  return `${oneLine(node.text)} = ${node.value}${detail}`;
}

function traceLines(node: TraceNode, depth: number, theme: Theme): string[] {
  const mark =
    node.result === undefined ? "" : node.result ? theme.success("✔ ") : theme.error("✖ ");
  const lines = [`${"  ".repeat(depth)}${mark}${traceLine(node)}`];
  for (const child of node.children) lines.push(...traceLines(child, depth + 1, theme));
  return lines;
}

export function renderSegmentExplanation(
  segment: SegmentExplanation,
  theme: Theme,
  indent = "",
): string {
  const state = segment.written
    ? theme.success("written")
    : segment.matched
      ? theme.warning("matched, not written")
      : theme.muted("not matched");
  const head = `${indent}${theme.strong(segment.id)} (${segment.channel}): ${state}${
    segment.reason === null ? "" : ` — ${segment.reason}`
  }`;
  const body = traceLines(segment.where, 1, theme).map((line) => `${indent}  ${line}`);
  return [head, ...body].join("\n");
}

export function renderExplanationText(
  explanation: CustomerExplanation,
  asOf: EpochDay,
  theme: Theme,
): string {
  const lines = [`${theme.strong("Customer")} ${explanation.key} as of ${formatDay(asOf)}`, ""];
  lines.push(
    renderTable(
      [{ header: "field" }, { header: "value" }],
      explanation.fields.map((f) => [f.name, f.value]),
      { indent: "  ", header: theme.muted },
    ).trimEnd(),
  );
  for (const segment of explanation.segments) {
    lines.push("", renderSegmentExplanation(segment, theme));
  }
  if (explanation.exclusive) {
    lines.push(
      "",
      `--exclusive: ${explanation.assignedTo === null ? "written to no segment" : `written to ${explanation.assignedTo}`}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function flatTerms(node: TraceNode, depth: number): Record<string, unknown>[] {
  const term: Record<string, unknown> = { text: oneLine(node.text), value: node.value };
  if (node.result !== undefined) term.result = node.result;
  if (node.detail !== undefined) term.detail = node.detail;
  term.depth = depth;
  return [term, ...node.children.flatMap((child) => flatTerms(child, depth + 1))];
}

/** docs/design.md#explain-and-tests: `{ customer, segments: [ { id, matched, reachable, written, reason, terms } ] }`. */
export function explanationJson(
  explanation: CustomerExplanation,
  asOf: EpochDay,
): Record<string, unknown> {
  return {
    as_of: formatDay(asOf),
    customer: {
      key: explanation.key,
      fields: Object.fromEntries(explanation.fields.map((f) => [f.name, f.value])),
    },
    segments: explanation.segments.map((s) => ({
      id: s.id,
      matched: s.matched,
      reachable: s.reachable,
      written: s.written,
      reason: s.reason,
      excluded_by: s.excludedBy,
      terms: flatTerms(s.where, 0),
    })),
    ...(explanation.exclusive ? { assigned_to: explanation.assignedTo } : {}),
  };
}

export function renderFunnelsText(funnels: readonly SegmentFunnel[], theme: Theme): string {
  const blocks = funnels.map((funnel) => {
    const share = (n: number) => formatPercent(funnel.customers === 0 ? 0 : n / funnel.customers);
    const rows = [
      ["all customers", formatInteger(funnel.customers), share(funnel.customers)],
      ...funnel.steps.map((step, i) => [
        `${i === 0 ? "" : "and "}${oneLine(step.text)}`,
        formatInteger(step.passing),
        share(step.passing),
      ]),
    ];
    if (funnel.excludedBy.length > 0) {
      rows.push([
        `minus ${funnel.excludedBy.join(", ")}`,
        formatInteger(funnel.matched),
        share(funnel.matched),
      ]);
    }
    const table = renderTable(
      [
        { header: "condition" },
        { header: "customers", align: "right" },
        { header: "%", align: "right" },
      ],
      rows,
      { indent: "  ", header: theme.muted },
    );
    return `${theme.strong(funnel.id)}\n${table}`;
  });
  return blocks.join("\n");
}

export function funnelsJson(funnels: readonly SegmentFunnel[]): Record<string, unknown>[] {
  return funnels.map((f) => ({
    id: f.id,
    customers: f.customers,
    steps: f.steps.map((s) => ({ condition: oneLine(s.text), passing: s.passing })),
    excluded_by: f.excludedBy,
    matched: f.matched,
  }));
}
