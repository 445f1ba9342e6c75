/**
 * `engine: postgres` (docs/design.md#engines): the connection the SQL run works on. The inputs
 * are read as they always are — tables and queries in one `REPEATABLE READ READ ONLY` transaction
 * of their own (read-tables.ts), CSV files by the memory engine's readers — and the staged rows,
 * the profile tables and the segments statement live on this second connection in temporary
 * tables only: every `CREATE TABLE` of the run is sent as `CREATE TEMP TABLE`, and `search_path`
 * is the session's temporary schema alone, so no statement of the run can name, create or drop a
 * table of the shop. (PostgreSQL refuses `CREATE TEMP TABLE` inside a READ ONLY transaction,
 * hence the two connections.) The temporary tables are discarded when the run ends.
 *
 * Failures are one line (read-tables.ts `databaseError`); the URL is only shown without its
 * password.
 */
import pg from "pg";
import { UserError } from "../errors.js";
import type { Settings } from "../config/settings.js";
import type { SqlParam, SqlRow, SqlSession } from "../engine/session.js";
import type { SqlTarget } from "../engine/sql-run.js";
import { InsertLoader } from "../engine/insert-loader.js";
import { appendTextArrays } from "../engine/postgres/session.js";
import { dialectFor } from "../sql/dialect.js";
import { databaseError, databaseTarget, type DatabaseTarget } from "./read-tables.js";

/** Doubles, bigints and numerics as numbers (counts, days, amounts), the rest as `pg` reads it. */
const TYPES = {
  getTypeParser: (oid: number, format?: string) =>
    oid === 701 || oid === 20 || oid === 1700
      ? (text: string) => Number(text)
      : pg.types.getTypeParser(oid, format as "text"),
};

/** A statement that fills a table (`CREATE TABLE x AS …`, `INSERT INTO x (…) SELECT …`): x. */
const FILLED =
  /^(?:CREATE (?:TEMP )?TABLE|INSERT INTO) ("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*) (?:AS |\([^)]*\) SELECT )/;

/** Rows per FETCH of the work session's `each`. */
const EACH_BATCH = 10_000;

/** The database of `engine: postgres`: `database:` / `--database`, required even for CSV inputs. */
export function engineDatabase(
  settings: Settings,
  env: Readonly<Record<string, string | undefined>>,
): DatabaseTarget {
  if (settings.database === undefined) {
    throw new UserError(
      "NO_DATABASE",
      "engine postgres runs the segments in a PostgreSQL server, but no database is given",
      {
        hint: "set database: postgres://user@host:5432/shop (or database: env:NAME) in audience.yaml, or pass --database URL",
      },
    );
  }
  // `first` places a missing database only, which is handled above.
  return databaseTarget(settings.database, env, {
    kind: "engine",
    source: { at: { file: "audience.yaml", line: 1, column: 1 } },
  });
}

/** Opens the work connection; `close` discards its temporary tables and disconnects. */
export async function openPostgresWork(
  target: DatabaseTarget,
): Promise<SqlTarget & { close(): Promise<void> }> {
  const client = new pg.Client({
    connectionString: target.url,
    application_name: "audience",
    connectionTimeoutMillis: 30_000,
    types: TYPES,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SET search_path TO pg_temp");
  } catch (error) {
    await client.end().catch(() => undefined);
    throw databaseError(error, target);
  }
  const query = async <R extends object>(
    config: pg.QueryConfig<SqlParam[]> & { rowMode?: "array" },
  ): Promise<pg.QueryResult<R>> => {
    try {
      return await client.query<R>(config as pg.QueryConfig<SqlParam[]>);
    } catch (error) {
      throw databaseError(error, target);
    }
  };
  const temp = (sql: string) => sql.replace(/^CREATE TABLE /, "CREATE TEMP TABLE ");
  const session: SqlSession = {
    dialect: dialectFor("postgres"),
    async run(sql, params = []) {
      await query({ text: temp(sql), values: [...params] });
      // Autovacuum never analyses temporary tables: without statistics the planner takes the
      // identity passes' joins for tiny ones (nested loops over millions of rows).
      const filled = FILLED.exec(sql);
      if (filled !== null) await query({ text: `ANALYZE ${filled[1]}` });
    },
    async rows(sql, params = []) {
      return (await query<SqlRow>({ text: sql, values: [...params] })).rows;
    },
    appendTexts(table, columns) {
      return appendTextArrays(
        async (text, values) => {
          await query({ text, values });
        },
        table,
        columns,
      );
    },
    async each(sql, onRow, params = []) {
      // Through a cursor, a batch at a time: a million profile rows never sit in memory at once.
      await query({ text: "BEGIN" });
      try {
        await query({ text: `DECLARE aud_each NO SCROLL CURSOR FOR ${sql}`, values: [...params] });
        for (;;) {
          const batch = await query<unknown[]>({
            text: `FETCH ${EACH_BATCH} FROM aud_each`,
            rowMode: "array",
          });
          for (const row of batch.rows) onRow(row);
          if (batch.rows.length < EACH_BATCH) break;
        }
        await query({ text: "COMMIT" });
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
    },
    async close() {
      try {
        await client.query("DISCARD TEMP");
      } catch {
        // The session is ending: its temporary tables go with it.
      }
      await client.end().catch(() => undefined);
    },
  };
  return {
    session,
    loader: () => Promise.resolve(new InsertLoader(session)),
    close: () => session.close(),
  };
}
