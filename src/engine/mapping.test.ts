import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PhoneNormalizer } from "../model/phone.js";
import { openDuckDbSession } from "./duckdb/session.js";
import { buildMapping, mappedSql } from "./mapping.js";
import type { SqlSession } from "./session.js";

describe("mapping tables (DuckDB session)", () => {
  let session: SqlSession;
  beforeAll(async () => {
    session = await openDuckDbSession({ threads: 1 });
    await session.run("CREATE TABLE contacts (i INTEGER, phone VARCHAR)");
    const phones = [
      "06 12 34 56 78",
      "+33612345678",
      "06 12 34 56 78",
      "12",
      null,
      "\ufeff0612345678",
      "'+32 470 12 34 56",
    ];
    for (const [i, phone] of phones.entries())
      await session.run("INSERT INTO contacts VALUES ($1, $2)", [i, phone]);
  });
  afterAll(async () => {
    await session?.close();
  });

  it("maps the distinct phones with libphonenumber in TypeScript and joins them back", async () => {
    const fr = new PhoneNormalizer("FR");
    const seen: string[] = [];
    const mapped = await buildMapping(session, {
      table: "phone_map",
      source: "SELECT phone FROM contacts",
      map: (raw) => {
        seen.push(raw);
        return fr.toE164(raw);
      },
    });
    // Each distinct raw string once, NULL left out; the leading BOM reaches TypeScript intact.
    expect(mapped).toBe(5);
    expect(seen).toContain("\ufeff0612345678");
    const rows = await session.rows(
      `SELECT i, ${mappedSql(session.dialect, "phone_map", "phone")} AS e164 FROM contacts ORDER BY i`,
    );
    expect(rows.map((r) => r.e164)).toEqual([
      "+33612345678",
      "+33612345678",
      "+33612345678",
      null,
      null,
      fr.toE164("\ufeff0612345678") ?? null,
      "+32470123456",
    ]);
  });

  it("reads texts back exactly, a leading U+FEFF included, in scalars and lists", async () => {
    const rows = await session.rows("SELECT $1 AS t, [$1, 'x'] AS l", ["\ufeffabc"]);
    expect(rows).toEqual([{ t: "\ufeffabc", l: ["\ufeffabc", "x"] }]);
  });
});
