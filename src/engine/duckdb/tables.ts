/**
 * Filling the tables the compiled segment SQL reads (src/sql/tables.ts) in DuckDB, for
 * `--engine duckdb` (docs/design.md#engines): `orders`, `order_lines`, `events` and `event_properties` from the
 * rows the ingest sinks count (this writer is their `IngestRecorder`), `profiles` from the
 * profiles they build. Rows are buffered by column and appended a data chunk at a time, on a
 * connection of their own (the loader streams rows on the other one meanwhile).
 */
import type { DuckDBAppender, DuckDBConnection, DuckDBType, DuckDBValue } from "@duckdb/node-api";
import type { Value } from "../../dsl/evaluator.js";
import type { IngestRecorder, RecordedLine, RecordedProperty } from "../../model/ingest-context.js";
import type { Profiles } from "../../model/profile.js";
import type { SegmentPlan } from "../../segments/definition.js";
import { dialectFor } from "../../sql/dialect.js";
import {
  createTableStatements,
  EVENT_COLUMNS,
  EVENT_PROPERTY_COLUMNS,
  ORDER_COLUMNS,
  ORDER_LINE_COLUMNS,
  profileColumns,
  TABLES,
  type ColumnSpec,
  type ColumnType,
} from "../../sql/tables.js";
import { loadNodeApi } from "./open.js";

type NodeApi = Awaited<ReturnType<typeof loadNodeApi>>;

/** Rows per appended chunk (DuckDB's vector size). */
const CHUNK_ROWS = 2048;

function duckType(api: NodeApi, type: ColumnType): DuckDBType {
  switch (type) {
    case "integer":
      return api.INTEGER;
    case "double":
      return api.DOUBLE;
    case "text":
      return api.VARCHAR;
    case "boolean":
      return api.BOOLEAN;
    case "text_list":
      return api.LIST(api.VARCHAR);
    default: {
      const never: never = type;
      return never;
    }
  }
}

/** One table's rows, buffered by column and appended a chunk at a time. */
export class ChunkedAppender {
  private readonly types: DuckDBType[];
  private columns: DuckDBValue[][];
  private rows = 0;

  constructor(
    private readonly api: NodeApi,
    private readonly appender: DuckDBAppender,
    specs: readonly ColumnSpec[],
  ) {
    this.types = specs.map((s) => duckType(api, s.type));
    this.columns = specs.map(() => []);
  }

  /** Appends one row (values in column order). */
  push(values: readonly DuckDBValue[]): void {
    for (let i = 0; i < values.length; i++) this.columns[i].push(values[i]);
    if (++this.rows === CHUNK_ROWS) this.flush();
  }

  flush(): void {
    if (this.rows === 0) return;
    const chunk = this.api.DuckDBDataChunk.create(this.types, this.rows);
    chunk.setColumns(this.columns);
    this.appender.appendDataChunk(chunk);
    this.columns = this.types.map(() => []);
    this.rows = 0;
  }

  /** Every row pushed so far written into the table (the appender's own buffer too). */
  write(): void {
    this.flush();
    this.appender.flushSync();
  }

  close(): void {
    this.flush();
    this.appender.closeSync();
  }
}

/** The tables of one run, created for its plan; the recorder of the rows the sinks count. */
export class TableWriter implements IngestRecorder {
  readonly orders: boolean;
  readonly lines: boolean;
  readonly events: boolean;
  readonly eventProperties: readonly string[];
  private orderKey = 0;
  private eventKey = 0;

  private constructor(
    private readonly api: NodeApi,
    private readonly connection: DuckDBConnection,
    private readonly plan: SegmentPlan,
    private appenders: {
      orders: ChunkedAppender;
      lines: ChunkedAppender;
      events: ChunkedAppender;
      properties: ChunkedAppender;
    },
  ) {
    const orderSpecs = plan.aggregates.filter((s) => s.source === "orders");
    this.orders = orderSpecs.length > 0;
    this.lines = orderSpecs.some(
      (s) => s.product !== null || s.sku !== null || s.category !== null,
    );
    const names = new Set<string>();
    for (const spec of plan.aggregates)
      if (spec.source === "events") for (const p of spec.properties) names.add(p.name);
    this.events = plan.aggregates.some((s) => s.source === "events");
    this.eventProperties = [...names];
  }

  /** Creates the tables for `plan` on `connection` (which the writer then uses alone). */
  static async create(connection: DuckDBConnection, plan: SegmentPlan): Promise<TableWriter> {
    const api = await loadNodeApi();
    for (const sql of createTableStatements(dialectFor("duckdb"), plan.fields))
      await connection.run(sql);
    return new TableWriter(api, connection, plan, await TableWriter.appenders(api, connection));
  }

  private static async appenders(api: NodeApi, connection: DuckDBConnection) {
    const open = async (table: string, specs: readonly ColumnSpec[]) =>
      new ChunkedAppender(api, await connection.createAppender(table), specs);
    return {
      orders: await open(TABLES.orders, ORDER_COLUMNS),
      lines: await open(TABLES.orderLines, ORDER_LINE_COLUMNS),
      events: await open(TABLES.events, EVENT_COLUMNS),
      properties: await open(TABLES.eventProperties, EVENT_PROPERTY_COLUMNS),
    };
  }

  /** Forgets every row recorded: the inputs are read again (docs/design.md#inputs identity). */
  async restart(): Promise<void> {
    for (const appender of Object.values(this.appenders)) appender.close();
    for (const table of [TABLES.orders, TABLES.orderLines, TABLES.events, TABLES.eventProperties])
      await this.connection.run(`DELETE FROM ${table}`);
    this.appenders = await TableWriter.appenders(this.api, this.connection);
    this.orderKey = 0;
    this.eventKey = 0;
  }

  order(
    customer: number,
    day: number,
    channel: string | undefined,
    amount: number,
    lines: readonly RecordedLine[],
  ): void {
    const key = this.orderKey++;
    this.appenders.orders.push([key, customer, day, channel ?? null, amount]);
    if (!this.lines) return;
    for (const l of lines)
      this.appenders.lines.push([
        key,
        l.product ?? null,
        l.sku ?? null,
        l.category ?? null,
        l.amount,
      ]);
  }

  event(
    customer: number,
    type: string,
    day: number,
    properties: readonly RecordedProperty[],
  ): void {
    const key = this.eventKey++;
    this.appenders.events.push([key, customer, type, day]);
    for (const p of properties)
      this.appenders.properties.push([key, p.name, p.text, p.number ?? null, p.flag ?? null]);
  }

  /**
   * Closes the recorded tables and writes `profiles`: one row per customer, the base columns and
   * a column per field the plan reads, with the memory engine's values (its field getters).
   */
  async finish(profiles: Profiles): Promise<void> {
    for (const appender of Object.values(this.appenders)) appender.close();
    const specs = profileColumns(this.plan.fields);
    const store = profiles.store;
    const getters = specs.map((spec): ((c: number) => Value | undefined) => {
      switch (spec.name) {
        case "customer":
          return (c) => c;
        case "customer_key":
          return (c) => store.key(c);
        case "can_text":
          return (c) => store.cannotText[c] === 0;
        default:
          return profiles.field(spec.name);
      }
    });
    const api = this.api;
    const appender = new ChunkedAppender(
      api,
      await this.connection.createAppender(TABLES.profiles),
      specs,
    );
    const row: DuckDBValue[] = new Array<DuckDBValue>(specs.length);
    for (let c = 0; c < profiles.size; c++) {
      for (let i = 0; i < specs.length; i++) row[i] = cell(api, specs[i].type, getters[i](c));
      appender.push(row);
    }
    appender.close();
  }
}

/** A profile value as the DuckDB value of its column's type. */
function cell(api: NodeApi, type: ColumnType, value: Value | undefined): DuckDBValue {
  if (value === null || value === undefined) return type === "text_list" ? api.listValue([]) : null;
  switch (type) {
    case "text_list":
      return api.listValue((value as readonly Value[]).map((v) => String(v)));
    case "boolean":
      return value === true;
    case "integer":
    case "double":
      return typeof value === "number" && !Number.isNaN(value) ? value : null;
    case "text":
      return String(value);
    default: {
      const never: never = type;
      return never;
    }
  }
}
