/**
 * The report's charts, drawn as inline SVG strings: a line chart (the Pareto curve), a sparkline
 * (a segment's size over the builds) and horizontal bars (revenue by channel). Every chart has a
 * viewBox and scales down to the width it is given, so it never overflows a page or a screen.
 * Coordinates are rounded to 0.1 so that the same data always gives the same bytes.
 */

/** Escapes text for HTML and SVG content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const r1 = (v: number): string => String(Math.round(v * 10) / 10);

export interface Tick {
  value: number;
  label: string;
}

export interface LineChartOptions {
  width: number;
  height: number;
  /** Data range of each axis; the origin is (0, 0). */
  xMax: number;
  yMax: number;
  xTicks: Tick[];
  yTicks: Tick[];
  xLabel: string;
  yLabel: string;
  /** The curve, in data coordinates, left to right. */
  points: readonly [number, number][];
  /** A dashed reference line from (0, 0) to (xMax, yMax). */
  diagonal?: { label: string };
  /** Points marked on the curve with a guide line and a caption. */
  marks?: { x: number; y: number; label: string }[];
  title: string;
}

export function lineChart(o: LineChartOptions): string {
  const left = 52;
  const right = 16;
  const top = 16;
  const bottom = 44;
  const w = o.width - left - right;
  const h = o.height - top - bottom;
  const sx = (x: number) => left + (o.xMax === 0 ? 0 : (x / o.xMax) * w);
  const sy = (y: number) => top + h - (o.yMax === 0 ? 0 : (y / o.yMax) * h);
  const parts: string[] = [];
  for (const t of o.yTicks) {
    parts.push(
      `<line class="grid" x1="${r1(left)}" y1="${r1(sy(t.value))}" x2="${r1(left + w)}" y2="${r1(sy(t.value))}"/>`,
      `<text class="tick" x="${r1(left - 8)}" y="${r1(sy(t.value) + 4)}" text-anchor="end">${escapeHtml(t.label)}</text>`,
    );
  }
  for (const t of o.xTicks) {
    parts.push(
      `<text class="tick" x="${r1(sx(t.value))}" y="${r1(top + h + 18)}" text-anchor="middle">${escapeHtml(t.label)}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${r1(left)}" y1="${r1(top + h)}" x2="${r1(left + w)}" y2="${r1(top + h)}"/>`,
    `<text class="axis-label" x="${r1(left + w / 2)}" y="${r1(o.height - 6)}" text-anchor="middle">${escapeHtml(o.xLabel)}</text>`,
    `<text class="axis-label" transform="translate(13 ${r1(top + h / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(o.yLabel)}</text>`,
  );
  if (o.diagonal !== undefined) {
    parts.push(
      `<line class="reference" x1="${r1(sx(0))}" y1="${r1(sy(0))}" x2="${r1(sx(o.xMax))}" y2="${r1(sy(o.yMax))}"/>`,
      `<text class="note" x="${r1(sx(o.xMax * 0.62))}" y="${r1(sy(o.yMax * 0.62) + 16)}" text-anchor="start">${escapeHtml(o.diagonal.label)}</text>`,
    );
  }
  if (o.points.length > 0) {
    const path = o.points.map(([x, y], i) => `${i === 0 ? "M" : "L"}${r1(sx(x))} ${r1(sy(y))}`);
    const last = o.points[o.points.length - 1];
    const first = o.points[0];
    parts.push(
      `<path class="area" d="${path.join(" ")} L${r1(sx(last[0]))} ${r1(sy(0))} L${r1(sx(first[0]))} ${r1(sy(0))} Z"/>`,
      `<path class="line" d="${path.join(" ")}"/>`,
    );
  }
  for (const m of o.marks ?? []) {
    const x = sx(m.x);
    const y = sy(m.y);
    parts.push(
      `<line class="guide" x1="${r1(x)}" y1="${r1(sy(0))}" x2="${r1(x)}" y2="${r1(y)}"/>`,
      `<line class="guide" x1="${r1(left)}" y1="${r1(y)}" x2="${r1(x)}" y2="${r1(y)}"/>`,
      `<circle class="dot" cx="${r1(x)}" cy="${r1(y)}" r="4.5"/>`,
      `<text class="mark" x="${r1(x + 10)}" y="${r1(y + 18)}">${escapeHtml(m.label)}</text>`,
    );
  }
  return `<svg class="chart" viewBox="0 0 ${o.width} ${o.height}" width="${o.width}" height="${o.height}" role="img" aria-label="${escapeHtml(o.title)}"><title>${escapeHtml(o.title)}</title>${parts.join("")}</svg>`;
}

/** A small line of values, evenly spaced, with the last value dotted. */
export function sparkline(
  values: readonly number[],
  title: string,
  width = 112,
  height = 28,
): string {
  const pad = 3;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0;
  const x = (i: number) => (values.length > 1 ? pad + i * step : width / 2);
  const y = (v: number) => height - pad - (v / max) * (height - 2 * pad);
  const points = values.map((v, i) => `${r1(x(i))},${r1(y(v))}`).join(" ");
  const last = values.length - 1;
  const line = values.length > 1 ? `<polyline class="spark" points="${points}"/>` : "";
  const dot =
    values.length > 0
      ? `<circle class="spark-dot" cx="${r1(x(last))}" cy="${r1(y(values[last]))}" r="2.5"/>`
      : "";
  return `<svg class="sparkline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title><line class="spark-base" x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}"/>${line}${dot}</svg>`;
}

export interface Bar {
  label: string;
  value: number;
  /** The value as shown beside its bar. */
  text: string;
}

/** Horizontal bars, one per row, scaled to the largest value. */
export function barChart(bars: readonly Bar[], title: string, width = 520): string {
  const rowHeight = 26;
  const labelWidth = 132;
  const valueWidth = 96;
  const height = bars.length * rowHeight + 4;
  const max = Math.max(0, ...bars.map((b) => b.value));
  const span = width - labelWidth - valueWidth - 8;
  const rows = bars.map((b, i) => {
    const y = 2 + i * rowHeight;
    const length = max <= 0 ? 0 : Math.max(b.value > 0 ? 1 : 0, (b.value / max) * span);
    return (
      `<text class="bar-label" x="${labelWidth - 10}" y="${r1(y + 17)}" text-anchor="end">${escapeHtml(b.label)}</text>` +
      `<rect class="bar" x="${labelWidth}" y="${r1(y + 5)}" width="${r1(length)}" height="16" rx="2"/>` +
      `<text class="bar-value" x="${r1(labelWidth + length + 8)}" y="${r1(y + 17)}">${escapeHtml(b.text)}</text>`
    );
  });
  return `<svg class="chart bars" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>${rows.join("")}</svg>`;
}
