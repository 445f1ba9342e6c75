/**
 * A connection that runs SQL for the normalisation builders (src/sql/normalise.ts) and the mapping
 * tables (mapping.ts), whatever the database: DuckDB (duckdb/session.ts) or PostgreSQL
 * (postgres/session.ts). Parameters are bound, never spliced into the text.
 */
import type { Dialect } from "../sql/dialect.js";

type SqlScalar = string | number | boolean | null;
/** A bound value: a scalar, or an array (PostgreSQL: `$1::TEXT[]`). */
export type SqlParam = SqlScalar | readonly SqlScalar[];

/** A row as column name → value: texts exactly as stored, numbers, booleans, lists, null. */
export type SqlRow = Record<string, unknown>;

export interface SqlSession {
  readonly dialect: Dialect;
  run(sql: string, params?: readonly SqlParam[]): Promise<void>;
  rows(sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]>;
  /** Each row of `sql` in turn, as its values in column order (the array is reused). */
  each(
    sql: string,
    onRow: (row: readonly unknown[]) => void,
    params?: readonly SqlParam[],
  ): Promise<void>;
  /**
   * Appends rows of texts to `table` (unquoted name; its first `columns.length` columns are text),
   * given column by column: `columns[i][r]` is row r's value of column i. DuckDB: an appender, a
   * data chunk at a time; PostgreSQL: `INSERT … SELECT FROM unnest` of one bound array per column.
   */
  appendTexts(table: string, columns: readonly (readonly (string | null)[])[]): Promise<void>;
  close(): Promise<void>;
}
