/**
 * A SqlSession (../session.ts) over embedded DuckDB (open.ts).
 *
 * Texts come back exactly as stored: @duckdb/node-api decodes VARCHAR results with a default
 * `TextDecoder`, which drops a leading U+FEFF (a BOM kept inside a cell), so text columns are read
 * as their UTF-8 bytes (`encode`) and decoded here with the BOM kept.
 */
import type { DuckDBValue } from "@duckdb/node-api";
import { dialectFor } from "../../sql/dialect.js";
import type { SqlParam, SqlRow, SqlSession } from "../session.js";
import { loadNodeApi, openDuckDb, type DuckDb, type DuckDbSettings } from "./open.js";

const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** A DuckDB result value as a plain JavaScript value. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return Number(value);
  if (typeof value !== "object") return value;
  if ("bytes" in value && value.bytes instanceof Uint8Array) return utf8.decode(value.bytes);
  if ("items" in value && Array.isArray(value.items)) return value.items.map(plain);
  return value;
}

export async function openDuckDbSession(settings: DuckDbSettings = {}): Promise<SqlSession> {
  return duckDbSessionOver(await openDuckDb(settings));
}

/**
 * A session over a database already open (whose connection also loads the raw tables, read.ts);
 * closing the session closes the database.
 */
export async function duckDbSessionOver(db: DuckDb): Promise<SqlSession> {
  const api = await loadNodeApi();
  const connection = db.connection;
  const dialect = dialectFor("duckdb");
  const bind = (params: readonly SqlParam[]) => params as DuckDBValue[];
  return {
    dialect,
    async run(sql, params = []) {
      await connection.run(sql, bind(params));
    },
    async rows(sql, params = []): Promise<SqlRow[]> {
      // The result's columns and types, without computing its rows.
      const shape = await connection.runAndReadAll(
        `SELECT * FROM (${sql}) AS q LIMIT 0`,
        bind(params),
      );
      const types = shape.columnTypes();
      const columns = shape.columnNames().map((column, i) => {
        const name = `q.${dialect.identifier(column)}`;
        const as = dialect.identifier(column);
        const type = types[i];
        if (type.typeId === api.DuckDBTypeId.VARCHAR) return `encode(${name}) AS ${as}`;
        if (type.typeId === api.DuckDBTypeId.LIST && type.toString() === "VARCHAR[]")
          return `list_transform(${name}, x -> encode(x)) AS ${as}`;
        return `${name} AS ${as}`;
      });
      const reader = await connection.runAndReadAll(
        `SELECT ${columns.join(", ")} FROM (${sql}) AS q`,
        bind(params),
      );
      return reader.getRowObjects().map((row) => {
        const out: SqlRow = {};
        for (const [key, value] of Object.entries(row)) out[key] = plain(value);
        return out;
      });
    },
    close() {
      db.close();
      return Promise.resolve();
    },
  };
}
