import { createHash } from "node:crypto";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMonths, parseIsoDay } from "../calendar.js";
import { dialectFor, likePattern } from "./dialect.js";

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
