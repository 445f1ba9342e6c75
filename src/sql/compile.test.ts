import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIsoDay } from "../calendar.js";
import { parseSegmentFile } from "../segments/parse-segment-file.js";
import { planSegments } from "../segments/plan-segments.js";
import type { SegmentPlan } from "../segments/definition.js";
import { compileFunnelSql, compileSegmentsSql } from "./compile.js";
import { DIALECT_NAMES, dialectFor } from "./dialect.js";
import { createTableStatements } from "./tables.js";

const AS_OF = parseIsoDay("2026-03-31") as number;

function plan(text: string): SegmentPlan {
  const parsed = parseSegmentFile({ file: "s.yaml", text });
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join("; "));
  return planSegments(parsed.definitions, AS_OF);
}

const HOSTILE = plan(`segments:
  quoted:
    where: city = "o'brien\\\\'; DROP TABLE profiles; --" or orders(product: "50%_off*") >= 1
    channel: none
  vip:
    where: tags contains "VIP"
    channel: email
    priority: 1
  others:
    where: not in_segment("vip")
    exclude: [quoted]
    channel: any
`);

describe("compileSegmentsSql", () => {
  it.each(DIALECT_NAMES)("%s: user values only inside the dialect's literals", (name) => {
    const d = dialectFor(name);
    const sql = compileSegmentsSql(HOSTILE, d, { exclusive: true });
    const literal = d.string("o'brien\\'; DROP TABLE profiles; --");
    expect(sql).toContain(literal);
    // Outside that literal the text never appears.
    expect(sql.split(literal).join("").toLowerCase()).not.toContain("drop table");
    expect(sql).toContain(d.string("vip"));
  });

  it("--only computes the chosen segments and what they depend on, and returns only them", () => {
    const sql = compileSegmentsSql(HOSTILE, dialectFor("duckdb"), { only: ["others"] });
    // others (index 2) needs vip (1) and quoted (0): all three are computed.
    for (const cte of ['"seg_0" AS', '"seg_1" AS', '"seg_2" AS']) expect(sql).toContain(cte);
    expect(sql).toContain("'others' AS \"segment\"");
    expect(sql).not.toContain("'vip' AS \"segment\"");
  });

  it("--exclusive keeps each customer's first segment by priority, then appearance", () => {
    const sql = compileSegmentsSql(HOSTILE, dialectFor("postgres"), { exclusive: true });
    // vip has priority 1: rank 0; quoted and others follow in appearance order.
    expect(sql).toContain('\'vip\' AS "segment", 0 AS "rank"');
    expect(sql).toContain('\'quoted\' AS "segment", 1 AS "rank"');
    expect(sql).toContain('MIN("rank")');
    expect(compileSegmentsSql(HOSTILE, dialectFor("postgres"))).not.toContain('MIN("rank")');
  });
});

describe("compiled SQL in DuckDB, docs/design.md#engines edge cases", () => {
  let instance: DuckDBInstance;
  let db: DuckDBConnection;
  const d = dialectFor("duckdb");
  const cases = plan(`segments:
  not-recent:
    where: not (last_order_date < -180d)
    channel: none
  month-end:
    where: signup_date + 1m = 2026-02-28
    channel: none
  null-arith:
    where: (total_spent / orders_count) > 0 or (total_spent / orders_count) is null
    channel: none
  case-insensitive:
    where: city = "PARIS" and starts_with(city, "pa") and city contains "RI"
    channel: none
  not-in-null:
    where: city not in ["lyon"]
    channel: none
`);

  beforeAll(async () => {
    instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    db = await instance.connect();
    for (const sql of createTableStatements(d, cases.fields)) await db.run(sql);
    const jan31 = parseIsoDay("2026-01-31") as number;
    const old = parseIsoDay("2025-01-01") as number;
    // 0: never ordered, no city; 1: ordered long ago, in Paris, signed up 2026-01-31.
    await db.run(
      `INSERT INTO profiles (customer, customer_key, email, phone, email_consent, sms_consent, whatsapp_consent, can_text, city, last_order_date, orders_count, signup_date, total_spent) VALUES
       (0, 'a', NULL, NULL, false, false, false, true, NULL, NULL, 0, NULL, 0),
       (1, 'b', NULL, NULL, false, false, false, true, 'Paris', ${old}, 1, ${jan31}, 10)`,
    );
  });
  afterAll(() => {
    db.closeSync();
    instance.closeSync();
  });

  it("gives the memory engine's answers", async () => {
    const reader = await db.runAndReadAll(compileSegmentsSql(cases, d, { rows: "members" }));
    const members = new Map<string, number[]>();
    for (const row of reader.getRowObjectsJS()) {
      const id = String(row.segment);
      members.set(id, [...(members.get(id) ?? []), Number(row.customer)]);
    }
    // A comparison with null is false, so its `not` is true for the customer who never ordered.
    expect(members.get("not-recent")).toEqual([0]);
    // 2026-01-31 + 1m clamps to the end of February.
    expect(members.get("month-end")).toEqual([1]);
    // 0 / 0 is null (division by zero), 10 / 1 > 0.
    expect(members.get("null-arith")).toEqual([0, 1]);
    expect(members.get("case-insensitive")).toEqual([1]);
    // `not in` with a null value is false, like every comparison with null.
    expect(members.get("not-in-null")).toEqual([1]);
  });

  it("counts a funnel: the customers passing each top-level condition in turn", async () => {
    const sql = compileFunnelSql(cases, d, ["case-insensitive", "not-recent"]);
    const reader = await db.runAndReadAll(sql);
    const [row] = reader.getRowObjectsJS();
    const counts = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
    // case-insensitive: three conditions, customer 1 passes all; not-recent: one, customer 0.
    expect(counts).toEqual({ customers: 2, s0_0: 1, s0_1: 1, s0_2: 1, m0: 1, s1_0: 1, m1: 1 });
  });
});
