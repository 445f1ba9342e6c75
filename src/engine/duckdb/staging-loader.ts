/**
 * The staging loader (../staging-source.ts) of DuckDB: one appender per staging table, on a
 * connection of its own, a data chunk at a time.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { STAGING_LAYOUT } from "../../sql/staging.js";
import type { StagedValue, StagingLoader } from "../staging-source.js";
import { loadNodeApi } from "./open.js";
import { ChunkedAppender } from "./tables.js";

export class DuckDbStagingLoader implements StagingLoader {
  private closed = false;

  private constructor(private readonly appenders: Map<string, ChunkedAppender>) {}

  /** Appenders on the staging tables, which must exist. */
  static async open(connection: DuckDBConnection): Promise<DuckDbStagingLoader> {
    const api = await loadNodeApi();
    const appenders = new Map<string, ChunkedAppender>();
    for (const { table, columns } of STAGING_LAYOUT)
      appenders.set(
        table,
        new ChunkedAppender(api, await connection.createAppender(table), columns),
      );
    return new DuckDbStagingLoader(appenders);
  }

  append(table: string, row: readonly StagedValue[]): void {
    const appender = this.appenders.get(table);
    if (appender === undefined) throw new Error(`no staging table ${table}`);
    appender.push(row);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** Every row appended so far written into its table (SqlRun.restage empties them next). */
  writeAll(): Promise<void> {
    if (!this.closed) for (const appender of this.appenders.values()) appender.write();
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (!this.closed) for (const appender of this.appenders.values()) appender.close();
    this.closed = true;
    return Promise.resolve();
  }
}
