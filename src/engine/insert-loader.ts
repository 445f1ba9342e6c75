/**
 * A staging loader (staging-source.ts) for any SQL session: rows are buffered per table and
 * written as multi-row `INSERT … VALUES` statements with bound parameters (PostgreSQL takes at
 * most 65,535 parameters a statement), when a table's buffer is full and at each flush.
 */
import type { SqlParam, SqlSession } from "./session.js";
import type { StagedValue, StagingLoader } from "./staging-source.js";
import { STAGING_LAYOUT } from "../sql/staging.js";

/** Parameters per statement, under PostgreSQL's limit. */
const PARAMS = 30_000;

export class InsertLoader implements StagingLoader {
  private readonly buffers = new Map<string, StagedValue[][]>();
  private readonly widths = new Map<string, number>();
  private pending: Promise<void> = Promise.resolve();
  private failed: unknown;
  private closed = false;

  constructor(private readonly session: SqlSession) {
    for (const { table, columns } of STAGING_LAYOUT) {
      this.buffers.set(table, []);
      this.widths.set(table, columns.length);
    }
  }

  append(table: string, row: readonly StagedValue[]): void {
    const buffer = this.buffers.get(table);
    if (buffer === undefined) throw new Error(`no staging table ${table}`);
    buffer.push([...row]);
    const width = this.widths.get(table) as number;
    if (buffer.length * width >= PARAMS) this.write(table);
  }

  /** Queues the statement for `table`'s buffered rows (statements run one after the other). */
  private write(table: string): void {
    const rows = this.buffers.get(table) as StagedValue[][];
    if (rows.length === 0) return;
    this.buffers.set(table, []);
    const d = this.session.dialect;
    const params: SqlParam[] = [];
    const tuples = rows.map(
      (row) =>
        `(${row
          .map((v) => {
            params.push(v);
            return `$${params.length}`;
          })
          .join(", ")})`,
    );
    const sql = `INSERT INTO ${d.identifier(table)} VALUES ${tuples.join(", ")}`;
    this.pending = this.pending.then(() =>
      this.failed === undefined
        ? this.session.run(sql, params).catch((error: unknown) => {
            this.failed = error;
          })
        : undefined,
    );
  }

  async flush(): Promise<void> {
    for (const table of this.buffers.keys()) this.write(table);
    await this.pending;
    if (this.failed !== undefined) throw this.failed;
  }

  /** The last flush; then each staging table is analysed (the planner's statistics). */
  async close(): Promise<void> {
    await this.flush();
    if (this.closed) return;
    this.closed = true;
    for (const table of this.buffers.keys())
      await this.session.run(`ANALYZE ${this.session.dialect.identifier(table)}`);
  }
}
