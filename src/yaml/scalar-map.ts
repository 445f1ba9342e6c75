/**
 * Maps character offsets inside a YAML scalar's value to offsets in the file, so that an error at
 * offset 12 of a `where:` expression gets a caret on the right character of the YAML file,
 * whatever the scalar style: plain, 'single-quoted', "double-quoted" (escapes), block literal `|`
 * or folded `>`, on one line or several.
 *
 * The value is decoded again from the raw text by the YAML rules of each style, recording where
 * each character came from. The decoded value is compared with the parser's: should they ever
 * differ (an exotic construct such as an explicit indentation indicator), every offset maps to the
 * start of the scalar instead of to a wrong character.
 */

/** A range of characters, `end` exclusive: of a file, or of a scalar's value. */
export interface OffsetSpan {
  start: number;
  end: number;
}

/** The styles of the YAML parser (`Scalar.Type`). */
export type ScalarStyle =
  "PLAIN" | "QUOTE_SINGLE" | "QUOTE_DOUBLE" | "BLOCK_LITERAL" | "BLOCK_FOLDED";

export interface ScalarSource {
  style: ScalarStyle;
  /** Offset of the scalar's first character in the file (the quote or the `|` / `>`). */
  start: number;
  /** Offset just after the value (after the closing quote; for a block, after its last line). */
  end: number;
  /** The value as the YAML parser decoded it. */
  value: string;
}

export interface ScalarSourceMap {
  /** True when every character of the value is mapped to its own place in the file. */
  exact: boolean;
  /** `starts[i]` .. `ends[i]`: the file text that produced character i of the value. */
  starts: number[];
  ends: number[];
  /** Where the scalar starts in the file (the fallback position). */
  origin: number;
}

/** One decoded character, or a line break, of a scalar's raw text. */
interface Unit {
  kind: "char" | "break";
  text: string;
  start: number;
  end: number;
  /** A literal space or tab, which folding may trim (escaped white space is never trimmed). */
  white: boolean;
}

interface Decoded {
  text: string;
  starts: number[];
  ends: number[];
}

class Builder implements Decoded {
  text = "";
  starts: number[] = [];
  ends: number[] = [];

  push(chars: string, start: number, end: number): void {
    for (let i = 0; i < chars.length; i++) {
      this.starts.push(start);
      this.ends.push(end);
    }
    this.text += chars;
  }
}

export function mapScalar(fileText: string, scalar: ScalarSource): ScalarSourceMap {
  const decoded = decode(fileText, scalar);
  if (decoded !== undefined && decoded.text === scalar.value) {
    return { exact: true, starts: decoded.starts, ends: decoded.ends, origin: scalar.start };
  }
  const fallback = scalar.value.length;
  return {
    exact: false,
    starts: new Array<number>(fallback).fill(scalar.start),
    ends: new Array<number>(fallback).fill(scalar.start + 1),
    origin: scalar.start,
  };
}

/** The file range of a span of the value (end exclusive). An empty span maps to a point. */
export function mapSpan(map: ScalarSourceMap, span: OffsetSpan): OffsetSpan {
  const length = map.starts.length;
  if (length === 0) return { start: map.origin, end: map.origin };
  const at = (i: number) => Math.max(0, Math.min(length - 1, i));
  if (span.end <= span.start) {
    // A point: before character `start`, or just after the last one.
    const point = span.start >= length ? map.ends[length - 1] : map.starts[at(span.start)];
    return { start: point, end: point };
  }
  const start = map.starts[at(span.start)];
  return { start, end: Math.max(start, map.ends[at(span.end - 1)]) };
}

function decode(text: string, scalar: ScalarSource): Decoded | undefined {
  switch (scalar.style) {
    case "PLAIN":
      return foldFlow(plainUnits(text, scalar.start, scalar.end));
    case "QUOTE_SINGLE":
      return foldFlow(singleQuotedUnits(text, scalar.start + 1, scalar.end - 1));
    case "QUOTE_DOUBLE": {
      const units = doubleQuotedUnits(text, scalar.start + 1, scalar.end - 1);
      return units === undefined ? undefined : foldFlow(units);
    }
    case "BLOCK_LITERAL":
    case "BLOCK_FOLDED":
      return decodeBlock(text, scalar.start, scalar.end, scalar.style === "BLOCK_FOLDED");
    default: {
      const never: never = scalar.style;
      return never;
    }
  }
}

function lineBreakAt(text: string, i: number): number {
  if (text[i] === "\n") return 1;
  if (text[i] === "\r") return text[i + 1] === "\n" ? 2 : 1;
  return 0;
}

const isWhite = (c: string | undefined) => c === " " || c === "\t";

function plainUnits(text: string, from: number, to: number): Unit[] {
  const units: Unit[] = [];
  for (let i = from; i < to;) {
    const br = lineBreakAt(text, i);
    if (br > 0) {
      units.push({ kind: "break", text: "\n", start: i, end: i + br, white: false });
      i += br;
    } else {
      units.push({ kind: "char", text: text[i], start: i, end: i + 1, white: isWhite(text[i]) });
      i += 1;
    }
  }
  return units;
}

function singleQuotedUnits(text: string, from: number, to: number): Unit[] {
  const units: Unit[] = [];
  for (let i = from; i < to;) {
    const br = lineBreakAt(text, i);
    if (br > 0) {
      units.push({ kind: "break", text: "\n", start: i, end: i + br, white: false });
      i += br;
    } else if (text[i] === "'" && text[i + 1] === "'") {
      units.push({ kind: "char", text: "'", start: i, end: i + 2, white: false });
      i += 2;
    } else {
      units.push({ kind: "char", text: text[i], start: i, end: i + 1, white: isWhite(text[i]) });
      i += 1;
    }
  }
  return units;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  "\t": "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
};

const HEX_ESCAPES: Record<string, number> = { x: 2, u: 4, U: 8 };

/** Units of a double-quoted body; an escaped line break is a "break" unit with text "". */
function doubleQuotedUnits(text: string, from: number, to: number): Unit[] | undefined {
  const units: Unit[] = [];
  for (let i = from; i < to;) {
    const br = lineBreakAt(text, i);
    if (br > 0) {
      units.push({ kind: "break", text: "\n", start: i, end: i + br, white: false });
      i += br;
      continue;
    }
    if (text[i] !== "\\") {
      units.push({ kind: "char", text: text[i], start: i, end: i + 1, white: isWhite(text[i]) });
      i += 1;
      continue;
    }
    const letter = text[i + 1];
    const escapedBreak = lineBreakAt(text, i + 1);
    if (escapedBreak > 0) {
      units.push({ kind: "break", text: "", start: i, end: i + 1 + escapedBreak, white: false });
      i += 1 + escapedBreak;
    } else if (letter !== undefined && SIMPLE_ESCAPES[letter] !== undefined) {
      units.push({
        kind: "char",
        text: SIMPLE_ESCAPES[letter],
        start: i,
        end: i + 2,
        white: false,
      });
      i += 2;
    } else if (letter !== undefined && HEX_ESCAPES[letter] !== undefined) {
      const digits = text.slice(i + 2, i + 2 + HEX_ESCAPES[letter]);
      if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== HEX_ESCAPES[letter]) return undefined;
      const end = i + 2 + digits.length;
      const chars = String.fromCodePoint(parseInt(digits, 16));
      units.push({ kind: "char", text: chars, start: i, end, white: false });
      i = end;
    } else {
      return undefined;
    }
  }
  return units;
}

/**
 * Line folding of flow scalars (YAML 1.2 §7.3): white space around a line break is trimmed; a
 * single break becomes a space, a break followed by n empty lines becomes n newlines; an escaped
 * break (double-quoted `\` at the end of a line) joins the lines, keeping what precedes it.
 */
function foldFlow(units: Unit[]): Decoded {
  const lines: Unit[][] = [[]];
  const breaks: Unit[] = [];
  for (const unit of units) {
    if (unit.kind === "break") {
      breaks.push(unit);
      lines.push([]);
    } else {
      lines[lines.length - 1].push(unit);
    }
  }
  const last = lines.length - 1;
  const content = lines.map((line, index) => {
    let from = 0;
    let to = line.length;
    if (index > 0) while (from < to && line[from].white) from++;
    // Before an escaped break, white space is content; before a plain break it is trimmed.
    if (index < last && breaks[index].text !== "") while (to > from && line[to - 1].white) to--;
    return line.slice(from, to);
  });
  const out = new Builder();
  let index = 0;
  while (index <= last) {
    for (const unit of content[index]) out.push(unit.text, unit.start, unit.end);
    if (index === last) break;
    const br = breaks[index];
    // Empty lines after this break: lines with no content that are followed by another break.
    let next = index + 1;
    while (next < last && content[next].length === 0) next++;
    const empty = next - index - 1;
    if (br.text === "") {
      for (let k = 0; k < empty; k++) out.push("\n", br.start, br.end);
    } else if (empty === 0) {
      out.push(" ", br.start, br.end);
    } else {
      for (let k = 0; k < empty; k++) out.push("\n", br.start, br.end);
    }
    index = next;
  }
  return out;
}

/**
 * Block scalars (YAML 1.2 §8.1): a header line (`|` or `>`, optional chomping `-`/`+` and
 * indentation digit, optional comment), then lines indented by the first non-empty line's
 * indentation. Literal keeps line breaks; folded turns the break between two text lines into a
 * space, unless one of them is more indented. Chomping: strip drops trailing breaks, clip keeps
 * one, keep keeps all.
 */
function decodeBlock(
  text: string,
  start: number,
  end: number,
  folded: boolean,
): Decoded | undefined {
  let i = start + 1;
  let chomp: "clip" | "strip" | "keep" = "clip";
  let explicitIndent = false;
  while (i < end && /[-+1-9]/.test(text[i])) {
    if (text[i] === "-") chomp = "strip";
    else if (text[i] === "+") chomp = "keep";
    else explicitIndent = true;
    i++;
  }
  if (explicitIndent) return undefined;
  while (i < end && lineBreakAt(text, i) === 0) i++;
  i += lineBreakAt(text, i);

  // The body's lines, each with its offset and the offset of its line break (or -1).
  const lines: { start: number; end: number; breakStart: number; breakEnd: number }[] = [];
  while (i < end) {
    let j = i;
    while (j < end && lineBreakAt(text, j) === 0) j++;
    const br = j < end ? lineBreakAt(text, j) : 0;
    lines.push({ start: i, end: j, breakStart: br > 0 ? j : -1, breakEnd: j + br });
    i = j + br;
  }

  let indent = -1;
  for (const line of lines) {
    let s = line.start;
    while (s < line.end && text[s] === " ") s++;
    if (s < line.end) {
      indent = s - line.start;
      break;
    }
  }

  const out = new Builder();
  let emptyLines = 0;
  let readContent = false;
  let moreIndented = false;
  let lastBreak: { start: number; end: number } = { start: start, end: start };
  const pushBreaks = (count: number) => {
    for (let k = 0; k < count; k++) out.push("\n", lastBreak.start, lastBreak.end);
  };
  for (const line of lines) {
    // Skip the indentation; a line with nothing after it is empty.
    let s = line.start;
    while (s < line.end && text[s] === " " && (indent < 0 || s - line.start < indent)) s++;
    if (s >= line.end || indent < 0) {
      emptyLines++;
      if (line.breakStart >= 0) lastBreak = { start: line.breakStart, end: line.breakEnd };
      continue;
    }
    if (folded) {
      if (isWhite(text[s])) {
        moreIndented = true;
        pushBreaks(readContent ? 1 + emptyLines : emptyLines);
      } else if (moreIndented) {
        moreIndented = false;
        pushBreaks(emptyLines + 1);
      } else if (emptyLines === 0) {
        if (readContent) out.push(" ", lastBreak.start, lastBreak.end);
      } else {
        pushBreaks(emptyLines);
      }
    } else {
      pushBreaks(readContent ? 1 + emptyLines : emptyLines);
    }
    for (let k = s; k < line.end; k++) out.push(text[k], k, k + 1);
    readContent = true;
    emptyLines = 0;
    lastBreak =
      line.breakStart >= 0
        ? { start: line.breakStart, end: line.breakEnd }
        : { start: line.end, end: line.end };
  }
  if (chomp === "keep") pushBreaks(readContent ? 1 + emptyLines : emptyLines);
  else if (chomp === "clip" && readContent) pushBreaks(1);
  return out;
}
