/**
 * Events rows (WhatsApp messages, email clicks…) and list memberships → customers.
 *
 * Events only feed the `events(…)` aggregates the plan asks for; nothing else is kept. Someone who
 * appears only in events or lists (a WhatsApp lead who wrote in, a list imported from elsewhere)
 * becomes a customer with `known_contact = false`, like a buyer found only in orders.
 */
import { CANONICAL_COLUMNS } from "./presets.js";
import type { SinkStagingView } from "./ingest-context.js";
import { UserError } from "../errors.js";
import { compilePatterns, type TextMatcher } from "../dsl/patterns.js";
import type { EventAggregateSpec } from "../dsl/plan.js";
import type { CellReader } from "./columns.js";
import { ambiguousDateError, type DateParser } from "./dates.js";
import {
  missingKeyReason,
  hasNoKey,
  findCustomer,
  readKeys,
  type FileStats,
  type IngestContext,
  type RecordedProperty,
  type RowSink,
} from "./ingest-context.js";
import { headersFound } from "./rejects.js";
import { cleanCell, parseBoolean, parseNumber } from "./values.js";

const EVENT_COLUMNS: ReadonlySet<string> = new Set(CANONICAL_COLUMNS.events);

type PropertyTest = (fields: readonly string[]) => boolean;

interface EventAggregate {
  index: number;
  type: TextMatcher;
  from: number;
  to: number;
  spec: EventAggregateSpec;
  properties: PropertyTest[];
}

/** Resolves a row's customer by id, email, phone; creates one when nobody matches. */
function customerOfRow(
  ctx: IngestContext,
  stats: FileStats,
  file: string,
  line: number,
  fields: string[],
  cells: Record<string, CellReader>,
): number {
  const keys = readKeys(
    ctx.phones,
    cells.customer_id(fields),
    cells.email(fields),
    cells.phone(fields),
  );
  if (hasNoKey(keys)) {
    ctx.rejects.reject(file, line, missingKeyReason(keys), fields);
    return -1;
  }
  let c = findCustomer(ctx.store, keys);
  if (c < 0) {
    c = ctx.store.create(false);
    stats.created++;
  }
  ctx.store.attach(c, keys.id, keys.email, keys.phone);
  return c;
}

export class EventsSink implements RowSink {
  private readonly ctx: IngestContext;
  private readonly file: string;
  private readonly stats: FileStats;
  private readonly dates: DateParser;
  private cells: Record<string, CellReader> = {};
  private used = new Set<number>();
  private aggregates: EventAggregate[] = [];
  /** The property columns the ingest recorder records: name → column. */
  private recorded: [string, number][] = [];

  constructor(ctx: IngestContext, file: string) {
    this.ctx = ctx;
    this.file = file;
    this.stats = ctx.newStats("events", file);
    this.dates = ctx.dateParser(true);
  }

  header(fields: string[]): void {
    const { bound, cells, used } = this.ctx.bindFile("events", this.file, fields, this.stats);
    this.cells = cells;
    this.used = used;
    const columns = new Map<string, number>();
    for (const extra of bound.extras) columns.set(extra.name, extra.index);
    for (const [name, binding] of bound.bindings) {
      if (!EVENT_COLUMNS.has(name)) columns.set(name, binding.sources[0].index);
    }
    const missing = new Set<string>();
    this.aggregates = [];
    this.ctx.options.aggregates.forEach((spec, index) => {
      if (spec.source !== "events") return;
      const properties: PropertyTest[] = spec.properties.map((filter) => {
        const column = columns.get(filter.name);
        if (column === undefined) {
          missing.add(filter.name);
          return () => false;
        }
        used.add(column);
        const value = filter.value;
        switch (value.kind) {
          case "text": {
            const match = compilePatterns(value.patterns);
            return (row) => match(row[column]);
          }
          case "number": {
            const decimal = this.ctx.options.decimal;
            return (row) => {
              const cell = row[column];
              return cell !== undefined && parseNumber(cell.trim(), decimal) === value.value;
            };
          }
          case "boolean":
            return (row) => parseBoolean(row[column]) === value.value;
          default: {
            const never: never = value;
            return never;
          }
        }
      });
      this.aggregates.push({
        index,
        type: compilePatterns(spec.type),
        from: spec.window.from ?? -Infinity,
        to: spec.window.to ?? Infinity,
        spec,
        properties,
      });
    });
    this.recorded = [];
    for (const name of this.ctx.recorder?.eventProperties ?? []) {
      const column = columns.get(name);
      if (column === undefined) continue;
      used.add(column);
      this.recorded.push([name, column]);
    }
    // A filter on a column the file lacks would match nothing, silently: `handled: false` would
    // then let customers with unanswered messages through. Stop and say so.
    const [name] = missing;
    if (name !== undefined) {
      throw new UserError(
        "MISSING_EVENT_PROPERTY",
        `${this.file} has no column "${name}", which a segment filters events on (events(…, ${name}: …))`,
        { hint: headersFound(fields) },
      );
    }
  }

  columns(): readonly number[] {
    return [...this.used];
  }

  stagingView(): SinkStagingView {
    return {
      ctx: this.ctx,
      stats: this.stats,
      cells: this.cells,
      dates: this.dates,
      properties: this.recorded,
    };
  }

  row(fields: string[], line: number): void {
    const cells = this.cells;
    this.stats.rows++;
    const type = cleanCell(cells.type(fields));
    if (type === undefined) {
      this.ctx.rejects.reject(this.file, line, "empty event type", fields);
      return;
    }
    const raw = cells.occurred_at(fields);
    if (raw === undefined || raw.trim() === "") {
      this.ctx.rejects.reject(this.file, line, "empty occurred_at", fields);
      return;
    }
    const day = this.dates.parse(raw);
    if (Number.isNaN(day) && this.dates.problem === "ambiguous day/month order") {
      throw ambiguousDateError(this.file, line, raw.trim());
    }
    if (Number.isNaN(day)) {
      this.ctx.rejects.reject(
        this.file,
        line,
        `${this.dates.problem} in occurred_at`,
        fields,
        raw.trim().slice(0, 40),
      );
      return;
    }
    if (day > this.ctx.options.asOf) {
      // Point in time: nothing dated after as_of counts, not even as a new person.
      this.stats.afterAsOf++;
      return;
    }
    const c = customerOfRow(this.ctx, this.stats, this.file, line, fields, cells);
    if (c < 0) return;
    for (const a of this.aggregates) {
      if (day < a.from || day > a.to || !a.type(type)) continue;
      let ok = true;
      for (const test of a.properties) {
        if (!test(fields)) {
          ok = false;
          break;
        }
      }
      if (ok) this.ctx.store.aggregates[a.index][c]++;
    }
    const recorder = this.ctx.recorder;
    if (recorder?.events === true) {
      const properties: RecordedProperty[] = [];
      for (const [name, column] of this.recorded) {
        const text = fields[column];
        if (text === undefined) continue;
        const number = parseNumber(text.trim(), this.ctx.options.decimal);
        properties.push({
          name,
          text,
          number: Number.isNaN(number) ? undefined : number,
          flag: parseBoolean(text),
        });
      }
      recorder.event(c, type, day, properties);
    }
  }
}

export class ListsSink implements RowSink {
  private readonly ctx: IngestContext;
  private readonly file: string;
  private readonly stats: FileStats;
  private cells: Record<string, CellReader> = {};
  private used = new Set<number>();

  constructor(ctx: IngestContext, file: string) {
    this.ctx = ctx;
    this.file = file;
    this.stats = ctx.newStats("lists", file);
  }

  header(fields: string[]): void {
    const { cells, used } = this.ctx.bindFile("lists", this.file, fields, this.stats);
    this.cells = cells;
    this.used = used;
  }

  columns(): readonly number[] {
    return [...this.used];
  }

  stagingView(): SinkStagingView {
    const none = { parse: () => NaN, time: NaN };
    return { ctx: this.ctx, stats: this.stats, cells: this.cells, dates: none };
  }

  row(fields: string[], line: number): void {
    this.stats.rows++;
    const list = cleanCell(this.cells.list(fields));
    if (list === undefined) {
      this.ctx.rejects.reject(this.file, line, "empty list name", fields);
      return;
    }
    const c = customerOfRow(this.ctx, this.stats, this.file, line, fields, this.cells);
    if (c < 0) return;
    this.ctx.store.addToList(c, list);
  }
}
