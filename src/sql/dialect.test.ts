import { createHash } from "node:crypto";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMonths, parseIsoDay } from "../calendar.js";
import {
  dialectFor,
  likePattern,
  normaliseDialectFor,
  profileDialectFor,
  scriptDialectFor,
} from "./dialect.js";

const duckdb = dialectFor("duckdb");
const postgres = dialectFor("postgres");
const bigquery = dialectFor("bigquery");
const snowflake = dialectFor("snowflake");

const day = (text: string) => parseIsoDay(text) as number;

describe("likePattern", () => {
  it("turns * into % and escapes the LIKE metacharacters", () => {
    expect(likePattern("*100%_off*")).toBe("%100\\%\\_off%");
    expect(likePattern("a\\b")).toBe("a\\\\b");
    expect(likePattern("plain")).toBe("plain");
  });
});

describe("quoting, per dialect", () => {
  it("doubles the quote character in identifiers (backticks escaped in BigQuery)", () => {
    expect(duckdb.identifier('a"b')).toBe('"a""b"');
    expect(postgres.identifier("props.tier")).toBe('"props.tier"');
    expect(snowflake.identifier('x"')).toBe('"x"""');
    expect(bigquery.identifier("a`b")).toBe("`a\\`b`");
    expect(postgres.tableName("shop.orders")).toBe('"shop"."orders"');
    expect(bigquery.tableName("proj.shop.orders")).toBe("`proj.shop.orders`");
  });

  it("bigquery writes a plain name bare, and quotes a reserved word or any other name", () => {
    expect(bigquery.identifier("customer_key")).toBe("customer_key");
    expect(bigquery.identifier("seg_0")).toBe("seg_0");
    expect(bigquery.identifier("select")).toBe("`select`");
    expect(bigquery.identifier("Range")).toBe("`Range`");
    expect(bigquery.identifier("props.skin_type")).toBe("`props.skin_type`");
    expect(bigquery.identifier("0day")).toBe("`0day`");
    expect(bigquery.identifier("")).toBe("``");
  });

  it("quotes strings so that the value comes back exactly", () => {
    expect(duckdb.string("o'b\\n")).toBe("'o''b\\n'");
    expect(postgres.string("it's")).toBe("'it''s'");
    // Backslash starts an escape in BigQuery and Snowflake literals.
    expect(bigquery.string("o'b\\")).toBe("'o\\'b\\\\'");
    expect(snowflake.string("a\nb\u0001")).toBe("'a\\nb\\u0001'");
  });

  it("writes numbers as doubles and refuses what is not finite", () => {
    expect(duckdb.number(2.5)).toBe("CAST(2.5 AS DOUBLE)");
    expect(postgres.number(-0)).toBe("CAST(0 AS double precision)");
    expect(bigquery.number(1)).toBe("CAST(1 AS FLOAT64)");
    expect(() => snowflake.number(Infinity)).toThrow(/finite/);
    expect(() => duckdb.integer(1.5)).toThrow(/integer/);
  });
});

describe("dialect-specific functions", () => {
  it("postgres compares texts in code-point order whatever the collation", () => {
    expect(postgres.compareText("a", "<", "b")).toBe('(a COLLATE "C" < b COLLATE "C")');
    expect(duckdb.compareText("a", "!=", "b")).toBe("(a <> b)");
  });

  it("bigquery's LIKE has no ESCAPE clause; snowflake's escape is a quoted backslash", () => {
    expect(bigquery.wildcard("x", "a_*")).toBe("(x LIKE 'a\\\\_%')");
    expect(snowflake.wildcard("x", "a*")).toBe("(x LIKE 'a%' ESCAPE '\\\\')");
    expect(postgres.wildcard("x", "a*")).toBe("(x LIKE 'a%' ESCAPE '\\')");
  });

  it("month arithmetic uses each dialect's calendar-month function", () => {
    expect(postgres.addMonths("d", -1)).toContain("make_interval(months => -1)");
    expect(bigquery.addMonths("d", 6)).toContain("INTERVAL 6 MONTH");
    expect(snowflake.addMonths("d", 12)).toContain("DATEADD(month, 12,");
  });

  it("hashing, regex, list membership and percentiles per dialect", () => {
    expect(postgres.sha256Hex("e")).toBe("encode(sha256(convert_to(e, 'UTF8')), 'hex')");
    expect(bigquery.sha256Hex("e")).toBe("TO_HEX(SHA256(e))");
    expect(snowflake.sha256Hex("e")).toBe("SHA2(e, 256)");
    expect(snowflake.regexContains("t", "^a")).toBe("(REGEXP_INSTR(t, '^a') > 0)");
    expect(bigquery.regexContains("t", "\\d")).toBe("REGEXP_CONTAINS(t, '\\\\d')");
    expect(postgres.listContainsLower("tags", "'vip'")).toBe(
      "('vip' = ANY (ARRAY(SELECT lower(x) FROM unnest(tags) AS x)))",
    );
    expect(bigquery.percentile("v", 0.2, "t")).toContain("PERCENTILE_CONT(v, 0.2) OVER ()");
    expect(snowflake.percentile("v", 0.8, "t")).toBe(
      "(SELECT PERCENTILE_CONT(0.8) WITHIN GROUP (ORDER BY v) FROM t)",
    );
  });
});

describe("the duckdb dialect, run in DuckDB", () => {
  let instance: DuckDBInstance;
  let db: DuckDBConnection;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    db = await instance.connect();
  });
  afterAll(() => {
    db.closeSync();
    instance.closeSync();
  });
  const scalar = async (sql: string): Promise<unknown> => {
    const reader = await db.runAndReadAll(`SELECT ${sql} AS v`);
    return reader.getRowObjectsJS()[0].v;
  };

  it.each([
    ["2026-03-31", -1],
    ["2024-01-31", 1],
    ["2024-02-29", 12],
    ["2024-02-29", -12],
    ["2025-12-31", 2],
    ["1969-12-31", 1],
    ["2026-06-30", -13],
  ])("addMonths(%s, %i) clamps the day of month like the memory engine", async (date, months) => {
    const got = await scalar(duckdb.addMonths(duckdb.integer(day(date)), months));
    expect(Number(got)).toBe(addMonths(day(date), months));
  });

  it("string literals come back exactly", async () => {
    for (const text of ["o'brien", "a\\b", "line\nbreak", "é😀", "'; DROP TABLE x; --"])
      expect(await scalar(duckdb.string(text))).toBe(text);
  });

  it("wildcards treat % and _ literally", async () => {
    expect(await scalar(duckdb.wildcard(duckdb.string("50%_off"), "*%_*"))).toBe(true);
    expect(await scalar(duckdb.wildcard(duckdb.string("50xoff"), "*%_*"))).toBe(false);
    expect(await scalar(duckdb.wildcard(duckdb.string("a\\b"), "a\\*"))).toBe(true);
  });

  it("sha256 is the lowercase hex of the UTF-8 bytes", async () => {
    const text = "élodie@example.com";
    expect(await scalar(duckdb.sha256Hex(duckdb.string(text)))).toBe(
      createHash("sha256").update(text, "utf8").digest("hex"),
    );
  });

  it("text tests, list membership, regex, division and percentiles", async () => {
    expect(await scalar(duckdb.startsWith("'abc'", "'ab'"))).toBe(true);
    expect(await scalar(duckdb.containsText("'abc'", "''"))).toBe(true);
    expect(await scalar(duckdb.listContainsLower("['VIP', 'b2b']", "'vip'"))).toBe(true);
    expect(await scalar(duckdb.listContainsLower("CAST([] AS VARCHAR[])", "'vip'"))).toBe(false);
    expect(await scalar(duckdb.regexContains("'order 42'", "\\d+"))).toBe(true);
    expect(await scalar(duckdb.divide(duckdb.number(1), duckdb.number(0)))).toBe(null);
    expect(await scalar(duckdb.compareText("'é'", ">", "'z'"))).toBe(true);
    // Type 7: 1, 2, 10 → the 20th percentile is 1 + 0.4 × (2 − 1).
    expect(
      await scalar(duckdb.percentile("x", 0.2, "(SELECT CAST(unnest([1, 2, 10]) AS DOUBLE) AS x)")),
    ).toBeCloseTo(1.4, 12);
  });
});

describe("the normalisation part of each dialect (normaliseDialectFor)", () => {
  const nd = normaliseDialectFor("duckdb");
  const np = normaliseDialectFor("postgres");
  const nb = normaliseDialectFor("bigquery");
  const ns = normaliseDialectFor("snowflake");
  let instance: DuckDBInstance;
  let db: DuckDBConnection;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    db = await instance.connect();
  });
  afterAll(() => {
    db.closeSync();
    instance.closeSync();
  });
  const value = async (sql: string): Promise<unknown> => {
    const reader = await db.runAndReadAll(`SELECT ${sql} AS v`);
    const v = reader.getRowObjects()[0].v;
    if (typeof v === "bigint") return Number(v);
    if (v !== null && typeof v === "object" && "items" in v) return v.items;
    return v;
  };

  it("binds parameters in each driver's syntax", () => {
    expect([nd.param(1), np.param(2), nb.param(3), ns.param(4)]).toEqual(["$1", "$2", "@p3", ":4"]);
  });

  it("trims a set of characters (DuckDB runs it)", async () => {
    expect(await value(nd.trimChars("'\u00a0 x y \ufeff'", " \u00a0\ufeff"))).toBe("x y");
    expect(np.trimChars("v", "ab")).toBe("btrim(v, 'ab')");
    expect(nb.trimChars("v", "\t")).toBe("TRIM(v, '\\t')");
    expect(ns.trimChars("v", "'")).toBe("TRIM(v, '\\'')");
  });

  it("matches, replaces and extracts with `.` across line breaks (DuckDB runs it)", async () => {
    expect(await value(nd.regexMatches("'a\nb'", "^a.b$"))).toBe(true);
    expect(await value(nd.regexReplaceAll("'a1b22'", "[0-9]+", "#"))).toBe("a#b#");
    expect(await value(nd.regexReplaceAll("'2024-05'", "^([0-9]+)-([0-9]+)$", "\\2/\\1"))).toBe(
      "05/2024",
    );
    expect(await value(nd.regexGroup("'ab'", "^(a)(x)?(b)$", 3))).toBe("b");
    expect(await value(nd.regexGroup("'ab'", "^(a)(x)?(b)$", 2))).toBe("");
    expect(await value(nd.regexGroup("'zz'", "^(a)$", 1))).toBe("");
    const eleven = `^${"(.)".repeat(11)}$`;
    expect(await value(nd.regexGroup("'abcdefghijk'", eleven, 11))).toBe("k");
    expect(np.regexMatches("v", "^a$")).toBe("(v ~ '(?s)^a$')");
    expect(np.regexGroup("v", "^(a)$", 1)).toBe("COALESCE((regexp_match(v, '(?s)^(a)$'))[1], '')");
    expect(nb.regexGroup("v", "^(a)$", 1)).toBe(
      "IF(REGEXP_CONTAINS(v, '(?s)^(a)$'), REGEXP_REPLACE(v, '(?s)^(a)$', '\\\\1'), '')",
    );
    expect(ns.regexReplaceAll("v", "a.", "\\1")).toBe(
      "REGEXP_REPLACE(v, 'a.', '\\\\1', 1, 0, 's')",
    );
    expect(ns.regexGroup("v", "^(a)$", 1)).toBe(
      "COALESCE(REGEXP_SUBSTR(v, '^(a)$', 1, 1, 'es', 1), '')",
    );
  });

  it("tells ASCII texts, divides towards −∞, counts code points (DuckDB runs it)", async () => {
    expect(await value(nd.isAscii("'abc~'"))).toBe(true);
    expect(await value(nd.isAscii("'abé'"))).toBe(false);
    expect(await value(nd.intDiv("-7", "2"))).toBe(-4);
    expect(await value(nd.intDiv("7", "2"))).toBe(3);
    expect(await value(nd.charLength("'a🎉'"))).toBe(2);
    expect(await value(nd.codePoint("'🎉'"))).toBe(0x1f389);
    expect(np.isAscii("v")).toBe("(octet_length(v) = char_length(v))");
    expect(np.intDiv("a", "b")).toBe(
      "CAST(floor(CAST(a AS numeric) / CAST(b AS numeric)) AS bigint)",
    );
    expect(nb.isAscii("v")).toBe("(BYTE_LENGTH(v) = CHAR_LENGTH(v))");
    expect(ns.intDiv("a", "b")).toBe("CAST(FLOOR(a / b) AS INTEGER)");
  });

  it("dates an instant in a time zone with ICU (DuckDB runs it, offline)", async () => {
    // 2024-05-01T23:30Z is May 2nd in Paris, May 1st in New York.
    const seconds = String(Date.UTC(2024, 4, 1, 23, 30) / 1000);
    expect(await value(nd.zonedDay(seconds, "Europe/Paris"))).toBe(day("2024-05-02"));
    expect(await value(nd.zonedDay(seconds, "America/New_York"))).toBe(day("2024-05-01"));
    expect(await value(nd.zonedDay("-1", "UTC"))).toBe(-1);
    expect(np.zonedDay("s", "Europe/Paris")).toBe(
      "(CAST(to_timestamp(CAST(s AS double precision)) AT TIME ZONE 'Europe/Paris' AS date) - DATE '1970-01-01')",
    );
    expect(nb.zonedDay("s", "Asia/Kolkata")).toBe(
      "DATE_DIFF(DATE(TIMESTAMP_SECONDS(CAST(s AS INT64)), 'Asia/Kolkata'), DATE '1970-01-01', DAY)",
    );
    expect(ns.zonedDay("s", "UTC")).toBe(
      "DATEDIFF(day, TO_DATE('1970-01-01'), TO_DATE(CONVERT_TIMEZONE('UTC', 'UTC', TO_TIMESTAMP_NTZ(s))))",
    );
  });

  it("names a value inside an expression (DuckDB runs it)", async () => {
    expect(await value(nd.bindAs("'ab' || 'c'", "x", "x || x"))).toBe("abcabc");
    expect(np.bindAs("v", "x", "x || x")).toBe("(SELECT x || x FROM (SELECT v AS x) AS x_)");
    expect(nb.bindAs("v", "x", "x")).toBe("(SELECT x FROM (SELECT v AS x) AS x_)");
  });

  it("splits a cell into distinct trimmed parts in first-seen order (DuckDB runs it)", async () => {
    expect(await value(nd.splitDistinct("' b ;a,, b;c'", ",;", " "))).toEqual(["b", "a", "c"]);
    expect(await value(nd.splitDistinct("NULL", ",;", " "))).toEqual([]);
    expect(np.splitDistinct("v", ",;", " ")).toContain("WITH ORDINALITY");
    expect(nb.splitDistinct("v", ",;", " ")).toContain(
      "REGEXP_EXTRACT_ALL(CONCAT(COALESCE(v, ''), ','), '([^,;]*)[,;]')",
    );
    expect(ns.splitDistinct("v", ",;", " ")).toContain("REGEXP_SUBSTR_ALL(");
    expect(() => nd.splitDistinct("v", "\\", " ")).toThrow(/backslash/);
  });
});

describe("output columns of `audience sql`: dates and lists, per dialect", () => {
  it("writes an epoch day as a DATE and joins a list with each dialect's functions", () => {
    expect(postgres.epochDayToDate("d")).toBe("(DATE '1970-01-01' + CAST(d AS integer))");
    expect(bigquery.epochDayToDate("d")).toBe(
      "DATE_ADD(DATE '1970-01-01', INTERVAL CAST(d AS INT64) DAY)",
    );
    expect(snowflake.epochDayToDate("d")).toBe("DATEADD(day, d, TO_DATE('1970-01-01'))");
    expect(postgres.joinList("l", ", ")).toBe("array_to_string(l, ', ')");
    expect(bigquery.joinList("l", "'")).toBe("ARRAY_TO_STRING(l, '\\'')");
    expect(snowflake.joinList("l", ", ")).toBe("ARRAY_TO_STRING(l, ', ')");
  });

  it("DuckDB runs them: the day the memory engine formats, the items in order", async () => {
    const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    const db = await instance.connect();
    try {
      const reader = await db.runAndReadAll(
        `SELECT CAST(${duckdb.epochDayToDate(String(day("2024-02-29")))} AS VARCHAR) AS d, ${duckdb.joinList("['b', 'a''s', 'c']", ", ")} AS l, ${duckdb.joinList("CAST([] AS VARCHAR[])", ", ")} AS e, ${duckdb.epochDayToDate("NULL")} AS n`,
      );
      expect(reader.getRowObjectsJS()[0]).toEqual({
        d: "2024-02-29",
        l: "b, a's, c",
        e: "",
        n: null,
      });
    } finally {
      db.closeSync();
      instance.closeSync();
    }
  });
});

describe("the printed script of table inputs, per dialect (scriptDialectFor)", () => {
  const sd = scriptDialectFor("duckdb");
  const sp = scriptDialectFor("postgres");
  const sb = scriptDialectFor("bigquery");
  const ss = scriptDialectFor("snowflake");
  let instance: DuckDBInstance;
  let db: DuckDBConnection;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    db = await instance.connect();
  });
  afterAll(() => {
    db.closeSync();
    instance.closeSync();
  });

  it("stops a statement with its message: a failing cast, ERROR() in BigQuery (DuckDB runs it)", async () => {
    expect(sp.failWhen("c", "'m'")).toBe("CAST(CASE WHEN c THEN 'm' END AS integer)");
    expect(ss.failWhen("c", "'m'")).toBe("CAST(CASE WHEN c THEN 'm' END AS INTEGER)");
    expect(sb.failWhen("c", "'m'")).toBe("IF(c, ERROR('m'), CAST(NULL AS INT64))");
    const run = (condition: string) =>
      db.runAndReadAll(`SELECT ${sd.failWhen(condition, "'check 1 failed'")} AS ok`);
    expect((await run("FALSE")).getRowObjects()[0].ok).toBeNull();
    await expect(run("TRUE")).rejects.toThrow(/check 1 failed/);
  });

  it("writes the statements as sent, but BigQuery's renames and key constraints", () => {
    for (const s of [sd, sp, ss])
      expect(s.statements("ALTER TABLE a_d RENAME TO a")).toEqual(["ALTER TABLE a_d RENAME TO a"]);
    expect(sb.statements("ALTER TABLE a_d RENAME TO a")).toEqual([
      "CREATE TEMP TABLE a AS SELECT * FROM a_d",
      "DROP TABLE a_d",
    ]);
    expect(
      sb.statements("CREATE TEMPORARY TABLE m (raw STRING PRIMARY KEY, value STRING)"),
    ).toEqual(["CREATE TEMPORARY TABLE m (raw STRING, value STRING)"]);
    expect(
      sb.statements("CREATE TEMPORARY TABLE p (c INT64 NOT NULL, l ARRAY<STRING> NOT NULL)"),
    ).toEqual(["CREATE TEMPORARY TABLE p (c INT64 NOT NULL, l ARRAY<STRING>)"]);
    expect(sb.statements("INSERT INTO m SELECT 'PRIMARY KEY'")).toEqual([
      "INSERT INTO m SELECT 'PRIMARY KEY'",
    ]);
    expect(ss.statements("CREATE TEMPORARY TABLE m (raw VARCHAR PRIMARY KEY)")).toEqual([
      "CREATE TEMPORARY TABLE m (raw VARCHAR PRIMARY KEY)",
    ]);
    expect([sd, sp, ss].map((s) => s.preamble)).toEqual([[], [], []]);
  });

  it("reads typed columns as the text the memory engine reads from PostgreSQL", () => {
    expect(sp.typedCell("v", "timestamptz", ".")).toBe(
      "REPLACE(CAST(v AT TIME ZONE 'UTC' AS text), ' ', 'T') || 'Z'",
    );
    expect(sd.typedCell("v", "numeric", ",")).toBe("REPLACE(CAST(v AS VARCHAR), '.', ',')");
    expect(sb.typedCell("v", "timestamptz", ".")).toBe(
      "FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E6SZ', v, 'UTC')",
    );
    expect(sb.typedCell("v", "timestamp", ".")).toBe("FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E6S', v)");
    expect(ss.typedCell("v", "timestamptz", ".")).toBe(
      `TO_CHAR(CONVERT_TIMEZONE('UTC', v), 'YYYY-MM-DD"T"HH24:MI:SS.FF6"Z"')`,
    );
    expect(ss.typedCell("v", "numeric", ",")).toBe("REPLACE(CAST(v AS VARCHAR), '.', ',')");
    for (const s of [sd, sp, sb, ss]) {
      expect(s.typedCell("v", "boolean", ".")).toBe(
        "CASE WHEN v THEN 'true' WHEN NOT v THEN 'false' END",
      );
      expect(s.typedCell("v", "other", ".")).toBe(`CAST(v AS ${s.dialect.textType})`);
    }
  });

  it("keeps a subquery's row order only in PostgreSQL and DuckDB", () => {
    expect([sd, sp, sb, ss].map((s) => s.keepsReadOrder)).toEqual([true, true, false, false]);
  });

  it("snowflake's script writes plain names bare, reserved words upper-case quoted", () => {
    const d = ss.dialect;
    expect(d.identifier("line")).toBe("line");
    expect(d.identifier("order")).toBe('"ORDER"');
    expect(d.identifier("Email")).toBe('"Email"');
    expect(d.identifier('a"b')).toBe('"a""b"');
    expect(d.tableName("shop.orders")).toBe("shop.orders");
    // The dialect of file inputs is unchanged.
    expect(snowflake.identifier("line")).toBe('"line"');
    for (const s of [sd, sp, sb]) expect(s.dialect).toBe(dialectFor(s.name));
  });

  it("adds a BigQuery customer's amounts in order, as JavaScript does (its function runs here)", () => {
    const [fn] = sb.preamble;
    const body = /AS r'''(.*)'''$/s.exec(fn)?.[1] ?? "";
    const sum = new Function("a", body) as (a: number[] | null) => number | null;
    expect(sum([0.1, 0.2, 0.3])).toBe(0.1 + 0.2 + 0.3);
    expect(sum([0.3, 0.2, 0.1])).toBe(0.3 + 0.2 + 0.1);
    expect(sum([0.1, 0.2, 0.3])).not.toBe(sum([0.3, 0.2, 0.1]));
    // ARRAY_AGG of no value is NULL in BigQuery: the sum is NULL, as SUM's.
    expect(sum([])).toBeNull();
    expect(sum(null)).toBeNull();
    expect(profileDialectFor("bigquery").orderedSum("v", "k")).toBe(
      "aud_ordered_sum(ARRAY_AGG(v IGNORE NULLS ORDER BY k))",
    );
    expect(profileDialectFor("snowflake").orderedSum("v", "k")).toBe(
      "CASE WHEN COUNT(v) > 0 THEN REDUCE(ARRAY_AGG(v) WITHIN GROUP (ORDER BY k), CAST(0 AS DOUBLE), (acc DOUBLE, x DOUBLE) -> acc + x) END",
    );
  });
});

describe("the staging's list items, mapping lookups and wide characters, per dialect", () => {
  const nd = normaliseDialectFor("duckdb");
  const np = normaliseDialectFor("postgres");
  const nb = normaliseDialectFor("bigquery");
  const ns = normaliseDialectFor("snowflake");

  it("finds a character beyond U+FFFF (DuckDB runs it)", async () => {
    const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    const db = await instance.connect();
    try {
      const reader = await db.runAndReadAll(
        `SELECT ${nd.beyondBmp("'a😀'")} AS wide, ${nd.beyondBmp("'aé\uffff'")} AS bmp`,
      );
      expect(reader.getRowObjects()[0]).toEqual({ wide: true, bmp: false });
    } finally {
      db.closeSync();
      instance.closeSync();
    }
    expect(np.beyondBmp("t")).toBe("(t ~ '[\\U00010000-\\U0010FFFF]')");
    expect(nb.beyondBmp("t")).toBe("REGEXP_CONTAINS(t, '[\\\\x{10000}-\\\\x{10FFFF}]')");
    // The lead byte of a four-byte UTF-8 sequence, at a byte boundary of the hex.
    expect(ns.beyondBmp("t")).toBe("(REGEXP_INSTR(HEX_ENCODE(t), '^([0-9A-F]{2})*F[0-4]') > 0)");
    const hex = (text: string) => Buffer.from(text, "utf8").toString("hex").toUpperCase();
    const wide = (text: string) => /^([0-9A-F]{2})*F[0-4]/.test(hex(text));
    // "/0" is 2F 30: an F before a 3, but not at a byte boundary.
    expect([wide("a😀"), wide("é\uffff"), wide("/0")]).toEqual([true, false, false]);
  });

  it("numbers the items of a list from 0 (DuckDB runs it)", async () => {
    const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    const db = await instance.connect();
    try {
      await db.run(
        "CREATE TABLE st AS SELECT * FROM (VALUES (1, 'a,b', TRUE), (2, NULL, TRUE), (3, 'c', FALSE)) AS t(seq, cell, ok)",
      );
      const sql = nd.listItems("st", "string_split(s.cell, ',')", "s.ok", "s.cell");
      const reader = await db.runAndReadAll(`SELECT * FROM (${sql}) AS w ORDER BY w.seq, w.pos`);
      expect(reader.getRowObjectsJS()).toEqual([
        { seq: 1, pos: 0n, value: "a" },
        { seq: 1, pos: 1n, value: "b" },
      ]);
    } finally {
      db.closeSync();
      instance.closeSync();
    }
    expect(np.listItems("st", "l", "ok", "c")).toContain("WITH ORDINALITY AS u(value, n)");
    expect(nb.listItems("st", "l", "ok", "c")).toBe(
      "SELECT v.seq, pos, value FROM (SELECT s.seq, l AS l FROM st AS s WHERE ok) AS v CROSS JOIN UNNEST(v.l) AS value WITH OFFSET AS pos",
    );
    expect(ns.listItems("st", "l", "ok", "c")).toContain("LATERAL FLATTEN(input => v.l) AS u");
  });

  it("looks a raw value up in a mapping table; Snowflake's subquery is an aggregate", () => {
    expect(np.mapped("t", "r.c")).toBe("(SELECT m.value FROM t AS m WHERE m.raw = r.c)");
    expect(nb.mapped("t", "r.c")).toBe("(SELECT m.value FROM t AS m WHERE m.raw = r.c)");
    expect(ns.mapped("t", "r.c")).toBe("(SELECT MAX(m.value) FROM t AS m WHERE m.raw = r.c)");
    expect(ns.bindAs("v", "x", "x || x")).toBe(
      "(SELECT ANY_VALUE(x || x) FROM (SELECT v AS x) AS x_)",
    );
  });
});
