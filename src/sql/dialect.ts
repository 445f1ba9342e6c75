/**
 * Every difference between the SQL dialects the segment compiler writes (docs/design.md#engines): quoting,
 * types, calendar arithmetic on epoch days, case-insensitive text tests, wildcards, regular
 * expressions, list membership, percentiles and hashing. `compile.ts` writes only what is the same
 * everywhere (CASE, COALESCE, AND/OR, comparisons, SUM, joins) and asks the dialect for the rest;
 * nothing else in `src/sql` knows which database it writes for.
 *
 * Dates are integer epoch days in every table (tables.ts), so only the calendar-month arithmetic
 * needs the database's date type: the day is turned into a DATE, moved by whole months (every
 * dialect here clamps the day of month to the month's end, as the expression language does (docs/design.md#engines): 2026-03-31 − 1m =
 * 2026-02-28) and turned back into a number of days.
 */

export type DialectName = "duckdb" | "postgres" | "bigquery" | "snowflake";

export const DIALECT_NAMES: readonly DialectName[] = [
  "duckdb",
  "postgres",
  "bigquery",
  "snowflake",
];

export type OrderOp = "<" | "<=" | ">" | ">=" | "=" | "!=";

export interface Dialect {
  readonly name: DialectName;
  /** A quoted identifier (a column or table name), whatever characters it holds. */
  identifier(name: string): string;
  /** A table name as configured, `schema.table` quoted part by part. */
  tableName(name: string): string;
  /** A string literal holding exactly `value`. */
  string(value: string): string;
  /** A finite number as a double-precision literal. */
  number(value: number): string;
  /** An integer literal (epoch days, ranks, indexes). */
  integer(value: number): string;
  readonly doubleType: string;
  readonly integerType: string;
  readonly textType: string;
  readonly booleanType: string;
  /** A list of texts (tags, lists, products, categories). */
  readonly textListType: string;
  /** `value` as a double. */
  castDouble(value: string): string;
  lower(text: string): string;
  trim(text: string): string;
  /** `a op b` on texts in code-point order, whatever the database's collation. */
  compareText(a: string, op: OrderOp, b: string): string;
  /** The epoch day `day` moved by `months` calendar months, day of month clamped. */
  addMonths(day: string, months: number): string;
  /** Whether `text` (already lowercased) starts with `prefix` (already lowercased); null if either is. */
  startsWith(text: string, prefix: string): string;
  /** Whether `needle` occurs in `text`; null if either is. */
  containsText(text: string, needle: string): string;
  /**
   * `text LIKE pattern`, where pattern is a filter text with `*` for any run of characters and
   * every other character literal (`%`, `_` and the escape character included).
   */
  wildcard(text: string, pattern: string): string;
  /** Whether the regular expression matches somewhere in `text` (not anchored). */
  regexContains(text: string, regex: string): string;
  /** Whether some element of the text list `list`, lowercased, equals `needle` (lowercased). */
  listContainsLower(list: string, needle: string): string;
  /** A scalar subquery: the `fraction` quantile of `column` over `from`, linear interpolation (type 7). */
  percentile(column: string, fraction: number, from: string): string;
  /** The SHA-256 of the UTF-8 bytes of `text`, as 64 lowercase hex digits. */
  sha256Hex(text: string): string;
  /** `a / b`, null when b is 0. */
  divide(a: string, b: string): string;
  /** The epoch day `day` (an integer) as a DATE: how `audience sql` returns a date column. */
  epochDayToDate(day: string): string;
  /** The items of the text list `list` joined by `separator` (a literal), as a text. */
  joinList(list: string, separator: string): string;
}

/** `*` → `%`; `%`, `_` and `\` escaped with `\`. */
export function likePattern(pattern: string): string {
  let out = "";
  for (const ch of pattern) {
    if (ch === "*") out += "%";
    else if (ch === "%" || ch === "_" || ch === "\\") out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

function doubleQuoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function standardString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A string in a dialect where backslash starts an escape sequence (BigQuery, Snowflake). */
function backslashString(value: string): string {
  let out = "'";
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (ch === "\\") out += "\\\\";
    else if (ch === "'") out += "\\'";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}'`;
}

function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  // -0 compares equal to 0 everywhere; write it plainly.
  return Object.is(value, -0) ? "0" : String(value);
}

function integerText(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
  return String(value);
}

const sqlOp = (op: OrderOp): string => (op === "!=" ? "<>" : op);

const duckdb: Dialect = {
  name: "duckdb",
  identifier: doubleQuoted,
  tableName: (name) => name.split(".").map(doubleQuoted).join("."),
  string: standardString,
  number: (v) => `CAST(${numberText(v)} AS DOUBLE)`,
  integer: integerText,
  doubleType: "DOUBLE",
  integerType: "INTEGER",
  textType: "VARCHAR",
  booleanType: "BOOLEAN",
  textListType: "VARCHAR[]",
  castDouble: (v) => `CAST(${v} AS DOUBLE)`,
  lower: (t) => `lower(${t})`,
  trim: (t) => `trim(${t})`,
  compareText: (a, op, b) => `(${a} ${sqlOp(op)} ${b})`,
  addMonths: (day, months) =>
    `date_diff('day', DATE '1970-01-01', CAST((DATE '1970-01-01' + CAST(${day} AS INTEGER)) + to_months(${integerText(months)}) AS DATE))`,
  startsWith: (t, p) => `starts_with(${t}, ${p})`,
  containsText: (t, n) => `contains(${t}, ${n})`,
  wildcard: (t, p) => `(${t} LIKE ${standardString(likePattern(p))} ESCAPE '\\')`,
  regexContains: (t, r) => `regexp_matches(${t}, ${standardString(r)})`,
  listContainsLower: (l, n) => `list_contains(list_transform(${l}, x -> lower(x)), ${n})`,
  percentile: (c, f, from) => `(SELECT quantile_cont(${c}, ${numberText(f)}) FROM ${from})`,
  sha256Hex: (t) => `sha256(${t})`,
  divide: (a, b) => `(${a} / NULLIF(${b}, 0))`,
  epochDayToDate: (day) => `(DATE '1970-01-01' + CAST(${day} AS INTEGER))`,
  joinList: (l, sep) => `array_to_string(${l}, ${standardString(sep)})`,
};

const postgres: Dialect = {
  name: "postgres",
  identifier: doubleQuoted,
  tableName: (name) => name.split(".").map(doubleQuoted).join("."),
  string: standardString,
  number: (v) => `CAST(${numberText(v)} AS double precision)`,
  integer: integerText,
  doubleType: "double precision",
  integerType: "integer",
  textType: "text",
  booleanType: "boolean",
  textListType: "text[]",
  castDouble: (v) => `CAST(${v} AS double precision)`,
  lower: (t) => `lower(${t})`,
  trim: (t) => `btrim(${t})`,
  // The database's collation may sort linguistically; "C" is code-point order on UTF-8.
  compareText: (a, op, b) => `(${a} COLLATE "C" ${sqlOp(op)} ${b} COLLATE "C")`,
  addMonths: (day, months) =>
    `(CAST((DATE '1970-01-01' + CAST(${day} AS integer)) + make_interval(months => ${integerText(months)}) AS date) - DATE '1970-01-01')`,
  startsWith: (t, p) => `starts_with(${t}, ${p})`,
  containsText: (t, n) => `(strpos(${t}, ${n}) > 0)`,
  wildcard: (t, p) => `(${t} LIKE ${standardString(likePattern(p))} ESCAPE '\\')`,
  regexContains: (t, r) => `(${t} ~ ${standardString(r)})`,
  listContainsLower: (l, n) => `(${n} = ANY (ARRAY(SELECT lower(x) FROM unnest(${l}) AS x)))`,
  percentile: (c, f, from) =>
    `(SELECT percentile_cont(${numberText(f)}) WITHIN GROUP (ORDER BY ${c}) FROM ${from})`,
  sha256Hex: (t) => `encode(sha256(convert_to(${t}, 'UTF8')), 'hex')`,
  divide: (a, b) => `(${a} / NULLIF(${b}, 0))`,
  epochDayToDate: (day) => `(DATE '1970-01-01' + CAST(${day} AS integer))`,
  joinList: (l, sep) => `array_to_string(${l}, ${standardString(sep)})`,
};

function backtick(name: string): string {
  return `\`${name.replaceAll("\\", "\\\\").replaceAll("`", "\\`")}\``;
}

/**
 * BigQuery's reserved keywords (GoogleSQL lexical structure): a name that is one of them, or is not
 * a plain `[A-Za-z_][A-Za-z0-9_]*`, is quoted with backticks; the others are written bare, as
 * BigQuery's own tools write them (names are case-insensitive either way).
 */
const BIGQUERY_RESERVED = new Set(
  (
    "ALL AND ANY ARRAY AS ASC ASSERT_ROWS_MODIFIED AT BETWEEN BY CASE CAST COLLATE CONTAINS CREATE " +
    "CROSS CUBE CURRENT DEFAULT DEFINE DESC DISTINCT ELSE END ENUM ESCAPE EXCEPT EXCLUDE EXISTS " +
    "EXTRACT FALSE FETCH FOLLOWING FOR FROM FULL GROUP GROUPING GROUPS HASH HAVING IF IGNORE IN " +
    "INNER INTERSECT INTERVAL INTO IS JOIN LATERAL LEFT LIKE LIMIT LOOKUP MERGE NATURAL NEW NO NOT " +
    "NULL NULLS OF ON OR ORDER OUTER OVER PARTITION PRECEDING PROTO QUALIFY RANGE RECURSIVE " +
    "RESPECT RIGHT ROLLUP ROWS SELECT SET SOME STRUCT TABLESAMPLE THEN TO TREAT TRUE UNBOUNDED " +
    "UNION UNNEST USING WHEN WHERE WINDOW WITH WITHIN"
  ).split(" "),
);

function bigqueryIdentifier(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !BIGQUERY_RESERVED.has(name.toUpperCase())
    ? name
    : backtick(name);
}

const bigquery: Dialect = {
  name: "bigquery",
  identifier: bigqueryIdentifier,
  tableName: (name) => backtick(name),
  string: backslashString,
  number: (v) => `CAST(${numberText(v)} AS FLOAT64)`,
  integer: integerText,
  doubleType: "FLOAT64",
  integerType: "INT64",
  textType: "STRING",
  booleanType: "BOOL",
  textListType: "ARRAY<STRING>",
  castDouble: (v) => `CAST(${v} AS FLOAT64)`,
  lower: (t) => `LOWER(${t})`,
  trim: (t) => `TRIM(${t})`,
  compareText: (a, op, b) => `(${a} ${sqlOp(op)} ${b})`,
  addMonths: (day, months) =>
    `DATE_DIFF(DATE_ADD(DATE_ADD(DATE '1970-01-01', INTERVAL CAST(${day} AS INT64) DAY), INTERVAL ${integerText(months)} MONTH), DATE '1970-01-01', DAY)`,
  startsWith: (t, p) => `STARTS_WITH(${t}, ${p})`,
  containsText: (t, n) => `(STRPOS(${t}, ${n}) > 0)`,
  // BigQuery's LIKE has no ESCAPE clause: backslash is its escape character.
  wildcard: (t, p) => `(${t} LIKE ${backslashString(likePattern(p))})`,
  regexContains: (t, r) => `REGEXP_CONTAINS(${t}, ${backslashString(r)})`,
  listContainsLower: (l, n) => `EXISTS (SELECT 1 FROM UNNEST(${l}) AS x WHERE LOWER(x) = ${n})`,
  // PERCENTILE_CONT is analytic only here.
  percentile: (c, f, from) =>
    `(SELECT ANY_VALUE(q) FROM (SELECT PERCENTILE_CONT(${c}, ${numberText(f)}) OVER () AS q FROM ${from}))`,
  sha256Hex: (t) => `TO_HEX(SHA256(${t}))`,
  divide: (a, b) => `(${a} / NULLIF(${b}, 0))`,
  epochDayToDate: (day) => `DATE_ADD(DATE '1970-01-01', INTERVAL CAST(${day} AS INT64) DAY)`,
  joinList: (l, sep) => `ARRAY_TO_STRING(${l}, ${backslashString(sep)})`,
};

const snowflake: Dialect = {
  name: "snowflake",
  identifier: doubleQuoted,
  tableName: (name) => name.split(".").map(doubleQuoted).join("."),
  string: backslashString,
  number: (v) => `CAST(${numberText(v)} AS DOUBLE)`,
  integer: integerText,
  doubleType: "DOUBLE",
  integerType: "INTEGER",
  textType: "VARCHAR",
  booleanType: "BOOLEAN",
  textListType: "ARRAY",
  castDouble: (v) => `CAST(${v} AS DOUBLE)`,
  lower: (t) => `LOWER(${t})`,
  trim: (t) => `TRIM(${t})`,
  compareText: (a, op, b) => `(${a} ${sqlOp(op)} ${b})`,
  addMonths: (day, months) =>
    `DATEDIFF(day, TO_DATE('1970-01-01'), DATEADD(month, ${integerText(months)}, DATEADD(day, ${day}, TO_DATE('1970-01-01'))))`,
  startsWith: (t, p) => `STARTSWITH(${t}, ${p})`,
  containsText: (t, n) => `CONTAINS(${t}, ${n})`,
  wildcard: (t, p) => `(${t} LIKE ${backslashString(likePattern(p))} ESCAPE '\\\\')`,
  // REGEXP_LIKE is anchored at both ends in Snowflake; REGEXP_INSTR finds a match anywhere.
  regexContains: (t, r) => `(REGEXP_INSTR(${t}, ${backslashString(r)}) > 0)`,
  listContainsLower: (l, n) =>
    `ARRAY_CONTAINS(TO_VARIANT(${n}), TRANSFORM(${l}, x VARCHAR -> LOWER(x)))`,
  percentile: (c, f, from) =>
    `(SELECT PERCENTILE_CONT(${numberText(f)}) WITHIN GROUP (ORDER BY ${c}) FROM ${from})`,
  sha256Hex: (t) => `SHA2(${t}, 256)`,
  divide: (a, b) => `(${a} / NULLIF(${b}, 0))`,
  epochDayToDate: (day) => `DATEADD(day, ${day}, TO_DATE('1970-01-01'))`,
  joinList: (l, sep) => `ARRAY_TO_STRING(${l}, ${backslashString(sep)})`,
};

const DIALECTS: Record<DialectName, Dialect> = { duckdb, postgres, bigquery, snowflake };

export function dialectFor(name: DialectName): Dialect {
  return DIALECTS[name];
}

// ---- Profile building (profiles-sql.ts): aggregates whose result depends on row order ----------

/**
 * What the profile builder needs beyond `Dialect`: aggregates that take their rows in a given order
 * (the memory engine meets rows one by one, and its "first non-empty value" and its sums of
 * doubles follow that order), ordered lists, and text sorted in code-point order.
 */
export interface ProfileDialect {
  /** Aggregate: of the rows where `value` is not NULL, its value in the row of least `key`. */
  firstNonNull(value: string, key: string): string;
  /**
   * Aggregate: of the rows where `value` is not NULL, its value in the row that sorts first by
   * `keys` (compared in turn; none of them NULL where `value` is set).
   */
  firstNonNullBy(value: string, keys: readonly string[]): string;
  /** Aggregate: the text list of `value` over the group, in ascending order of `keys` (none NULL). */
  listAgg(value: string, keys: readonly string[]): string;
  /** An empty text list. */
  readonly emptyList: string;
  /**
   * Aggregate: the double sum of `value` added one row at a time in ascending order of `key`
   * (unique in the group, never NULL), so that float rounding is the memory engine's (`a + b + c`
   * is not always `a + (b + c)`). BigQuery and Snowflake have no ordered sum: there it is SUM.
   */
  orderedSum(value: string, key: string): string;
  /** `text` as a sort key in code-point order, whatever the database's collation. */
  sortText(text: string): string;
}

/** DuckDB: the list of `value` over the group in ascending order of `keys` (none NULL). */
function duckdbSortedList(value: string, keys: readonly string[]): string {
  const struct = `struct_pack(${keys.map((k, i) => `k${i} := ${k}`).join(", ")}, v := ${value})`;
  return `list_transform(list_sort(list(${struct}), 'ASC', 'NULLS LAST'), x -> x.v)`;
}

const PROFILE_DIALECTS: Record<DialectName, ProfileDialect> = {
  duckdb: {
    firstNonNull: (v, k) => `arg_min(${v}, ${k}) FILTER (WHERE ${v} IS NOT NULL)`,
    firstNonNullBy: (v, ks) =>
      `arg_min(${v}, struct_pack(${ks.map((k, i) => `k${i} := ${k}`).join(", ")})) FILTER (WHERE ${v} IS NOT NULL)`,
    // An aggregate with ORDER BY is slow in DuckDB (3 to 6 times a plain one): the rows are
    // gathered as structs led by their keys and the list sorted.
    listAgg: (v, ks) => duckdbSortedList(v, ks),
    emptyList: "CAST([] AS VARCHAR[])",
    orderedSum: (v, k) => `list_reduce(${duckdbSortedList(v, [k])}, (a, b) -> a + b)`,
    sortText: (t) => t,
  },
  postgres: {
    firstNonNull: (v, k) => `(array_agg(${v} ORDER BY ${k}) FILTER (WHERE ${v} IS NOT NULL))[1]`,
    firstNonNullBy: (v, ks) =>
      `(array_agg(${v} ORDER BY ${ks.join(", ")}) FILTER (WHERE ${v} IS NOT NULL))[1]`,
    listAgg: (v, ks) => `array_agg(${v} ORDER BY ${ks.join(", ")})`,
    emptyList: "CAST(ARRAY[] AS text[])",
    orderedSum: (v, o) => `sum(${v} ORDER BY ${o})`,
    sortText: (t) => `(${t}) COLLATE "C"`,
  },
  bigquery: {
    firstNonNull: (v, k) => `ARRAY_AGG(${v} IGNORE NULLS ORDER BY ${k} LIMIT 1)[SAFE_OFFSET(0)]`,
    firstNonNullBy: (v, ks) =>
      `ARRAY_AGG(${v} IGNORE NULLS ORDER BY ${ks.join(", ")} LIMIT 1)[SAFE_OFFSET(0)]`,
    listAgg: (v, ks) => `ARRAY_AGG(${v} ORDER BY ${ks.join(", ")})`,
    emptyList: "CAST([] AS ARRAY<STRING>)",
    orderedSum: (v) => `SUM(${v})`,
    sortText: (t) => t,
  },
  snowflake: {
    firstNonNull: (v, k) => `GET(ARRAY_AGG(${v}) WITHIN GROUP (ORDER BY ${k}), 0)`,
    firstNonNullBy: (v, ks) => `GET(ARRAY_AGG(${v}) WITHIN GROUP (ORDER BY ${ks.join(", ")}), 0)`,
    listAgg: (v, ks) => `ARRAY_AGG(${v}) WITHIN GROUP (ORDER BY ${ks.join(", ")})`,
    emptyList: "ARRAY_CONSTRUCT()",
    orderedSum: (v) => `SUM(${v})`,
    sortText: (t) => `COLLATE(${t}, 'utf8')`,
  },
};

export function profileDialectFor(name: DialectName): ProfileDialect {
  return PROFILE_DIALECTS[name];
}

// ---------------------------------------------------------------------------------------------
// Normalisation (src/sql/normalise.ts, docs/design.md#normalisation-in-sql): what the cell rules need beyond the segment
// compiler's part of the dialect. Regular expressions here are written in the subset every engine
// reads the same way: RE2 / PostgreSQL ARE without back-references, lazy quantifiers, `\d` `\s`
// `\w` classes or case-insensitive flags (classes are spelled out: `[0-9]`, `[Tt]`), and a pattern
// that must match the whole text is anchored `^…$`. `.` matches every character, line breaks
// included (`(?s)`; Snowflake's `s` parameter).

export interface NormaliseDialect {
  readonly name: DialectName;
  /** The `index`-th (1-based) bind parameter, in the driver's syntax. */
  param(index: number): string;
  /** `text` without the characters of `chars` (a literal set, not SQL) at either end. */
  trimChars(text: string, chars: string): string;
  /** Whether the regular expression matches somewhere in `text`. */
  regexMatches(text: string, regex: string): string;
  /** Every match of the regular expression replaced; `\1`…`\9` in `replacement` are its groups. */
  regexReplaceAll(text: string, regex: string, replacement: string): string;
  /** Group `group` of an anchored (`^…$`) regular expression; '' when it or the group does not match. */
  regexGroup(text: string, regex: string, group: number): string;
  /** Whether every character of `text` is ASCII (U+0000–U+007F). */
  isAscii(text: string): string;
  /** ⌊a / b⌋ on integers (towards −∞, as Math.floor), as a 64-bit integer. */
  intDiv(a: string, b: string): string;
  /** The calendar day (epoch days) in IANA zone `timezone` of the instant `seconds` after 1970-01-01T00:00Z. */
  zonedDay(seconds: string, timezone: string): string;
  /** The date and time in IANA zone `timezone` of the instant `seconds` after 1970-01-01T00:00Z, as seconds from 1970-01-01 00:00 there (a double). */
  zonedLocalSeconds(seconds: string, timezone: string): string;
  /** `text` split at any of the characters `separators`, each part trimmed of `chars`, empty parts and repeats dropped, in first-seen order; a text list. */
  splitDistinct(text: string, separators: string, chars: string): string;
  /** The code point of the first character of a non-empty text. */
  codePoint(text: string): string;
  /** The number of characters (code points) of `text`. */
  charLength(text: string): string;
  /** `text` as an integer (64 bits); `text` holds only digits. */
  castInteger(text: string): string;
  /** `body`, in which the identifier `name` stands for `value` (computed once per row). */
  bindAs(value: string, name: string, body: string): string;
}

/** A value named inside an expression, as a one-row subquery (PostgreSQL, BigQuery, Snowflake). */
const subqueryBind = (value: string, name: string, body: string): string =>
  `(SELECT ${body} FROM (SELECT ${value} AS ${name}) AS ${name}_)`;

/** A character set for a regex bracket expression, `]`, `\`, `^` and `-` placed or escaped. */
function bracketSet(chars: string): string {
  let out = "";
  for (const ch of new Set(chars)) {
    if (ch === "\\") throw new Error("a backslash in a character set");
    if (ch === "]" || ch === "^" || ch === "-") continue;
    out += ch;
  }
  return `${chars.includes("]") ? "]" : ""}${out}${chars.includes("^") ? "^" : ""}${chars.includes("-") ? "-" : ""}`;
}

/**
 * DuckDB's `trim(t, chars)`, which costs about a microsecond a cell with a set of 25 characters:
 * when no character of the set is printable ASCII (the JavaScript spaces), a text whose first and
 * last characters are printable ASCII is itself, without the trim.
 */
function duckdbTrimChars(t: string, chars: string): string {
  const trim = `trim(${t}, ${standardString(chars)})`;
  const printable = (code: number) => code >= 33 && code <= 126;
  if ([...chars].some((ch) => printable(ch.codePointAt(0) as number))) return trim;
  return `CASE WHEN unicode(${t}) BETWEEN 33 AND 126 AND unicode(right(${t}, 1)) BETWEEN 33 AND 126 THEN ${t} ELSE ${trim} END`;
}

const normaliseDuckdb: NormaliseDialect = {
  name: "duckdb",
  param: (i) => `$${integerText(i)}`,
  trimChars: duckdbTrimChars,
  regexMatches: (t, r) => `regexp_matches(${t}, ${standardString(`(?s)${r}`)})`,
  regexReplaceAll: (t, r, rep) =>
    `regexp_replace(${t}, ${standardString(`(?s)${r}`)}, ${standardString(rep)}, 'g')`,
  // regexp_extract numbers groups up to 9; later ones are read by name from its struct form.
  regexGroup: (t, r, g) =>
    g <= 9
      ? `regexp_extract(${t}, ${standardString(`(?s)${r}`)}, ${integerText(g)})`
      : `regexp_extract(${t}, ${standardString(`(?s)${r}`)}, [${Array.from({ length: g }, (_, i) => `'g${i + 1}'`).join(", ")}]).g${integerText(g)}`,
  isAscii: (t) => `(strlen(${t}) = length(${t}))`,
  intDiv: (a, b) => `CAST(floor(CAST(${a} AS DOUBLE) / CAST(${b} AS DOUBLE)) AS BIGINT)`,
  // ICU is linked into DuckDB's binary (no download): timezone() of a TIMESTAMPTZ is local time.
  zonedDay: (s, tz) =>
    `date_diff('day', DATE '1970-01-01', CAST(timezone(${standardString(tz)}, to_timestamp(CAST(${s} AS DOUBLE))) AS DATE))`,
  zonedLocalSeconds: (s, tz) =>
    `epoch(timezone(${standardString(tz)}, to_timestamp(CAST(${s} AS DOUBLE))))`,
  splitDistinct: (t, seps, chars) =>
    `list_transform([list_transform(regexp_split_to_array(COALESCE(${t}, ''), ${standardString(`[${bracketSet(seps)}]`)}), x -> trim(x, ${standardString(chars)}))], l -> list_filter(l, (x, i) -> x <> '' AND list_position(l, x) = i))[1]`,
  codePoint: (t) => `unicode(${t})`,
  charLength: (t) => `length(${t})`,
  castInteger: (t) => `CAST(${t} AS BIGINT)`,
  // A lambda over a one-element list: vectorised, no subquery to decorrelate.
  bindAs: (value, name, body) => `list_transform([${value}], ${name} -> ${body})[1]`,
};

const normalisePostgres: NormaliseDialect = {
  name: "postgres",
  param: (i) => `$${integerText(i)}`,
  trimChars: (t, chars) => `btrim(${t}, ${standardString(chars)})`,
  regexMatches: (t, r) => `(${t} ~ ${standardString(`(?s)${r}`)})`,
  regexReplaceAll: (t, r, rep) =>
    `regexp_replace(${t}, ${standardString(`(?s)${r}`)}, ${standardString(rep)}, 'g')`,
  regexGroup: (t, r, g) =>
    `COALESCE((regexp_match(${t}, ${standardString(`(?s)${r}`)}))[${integerText(g)}], '')`,
  isAscii: (t) => `(octet_length(${t}) = char_length(${t}))`,
  intDiv: (a, b) => `CAST(floor(CAST(${a} AS numeric) / CAST(${b} AS numeric)) AS bigint)`,
  zonedDay: (s, tz) =>
    `(CAST(to_timestamp(CAST(${s} AS double precision)) AT TIME ZONE ${standardString(tz)} AS date) - DATE '1970-01-01')`,
  zonedLocalSeconds: (s, tz) =>
    `CAST(EXTRACT(EPOCH FROM (to_timestamp(CAST(${s} AS double precision)) AT TIME ZONE ${standardString(tz)})) AS double precision)`,
  splitDistinct: (t, seps, chars) =>
    `ARRAY(SELECT v FROM (SELECT btrim(x, ${standardString(chars)}) AS v, n FROM regexp_split_to_table(COALESCE(${t}, ''), ${standardString(`[${bracketSet(seps)}]`)}) WITH ORDINALITY AS p(x, n)) AS s WHERE v <> '' GROUP BY v ORDER BY min(n))`,
  codePoint: (t) => `ascii(${t})`,
  charLength: (t) => `char_length(${t})`,
  castInteger: (t) => `CAST(${t} AS bigint)`,
  bindAs: subqueryBind,
};

const normaliseBigquery: NormaliseDialect = {
  name: "bigquery",
  param: (i) => `@p${integerText(i)}`,
  trimChars: (t, chars) => `TRIM(${t}, ${backslashString(chars)})`,
  regexMatches: (t, r) => `REGEXP_CONTAINS(${t}, ${backslashString(`(?s)${r}`)})`,
  regexReplaceAll: (t, r, rep) =>
    `REGEXP_REPLACE(${t}, ${backslashString(`(?s)${r}`)}, ${backslashString(rep)})`,
  // REGEXP_EXTRACT returns a pattern's only group; the whole-text pattern is replaced by its group.
  regexGroup: (t, r, g) =>
    `IF(REGEXP_CONTAINS(${t}, ${backslashString(`(?s)${r}`)}), REGEXP_REPLACE(${t}, ${backslashString(`(?s)${r}`)}, ${backslashString(`\\${integerText(g)}`)}), '')`,
  isAscii: (t) => `(BYTE_LENGTH(${t}) = CHAR_LENGTH(${t}))`,
  intDiv: (a, b) => `CAST(FLOOR(CAST(${a} AS FLOAT64) / CAST(${b} AS FLOAT64)) AS INT64)`,
  zonedDay: (s, tz) =>
    `DATE_DIFF(DATE(TIMESTAMP_SECONDS(CAST(${s} AS INT64)), ${backslashString(tz)}), DATE '1970-01-01', DAY)`,
  zonedLocalSeconds: (s, tz) =>
    `CAST(UNIX_SECONDS(TIMESTAMP(DATETIME(TIMESTAMP_SECONDS(CAST(${s} AS INT64)), ${backslashString(tz)}))) AS FLOAT64)`,
  splitDistinct: (t, seps, chars) =>
    `ARRAY(SELECT v FROM (SELECT TRIM(x, ${backslashString(chars)}) AS v, n FROM UNNEST(REGEXP_EXTRACT_ALL(CONCAT(COALESCE(${t}, ''), ${backslashString(seps[0])}), ${backslashString(`([^${bracketSet(seps)}]*)[${bracketSet(seps)}]`)})) AS x WITH OFFSET AS n) WHERE v <> '' GROUP BY v ORDER BY MIN(n))`,
  codePoint: (t) => `UNICODE(${t})`,
  charLength: (t) => `CHAR_LENGTH(${t})`,
  castInteger: (t) => `CAST(${t} AS INT64)`,
  bindAs: subqueryBind,
};

const normaliseSnowflake: NormaliseDialect = {
  name: "snowflake",
  param: (i) => `:${integerText(i)}`,
  trimChars: (t, chars) => `TRIM(${t}, ${backslashString(chars)})`,
  regexMatches: (t, r) => `(REGEXP_INSTR(${t}, ${backslashString(r)}, 1, 1, 0, 's') > 0)`,
  regexReplaceAll: (t, r, rep) =>
    `REGEXP_REPLACE(${t}, ${backslashString(r)}, ${backslashString(rep)}, 1, 0, 's')`,
  regexGroup: (t, r, g) =>
    `COALESCE(REGEXP_SUBSTR(${t}, ${backslashString(r)}, 1, 1, 'es', ${integerText(g)}), '')`,
  isAscii: (t) => `(LENGTH(TO_BINARY(${t}, 'UTF-8')) = LENGTH(${t}))`,
  intDiv: (a, b) => `CAST(FLOOR(${a} / ${b}) AS INTEGER)`,
  zonedDay: (s, tz) =>
    `DATEDIFF(day, TO_DATE('1970-01-01'), TO_DATE(CONVERT_TIMEZONE('UTC', ${backslashString(tz)}, TO_TIMESTAMP_NTZ(${s}))))`,
  zonedLocalSeconds: (s, tz) =>
    `CAST(DATE_PART(epoch_second, CONVERT_TIMEZONE('UTC', ${backslashString(tz)}, TO_TIMESTAMP_NTZ(${s}))) AS DOUBLE)`,
  splitDistinct: (t, seps, chars) =>
    `(SELECT COALESCE(ARRAY_AGG(v) WITHIN GROUP (ORDER BY n), ARRAY_CONSTRUCT()) FROM (SELECT TRIM(f.value::VARCHAR, ${backslashString(chars)}) AS v, MIN(f.index) AS n FROM TABLE(FLATTEN(REGEXP_SUBSTR_ALL(COALESCE(${t}, '') || ${backslashString(seps[0])}, ${backslashString(`([^${bracketSet(seps)}]*)[${bracketSet(seps)}]`)}, 1, 1, 'es', 1))) AS f GROUP BY v HAVING v <> ''))`,
  codePoint: (t) => `UNICODE(${t})`,
  charLength: (t) => `LENGTH(${t})`,
  castInteger: (t) => `CAST(${t} AS INTEGER)`,
  bindAs: subqueryBind,
};

const NORMALISE_DIALECTS: Record<DialectName, NormaliseDialect> = {
  duckdb: normaliseDuckdb,
  postgres: normalisePostgres,
  bigquery: normaliseBigquery,
  snowflake: normaliseSnowflake,
};

/** The normalisation part of a dialect. */
export function normaliseDialectFor(name: DialectName): NormaliseDialect {
  return NORMALISE_DIALECTS[name];
}
