/**
 * Named arguments without quotes: `where: orders(category: "Sérum", within: 30d) = 0` on one plain
 * line. YAML would read the `: ` inside as a nested key; before parsing, each such `: ` of a
 * `where:` or `orders_filter:` line is replaced by `:_` (same length, so every offset stays), and
 * after parsing the scalar gets back its own text from the source. Only one-line plain values of
 * these keys are touched: quoted, block and multi-line values, and every other key, are read by
 * YAML as they are.
 */
import { parseDocument, visit, type Document } from "yaml";

/** The keys whose plain one-line value is an expression: `where` and `orders_filter`. */
const LINE = /^([ \t]*(?:-[ \t]+)?)(where|orders_filter)([ \t]*:[ \t]+)(.*)$/;
/** A plain scalar cannot start with these (quotes, block and flow indicators, anchors, tags…). */
const NOT_PLAIN = /^["'|>{[\]}&*!%@`#,?:-]/;

export interface PlainExpressionPatch {
  /** The text to parse: the source with `: ` inside expression lines made `:_`. */
  text: string;
  /** [start, end) offsets of the patched values. */
  ranges: [number, number][];
}

export function patchPlainExpressions(source: string): PlainExpressionPatch {
  const ranges: [number, number][] = [];
  let text = "";
  let offset = 0;
  const lines = source.split(/(?<=\n)/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r?\n$/, "");
    const eol = raw.slice(line.length);
    const match = LINE.exec(line);
    let out = line;
    if (match !== null && !NOT_PLAIN.test(match[4]) && !continues(match[1], lines[i + 1])) {
      // A comment ends a plain scalar; the expression language has no `#`.
      const comment = match[4].search(/[ \t]#/);
      const value = comment < 0 ? match[4] : match[4].slice(0, comment);
      if (/:[ \t]/.test(value)) {
        const start = match[1].length + match[2].length + match[3].length;
        out =
          line.slice(0, start) +
          value.replace(/:([ \t])/g, ":_") +
          line.slice(start + value.length);
        ranges.push([offset + start, offset + start + value.trimEnd().length]);
      }
    }
    text += out + eol;
    offset += raw.length;
  }
  return { text, ranges };
}

/** Whether the next line continues the plain scalar (more indented than its key). */
function continues(keyIndent: string, next: string | undefined): boolean {
  if (next === undefined) return false;
  const trimmed = next.trim();
  if (trimmed === "" || trimmed.startsWith("#")) return false;
  const indent = /^[ \t]*/.exec(next)?.[0].length ?? 0;
  return indent > keyIndent.replace(/-/, " ").length;
}

/** `parseDocument`, with one-line expressions read as the expressions they look like. */
export function parseYamlWithExpressions(
  source: string,
  options: { prettyErrors: boolean; uniqueKeys: boolean },
): Document.Parsed {
  const patch = patchPlainExpressions(source);
  const doc = parseDocument(patch.text, options);
  if (patch.ranges.length === 0) return doc;
  visit(doc, {
    Scalar(_key, node) {
      const range = node.range;
      if (range === undefined || range === null || node.type !== "PLAIN") return;
      if (patch.ranges.some(([start, end]) => range[0] === start && range[1] <= end + 1)) {
        node.value = source.slice(range[0], range[1]);
        node.source = source.slice(range[0], range[1]);
      }
    },
  });
  return doc;
}
