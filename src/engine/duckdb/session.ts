/**
 * A SqlSession (../session.ts) over embedded DuckDB (open.ts).
 *
 * Texts come back exactly as stored: @duckdb/node-api decodes each VARCHAR value with a default
 * `TextDecoder`, which drops one leading U+FEFF (a BOM kept inside a cell), so a text column is
 * read with a second U+FEFF put before a leading one (`bomKept`), which the decoder drops.
 */
import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
import { dialectFor } from "../../sql/dialect.js";
import type { SqlParam, SqlRow, SqlSession } from "../session.js";
import { loadNodeApi, openDuckDb, type DuckDb, type DuckDbSettings } from "./open.js";

/** Rows per data chunk of `appendTexts` (DuckDB's vector size). */
const CHUNK_ROWS = 2048;

const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** `text` with a U+FEFF before a leading one: the node-api's decoding drops one, not both. */
function bomKept(text: string): string {
  return `CASE WHEN starts_with(${text}, chr(65279)) THEN chr(65279) || ${text} ELSE ${text} END`;
}

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
  /** `sql` with its text columns' leading BOM kept (see the top of the file). */
  const bomSafe = async (sql: string, params: readonly SqlParam[]): Promise<string> => {
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
      if (type.typeId === api.DuckDBTypeId.VARCHAR) return `${bomKept(name)} AS ${as}`;
      if (type.typeId === api.DuckDBTypeId.LIST && type.toString() === "VARCHAR[]")
        return `list_transform(${name}, x -> ${bomKept("x")}) AS ${as}`;
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
      const reader = await connection.runAndReadAll(await bomSafe(sql, params), bind(params));
      return reader.getRowObjects().map((row) => {
        const out: SqlRow = {};
        for (const [key, value] of Object.entries(row)) out[key] = plain(value);
        return out;
      });
    },
    async each(sql, onRow, params = []) {
      const result = await connection.stream(await bomSafe(sql, params), bind(params));
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
    async appendTexts(table, columns) {
      const rows = columns[0]?.length ?? 0;
      if (rows === 0) return;
      const appender = await connection.createAppender(table);
      try {
        const types = columns.map(() => api.VARCHAR);
        for (let start = 0; start < rows; start += CHUNK_ROWS) {
          const end = Math.min(rows, start + CHUNK_ROWS);
          const chunk = api.DuckDBDataChunk.create(types, end - start);
          chunk.setColumns(columns.map((column) => column.slice(start, end)));
          appender.appendDataChunk(chunk);
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    },
    close() {
      close();
      return Promise.resolve();
    },
  };
}
