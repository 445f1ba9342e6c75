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
};

function backtick(name: string): string {
  return `\`${name.replaceAll("\\", "\\\\").replaceAll("`", "\\`")}\``;
}

const bigquery: Dialect = {
  name: "bigquery",
  identifier: backtick,
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
  /** Aggregate: the text list of `value` over the group, in the order of `orderBy` (SQL list). */
  listAgg(value: string, orderBy: string): string;
  /** An empty text list. */
  readonly emptyList: string;
  /**
   * Aggregate: the double sum of `value` added one row at a time in the order of `orderBy`, so
   * that float rounding is the memory engine's (`a + b + c` is not always `a + (b + c)`). BigQuery
   * and Snowflake have no ordered sum: there it is SUM.
   */
  orderedSum(value: string, orderBy: string): string;
  /** `text` as a sort key in code-point order, whatever the database's collation. */
  sortText(text: string): string;
}

const PROFILE_DIALECTS: Record<DialectName, ProfileDialect> = {
  duckdb: {
    firstNonNull: (v, k) => `arg_min(${v}, ${k}) FILTER (WHERE ${v} IS NOT NULL)`,
    listAgg: (v, o) => `list(${v} ORDER BY ${o})`,
    emptyList: "CAST([] AS VARCHAR[])",
    orderedSum: (v, o) => `list_reduce(list(${v} ORDER BY ${o}), (a, b) -> a + b)`,
    sortText: (t) => t,
  },
  postgres: {
    firstNonNull: (v, k) => `(array_agg(${v} ORDER BY ${k}) FILTER (WHERE ${v} IS NOT NULL))[1]`,
    listAgg: (v, o) => `array_agg(${v} ORDER BY ${o})`,
    emptyList: "CAST(ARRAY[] AS text[])",
    orderedSum: (v, o) => `sum(${v} ORDER BY ${o})`,
    sortText: (t) => `(${t}) COLLATE "C"`,
  },
  bigquery: {
    firstNonNull: (v, k) => `ARRAY_AGG(${v} IGNORE NULLS ORDER BY ${k} LIMIT 1)[SAFE_OFFSET(0)]`,
    listAgg: (v, o) => `ARRAY_AGG(${v} ORDER BY ${o})`,
    emptyList: "CAST([] AS ARRAY<STRING>)",
    orderedSum: (v) => `SUM(${v})`,
    sortText: (t) => t,
  },
  snowflake: {
    firstNonNull: (v, k) => `GET(ARRAY_AGG(${v}) WITHIN GROUP (ORDER BY ${k}), 0)`,
    listAgg: (v, o) => `ARRAY_AGG(${v}) WITHIN GROUP (ORDER BY ${o})`,
    emptyList: "ARRAY_CONSTRUCT()",
    orderedSum: (v) => `SUM(${v})`,
    sortText: (t) => `COLLATE(${t}, 'utf8')`,
  },
};

export function profileDialectFor(name: DialectName): ProfileDialect {
  return PROFILE_DIALECTS[name];
}
