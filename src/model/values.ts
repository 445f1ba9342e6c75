/**
 * Cell parsers for the value forms of docs/design.md#inputs: numbers, booleans, lists, apostrophes. Pure and
 * cheap: they run for every cell of every order row.
 */

/**
 * Spreadsheets put `'` before numbers and phones to keep them as text (`'+33612…`).
 * SQL twin: `stripApostropheSql` (src/sql/normalise.ts): change both.
 */
export function stripApostrophe(text: string): string {
  return text.length > 0 && text.charCodeAt(0) === 39 /* ' */ ? text.slice(1) : text;
}

/**
 * A cell as the model sees it: trimmed, apostrophe removed; undefined when empty.
 * SQL twin: `cleanCellSql` (src/sql/normalise.ts): change both.
 */
export function cleanCell(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  let text = raw;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  if (first <= 32 || last <= 32 || first === 160 || last === 160) text = text.trim();
  if (text.length > 0 && text.charCodeAt(0) === 39) text = text.slice(1).trim();
  return text === "" ? undefined : text;
}

export type DecimalMark = "." | "," | "auto";

const CURRENCY_WORDS =
  /^(?:EUR|USD|GBP|CHF|CAD|AUD|JPY|SEK|NOK|DKK|PLN|BDT|€|\$|£|¥|kr|zł)+|(?:EUR|USD|GBP|CHF|CAD|AUD|JPY|SEK|NOK|DKK|PLN|BDT|€|\$|£|¥|kr|zł)+$/gi;

/**
 * Parses an amount or quantity: `12.5`, `12,50`, `1 234,56`, `1.234,56`, `1,234.56`, `€12.50`,
 * `12.50 EUR`, `-3`, `(12.50)` (accounting negative). Returns NaN when the text is not a number.
 *
 * With `decimal: "auto"`, a lone `,` is a decimal mark unless exactly three digits follow it
 * (`1,234` = 1234); `decimal: ","` or `"."` removes that ambiguity.
 * SQL twin: `parseNumberSql` (src/sql/normalise.ts): change both.
 */
export function parseNumber(text: string, decimal: DecimalMark = "auto"): number {
  // Fast path: plain `123` / `-12.5`, the form of almost every cell.
  let plain = text.length > 0 && text.length < 20;
  let dots = 0;
  for (let i = 0; plain && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    if (c === 46 /* . */ && i > 0) {
      dots++;
      continue;
    }
    if (c === 45 /* - */ && i === 0 && text.length > 1) continue;
    plain = false;
  }
  if (plain && dots <= 1 && text.charCodeAt(text.length - 1) !== 46) {
    if (dots === 0 || decimal !== ",") return Number(text);
  }
  return parseNumberSlow(text, decimal);
}

function parseNumberSlow(input: string, decimal: DecimalMark): number {
  let text = input.trim();
  if (text.startsWith("'")) text = text.slice(1).trim();
  let negative = false;
  if (text.startsWith("(") && text.endsWith(")")) {
    negative = true;
    text = text.slice(1, -1).trim();
  }
  if (text.startsWith("-")) {
    negative = !negative;
    text = text.slice(1).trim();
  } else if (text.startsWith("+")) {
    text = text.slice(1).trim();
  }
  text = text.replace(CURRENCY_WORDS, "").trim();
  if (text.startsWith("-") && !negative) {
    // `€-12.50`
    negative = true;
    text = text.slice(1).trim();
  }
  if (text.endsWith("-") && !negative) {
    // SAP-style trailing minus `12.50-`
    negative = true;
    text = text.slice(0, -1).trim();
  }
  // Grouping spaces: normal, no-break and narrow no-break; Swiss apostrophes.
  text = text.replace(/[\s\u00a0\u202f']/g, "");
  if (!/^[0-9.,]+$/.test(text) || !/[0-9]/.test(text)) return NaN;

  const lastDot = text.lastIndexOf(".");
  const lastComma = text.lastIndexOf(",");
  let decimalMark: "." | "," | "" = "";
  if (lastDot >= 0 && lastComma >= 0) {
    decimalMark = lastDot > lastComma ? "." : ",";
  } else if (lastDot >= 0 || lastComma >= 0) {
    const mark = lastDot >= 0 ? "." : ",";
    const count = text.split(mark).length - 1;
    if (decimal !== "auto") {
      decimalMark = mark === decimal ? mark : "";
    } else if (count > 1) {
      decimalMark = ""; // `1.234.567` or `1,234,567`: grouping only
    } else {
      const digitsAfter = text.length - text.lastIndexOf(mark) - 1;
      const head = text.slice(0, text.lastIndexOf(mark));
      const grouping = digitsAfter === 3 && head !== "" && !head.startsWith("0");
      decimalMark = mark === "," && grouping ? "" : mark;
    }
  }
  if (decimal !== "auto" && decimalMark !== "" && decimalMark !== decimal) return NaN;
  const group = decimalMark === "." ? "," : decimalMark === "," ? "." : "";
  let integerPart = decimalMark === "" ? text : text.slice(0, text.lastIndexOf(decimalMark));
  const fraction = decimalMark === "" ? "" : text.slice(text.lastIndexOf(decimalMark) + 1);
  if (decimalMark === "") {
    // Only grouping marks: they must sit every three digits.
    const mark = text.includes(".") ? "." : text.includes(",") ? "," : "";
    if (mark !== "" && !validGrouping(text, mark)) return NaN;
    integerPart = mark === "" ? text : text.split(mark).join("");
  } else {
    if (fraction.includes(".") || fraction.includes(",")) return NaN;
    if (group !== "" && integerPart.includes(group)) {
      if (!validGrouping(integerPart, group)) return NaN;
      integerPart = integerPart.split(group).join("");
    }
    if (integerPart.includes(decimalMark)) return NaN;
  }
  if (integerPart === "" && fraction === "") return NaN;
  const value = Number(
    `${integerPart === "" ? "0" : integerPart}.${fraction === "" ? "0" : fraction}`,
  );
  if (!Number.isFinite(value)) return NaN;
  return negative ? -value : value;
}

function validGrouping(text: string, mark: string): boolean {
  const parts = text.split(mark);
  if (parts[0].length === 0 || parts[0].length > 3 || parts[0].startsWith("0")) return false;
  return parts.slice(1).every((p) => p.length === 3);
}

/** parseBoolean's words (parseBooleanSql in src/sql/normalise.ts reads them too). */
export const TRUE_WORDS: ReadonlySet<string> = new Set([
  "yes",
  "y",
  "true",
  "t",
  "1",
  "oui",
  "o",
  "si",
  "ja",
  "on",
  "subscribed",
  "opted_in",
  "opted-in",
  "opt_in",
  "opt-in",
  "optin",
  "granted",
  "confirmed",
  "accepted",
  "single_opt_in",
  "double_opt_in",
  "confirmed_opt_in",
]);

export const FALSE_WORDS: ReadonlySet<string> = new Set([
  "no",
  "n",
  "false",
  "f",
  "0",
  "non",
  "nein",
  "off",
  "unsubscribed",
  "not_subscribed",
  "never_subscribed",
  "opted_out",
  "opted-out",
  "opt_out",
  "opt-out",
  "optout",
  "denied",
  "declined",
  "revoked",
  "pending",
  "cleaned",
  "bounced",
  "none",
  "null",
  "-",
]);

/**
 * yes/no, true/false, 1/0, y/n, subscribed/unsubscribed, opted_in/opted_out (any case); empty is
 * false. Returns undefined for a word it does not know, so the caller can report it.
 * SQL twin: `parseBooleanSql` (src/sql/normalise.ts): change both.
 */
export function parseBoolean(text: string | undefined): boolean | undefined {
  if (text === undefined) return false;
  const word = text.trim().toLowerCase();
  if (word === "") return false;
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  const spaced = word.replace(/[\s-]+/g, "_");
  if (TRUE_WORDS.has(spaced)) return true;
  if (FALSE_WORDS.has(spaced)) return false;
  return undefined;
}

/**
 * A `tags`/`lists` cell: values separated by `,` or `;`, trimmed, empty ones dropped.
 * SQL twin: `splitMultiSql` (src/sql/normalise.ts): change both.
 */
export function splitMulti(text: string | undefined): string[] {
  if (text === undefined || text === "") return [];
  const out: string[] = [];
  for (const part of text.split(/[,;]/)) {
    const value = part.trim();
    if (value !== "" && !out.includes(value)) out.push(value);
  }
  return out;
}

/** A header as a property name: `Skin Type` → `skin_type`, `Fecha (x.y)` → `fecha_x_y`. */
export function snakeCase(header: string): string {
  return header
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/**
 * Trims, NFC-normalises and lowercases an email (the same address typed with a composed or a
 * decomposed accent is one person); undefined when it is not a valid address.
 * SQL twin: `normalizeEmailSql` (src/sql/normalise.ts): change both.
 * (exact for ASCII addresses; the others are mapped by this function: src/engine/mapping.ts).
 */
export function normalizeEmail(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const email = text.trim().normalize("NFC").toLowerCase();
  return isEmailLike(email) ? email : undefined;
}

/** RFC 5322 `atext` (ASCII): what a dot-atom local part is made of. */
const ATEXT = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]$/;

/**
 * A strict, documented subset of RFC 5321 addresses (with RFC 6531's UTF-8 letters), on the
 * lowercased text:
 * - local part: a dot-atom of `atext` characters or non-ASCII letters and digits, at most 64
 *   characters, no leading, trailing or doubled dot, and it STARTS WITH A LETTER, A DIGIT OR `_`
 *   (so an address never starts like a spreadsheet formula: `=`, `+`, `-`, `@`);
 * - domain: at least two labels of letters, digits and inner hyphens, each at most 63
 *   characters, the last one not all digits, the whole at most 253 characters;
 * - no quoted local parts, comments or IP-literal domains (`"a b"@x`, `a@[1.2.3.4]`): real
 *   customer addresses do not use them, and spreadsheet payloads hide in them.
 * The whole address is at most 254 characters (RFC 5321's path limit).
 */
export function isEmailLike(email: string): boolean {
  if (email.length > 254) return false;
  const at = email.lastIndexOf("@");
  if (at <= 0) return false;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > 64 || domain.length > 253) return false;
  if (!/^[\p{L}\p{N}_]/u.test(local)) return false;
  if (local.endsWith(".") || local.includes("..")) return false;
  for (const ch of local) {
    if (ch === ".") continue;
    if (ch.charCodeAt(0) < 128 ? !ATEXT.test(ch) : !/^[\p{L}\p{M}\p{N}]$/u.test(ch)) return false;
  }
  const labels = domain.split(".");
  if (labels.length < 2) return false;
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) return false;
    if (!/^[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?$/u.test(label)) return false;
  }
  return !/^\d+$/.test(labels[labels.length - 1]);
}
