/**
 * A SqlSession (../session.ts) over a PostgreSQL server. `pg` is loaded on first use only, so
 * nothing else pays for it.
 */
import { UserError } from "../../errors.js";
import { dialectFor } from "../../sql/dialect.js";
import type { SqlParam, SqlRow, SqlSession } from "../session.js";

/** Rows per statement of `appendTexts`. */
const APPEND_ROWS = 20_000;

/**
 * A PostgreSQL session's `appendTexts` (../session.ts), through its `query`: one
 * `INSERT … SELECT * FROM unnest($1::TEXT[], …)` per APPEND_ROWS rows, parsed and planned once.
 */
export async function appendTextArrays(
  query: (sql: string, values: SqlParam[]) => Promise<void>,
  table: string,
  columns: readonly (readonly (string | null)[])[],
): Promise<void> {
  const rows = columns[0]?.length ?? 0;
  const arrays = columns.map((_, i) => `$${i + 1}::TEXT[]`).join(", ");
  const sql = `INSERT INTO ${dialectFor("postgres").identifier(table)} SELECT * FROM unnest(${arrays})`;
  for (let start = 0; start < rows; start += APPEND_ROWS)
    await query(
      sql,
      columns.map((column) => column.slice(start, start + APPEND_ROWS)),
    );
}

/** Connects to `url` (postgresql://…); the URL is never repeated in a message (it may hold a password). */
export async function openPostgresSession(url: string): Promise<SqlSession> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  // Doubles and bigints as numbers (they are counts, days and amounts), not text.
  const types = {
    getTypeParser: (oid: number, format?: string) =>
      oid === 701 || oid === 20 || oid === 1700
        ? (text: string) => Number(text)
        : pg.types.getTypeParser(oid, format as "text"),
  };
  try {
    await client.connect();
  } catch (error) {
    throw new UserError(
      "DATABASE_UNREACHABLE",
      `PostgreSQL: cannot connect (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`,
      { cause: error },
    );
  }
  return {
    dialect: dialectFor("postgres"),
    async run(sql, params: readonly SqlParam[] = []) {
      await client.query({ text: sql, values: [...params], types });
    },
    async rows(sql, params: readonly SqlParam[] = []): Promise<SqlRow[]> {
      const result = await client.query<SqlRow>({ text: sql, values: [...params], types });
      return result.rows;
    },
    async each(sql, onRow, params: readonly SqlParam[] = []) {
      const result = await client.query<unknown[]>({
        text: sql,
        values: [...params],
        types,
        rowMode: "array",
      });
      for (const row of result.rows) onRow(row);
    },
    appendTexts(table, columns) {
      return appendTextArrays(
        async (text, values) => {
          await client.query({ text, values, types });
        },
        table,
        columns,
      );
    },
    async close() {
      await client.end();
    },
  };
}
