import { describe, expect, it } from "vitest";
import { buildMapping } from "../engine/mapping.js";
import { dialectFor } from "./dialect.js";
import { RecordingSession } from "./record-session.js";

const pg = dialectFor("postgres");

describe("RecordingSession", () => {
  it("records every table as temporary, once, and drops only its own tables", async () => {
    const rec = new RecordingSession(pg, 3, false);
    await rec.run(`DROP TABLE IF EXISTS "profiles"`);
    await rec.run(`CREATE TABLE "stage_orders" (a text)`);
    await rec.run(`CREATE TABLE IF NOT EXISTS "stage_orders" (a text)`);
    await rec.run(`CREATE TEMP TABLE t_d AS SELECT 1 AS x`);
    await rec.run(`DROP TABLE IF EXISTS t`);
    await rec.run(`ALTER TABLE t_d RENAME TO t`);
    await rec.run(`DROP TABLE IF EXISTS t`);
    expect(rec.statements).toEqual([
      `CREATE TEMPORARY TABLE "stage_orders" (a text)`,
      `CREATE TEMPORARY TABLE t_d AS SELECT 1 AS x`,
      `ALTER TABLE t_d RENAME TO t`,
      `DROP TABLE t`,
    ]);
  });

  it("takes no rows computed in TypeScript: an empty mapping is nothing, a filled one a bug", async () => {
    const rec = new RecordingSession(pg, 3, false);
    await rec.appendTexts("sp_phone_0", [[], []]);
    expect(rec.statements).toEqual([]);
    await expect(rec.appendTexts("sp_phone_0", [["0612"], ["+33612"]])).rejects.toThrow(
      "rows computed in TypeScript for sp_phone_0 cannot be printed (a bug: please report it)",
    );
  });

  it("answers a mapping's question with no value, and records a check that fails on any", async () => {
    const rec = new RecordingSession(pg, 3, false);
    rec.context = "contacts (table shop.customers)";
    const rows = await buildMapping(rec, {
      table: "sp_phone_0",
      source: "SELECT r.c1 FROM raw AS r",
      map: () => "+33612345678",
    });
    expect(rows).toBe(0);
    expect(rec.checks).toEqual([
      { message: expect.stringMatching(/^contacts \(table shop.customers\): a phone cell: /) },
    ]);
    const check = rec.statements.at(-1) ?? "";
    expect(check).toMatch(/^CREATE TEMPORARY TABLE "aud_check_1" AS SELECT CAST\(CASE WHEN COUNT/);
    expect(check).toContain(
      "UNION ALL SELECT r.c1 FROM raw AS r) AS s WHERE s.raw IS NOT NULL) AS x WHERE TRUE",
    );
    expect(check).toContain("audience sql check 1 failed in contacts (table shop.customers)");
  });

  it("writes out the identity passes, the last one checked", async () => {
    const rec = new RecordingSession(pg, 3, false);
    const changes = `SELECT CAST(COUNT(*) AS integer) AS changed FROM aud_next AS n JOIN aud_cust AS c ON c.g = n.g WHERE n.cust <> c.cust`;
    const answers = [];
    for (let pass = 0; pass < 3; pass++) answers.push((await rec.rows(changes))[0].changed);
    expect(answers).toEqual([1, 1, 0]);
    expect(rec.checks).toHaveLength(1);
    expect(rec.checks[0].message).toContain("did not settle in the 3 passes written out");
    expect(rec.statements.at(-1)).toContain("WHERE x.changed > 0");
  });

  it("checks a rejected row under --strict only", async () => {
    const question = "SELECT count(*) AS n FROM (SELECT 1 FROM audience_so_rejects) AS x";
    const lax = new RecordingSession(pg, 3, false);
    expect(await lax.rows(question)).toEqual([{ n: 0 }]);
    expect(lax.checks).toEqual([]);
    const strict = new RecordingSession(pg, 3, true);
    await strict.rows(question);
    expect(strict.checks).toEqual([{ message: "the inputs: --strict with a rejected row" }]);
  });

  it("checks every row in ambiguous day/month order, not only the first row found", async () => {
    const rec = new RecordingSession(pg, 3, false);
    const found = `SELECT line, CASE WHEN date_problem = 'ambiguous day/month order' THEN 'a' ELSE 'u' END AS why FROM "sp_step_0" WHERE reject IS NULL ORDER BY line LIMIT 1`;
    expect(await rec.rows(found)).toEqual([]);
    const check = rec.statements.at(-1) ?? "";
    expect(check).not.toContain("LIMIT");
    expect(check).toContain(`FROM "sp_step_0" WHERE reject IS NULL) AS x WHERE x.why = 'a'`);
  });

  it("refuses bound values and questions it does not know", async () => {
    const rec = new RecordingSession(pg, 3, false);
    await expect(rec.run("INSERT INTO t VALUES ($1)", ["x"])).rejects.toThrow(/bound values/);
    await expect(rec.rows("SELECT * FROM profiles")).rejects.toThrow(
      /cannot print a script asking: SELECT \* FROM profiles/,
    );
  });
});
