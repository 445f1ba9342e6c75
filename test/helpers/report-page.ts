/**
 * Reads the numbers back out of a report page (`audience report --html`, OUT/report.html) by the
 * data attributes its rows and cells carry, as the text a reader sees: "1,234" → 1234,
 * "12.3%" → 0.123.
 */

/** "1,234.50" → 1234.5; "12.3%" → 12.3 (the percent as shown). */
export function shownNumber(text: string): number {
  const cleaned = text.replace(/[,%+\s]/g, "").replace("−", "-");
  const value = Number(cleaned);
  if (cleaned === "" || !Number.isFinite(value)) throw new Error(`not a number: "${text}"`);
  return value;
}

function stripTags(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .trim();
}

/** The HTML of the element opening with `open` (`<tr data-segment="vip"`), up to its `</tag>`. */
function element(html: string, tag: string, attribute: string): string | undefined {
  const start = html.indexOf(`<${tag} ${attribute}`);
  if (start < 0) return undefined;
  const end = html.indexOf(`</${tag}>`, start);
  return html.slice(start, end + tag.length + 3);
}

/** The text of the first cell with `data-field="field"` in the row, or undefined. */
function field(row: string, name: string): string | undefined {
  const match = new RegExp(`data-field="${name}"[^>]*>(.*?)</td>`).exec(row);
  if (match === null) return undefined;
  // A share cell holds the number, then a bar: the number is its first span.
  const text = /<span class="share-text">(.*?)<\/span>/.exec(match[1]);
  return stripTags(text === null ? match[1] : text[1]);
}

/** The numbers of the row `<tr ATTRIBUTE="KEY">`, field by field (missing fields are left out). */
export function row(
  html: string,
  attribute: string,
  key: string,
  fields: readonly string[],
): Record<string, number> {
  const tr = element(html, "tr", `${attribute}="${key}"`);
  if (tr === undefined) throw new Error(`no row ${attribute}="${key}" in the page`);
  const out: Record<string, number> = {};
  for (const name of fields) {
    const text = field(tr, name);
    if (text !== undefined) out[name] = shownNumber(text);
  }
  return out;
}

/** The heat map, grid[r - 1][f - 1], as shown in its cells. */
export function heatGrid(html: string): number[][] {
  const grid: number[][] = [];
  for (let r = 1; r <= 5; r++) {
    const cells: number[] = [];
    for (let f = 1; f <= 5; f++) {
      const match = new RegExp(
        `data-r="${r}" data-f="${f}"[^>]*><span class="cell-count">([^<]*)</span>`,
      ).exec(html);
      if (match === null) throw new Error(`no heat-map cell R ${r}, F ${f}`);
      cells.push(shownNumber(match[1]));
    }
    grid.push(cells);
  }
  return grid;
}

/** Every value of `attribute` on the page's rows, in order. */
export function rowKeys(html: string, attribute: string): string[] {
  return [...html.matchAll(new RegExp(`<tr ${attribute}="([^"]*)"`, "g"))].map((m) =>
    stripTags(m[1]),
  );
}
