/**
 * A SqlSession (../session.ts) over embedded DuckDB (open.ts).
 *
 * Texts come back exactly as stored: @duckdb/node-api decodes VARCHAR results with a default
 * `TextDecoder`, which drops a leading U+FEFF (a BOM kept inside a cell), so text columns are read
 * as their UTF-8 bytes (`encode`) and decoded here with the BOM kept.
 */
import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
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
export function duckDbSessionOver(db: DuckDb): Promise<SqlSession> {
  return duckDbSession(db.connection, () => db.close());
}

/**
 * A session over an open connection (one the raw tables of read.ts are loaded into); `close` ends
 * it (by default closing it closes nothing: the connection is the caller's).
 */
export async function duckDbSession(
  connection: DuckDBConnection,
  close: () => void = () => {},
): Promise<SqlSession> {
  const api = await loadNodeApi();
  const dialect = dialectFor("duckdb");
  const bind = (params: readonly SqlParam[]) => params as DuckDBValue[];
  /** `sql` with its text columns read as bytes (see the top of the file). */
  const encoded = async (sql: string, params: readonly SqlParam[]): Promise<string> => {
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
    return `SELECT ${columns.join(", ")} FROM (${sql}) AS q`;
  };
  return {
    dialect,
    async run(sql, params = []) {
      await connection.run(sql, bind(params));
    },
    async rows(sql, params = []): Promise<SqlRow[]> {
      const reader = await connection.runAndReadAll(await encoded(sql, params), bind(params));
      return reader.getRowObjects().map((row) => {
        const out: SqlRow = {};
        for (const [key, value] of Object.entries(row)) out[key] = plain(value);
        return out;
      });
    },
    async each(sql, onRow, params = []) {
      const result = await connection.stream(await encoded(sql, params), bind(params));
      for (;;) {
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) break;
        const vectors = Array.from({ length: chunk.columnCount }, (_, i) =>
          chunk.getColumnVector(i),
        );
        const row = new Array<unknown>(vectors.length);
        for (let r = 0; r < chunk.rowCount; r++) {
          for (let i = 0; i < vectors.length; i++) row[i] = plain(vectors[i].getItem(r));
          onRow(row);
        }
      }
    },
    close() {
      close();
      return Promise.resolve();
    },
  };
}
