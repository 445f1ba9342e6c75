/**
 * What SQL cannot compute exactly (E.164 phones with libphonenumber, Unicode lower-casing of
 * emails and statuses: docs/design.md#normalisation-in-sql) is computed in TypeScript on the distinct raw strings and handed
 * to the database as a mapping table `(raw, value)`, which the normalisation SQL joins
 * (`mappedSql`). Only distinct values cross over, appended column by column (the session's
 * `appendTexts`: an appender in DuckDB, bound arrays in PostgreSQL).
 */
import type { Dialect } from "../sql/dialect.js";
import type { SqlSession } from "./session.js";

export interface MappingSpec {
  /** The mapping table to create (a temporary table). */
  table: string;
  /** A query whose first column holds the raw strings (NULLs and repeats are ignored). */
  source: string;
  /** The TypeScript twin: a raw string → its value, undefined for none. */
  map: (raw: string) => string | undefined;
}

/** Creates and fills the mapping table; returns the number of distinct raw strings mapped. */
export async function buildMapping(session: SqlSession, spec: MappingSpec): Promise<number> {
  const d = session.dialect;
  const table = d.identifier(spec.table);
  await session.run(`DROP TABLE IF EXISTS ${table}`);
  await session.run(
    `CREATE TEMPORARY TABLE ${table} (raw ${d.textType} PRIMARY KEY, value ${d.textType})`,
  );
  const found = await session.rows(
    `SELECT DISTINCT s.raw FROM (SELECT q.* FROM (${spec.source}) AS q) AS s(raw) WHERE s.raw IS NOT NULL`,
  );
  const raws = found.map((row) => row.raw as string);
  await session.appendTexts(spec.table, [raws, raws.map((raw) => spec.map(raw) ?? null)]);
  return raws.length;
}

/** The mapped value of `raw` (NULL when the raw string has none, or is NULL). */
export function mappedSql(d: Dialect, table: string, raw: string): string {
  return `(SELECT m.value FROM ${d.identifier(table)} AS m WHERE m.raw = ${raw})`;
}
