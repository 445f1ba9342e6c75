/**
 * The staging loader (staging-source.ts) of PostgreSQL: rows are buffered per table, column by
 * column, and written as `INSERT INTO t SELECT * FROM unnest($1::INTEGER[], $2::TEXT[], …)`, one
 * bound array per column — one statement for thousands of rows, parsed and planned once, where a
 * multi-row VALUES list would need a parameter per cell. A table's statement is sent when its
 * buffer is full and at each flush; statements run one after the other, and the last flush
 * waits for them all, then analyses the staging tables (autovacuum never analyses temporary
 * tables, and the profile builder's joins need the planner's statistics).
 */
import type { SqlParam, SqlSession } from "./session.js";
import type { StagedValue, StagingLoader } from "./staging-source.js";
import { STAGING_LAYOUT } from "../sql/staging.js";
import { sqlType } from "../sql/tables.js";

/** Rows per statement. */
const ROWS = 20_000;

interface Buffer {
  columns: StagedValue[][];
  rows: number;
  /** `$1::INTEGER[], $2::TEXT[], …` */
  arrays: string;
}

export class InsertLoader implements StagingLoader {
  private readonly buffers = new Map<string, Buffer>();
  private pending: Promise<void> = Promise.resolve();
  private failed: unknown;
  private closed = false;

  constructor(private readonly session: SqlSession) {
    const d = session.dialect;
    for (const { table, columns } of STAGING_LAYOUT) {
      this.buffers.set(table, {
        columns: columns.map(() => []),
        rows: 0,
        arrays: columns.map((c, i) => `$${i + 1}::${sqlType(d, c.type)}[]`).join(", "),
      });
    }
  }

  append(table: string, row: readonly StagedValue[]): void {
    const buffer = this.buffers.get(table);
    if (buffer === undefined) throw new Error(`no staging table ${table}`);
    for (let i = 0; i < row.length; i++) buffer.columns[i].push(row[i]);
    if (++buffer.rows === ROWS) this.write(table, buffer);
  }

  /** Queues the statement for `table`'s buffered rows. */
  private write(table: string, buffer: Buffer): void {
    if (buffer.rows === 0) return;
    const params: SqlParam[] = buffer.columns;
    buffer.columns = buffer.columns.map(() => []);
    buffer.rows = 0;
    const sql = `INSERT INTO ${this.session.dialect.identifier(table)} SELECT * FROM unnest(${buffer.arrays})`;
    this.pending = this.pending.then(() =>
      this.failed === undefined
        ? this.session.run(sql, params).catch((error: unknown) => {
            this.failed = error;
          })
        : undefined,
    );
  }

  async flush(): Promise<void> {
    for (const [table, buffer] of this.buffers) this.write(table, buffer);
    await this.pending;
    if (this.failed !== undefined) throw this.failed;
  }

  /** Every row appended so far written into its table (SqlRun.restage empties them next). */
  writeAll(): Promise<void> {
    return this.flush();
  }

  /** The last flush, then each staging table analysed. */
  async close(): Promise<void> {
    await this.flush();
    if (this.closed) return;
    this.closed = true;
    for (const table of this.buffers.keys())
      await this.session.run(`ANALYZE ${this.session.dialect.identifier(table)}`);
  }
}
