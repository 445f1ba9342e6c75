/**
 * A code frame in the Babel / Redocly style: the problem line with two lines of context, line
 * numbers, a `>` in the gutter of the problem line and carets under the exact range.
 *
 *     2 |   win-back:
 *   > 3 |     where: order_count >= 1
 *       |            ^^^^^^^^^^^
 *     4 |     channel: email
 */
import type { Theme } from "./theme.js";

export interface FrameLocation {
  /** 1-based, as in diagnostics. */
  line: number;
  column: number;
  endLine?: number;
  /** Exclusive: the column just after the last character of the range. */
  endColumn?: number;
}

export interface FrameOptions {
  /** Lines shown before and after the problem line (default 2). */
  contextLines?: number;
  /** Longer lines are cut around the range, with `…` where text is left out (default 120). */
  maxWidth?: number;
  theme?: Theme;
  severity?: "error" | "warning";
}

const plain = (text: string) => text;

/** The frame as lines joined by "\n" (no final newline), or "" when the line is not in `source`. */
export function codeFrame(source: string, at: FrameLocation, options: FrameOptions = {}): string {
  const context = options.contextLines ?? 2;
  const maxWidth = Math.max(20, options.maxWidth ?? 120);
  const muted = options.theme?.muted ?? plain;
  const mark = options.severity === "warning" ? options.theme?.warning : options.theme?.error;
  const marked = mark ?? plain;

  const lines = source.split("\n").map((line) => line.replace(/\r$/, ""));
  if (source.endsWith("\n")) lines.pop();
  if (at.line < 1 || at.line > lines.length) return "";
  const text = lines[at.line - 1];

  // The range on the problem line, as 0-based [from, to), at least one character wide.
  const from = Math.max(0, Math.min(at.column - 1, text.length));
  let to = text.length;
  if (at.endLine === undefined || at.endColumn === undefined) to = from + 1;
  else if (at.endLine === at.line) to = Math.min(at.endColumn - 1, text.length);
  if (to <= from) to = from + 1;

  // A long line is shown through a window that starts a little before the range.
  let windowStart = 0;
  if (text.length > maxWidth)
    windowStart = Math.max(0, Math.min(from - 20, text.length - maxWidth));
  const windowEnd = windowStart + maxWidth;
  // Context lines that fit are shown whole; only long lines go through the window.
  const cut = (line: string): string => {
    if (line.length <= maxWidth) return sanitize(line);
    if (line.length <= windowStart) return "";
    const shown = sanitize(line.slice(windowStart, windowEnd));
    const before = windowStart > 0 ? "…" : "";
    const after = line.length > windowEnd ? "…" : "";
    return before + shown + after;
  };

  const first = Math.max(1, at.line - context);
  const last = Math.min(lines.length, at.line + context);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const number = String(n).padStart(width);
    const shown = cut(lines[n - 1]);
    const body = shown === "" ? "" : ` ${shown}`;
    if (n === at.line) {
      out.push(`${marked(">")} ${muted(`${number} |`)}${body}`);
      out.push(
        `  ${muted(`${" ".repeat(width)} |`)} ${caretLine(text, from, to, windowStart, windowEnd, marked)}`,
      );
    } else {
      out.push(`  ${muted(`${number} |`)}${body}`);
    }
  }
  return out.join("\n");
}

/** Spaces (tabs kept, so the carets line up in a terminal) then `^` under [from, to). */
function caretLine(
  text: string,
  from: number,
  to: number,
  windowStart: number,
  windowEnd: number,
  marked: (text: string) => string,
): string {
  const start = Math.max(from, windowStart);
  const end = Math.max(start + 1, Math.min(to, windowEnd));
  const lead = windowStart > 0 ? " " : "";
  const pad = text.slice(windowStart, start).replace(/[^\t]/g, " ");
  return lead + pad + marked("^".repeat(end - start));
}

/** Control characters would move the cursor or recolour the terminal: show them as `�`. */
function sanitize(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "\ufffd");
}
