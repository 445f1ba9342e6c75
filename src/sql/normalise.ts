/**
 * The cell rules (docs/design.md#inputs) as SQL expressions, one builder per TypeScript function of
 * `src/model` (its twin, named on each builder; each twin names its builder back): change one,
 * change the other, and test/normalise-differential.test.ts runs both on the same corpus in DuckDB
 * and PostgreSQL. Every builder takes the SQL of a text value (a column, a parameter) and returns
 * one expression; NULL stands for the TypeScript `undefined` / NaN.
 *
 * What SQL cannot do exactly is not approximated: lower-casing beyond ASCII (JavaScript's
 * `toLowerCase` is full Unicode case mapping; DuckDB's is simple case mapping and PostgreSQL's
 * follows the database's locale) — so an email or a status with a non-ASCII character is
 * normalised in TypeScript and joined back from a mapping table (`src/engine/mapping.ts`), whose
 * SQL the caller passes in; phones always go that way.
 */
import { normaliseDialectFor, type Dialect, type NormaliseDialect } from "./dialect.js";
import { FALSE_WORDS, TRUE_WORDS, type DecimalMark } from "../model/values.js";
import type { DateOrder } from "../model/dates.js";
import { normalizeStatus } from "../model/order-assembly.js";

/** What JavaScript's `String.prototype.trim` and a regex `\s` remove: WhiteSpace and LineTerminator. */
export const JS_SPACE =
  "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";

/** JS_SPACE as the inside of a regex bracket expression. */
const SPACE_CLASS = JS_SPACE;

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";

interface Sql {
  d: Dialect;
  n: NormaliseDialect;
}

const sqlOf = (d: Dialect): Sql => ({ d, n: normaliseDialectFor(d.name) });

/** `text.trim()`. */
function jsTrim(s: Sql, text: string): string {
  return s.n.trimChars(text, JS_SPACE);
}

/**
 * `toLowerCase()` of a text compared only with ASCII words: A–Z, and the Kelvin sign U+212A, the
 * one character outside ASCII that JavaScript lower-cases into ASCII (`k`). Other characters stay,
 * and a word holding one never equals an ASCII word, as in JavaScript.
 */
function asciiLowerForWords(text: string, s: Sql): string {
  return `TRANSLATE(${text}, ${s.d.string(`${UPPER}\u212a`)}, ${s.d.string(`${LOWER}k`)})`;
}

/** `toLowerCase()` of an ASCII text. */
function asciiLower(s: Sql, text: string): string {
  return `TRANSLATE(${text}, ${s.d.string(UPPER)}, ${s.d.string(LOWER)})`;
}

function startsWith(s: Sql, text: string, prefix: string): string {
  return `(SUBSTR(${text}, 1, ${prefix.length}) = ${s.d.string(prefix)})`;
}

/** TS twin: `stripApostrophe` (src/model/values.ts). */
export function stripApostropheSql(d: Dialect, text: string): string {
  const s = sqlOf(d);
  return `CASE WHEN ${startsWith(s, text, "'")} THEN SUBSTR(${text}, 2) ELSE ${text} END`;
}

/** TS twin: `cleanCell` (src/model/values.ts): trimmed, apostrophe removed; NULL when empty. */
export function cleanCellSql(d: Dialect, text: string): string {
  const s = sqlOf(d);
  // cleanCell trims only when an end is a control character, a space or U+00A0 (then fully).
  const end = (c: string) => `(${c} <= 32 OR ${c} = 160)`;
  const last = `SUBSTR(${text}, ${s.n.charLength(text)})`;
  const trimmed = `CASE WHEN ${text} = '' THEN '' WHEN ${end(s.n.codePoint(text))} OR ${end(s.n.codePoint(last))} THEN ${jsTrim(s, text)} ELSE ${text} END`;
  const stripped = `CASE WHEN ${startsWith(s, trimmed, "'")} THEN ${jsTrim(s, `SUBSTR(${trimmed}, 2)`)} ELSE ${trimmed} END`;
  return `NULLIF(${stripped}, '')`;
}

/** TS twin: `cleanId` (src/model/ingest-context.ts): trimmed, apostrophe removed, `17850.0` → `17850`. */
export function cleanIdSql(d: Dialect, text: string): string {
  const s = sqlOf(d);
  const trimmed = jsTrim(s, text);
  const stripped = `CASE WHEN ${startsWith(s, trimmed, "'")} THEN ${jsTrim(s, `SUBSTR(${trimmed}, 2)`)} ELSE ${trimmed} END`;
  const full = `NULLIF(${s.n.regexReplaceAll(stripped, "^([0-9]+)[.]0$", "\\1")}, '')`;
  // Almost every id: its ends printable ASCII (nothing to trim), no apostrophe first, no `.0`
  // last — the id as it is, without the trim and the regular expression.
  const printable = (c: string) => `(${c} BETWEEN 33 AND 126)`;
  const first = s.n.codePoint(text);
  const last = s.n.codePoint(`SUBSTR(${text}, ${s.n.charLength(text)})`);
  return `CASE WHEN ${printable(first)} AND ${first} <> 39 AND ${printable(last)} AND NOT (${text} LIKE '%.0') THEN ${text} ELSE ${full} END`;
}

/** TS twin: `parseBoolean` (src/model/values.ts): TRUE, FALSE, or NULL for an unknown word; NULL text is FALSE. */
export function parseBooleanSql(d: Dialect, text: string): string {
  const s = sqlOf(d);
  const word = asciiLowerForWords(jsTrim(s, text), s);
  const spaced = s.n.regexReplaceAll(word, `[${SPACE_CLASS}-]+`, "_");
  const list = (words: ReadonlySet<string>) => [...words].map((w) => d.string(w)).join(", ");
  return `CASE WHEN ${text} IS NULL THEN FALSE WHEN ${word} = '' THEN FALSE WHEN ${word} IN (${list(TRUE_WORDS)}) THEN TRUE WHEN ${word} IN (${list(FALSE_WORDS)}) THEN FALSE WHEN ${spaced} IN (${list(TRUE_WORDS)}) THEN TRUE WHEN ${spaced} IN (${list(FALSE_WORDS)}) THEN FALSE END`;
}

/** TS twin: `splitMulti` (src/model/values.ts): a `tags`/`lists` cell as a text list (empty for NULL). */
export function splitMultiSql(d: Dialect, text: string): string {
  return normaliseDialectFor(d.name).splitDistinct(text, ",;", JS_SPACE);
}

/**
 * TS twin: `normalizeEmail` (src/model/values.ts) with `isEmailLike`. An address that is ASCII
 * once trimmed is normalised here exactly; any other comes from `nonAscii` (the SQL of its
 * TypeScript normalisation, a mapping table's value: `mappedSql`).
 */
export function normalizeEmailSql(d: Dialect, text: string, nonAscii: string): string {
  const s = sqlOf(d);
  const trimmed = jsTrim(s, text);
  const atext = "a-z0-9!#$%&'*+/=?^_`{|}~-";
  const local = `[a-z0-9_][${atext}]*([.][${atext}]+)*`;
  const label = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
  const valid = (email: string) =>
    [
      `${s.n.charLength(email)} <= 254`,
      s.n.regexMatches(email, `^${local}@${label}([.]${label})+$`),
      s.n.regexMatches(email, "^[^@]{1,64}@[^@]{1,253}$"),
      `NOT ${s.n.regexMatches(email, "[.][0-9]+$")}`,
    ].join(" AND ");
  const head = `CASE WHEN ${text} IS NULL THEN NULL WHEN NOT ${s.n.isAscii(trimmed)} THEN ${nonAscii}`;
  if (d.name === "duckdb") {
    // The lowered address computed once, bound (DuckDB shares no subexpression between a CASE's
    // branches: it would lower it five times); ASCII here, where lower() is asciiLower.
    const email = "norm_email";
    return `${head} ELSE ${s.n.bindAs(`lower(${trimmed})`, email, `CASE WHEN ${valid(email)} THEN ${email} END`)} END`;
  }
  const email = asciiLower(s, trimmed);
  return `${head} WHEN ${valid(email)} THEN ${email} END`;
}

/** The rows whose email `normalizeEmailSql` takes from the mapping table. */
export function emailNeedsMappingSql(d: Dialect, text: string): string {
  const s = sqlOf(d);
  return `(${text} IS NOT NULL AND NOT ${s.n.isAscii(jsTrim(s, text))})`;
}

/**
 * TS twin: `normalizeStatus(cleanCell(cell))` (src/model/order-assembly.ts): a status trimmed, in
 * lower case, without WooCommerce's `wc-`; NULL when empty. Non-ASCII statuses come from
 * `nonAscii` (a mapping table of `orderStatus`).
 */
export function orderStatusSql(d: Dialect, text: string, nonAscii: string): string {
  const s = sqlOf(d);
  const cleaned = cleanCellSql(d, text);
  const lowered = asciiLower(s, jsTrim(s, cleaned));
  // The common case first: a status already in lower case, without spaces or `wc-`, is itself.
  return `CASE WHEN ${s.n.regexMatches(text, "^[a-z_]+$")} THEN ${text} WHEN ${cleaned} IS NULL THEN NULL WHEN NOT ${s.n.isAscii(cleaned)} THEN ${nonAscii} ELSE ${s.n.regexReplaceAll(lowered, "^wc-", "")} END`;
}

/** The rows whose status `orderStatusSql` takes from the mapping table. */
export function statusNeedsMappingSql(d: Dialect, text: string): string {
  const cleaned = cleanCellSql(d, text);
  return `(${cleaned} IS NOT NULL AND NOT ${normaliseDialectFor(d.name).isAscii(cleaned)})`;
}

/**
 * TS twin: the `excluded` set of the orders reader (src/model/ingest-orders.ts): whether an order
 * with this status (`orderStatusSql`, NULL for none) is left out by `exclude_status`.
 */
export function excludedStatusSql(d: Dialect, status: string, excluded: readonly string[]): string {
  const words = [...new Set(excluded.map(normalizeStatus))];
  if (words.length === 0) return "FALSE";
  return `(COALESCE(${status}, '') IN (${words.map((w) => d.string(w)).join(", ")}))`;
}

const CURRENCY_WORDS = [
  "EUR",
  "USD",
  "GBP",
  "CHF",
  "CAD",
  "AUD",
  "JPY",
  "SEK",
  "NOK",
  "DKK",
  "PLN",
  "BDT",
  "€",
  "$",
  "£",
  "¥",
  "kr",
  "zł",
];

/** A word matched case-insensitively as a JavaScript `/i` regex without `u` does: letter by letter. */
function caseless(word: string): string {
  let out = "";
  for (const ch of word) {
    const lower = ch.toLowerCase();
    const upper = ch.toUpperCase();
    if (ch === "$") out += "[$]";
    else out += lower === upper ? ch : `[${upper}${lower}]`;
  }
  return out;
}

const CURRENCY_RUN = `(${CURRENCY_WORDS.map(caseless).join("|")})+`;

/** The smallest integer whose double is Infinity, 2^1024 − 2^970, in decimal (309 digits). */
const OVERFLOW = (2n ** 1024n - 2n ** 970n).toString();
/** 2^-1075 (half the smallest subnormal) × 10^323, the digits after `0.`: at most this rounds to 0. */
const UNDERFLOW = (5n ** 1075n).toString().replace(/0+$/, "");

/** The flags of parseNumberSql's text: `p` parentheses, `m` minus sign, `n` minus set later; `x` gives up. */
const H = "^([a-z]*[|])";

/**
 * TS twin: `parseNumber` (src/model/values.ts), every form: `12.5`, `12,50`, `1 234,56`,
 * `1.234,56`, `1,234.56`, `1'234.56`, `€12.50`, `12.50 EUR`, `-3`, `+3`, `(12.50)`, `€-12.50`,
 * `12.50-`, `'12`; a double, or NULL where parseNumber returns NaN.
 *
 * The steps of parseNumberSlow rewrite one text, `FLAGS|body`, each step once (so the SQL grows
 * linearly): the signs seen become letters before `|`, and the body ends as `I;F`, the integer
 * and fraction digits, or the text is replaced by `x` where parseNumber gives up.
 */
export function parseNumberSql(d: Dialect, text: string, decimal: DecimalMark = "auto"): string {
  const s = sqlOf(d);
  const n = s.n;
  const steps: [string, string][] = [];
  const trim = () => steps.push([`${H}[${SPACE_CLASS}]+`, "\\1"], [`[${SPACE_CLASS}]+$`, ""]);
  trim();
  steps.push([`${H}'`, "\\1"]);
  trim();
  steps.push([`^[|]\\((.*)\\)$`, "p|\\1"]);
  trim();
  steps.push([`^([a-z]*)[|]-`, "\\1m|"], [`^(p?)[|][+]`, "\\1|"]);
  trim();
  steps.push([`${H}${CURRENCY_RUN}`, "\\1"], [`${CURRENCY_RUN}$`, ""]);
  trim();
  // A minus after the currency when not yet negative (flags "" or "pm"); else parseNumber's NaN.
  steps.push([`^(p|m)[|]-.*$`, "x"], [`^((pm)?)[|]-`, "\\1n|"]);
  trim();
  steps.push([`^(p|m|n|pmn)[|].*-$`, "x"], [`^((pm)?)[|](.*)-$`, "\\1n|\\3"]);
  trim();
  steps.push([`[${SPACE_CLASS}']`, ""]);
  // The decimal decision, on a body of [0-9.,] only; a body that no rule rewrites is not a number.
  const grouped = (mark: string, least: string) => `[1-9][0-9]{0,2}(?:[${mark}][0-9]{3})${least}`;
  steps.push([`${H}([0-9]+)$`, "\\1\\2;"]);
  for (const [mark, group] of [
    [".", ","],
    [",", "."],
  ]) {
    if (decimal === "auto" || decimal === mark)
      steps.push([`${H}(${grouped(group, "+")})[${mark}]([0-9]*)$`, "\\1\\2;\\3"]);
  }
  for (const mark of [".", ","]) {
    const groupOnly: [string, string] = [`${H}(${grouped(mark, "+")})$`, "\\1\\2;"];
    const decimalOnly: [string, string] = [`${H}([0-9]*)[${mark}]([0-9]*)$`, "\\1\\2;\\3"];
    if (decimal === mark) steps.push(decimalOnly);
    else if (decimal !== "auto") steps.push(groupOnly);
    else if (mark === ".") steps.push([`${H}(${grouped(mark, "{2,}")})$`, "\\1\\2;"], decimalOnly);
    // A lone `,` with three digits after digits not starting with 0 groups, so needs ≤ 3 of them.
    else steps.push(groupOnly, [`^[a-z]*[|][1-9][0-9]*,[0-9]{3}$`, "x"], decimalOnly);
  }
  steps.push(["[.,]", ""], [`^[a-z]*[|];$`, "x"]);
  const c = "norm_number";
  const chain = steps.reduce(
    (expr, [regex, replacement]) => n.regexReplaceAll(expr, regex, replacement),
    `('|' || ${text})`,
  );
  // JavaScript's Number() of digits too many for a double is Infinity (NaN here) or 0 (a subnormal
  // too small), where a database's cast may fail: both decided from the digits first.
  const intDigits = `[|]0*([1-9][0-9]{200}[0-9]{108});[0-9]*$`;
  const tiny = `[|]0*;0{200}0{123}([1-9][0-9]*)$`;
  const overflow = `(${n.regexMatches(c, "[|]0*[1-9][0-9]{200}[0-9]{109}")} OR (${n.regexMatches(c, intDigits)} AND ${d.compareText(n.regexGroup(c, `^[a-z]*${intDigits}`, 1), ">=", d.string(OVERFLOW))}))`;
  const underflow = `(${n.regexMatches(c, "[|]0*;0{200}0{124}")} OR (${n.regexMatches(c, tiny)} AND ${d.compareText(`RTRIM(${n.regexGroup(c, `^[a-z]*${tiny}`, 1)}, '0')`, "<=", d.string(UNDERFLOW))}))`;
  const digits = d.castDouble(n.regexReplaceAll(c, "^[a-z]*[|]([0-9]*);([0-9]*)$", "0\\1.\\20"));
  const sign = `CASE WHEN ${n.regexMatches(c, "^(p|m|n|pmn)[|]")} THEN ${d.castDouble("-1")} ELSE ${d.castDouble("1")} END`;
  const parsed = `CASE WHEN NOT ${n.regexMatches(c, "^[a-z]*[|][0-9]*;[0-9]*$")} THEN NULL WHEN ${overflow} THEN NULL WHEN ${underflow} THEN ${d.castDouble("0")} * ${sign} ELSE ${digits} * ${sign} END`;
  const fast =
    decimal === ","
      ? n.regexMatches(text, "^-?[0-9]{1,18}$")
      : `${n.charLength(text)} < 20 AND ${n.regexMatches(text, "^-?[0-9]+([.][0-9]+)?$")}`;
  // Without an ASCII digit a text is never a number (parseNumberSlow): no rewriting steps.
  return `CASE WHEN ${text} IS NULL THEN NULL WHEN ${fast} THEN ${d.castDouble(text)} WHEN NOT ${n.regexMatches(text, "[0-9]")} THEN NULL ELSE ${n.bindAs(chain, c, parsed)} END`;
}

export interface DateSqlOptions {
  timezone: string;
  dateOrder?: DateOrder;
  /** Days before 1970-01-01 are a problem (order and event dates; not birth dates). Default true. */
  rejectBefore1970?: boolean;
}

const D = "[0-9]";
const WS = `[${SPACE_CLASS}]`;
const ZONE = `(?:[Zz]|[Uu][Tt][Cc]|[Gg][Mm][Tt]|[-+]${D}{2}(?::?${D}{2})?)`;
const TIME = `(?:[Tt]|${WS}+)(${D}{1,2}):(${D}{2})(?::(${D}{2})(?:[.,]${D}+)?)?`;
const TIME_NC = `(?:[Tt]|${WS}+)${D}{1,2}:${D}{2}(?::${D}{2}(?:[.,]${D}+)?)?`;
/** What may follow the date in dates.ts's ISO pattern, and in its NUMERIC pattern. */
const REST_ISO = `((?:${TIME_NC})?${WS}*${ZONE}?)`;
const REST_NUMERIC = `((?:${TIME_NC}${WS}*(?:[AaPp][Mm])?)?${WS}*${ZONE}?)`;
const head = (kind: string) => `(${kind}[|]${D}*[|]${D}*[|]${D}*[|])`;
/** The canonical text: kind (ISO or Numeric), year, month, day, hour, minute, second, am/pm, zone. */
const FIELDS = `^([IN])[|](${D}*)[|](${D}*)[|](${D}*)[|](${D}*)[|](${D}*)[|](${D}*)[|]([AaPp][Mm]|)[|](.*)$`;

/**
 * dates.ts's ISO and NUMERIC patterns as rewriting steps of one text (each step once, so the SQL
 * stays small): a date becomes `I|year|month|day|hour|minute|second|am/pm|zone` (N for a
 * numeric day/month date, its numbers already in `date_order`, a two-digit year made 20yy); the
 * `#` put before the text keeps any other text, however it looks, from reading as one.
 */
function canonicalDate(s: Sql, text: string, order: DateOrder | undefined): string {
  const t1 = jsTrim(s, text);
  const cleaned = `CASE WHEN ${startsWith(s, t1, "'")} THEN ${jsTrim(s, `SUBSTR(${t1}, 2)`)} ELSE ${t1} END`;
  const steps: [string, string][] = [];
  for (const sep of ["-", "/", "[.]"])
    steps.push([`^#(${D}{4})${sep}(${D}{1,2})${sep}(${D}{1,2})${REST_ISO}$`, "I|\\1|\\2|\\3|\\4"]);
  steps.push([`^#(${D}{4})(${D}{2})(${D}{2})${REST_ISO}$`, "I|\\1|\\2|\\3|\\4"]);
  for (const sep of ["-", "/", "[.]"])
    steps.push([
      `^#(${D}{1,2})${sep}(${D}{1,2})${sep}(${D}{2}|${D}{4})${REST_NUMERIC}$`,
      order === "mdy" ? "N|\\3|\\1|\\2|\\4" : "N|\\3|\\2|\\1|\\4",
    ]);
  steps.push([`^N[|](${D}{2})[|]`, "N|20\\1|"]);
  steps.push([`^${head("I")}${TIME}${WS}*(${ZONE})?$`, "\\1\\2|\\3|\\4||\\5"]);
  steps.push([
    `^${head("N")}${TIME}${WS}*([AaPp][Mm])?${WS}*(${ZONE})?$`,
    "\\1\\2|\\3|\\4|\\5|\\6",
  ]);
  // A zone without a time is read and ignored, as dates.ts does.
  steps.push([`^${head("[IN]")}${WS}*${ZONE}?$`, "\\1||||"]);
  return steps.reduce(
    (expr, [regex, replacement]) => s.n.regexReplaceAll(expr, regex, replacement),
    `('#' || ${cleaned})`,
  );
}

/** Days from 1970-01-01 of a valid date: calendar.ts's dayFromParts, with floor divisions. */
function daysFromCivil(s: Sql, year: string, month: string, day: string): string {
  // The year starting on March 1st, so that a leap day is the last of its year.
  const y = `(${year} - CASE WHEN ${month} <= 2 THEN 1 ELSE 0 END)`;
  const mp = `CASE WHEN ${month} > 2 THEN ${month} - 3 ELSE ${month} + 9 END`;
  const div = (a: string, b: number) => s.n.intDiv(a, String(b));
  return `(365 * ${y} + ${div(y, 4)} - ${div(y, 100)} + ${div(y, 400)} + ${div(`153 * (${mp}) + 2`, 5)} + ${day} - 719469)`;
}

function modulo(s: Sql, a: string, b: number): string {
  return `(${a} - ${s.n.intDiv(a, String(b))} * ${b})`;
}

/** The forms of `commonDay`: a date, then a time of day, then `Z` or an offset. */
const COMMON = `^${D}{4}-${D}{2}-${D}{2}([ T]${D}{2}:${D}{2}:${D}{2}(Z|[-+]${D}{2}:${D}{2})?)?$`;

/**
 * The forms almost every export uses, read from fixed positions without the rewriting steps (as
 * dates.ts's `parseCommon` does): `2024-05-01`, `2024-05-01 10:20:30` (or `T`), then nothing, `Z`
 * or `+02:00` — a valid date from 1970 on (a timestamp with a zone from 1971 on, so that no day
 * before 1970 comes out) and a time of day up to :59. NULL for any other text, which the full
 * parse then reads: wherever it is not NULL it is the full parse's day.
 */
/**
 * The fields of a `YYYY-MM-DD HH:MM:SS` text at their fixed places (integers, unchecked), the
 * number of days in its month, and `part` for the places after them.
 */
function isoParts(s: Sql, text: string) {
  const part = (from: number, length: number) =>
    s.n.castInteger(`SUBSTR(${text}, ${from}, ${length})`);
  const [year, m, dd, hour, minute, second] = [
    part(1, 4),
    part(6, 2),
    part(9, 2),
    part(12, 2),
    part(15, 2),
    part(18, 2),
  ];
  const leap = `((${modulo(s, year, 4)} = 0 AND ${modulo(s, year, 100)} <> 0) OR ${modulo(s, year, 400)} = 0)`;
  const monthDays = `CASE WHEN ${m} = 2 THEN CASE WHEN ${leap} THEN 29 ELSE 28 END WHEN ${m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END`;
  return { part, year, m, dd, hour, minute, second, monthDays };
}

function commonDay(s: Sql, text: string, timezone: string): string {
  const n = s.n;
  const { part, year, m, dd, hour, minute, second, monthDays } = isoParts(s, text);
  const valid = `${year} >= 1970 AND ${m} BETWEEN 1 AND 12 AND ${dd} >= 1 AND ${dd} <= ${monthDays}`;
  const time = `${hour} <= 23 AND ${minute} <= 59 AND ${second} <= 59`;
  const civil = daysFromCivil(s, year, m, dd);
  const length = n.charLength(text);
  const [zoneHours, zoneMinutes] = [part(21, 2), part(24, 2)];
  const offset = `CASE WHEN ${length} = 20 THEN 0 ELSE CASE WHEN SUBSTR(${text}, 20, 1) = '-' THEN -1 ELSE 1 END * (${zoneHours} * 60 + ${zoneMinutes}) END`;
  const zoneOk = `(${length} = 20 OR (${zoneHours} <= 18 AND ${zoneMinutes} <= 59))`;
  const seconds = `(${civil} * 86400 + ((${hour} * 60 + ${minute} - (${offset})) * 60 + ${second}))`;
  // Nested CASEs: the casts run only on texts of the right shape.
  const parts = `CASE WHEN NOT (${valid}) THEN NULL WHEN ${length} = 10 THEN ${civil} WHEN NOT (${time}) THEN NULL WHEN ${length} = 19 THEN ${civil} WHEN ${year} >= 1971 AND ${zoneOk} THEN ${n.zonedDay(seconds, timezone)} END`;
  return `CASE WHEN ${n.regexMatches(text, COMMON)} THEN ${parts} END`;
}

/** The parse of a date cell: its epoch day, or the problem of dates.ts (`DateProblem`). */
function dateSql(
  d: Dialect,
  text: string,
  options: DateSqlOptions,
  want: "day" | "problem" | "time" | "offset",
): string {
  const s = sqlOf(d);
  const n = s.n;
  const c = "norm_date";
  const field = (g: number) => n.regexGroup(c, FIELDS, g);
  const int = (g: number) => n.castInteger(`NULLIF(${field(g)}, '')`);
  const [year, m, dd, rawHour, minute] = [int(2), int(3), int(4), int(5), int(6)];
  const second = `COALESCE(${int(7)}, 0)`;
  const meridiem = asciiLower(s, field(8));
  const zone = field(9);
  const leap = `((${modulo(s, year, 4)} = 0 AND ${modulo(s, year, 100)} <> 0) OR ${modulo(s, year, 400)} = 0)`;
  const monthDays = `CASE WHEN ${m} = 2 THEN CASE WHEN ${leap} THEN 29 ELSE 28 END WHEN ${m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END`;
  const validDate = `(${m} BETWEEN 1 AND 12 AND ${dd} >= 1 AND ${dd} <= ${monthDays})`;
  const badMeridiem = `(${meridiem} <> '' AND (${rawHour} < 1 OR ${rawHour} > 12))`;
  const hour = `CASE WHEN ${meridiem} = 'pm' AND ${rawHour} <> 12 THEN ${rawHour} + 12 WHEN ${meridiem} = 'am' AND ${rawHour} = 12 THEN 0 ELSE ${rawHour} END`;
  const badTime = `(${rawHour} IS NOT NULL AND (${hour} > 23 OR ${minute} > 59 OR ${second} > 60))`;
  const utcZone = n.regexMatches(zone, "^([Zz]|[Uu][Tt][Cc]|[Gg][Mm][Tt])$");
  const zoneRe = `^([-+])(${D}{2}):?(${D}{2})?$`;
  const zoneHours = n.castInteger(`NULLIF(${n.regexGroup(zone, zoneRe, 2)}, '')`);
  const zoneMinutes = `COALESCE(${n.castInteger(`NULLIF(${n.regexGroup(zone, zoneRe, 3)}, '')`)}, 0)`;
  const offset = `CASE WHEN ${utcZone} THEN 0 ELSE CASE WHEN ${n.regexGroup(zone, zoneRe, 1)} = '-' THEN -1 ELSE 1 END * (${zoneHours} * 60 + ${zoneMinutes}) END`;
  const badZone = `(NOT ${utcZone} AND (${zoneHours} > 18 OR ${zoneMinutes} > 59))`;
  const zoned = `(${zone} <> '' AND ${rawHour} IS NOT NULL)`;
  const civil = daysFromCivil(s, year, m, dd);
  // A leap second (:60) is read as :59, as dates.ts does.
  const seconds = `(${civil} * 86400 + ((${hour} * 60 + ${minute} - (${offset})) * 60 + CASE WHEN ${second} > 59 THEN 59 ELSE ${second} END))`;
  const day = `CASE WHEN ${zoned} THEN ${n.zonedDay(seconds, options.timezone)} ELSE ${civil} END`;
  const problem = [
    `WHEN NOT ${n.regexMatches(c, FIELDS)} THEN 'not a date'`,
    ...(options.dateOrder === undefined
      ? [`WHEN ${field(1)} = 'N' THEN 'ambiguous day/month order'`]
      : []),
    `WHEN ${badMeridiem} THEN 'impossible date'`,
    `WHEN NOT ${validDate} OR ${badTime} THEN 'impossible date'`,
    `WHEN ${zoned} AND ${badZone} THEN 'not a date'`,
    ...((options.rejectBefore1970 ?? true) ? ["WHEN norm_day < 0 THEN 'date before 1970'"] : []),
  ];
  const problemSql = `CASE ${problem.join(" ")} END`;
  // DateParser.time: the wall-clock time there, a leap second (:60) read as :59.
  const wall = `(${civil} * 86400 + (COALESCE(${hour}, 0) * 60 + COALESCE(${minute}, 0)) * 60 + LEAST(${second}, 59))`;
  const localMs = `(CASE WHEN ${zoned} THEN ${n.zonedLocalSeconds(`(${wall} - (${offset}) * 60)`, options.timezone)} ELSE ${d.castDouble(wall)} END * 1000)`;
  if (want === "offset") {
    // DateParser records the offset once the zone is read: after the date, time and zone checks,
    // before the one on 1970 (dates.ts parseUncached).
    const reached = [
      n.regexMatches(c, FIELDS),
      ...(options.dateOrder === undefined ? [`${field(1)} <> 'N'`] : []),
      `NOT ${badMeridiem}`,
      validDate,
      `NOT ${badTime}`,
      zoned,
      `NOT ${badZone}`,
    ];
    return n.bindAs(
      canonicalDate(s, text, options.dateOrder),
      c,
      `CASE WHEN ${reached.join(" AND ")} THEN ${offset} END`,
    );
  }
  const body =
    want === "day"
      ? `CASE WHEN ${problemSql} IS NULL THEN norm_day END`
      : want === "time"
        ? `CASE WHEN ${problemSql} IS NULL THEN ${localMs} END`
        : problemSql;
  const parsed = n.bindAs(
    canonicalDate(s, text, options.dateOrder),
    c,
    n.bindAs(day, "norm_day", body),
  );
  if (want === "time") {
    // The forms almost every export writes (dates.ts parseCommon), `2024-05-01` and
    // `2024-05-01 10:20:30` in local time from 1970, read from their digits without the rewriting.
    const part = (from: number, length: number) =>
      n.castInteger(`SUBSTR(${text}, ${from}, ${length})`);
    const [fy, fm, fd] = [part(1, 4), part(6, 2), part(9, 2)];
    const hasTime = `${n.charLength(text)} = 19`;
    const clock = `CASE WHEN ${hasTime} THEN ${part(12, 2)} * 3600 + ${part(15, 2)} * 60 + ${part(18, 2)} ELSE 0 END`;
    const fastMonthDays = `CASE WHEN ${fm} = 2 THEN CASE WHEN ((${modulo(s, fy, 4)} = 0 AND ${modulo(s, fy, 100)} <> 0) OR ${modulo(s, fy, 400)} = 0) THEN 29 ELSE 28 END WHEN ${fm} IN (4, 6, 9, 11) THEN 30 ELSE 31 END`;
    const fast = `(${n.regexMatches(text, `^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([ T]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])?$`)} AND ${fd} <= ${fastMonthDays})`;
    const fastMs = `${d.castDouble(`(${daysFromCivil(s, fy, fm, fd)} * 86400 + ${clock})`)} * 1000`;
    return `CASE WHEN ${text} IS NULL THEN NULL WHEN ${fast} THEN ${fastMs} ELSE ${parsed} END`;
  }
  const common = commonDay(s, text, options.timezone);
  if (want === "day")
    return `CASE WHEN ${text} IS NULL THEN NULL ELSE COALESCE(${common}, ${parsed}) END`;
  return `CASE WHEN ${text} IS NULL THEN 'not a date' WHEN ${common} IS NOT NULL THEN NULL ELSE ${parsed} END`;
}

/**
 * TS twin: `DateParser.parse` (src/model/dates.ts): the epoch day of a date or timestamp cell —
 * every form of dates.ts's ISO and NUMERIC patterns, numeric day/month dates read in `date_order`,
 * a timestamp with an offset or `Z` taken as an instant and dated in `timezone` (ICU) — or NULL.
 */
export function parseDateSql(d: Dialect, text: string, options: DateSqlOptions): string {
  return dateSql(d, text, options, "day");
}

/** TS twin: `DateParser.problem` (src/model/dates.ts): why `parseDateSql` is NULL, else NULL. */
export function dateProblemSql(d: Dialect, text: string, options: DateSqlOptions): string {
  return dateSql(d, text, options, "problem");
}

/**
 * TS twin: `DateParser.time` (src/model/dates.ts): the date and time of day of a date or timestamp
 * cell in `timezone`, as milliseconds from 1970-01-01 00:00 there (a date without a time is its
 * midnight); NULL where `parseDateSql` is. For order dates (`rejectBefore1970`): before 1970,
 * zones' local mean time has offsets in seconds, which the TypeScript clock reads in whole minutes.
 */
export function dateTimeSql(d: Dialect, text: string, options: DateSqlOptions): string {
  return dateSql(d, text, options, "time");
}

/**
 * TS twin: the UTC offset (minutes) `DateParser.parse` records in its `offsets` (src/model/dates.ts)
 * for a date cell: a timestamp with a zone (`+02:00`, `-0430`, `Z`, `UTC`) read by the full parser
 * up to its zone; NULL for any other text, and for `2024-05-01T10:20:30Z`, which `parseCommon`
 * reads without recording it. `text` is the text the parser is given (orders and events: the cell
 * as read; contacts: trimmed by cleanCell).
 */
export function dateOffsetSql(d: Dialect, text: string, options: DateSqlOptions): string {
  const s = sqlOf(d);
  const n = s.n;
  // Every text the full parser reads a zone of ends with one after a time of day (`:MM`): most
  // cells are skipped at this test.
  const zoneAtEnd = `:${D}{2}([.,]${D}+)?[^0-9A-Za-z]*([AaPp][Mm][^0-9A-Za-z]*)?([Zz]|[Uu][Tt][Cc]|[Gg][Mm][Tt]|[-+]${D}{2}(:?${D}{2})?)[^0-9A-Za-z]*$`;
  // parseCommon's `Z` form: a valid date from 1970 and a time up to :59 (a day before 1970 in the
  // time zone, for order and event dates, goes to the full parser, which records it).
  const { year, m, dd, hour, minute, second, monthDays } = isoParts(s, text);
  const seconds = `(${daysFromCivil(s, year, m, dd)} * 86400 + (${hour} * 60 + ${minute}) * 60 + ${second})`;
  const from1970 =
    (options.rejectBefore1970 ?? true)
      ? ` AND (${year} >= 1971 OR ${n.zonedDay(seconds, options.timezone)} >= 0)`
      : "";
  const common = `CASE WHEN ${n.regexMatches(text, `^${D}{4}-${D}{2}-${D}{2}[ T]${D}{2}:${D}{2}:${D}{2}Z$`)} THEN CASE WHEN ${year} >= 1970 AND ${m} BETWEEN 1 AND 12 AND ${dd} >= 1 AND ${dd} <= ${monthDays} AND ${hour} <= 23 AND ${minute} <= 59 AND ${second} <= 59${from1970} THEN TRUE ELSE FALSE END ELSE FALSE END`;
  return `CASE WHEN ${text} IS NULL THEN NULL WHEN NOT ${n.regexMatches(text, zoneAtEnd)} THEN NULL WHEN ${common} THEN NULL ELSE ${dateSql(d, text, options, "offset")} END`;
}
