/**
 * Test helper: the tables of `src/sql/tables.ts`, filled from the memory engine, in an in-memory
 * DuckDB. `profiles` comes from the memory engine's `Profiles` (its field getters); `orders`,
 * `order_lines`, `events` and `event_properties` are the rows the memory engine's sinks counted,
 * recorded while it reads (`captureIngest`): the plain normalised data, from which the compiled
 * SQL computes every aggregate itself.
 *
 * The recording wraps methods of the sinks for the duration of one load and puts them back: an
 * order's lines are seen by an extra item filter that matches every line, its customer by the
 * sink's `customerOf`, its amount by an extra `spent()` column; an event's customer by an extra
 * `events()` column whose writes are observed.
 */
import {
  DuckDBInstance,
  LIST,
  listValue,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBValue,
} from "@duckdb/node-api";
import { expect } from "vitest";
import type { EpochDay } from "../../src/calendar.js";
import type { Settings } from "../../src/config/settings.js";
import { loadProfiles } from "../../src/io/read-inputs.js";
import type { SegmentDefinition } from "../../src/segments/definition.js";
import { prepareRun } from "../../src/segments/prepare-run.js";
import type { SegmentPlan } from "../../src/segments/definition.js";
import { evaluateSegments, type SegmentMembers } from "../../src/segments/evaluate.js";
import { compileSegmentsSql } from "../../src/sql/compile.js";
import { CANONICAL_COLUMNS } from "../../src/model/presets.js";
import type { Value } from "../../src/dsl/evaluator.js";
import type { TextMatcher } from "../../src/dsl/patterns.js";
import { EventsSink } from "../../src/model/ingest-events.js";
import { OrdersSink } from "../../src/model/ingest-orders.js";
import type { OrderAggregate } from "../../src/model/order-folding.js";
import type { IngestContext } from "../../src/model/ingest-context.js";
import type { Profiles } from "../../src/model/profile.js";
import { CustomerStore } from "../../src/model/store.js";
import { parseBoolean, parseNumber } from "../../src/model/values.js";
import { dialectFor, type DialectName } from "../../src/sql/dialect.js";
import {
  createTableStatements,
  profileColumns,
  TABLES,
  type ColumnSpec,
} from "../../src/sql/tables.js";

export interface OrderRow {
  orderKey: number;
  customer: number;
  day: number;
  channel: string | null;
  amount: number;
}
export interface LineRow {
  orderKey: number;
  product: string | null;
  sku: string | null;
  category: string | null;
  amount: number;
}
export interface EventRow {
  eventKey: number;
  customer: number;
  type: string;
  day: number;
}
export interface EventPropertyRow {
  eventKey: number;
  name: string;
  text: string;
  number: number | null;
  flag: boolean | null;
}

export interface CapturedRows {
  orders: OrderRow[];
  lines: LineRow[];
  events: EventRow[];
  properties: EventPropertyRow[];
}

/* The sinks' private members the recording reads, as they are at run time. */
interface OpenOrderView {
  day: number;
  channel: string | undefined;
  currency: string | undefined;
}
interface CellReaderMap {
  [name: string]: ((fields: string[]) => string | undefined) | undefined;
}
interface OrdersSinkView {
  ctx: IngestContext;
  cells: CellReaderMap;
  itemFilters: { product?: TextMatcher; sku?: TextMatcher; category?: TextMatcher }[];
  aggregates: OrderAggregate[];
  lastOrder: OpenOrderView | undefined;
  amount(
    cell: unknown,
    fields: string[],
    line: number,
    column: string,
    allowNegative?: boolean,
  ): number | undefined;
  header(fields: string[]): void;
  row(fields: string[], line: number): void;
  closeOrder(order: OpenOrderView): void;
  customerOf(order: OpenOrderView): number;
}
interface EventsSinkView {
  ctx: IngestContext;
  cells: CellReaderMap;
  dates: { parse(text: string): number };
  aggregates: {
    index: number;
    type: TextMatcher;
    from: number;
    to: number;
    spec: unknown;
    properties: ((row: string[]) => boolean)[];
  }[];
  header(fields: string[]): void;
  row(fields: string[], line: number): void;
}
interface StoreView {
  grow(): void;
  aggregates: Float64Array[];
}

/**
 * Runs `load` (a memory-engine load of a shop) while recording the order, line and event rows it
 * counts. `eventProperties` are the property names to record (those the plan filters on).
 */
export async function captureIngest<T>(
  load: () => Promise<T>,
  eventProperties: readonly string[],
): Promise<{ result: T; rows: CapturedRows }> {
  const rows: CapturedRows = { orders: [], lines: [], events: [], properties: [] };
  const orders = OrdersSink.prototype as unknown as OrdersSinkView;
  const events = EventsSink.prototype as unknown as EventsSinkView;
  const store = CustomerStore.prototype as unknown as StoreView;
  const saved = {
    ordersHeader: orders.header,
    ordersRow: orders.row,
    closeOrder: orders.closeOrder,
    customerOf: orders.customerOf,
    eventsHeader: events.header,
    eventsRow: events.row,
    grow: store.grow,
  };
  /** Columns watched for writes: store → (column index → on write). */
  const watched = new WeakMap<object, Map<number, (c: number) => void>>();
  const watch = (s: StoreView, index: number, onWrite: (c: number) => void) => {
    let byIndex = watched.get(s);
    if (byIndex === undefined) watched.set(s, (byIndex = new Map()));
    byIndex.set(index, onWrite);
    s.aggregates[index] = observed(s.aggregates[index], onWrite);
  };
  store.grow = function (this: StoreView) {
    saved.grow.call(this);
    for (const [index, onWrite] of watched.get(this) ?? []) {
      this.aggregates[index] = observed(this.aggregates[index], onWrite);
    }
  };

  // A reading of the inputs again (docs/design.md#inputs identity) has a store of its own: the
  // rows of the earlier reading are forgotten, as the engine's recorder forgets them (`restart`).
  let reading: object | undefined;
  const readingOf = (s: object) => {
    if (reading === s) return;
    reading = s;
    rows.orders.length = 0;
    rows.lines.length = 0;
    rows.events.length = 0;
    rows.properties.length = 0;
  };

  // ---- orders
  const lines = new Map<OpenOrderView, Omit<LineRow, "orderKey">[]>();
  const spyColumn = new WeakMap<object, number>();
  let fields: string[] = [];
  let line = 0;
  let counted = -1;
  orders.header = function (this: OrdersSinkView, header: string[]) {
    saved.ordersHeader.call(this, header);
    const s = this.ctx.store;
    readingOf(s);
    let column = spyColumn.get(s);
    if (column === undefined) {
      column = s.aggregates.length;
      s.aggregates.push(new Float64Array(s.signupDay.length));
      spyColumn.set(s, column);
    }
    let current: Omit<LineRow, "orderKey"> | undefined;
    this.itemFilters.push({
      product: (product) => {
        const order = this.lastOrder as OpenOrderView;
        const cells = this.cells;
        const quantity = this.amount(cells.quantity, fields, line, "quantity", true) as number;
        const price = this.amount(cells.price, fields, line, "price") as number;
        current = {
          product: product ?? null,
          sku: null,
          category: null,
          amount: Number.isNaN(price) ? 0 : (Number.isNaN(quantity) ? 1 : quantity) * price,
        };
        const list = lines.get(order) ?? [];
        list.push(current);
        lines.set(order, list);
        return true;
      },
      sku: (sku) => {
        if (current !== undefined) current.sku = sku ?? null;
        return true;
      },
      category: (category) => {
        if (current !== undefined) current.category = category ?? null;
        return true;
      },
    });
    this.aggregates.push({
      index: column,
      measure: "spent",
      from: -Infinity,
      to: Infinity,
      channel: undefined,
      item: -1,
    });
  };
  orders.row = function (this: OrdersSinkView, row: string[], at: number) {
    fields = row;
    line = at;
    saved.ordersRow.call(this, row, at);
  };
  orders.customerOf = function (this: OrdersSinkView, order: OpenOrderView) {
    const c = saved.customerOf.call(this, order);
    counted = c;
    this.ctx.store.aggregates[spyColumn.get(this.ctx.store) as number][c] = 0;
    return c;
  };
  orders.closeOrder = function (this: OrdersSinkView, order: OpenOrderView) {
    counted = -1;
    const orderLines = lines.get(order) ?? [];
    lines.delete(order);
    const day = order.day;
    const channel = order.channel ?? null;
    const currency = order.currency ?? "";
    saved.closeOrder.call(this, order);
    if (counted < 0) return;
    const s = this.ctx.store;
    const options = this.ctx.options;
    let rate = 1;
    if (
      currency !== "" &&
      options.exchangeRates !== undefined &&
      currency !== options.exchangeRates.reporting
    )
      rate = options.exchangeRates.rates.get(currency) ?? NaN;
    if (Number.isNaN(rate)) rate = 0;
    const orderKey = rows.orders.length;
    rows.orders.push({
      orderKey,
      customer: counted,
      day,
      channel,
      amount: s.aggregates[spyColumn.get(s) as number][counted],
    });
    for (const l of orderLines) rows.lines.push({ ...l, orderKey, amount: l.amount * rate });
  };

  // ---- events
  let eventFields: string[] = [];
  /** Writes to the watched column count only inside an event row (Profiles rounds them later). */
  let inEventRow = false;
  let eventType = "";
  const propertyColumns = new WeakMap<object, Map<string, number>>();
  events.header = function (this: EventsSinkView, header: string[]) {
    const ctx = this.ctx as IngestContext & { bindFile: IngestContext["bindFile"] };
    const bindFile = ctx.bindFile;
    let bound: ReturnType<IngestContext["bindFile"]>["bound"] | undefined;
    ctx.bindFile = function (...args: Parameters<IngestContext["bindFile"]>) {
      const out = bindFile.apply(this, args);
      bound = out.bound;
      return out;
    };
    try {
      saved.eventsHeader.call(this, header);
    } finally {
      ctx.bindFile = bindFile;
    }
    const columns = new Map<string, number>();
    if (bound !== undefined) {
      // As EventsSink.header: extra columns, then bound non-canonical ones.
      for (const extra of bound.extras) columns.set(extra.name, extra.index);
      for (const [name, binding] of bound.bindings)
        if (!(CANONICAL_COLUMNS.events as readonly string[]).includes(name))
          columns.set(name, binding.sources[0].index);
    }
    propertyColumns.set(this, columns);
    const s = this.ctx.store as unknown as StoreView;
    readingOf(s);
    const index = s.aggregates.length;
    s.aggregates.push(new Float64Array(this.ctx.store.signupDay.length));
    watch(s, index, (c) => {
      if (!inEventRow) return;
      const raw = this.cells.occurred_at?.(eventFields) ?? "";
      const eventKey = rows.events.length;
      rows.events.push({ eventKey, customer: c, type: eventType, day: this.dates.parse(raw) });
      for (const name of eventProperties) {
        const col = propertyColumns.get(this)?.get(name);
        if (col === undefined) continue;
        const cell = eventFields[col];
        if (cell === undefined) continue;
        const n = parseNumber(cell.trim(), this.ctx.options.decimal);
        rows.properties.push({
          eventKey,
          name,
          text: cell,
          number: Number.isNaN(n) ? null : n,
          flag: parseBoolean(cell) ?? null,
        });
      }
    });
    this.aggregates.push({
      index,
      type: (type) => {
        eventType = type ?? "";
        return true;
      },
      from: -Infinity,
      to: Infinity,
      spec: undefined,
      properties: [],
    });
  };
  events.row = function (this: EventsSinkView, row: string[], at: number) {
    eventFields = row;
    inEventRow = true;
    try {
      saved.eventsRow.call(this, row, at);
    } finally {
      inEventRow = false;
    }
  };

  try {
    const result = await load();
    return { result, rows };
  } finally {
    orders.header = saved.ordersHeader;
    orders.row = saved.ordersRow;
    orders.closeOrder = saved.closeOrder;
    orders.customerOf = saved.customerOf;
    events.header = saved.eventsHeader;
    events.row = saved.eventsRow;
    store.grow = saved.grow;
  }
}

/** A column whose numeric writes call `onWrite(index)`. */
function observed(column: Float64Array, onWrite: (c: number) => void): Float64Array {
  return new Proxy(column, {
    set(target, key, value: number) {
      if (typeof key === "string" && /^\d+$/.test(key)) {
        target[Number(key)] = value;
        onWrite(Number(key));
        return true;
      }
      return Reflect.set(target, key, value);
    },
    get(target, key) {
      const v = Reflect.get(target, key) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Profile values as DuckDB values, by the column's type. */
function cell(spec: ColumnSpec, value: Value | undefined): DuckDBValue {
  if (value === null || value === undefined) return null;
  switch (spec.type) {
    case "text_list":
      return listValue((value as readonly Value[]).map((v) => String(v)));
    case "boolean":
      return value === true;
    case "integer":
    case "double":
      return value as number;
    case "text":
      return String(value);
    default:
      return null;
  }
}

export interface LoadedTables {
  connection: DuckDBConnection;
  close(): void;
}

/**
 * The `profiles` columns for the plan's fields, with the memory engine's getter of each: what
 * every loader of the test tables writes, row by row.
 */
export function profileGetters(
  profiles: Profiles,
  fields: readonly string[],
): { spec: ColumnSpec; get: (c: number) => Value | undefined }[] {
  const s = profiles.store;
  return profileColumns(fields).map((spec) => {
    switch (spec.name) {
      case "customer":
        return { spec, get: (c: number): Value => c };
      case "customer_key":
        return { spec, get: (c: number): Value => s.key(c) };
      case "can_text":
        return { spec, get: (c: number): Value => s.cannotText[c] === 0 };
      default:
        return { spec, get: profiles.field(spec.name) };
    }
  });
}

/** A new in-memory DuckDB with the tables of tables.ts filled for `profiles` and `rows`. */
export async function loadTables(
  profiles: Profiles,
  fields: readonly string[],
  rows: CapturedRows,
): Promise<LoadedTables> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const connection = await instance.connect();
  const d = dialectFor("duckdb");
  for (const sql of createTableStatements(d, fields)) await connection.run(sql);
  const columns = profileGetters(profiles, fields);
  const profileAppender = await connection.createAppender(TABLES.profiles);
  for (let c = 0; c < profiles.size; c++) {
    for (const { spec, get } of columns) {
      const type = spec.type;
      const v = cell(spec, get(c));
      if (v === null) profileAppender.appendNull();
      else if (type === "integer") profileAppender.appendInteger(v as number);
      else if (type === "double") profileAppender.appendDouble(v as number);
      else if (type === "boolean") profileAppender.appendBoolean(v as boolean);
      else if (type === "text") profileAppender.appendVarchar(v as string);
      else profileAppender.appendValue(v, LIST(VARCHAR));
    }
    profileAppender.endRow();
  }
  profileAppender.closeSync();

  // Typed values per column (an integer-valued double must go in as a double).
  const orderApp = await connection.createAppender(TABLES.orders);
  for (const o of rows.orders) {
    orderApp.appendInteger(o.orderKey);
    orderApp.appendInteger(o.customer);
    orderApp.appendInteger(o.day);
    if (o.channel === null) orderApp.appendNull();
    else orderApp.appendVarchar(o.channel);
    orderApp.appendDouble(o.amount);
    orderApp.endRow();
  }
  orderApp.closeSync();
  const lineApp = await connection.createAppender(TABLES.orderLines);
  for (const l of rows.lines) {
    lineApp.appendInteger(l.orderKey);
    for (const t of [l.product, l.sku, l.category]) {
      if (t === null) lineApp.appendNull();
      else lineApp.appendVarchar(t);
    }
    lineApp.appendDouble(l.amount);
    lineApp.endRow();
  }
  lineApp.closeSync();
  const eventApp = await connection.createAppender(TABLES.events);
  for (const e of rows.events) {
    eventApp.appendInteger(e.eventKey);
    eventApp.appendInteger(e.customer);
    eventApp.appendVarchar(e.type);
    eventApp.appendInteger(e.day);
    eventApp.endRow();
  }
  eventApp.closeSync();
  const propApp = await connection.createAppender(TABLES.eventProperties);
  for (const p of rows.properties) {
    propApp.appendInteger(p.eventKey);
    propApp.appendVarchar(p.name);
    propApp.appendVarchar(p.text);
    if (p.number === null) propApp.appendNull();
    else propApp.appendDouble(p.number);
    if (p.flag === null) propApp.appendNull();
    else propApp.appendBoolean(p.flag);
    propApp.endRow();
  }
  propApp.closeSync();
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Runs a compiled statement: segment id → sorted customer indexes. */
export async function runSegmentsSql(
  connection: DuckDBConnection,
  sql: string,
): Promise<Map<string, number[]>> {
  const reader = await connection.runAndReadAll(sql);
  return membersBySegment(reader.getRowObjects());
}

export function propertyNames(plan: SegmentPlan): string[] {
  const names = new Set<string>();
  for (const spec of plan.aggregates)
    if (spec.source === "events") for (const p of spec.properties) names.add(p.name);
  return [...names];
}

export function indexes(flags: Uint8Array): number[] {
  const out: number[] = [];
  for (let c = 0; c < flags.length; c++) if (flags[c] === 1) out.push(c);
  return out;
}

/** Where compiled SQL runs in the differential tests: a dialect and a loader of the tables. */
export interface SqlTarget {
  dialect: DialectName;
  load(
    profiles: Profiles,
    fields: readonly string[],
    rows: CapturedRows,
  ): Promise<{
    run(sql: string): Promise<Map<string, number[]>>;
    /** The rows of a statement, dates as YYYY-MM-DD texts (what `audience sql` tests read). */
    query(sql: string): Promise<Record<string, unknown>[]>;
    close(): Promise<void>;
  }>;
}

/** An in-memory DuckDB (the default target). */
export const DUCKDB_TARGET: SqlTarget = {
  dialect: "duckdb",
  async load(profiles, fields, rows) {
    const tables = await loadTables(profiles, fields, rows);
    return {
      run: (sql) => runSegmentsSql(tables.connection, sql),
      query: async (sql) =>
        (await tables.connection.runAndReadAll(sql)).getRowObjectsJson() as Record<
          string,
          unknown
        >[],
      close: async () => tables.close(),
    };
  },
};

/**
 * Compares the memory engine's results for `plan` with the compiled SQL's run by `target`, in
 * three modes; returns the number of segment comparisons made. Differences fail with the
 * segment's id.
 */
export async function compareEngines(
  plan: SegmentPlan,
  profiles: Profiles,
  rows: CapturedRows,
  target: SqlTarget = DUCKDB_TARGET,
): Promise<number> {
  const tables = await target.load(profiles, plan.fields, rows);
  const d = dialectFor(target.dialect);
  let compared = 0;
  try {
    const byMode = async (
      mode: "members" | "assigned",
      exclusive: boolean,
      pick: (r: SegmentMembers) => Uint8Array,
    ) => {
      const memory = evaluateSegments(plan, profiles, { exclusive });
      const sql = compileSegmentsSql(plan, d, { rows: mode, exclusive });
      const got = await tables.run(sql);
      for (const r of memory) {
        const expected = indexes(pick(r));
        expect({
          segment: r.segment.id,
          dialect: target.dialect,
          mode,
          exclusive,
          members: got.get(r.segment.id) ?? [],
        }).toEqual({
          segment: r.segment.id,
          dialect: target.dialect,
          mode,
          exclusive,
          members: expected,
        });
        compared++;
      }
    };
    await byMode("members", false, (r) => r.members);
    await byMode("assigned", false, (r) => r.reachable);
    await byMode("assigned", true, (r) => r.assigned);
  } finally {
    await tables.close();
  }
  return compared;
}

/**
 * A shop read as the CLI reads it — `prepareRun`'s plan and needs, the memory engine's load, the
 * phones that cannot receive texts marked — with the rows the memory engine counted.
 */
export async function readShop(
  definitions: readonly SegmentDefinition[],
  settings: Settings,
  asOf: EpochDay,
): Promise<{ plan: SegmentPlan; profiles: Profiles; rows: CapturedRows }> {
  const run = prepareRun(definitions, settings, asOf);
  const { result: data, rows } = await captureIngest(
    () => loadProfiles({ settings, asOf, needs: run.needs }),
    propertyNames(run.plan),
  );
  await run.evaluate(data.profiles);
  return { plan: run.plan, profiles: data.profiles, rows };
}

/** Rows of a compiled statement (segment, customer): segment id → sorted customer indexes. */
export function membersBySegment(
  rows: Iterable<Partial<Record<"segment" | "customer", unknown>>>,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const row of rows) {
    const id = String(row.segment);
    const list = out.get(id) ?? [];
    list.push(Number(row.customer));
    out.set(id, list);
  }
  for (const list of out.values()) list.sort((a, b) => a - b);
  return out;
}
