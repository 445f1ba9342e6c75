/**
 * The lexer: expression text → tokens with spans (docs/design.md#expressions).
 *
 * It never stops at the first problem. A bad lexeme becomes an `error` token (the parser turns it
 * into an `error` node that the checker skips silently), and an operator borrowed from another
 * language (`==`, `<>`, `&&`…) is reported and replaced by the operator it stands for, so the rest
 * of the expression is still parsed and checked.
 *
 * Signs and offsets: a `+` or `-` that touches the digits of a duration makes one OFFSET token,
 * wherever it appears. `-30d` and `x -30d` both contain the OFFSET `-30d` (the second is then a
 * syntax error with a hint); a subtraction needs a space after the minus: `x - 30d`. A sign before
 * a plain number (`-5`, `x -5`) is always the minus operator.
 */
import { parseIsoDay, type Duration, type DurationUnit, type EpochDay } from "../calendar.js";
import { exprError, type ExprDiagnostic } from "./errors.js";
import type { Span } from "./types.js";

export const KEYWORDS = [
  "and",
  "or",
  "not",
  "in",
  "contains",
  "between",
  "is",
  "null",
  "true",
  "false",
  "today",
] as const;

export type Keyword = (typeof KEYWORDS)[number];

export type Punct =
  | "="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "+"
  | "-"
  | "*"
  | "/"
  | "("
  | ")"
  | "["
  | "]"
  | ","
  | ":"
  | ".";

export type Token =
  | { kind: "number"; value: number; span: Span }
  | { kind: "string"; value: string; span: Span }
  | { kind: "date"; value: EpochDay; span: Span }
  | { kind: "duration"; value: Duration; span: Span }
  | { kind: "offset"; value: Duration; sign: 1 | -1; span: Span }
  | { kind: "name"; value: string; span: Span }
  /** Keywords are case-insensitive: `value` is lowercased. */
  | { kind: "keyword"; value: Keyword; span: Span }
  | { kind: "punct"; value: Punct; span: Span }
  /** A lexeme already reported as a diagnostic. */
  | { kind: "error"; span: Span }
  /** Always the last token; its span is empty, at the end of the text. */
  | { kind: "eof"; span: Span };

export interface LexResult {
  tokens: Token[];
  diagnostics: ExprDiagnostic[];
}

const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS);
const UNITS: ReadonlySet<string> = new Set(["d", "w", "m", "y"]);
const DURATION_HINT = "a duration is a whole number and a unit d, w, m or y: 30d, 2w, 6m, 1y";
/** Typographic quotes pasted from documents; read as strings so the rest is still checked. */
const CURLY_OPEN = "“‘„«";
const CURLY_ANY = "“”‘’„«»";

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isNameStart = (c: string | undefined): boolean =>
  c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_");
const isNameChar = (c: string | undefined): boolean => isNameStart(c) || isDigit(c);
const isSpace = (c: string): boolean => /\s/.test(c);

export function isKeyword(word: string): word is Keyword {
  return KEYWORD_SET.has(word);
}

/** Splits `text` into tokens ending with `eof`; every problem is a diagnostic, never an exception. */
export function tokenize(text: string): LexResult {
  return new Lexer(text).run();
}

class Lexer {
  private readonly tokens: Token[] = [];
  private readonly diagnostics: ExprDiagnostic[] = [];
  private pos = 0;

  constructor(private readonly text: string) {}

  run(): LexResult {
    const { text } = this;
    while (this.pos < text.length) {
      const c = text[this.pos];
      if (isSpace(c)) {
        this.pos++;
      } else if (isDigit(c)) {
        this.numberLike();
      } else if ((c === "-" || c === "+") && isDigit(text[this.pos + 1])) {
        this.signed(c);
      } else if (isNameStart(c)) {
        this.word();
      } else if (c === '"' || c === "'") {
        this.string(c);
      } else if (CURLY_OPEN.includes(c)) {
        this.curlyString();
      } else {
        this.operator(c);
      }
    }
    this.tokens.push({ kind: "eof", span: { start: text.length, end: text.length } });
    return { tokens: this.tokens, diagnostics: this.diagnostics };
  }

  private scanDigits(from: number): number {
    let i = from;
    while (isDigit(this.text[i])) i++;
    return i;
  }

  private scanNameChars(from: number): number {
    let i = from;
    while (isNameChar(this.text[i])) i++;
    return i;
  }

  private fail(code: Parameters<typeof exprError>[0], message: string, span: Span, hint?: string) {
    this.diagnostics.push(exprError(code, message, span, hint));
    this.tokens.push({ kind: "error", span });
    this.pos = span.end;
  }

  /** NUMBER, DATE or DURATION, starting at a digit. */
  private numberLike(): void {
    const { text } = this;
    const start = this.pos;
    const intEnd = this.scanDigits(start);
    if (intEnd - start === 4 && text[intEnd] === "-" && isDigit(text[intEnd + 1])) {
      const monthEnd = this.scanDigits(intEnd + 1);
      if (text[monthEnd] === "-" && isDigit(text[monthEnd + 1])) {
        this.date(start, this.scanDigits(monthEnd + 1));
        return;
      }
    }
    let end = intEnd;
    let fraction = false;
    if (text[end] === ".") {
      if (!isDigit(text[end + 1])) {
        const span = { start, end: end + 1 };
        this.fail(
          "INVALID_NUMBER",
          `"${text.slice(start, end + 1)}" is not a number`,
          span,
          `write ${text.slice(start, end)} or ${text.slice(start, end)}.5`,
        );
        return;
      }
      end = this.scanDigits(end + 1);
      fraction = true;
    }
    if (isNameStart(text[end])) {
      const suffixEnd = this.scanNameChars(end);
      this.duration(start, end, suffixEnd, fraction, null);
      return;
    }
    const value = Number(text.slice(start, end));
    if (!Number.isFinite(value)) {
      this.fail("INVALID_NUMBER", "number too large", { start, end });
      return;
    }
    this.push({ kind: "number", value, span: { start, end } });
  }

  /** Digits then letters at [numberEnd, suffixEnd): a DURATION (or OFFSET when signed) or an error. */
  private duration(
    start: number,
    numberEnd: number,
    suffixEnd: number,
    fraction: boolean,
    sign: 1 | -1 | null,
  ): void {
    const { text } = this;
    const span = { start, end: suffixEnd };
    const lexeme = text.slice(start, suffixEnd);
    const unit = text.slice(numberEnd, suffixEnd);
    const digitsStart = sign === null ? start : start + 1;
    const count = Number(text.slice(digitsStart, numberEnd));
    if (!UNITS.has(unit)) {
      const lower = unit.toLowerCase();
      const hint = UNITS.has(lower)
        ? `units are lowercase: ${text.slice(start, numberEnd)}${lower}`
        : DURATION_HINT;
      this.fail("INVALID_DURATION", `"${lexeme}" is not a duration`, span, hint);
    } else if (fraction) {
      this.fail(
        "INVALID_DURATION",
        `"${lexeme}" is not a duration: the count must be a whole number`,
        span,
        DURATION_HINT,
      );
    } else if (!Number.isSafeInteger(count)) {
      this.fail("INVALID_DURATION", `"${lexeme}" is too long a duration`, span);
    } else {
      const value: Duration = { count, unit: unit as DurationUnit };
      this.push(
        sign === null ? { kind: "duration", value, span } : { kind: "offset", value, sign, span },
      );
    }
  }

  /** `-30d` / `+7d` (OFFSET); a sign before a plain number is the operator. */
  private signed(sign: "-" | "+"): void {
    const { text } = this;
    const start = this.pos;
    const numberEnd = this.scanDigits(start + 1);
    if (!isNameStart(text[numberEnd])) {
      this.push({ kind: "punct", value: sign, span: { start, end: start + 1 } });
      return;
    }
    this.duration(start, numberEnd, this.scanNameChars(numberEnd), false, sign === "-" ? -1 : 1);
  }

  /** `YYYY-M…-D…` at [start, end): a DATE when it is exactly YYYY-MM-DD and a real day. */
  private date(start: number, end: number): void {
    const lexeme = this.text.slice(start, end);
    const span = { start, end };
    if (!/^\d{4}-\d{2}-\d{2}$/.test(lexeme)) {
      this.fail(
        "INVALID_DATE",
        `"${lexeme}" is not a date`,
        span,
        "write dates as YYYY-MM-DD, e.g. 2024-01-05",
      );
      return;
    }
    const day = parseIsoDay(lexeme);
    if (day === undefined) {
      this.fail(
        "INVALID_DATE",
        `${lexeme} is not a real date`,
        span,
        "check the month and the day of month",
      );
      return;
    }
    this.push({ kind: "date", value: day, span });
  }

  /** NAME or keyword. */
  private word(): void {
    const start = this.pos;
    const end = this.scanNameChars(start);
    const word = this.text.slice(start, end);
    const lower = word.toLowerCase();
    const span = { start, end };
    this.push(
      isKeyword(lower)
        ? { kind: "keyword", value: lower, span }
        : { kind: "name", value: word, span },
    );
  }

  /** `'…'` or `"…"`; escapes `\\`, `\"`, `\'`. */
  private string(quote: string): void {
    const { text } = this;
    const start = this.pos;
    let value = "";
    let i = start + 1;
    while (i < text.length) {
      const c = text[i];
      if (c === quote) {
        this.push({ kind: "string", value, span: { start, end: i + 1 } });
        return;
      }
      if (c === "\\" && i + 1 < text.length) {
        const next = text[i + 1];
        if (next !== "\\" && next !== '"' && next !== "'") {
          this.diagnostics.push(
            exprError(
              "INVALID_ESCAPE",
              `"\\${next}" is not an escape`,
              { start: i, end: i + 2 },
              "inside a string only \\\\, \\\" and \\' are escapes; write \\\\ for a backslash",
            ),
          );
        }
        value += next;
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    this.fail(
      "UNTERMINATED_STRING",
      "this string has no closing quote",
      { start, end: text.length },
      `end it with ${quote}`,
    );
  }

  /** “…” pasted from a document: reported, then read as a string so checking goes on. */
  private curlyString(): void {
    const { text } = this;
    const start = this.pos;
    let end = start + 1;
    while (end < text.length && !CURLY_ANY.includes(text[end])) end++;
    if (end >= text.length) {
      this.fail(
        "UNEXPECTED_CHARACTER",
        `unexpected "${text[start]}"`,
        { start, end: start + 1 },
        "use straight quotes: \" or '",
      );
      return;
    }
    this.diagnostics.push(
      exprError(
        "UNEXPECTED_CHARACTER",
        "curly quotes do not make a string",
        { start, end: end + 1 },
        "use straight quotes: \" or '",
      ),
    );
    this.push({ kind: "string", value: text.slice(start + 1, end), span: { start, end: end + 1 } });
  }

  private operator(c: string): void {
    const start = this.pos;
    const next = this.text[start + 1];
    const two = c + (next ?? "");
    const one = (value: Punct) =>
      this.push({ kind: "punct", value, span: { start, end: start + 1 } });
    const pair = (value: Punct) =>
      this.push({ kind: "punct", value, span: { start, end: start + 2 } });
    switch (two) {
      case "!=":
      case "<=":
      case ">=":
        return pair(two);
      case "==":
        return this.replaced(two, { kind: "punct", value: "=" }, "use =");
      case "<>":
        return this.replaced(two, { kind: "punct", value: "!=" }, "use !=");
      case "=<":
        return this.replaced(two, { kind: "punct", value: "<=" }, "use <=");
      case "=>":
        return this.replaced(two, { kind: "punct", value: ">=" }, "use >=");
      case "&&":
        return this.replaced(two, { kind: "keyword", value: "and" }, "use and");
      case "||":
        return this.replaced(two, { kind: "keyword", value: "or" }, "use or");
    }
    switch (c) {
      case "=":
      case "<":
      case ">":
      case "+":
      case "-":
      case "*":
      case "/":
      case "(":
      case ")":
      case "[":
      case "]":
      case ",":
      case ":":
      case ".":
        return one(c);
      case "!":
        return this.replaced(c, { kind: "keyword", value: "not" }, "use not");
      case "&":
        return this.replaced(c, { kind: "keyword", value: "and" }, "use and");
      case "|":
        return this.replaced(c, { kind: "keyword", value: "or" }, "use or");
    }
    // One code point, so a stray emoji is one error with a span that does not split it.
    const codePoint = String.fromCodePoint(this.text.codePointAt(start) ?? 0);
    this.fail("UNEXPECTED_CHARACTER", `unexpected "${codePoint}"`, {
      start,
      end: start + codePoint.length,
    });
  }

  /** Reports `lexeme` (an operator of another language) and reads it as `token`. */
  private replaced(
    lexeme: string,
    token: { kind: "punct"; value: Punct } | { kind: "keyword"; value: Keyword },
    hint: string,
  ): void {
    const span = { start: this.pos, end: this.pos + lexeme.length };
    this.diagnostics.push(
      exprError("INVALID_OPERATOR", `"${lexeme}" is not an operator here`, span, hint),
    );
    this.push({ ...token, span });
  }

  private push(token: Token): void {
    this.tokens.push(token);
    this.pos = token.span.end;
  }
}
