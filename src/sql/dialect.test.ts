import { createHash } from "node:crypto";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMonths, parseIsoDay } from "../calendar.js";
import { dialectFor, likePattern, normaliseDialectFor } from "./dialect.js";

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
