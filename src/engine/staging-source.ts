/**
 * The staging tables (src/sql/staging.ts) filled by the memory engine's ingest, for the SQL run
 * (sql-run.ts, docs/design.md#engines): each input sink is wrapped, and every row its reader
 * accepted is staged with the sink's own cell readers, date parser and the normalisers it uses
 * (readKeys, parseNumber, cleanCell…), so the SQL profile builder sees exactly the rows the memory
 * engine counted. A row is accepted when the sink raised no reject of its own for it (an
 * order-level reject, for an order without a date or with a negative amount, is the builder's to
 * decide) and `orders_filter` did not leave it out.
 *
 * The rows go to a `StagingLoader` (an appender in DuckDB, multi-row inserts in PostgreSQL),
 * flushed after each input.
 */
import type { InputKind } from "../model/presets.js";
import {
  readKeys,
  type IngestRecorder,
  type RowSink,
  type SinkStagingView,
} from "../model/ingest-context.js";
import { channelName, normalizeStatus } from "../model/order-assembly.js";
import type { Profiles } from "../model/profile.js";
import { cleanCell, parseBoolean, parseNumber, splitMulti } from "../model/values.js";
import { STAGING } from "../sql/staging.js";

export type StagedValue = string | number | boolean | null;

/** Where staged rows go: values in the column order of STAGING_LAYOUT. */
export interface StagingLoader {
  append(table: string, row: readonly StagedValue[]): void;
  /** Writes what is buffered. */
  flush(): Promise<void>;
}

/** A sink the staging source can wrap. */
type StageableSink = RowSink & { finish?: () => void; stagingView(): SinkStagingView };

/** Reasons that are about a whole order, not the row being read. */
const ORDER_LEVEL = new Set([
  "order without a date (created_at empty on all its rows)",
  "negative order amount",
]);

const STAGED_KINDS: ReadonlySet<InputKind> = new Set(["contacts", "orders", "events", "lists"]);

function read(view: SinkStagingView, name: string, fields: string[]): string | undefined {
  return view.cells[name]?.(fields);
}

function text(view: SinkStagingView, name: string, fields: string[]): string | null {
  return cleanCell(read(view, name, fields)) ?? null;
}

function day(view: SinkStagingView, raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === "") return null;
  const v = view.dates.parse(raw);
  return Number.isNaN(v) ? null : v;
}

/** The date and time of day (DateParser.time) of the last `day` call, or null. */
function time(view: SinkStagingView, orderDay: number | null): number | null {
  if (orderDay === null) return null;
  const t = view.dates.time;
  return Number.isNaN(t) ? null : t;
}

function amount(view: SinkStagingView, raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === "") return null;
  const v = parseNumber(raw.trim(), view.ctx.options.decimal);
  return Number.isNaN(v) ? null : v;
}

function consent(raw: string | undefined): boolean | null {
  const cell = cleanCell(raw);
  if (cell === undefined) return null;
  return parseBoolean(cell) ?? false;
}

function keys(view: SinkStagingView, fields: string[], withCountry: boolean): StagedValue[] {
  const k = readKeys(
    view.ctx.phones,
    read(view, "customer_id", fields),
    read(view, "email", fields),
    read(view, "phone", fields),
    withCountry ? read(view, "country", fields) : undefined,
  );
  return [k.id ?? null, k.email ?? null, k.phone ?? null];
}

/**
 * The ingest recorder of the SQL run (it records nothing the sinks count: the builder computes
 * orders and events itself; it names the event properties the sinks bind) and the wrapper of
 * its sinks.
 */
export class StagingSource implements IngestRecorder {
  readonly orders = false;
  readonly lines = false;
  readonly events = false;
  private readonly files = new Map<InputKind, number>();
  /** The line of the last row-level reject, while a row is read. */
  private rejectedLine = -1;

  constructor(
    private readonly loader: StagingLoader,
    readonly eventProperties: readonly string[],
  ) {}

  /**
   * A reading again of the inputs (docs/design.md#inputs identity) starts: files are numbered
   * from the first again (the loader's rows are the caller's to forget).
   */
  restartFiles(): void {
    this.files.clear();
  }

  /** Orders and events are the builder's to count: nothing is recorded. */
  order(): void {}

  event(): void {}

  /** `sink`, staging each row it accepts; the sink of a kind that is not staged as it is. */
  wrap<S extends RowSink & { finish?: () => void }>(kind: InputKind, sink: S): S {
    if (!STAGED_KINDS.has(kind) || !("stagingView" in sink)) return sink;
    const inner = sink as unknown as StageableSink;
    const file = this.files.get(kind) ?? 0;
    this.files.set(kind, file + 1);
    const push = (table: string, row: StagedValue[]) => this.loader.append(table, row);
    let view: SinkStagingView | undefined;
    const stage = this.stager(kind, file, push);
    const wrapped: RowSink & { finish?: () => void } = {
      header: (fields) => {
        inner.header(fields);
        view = inner.stagingView();
        view.ctx.rejects.observer = (_file, line, reason) => {
          if (!ORDER_LEVEL.has(reason)) this.rejectedLine = line;
        };
      },
      row: (fields, line) => {
        const v = view as SinkStagingView;
        const orderId = kind === "orders" ? (v.orderIdOf?.(fields) ?? null) : null;
        const filtered = v.stats.filtered;
        this.rejectedLine = -1;
        inner.row(fields, line);
        if (this.rejectedLine === line || v.stats.filtered !== filtered) return;
        stage(v, fields, orderId);
      },
    };
    if (inner.columns !== undefined) wrapped.columns = () => inner.columns?.() ?? [];
    if (inner.finish !== undefined) wrapped.finish = () => inner.finish?.();
    return wrapped as S;
  }

  private stager(
    kind: InputKind,
    file: number,
    push: (table: string, row: StagedValue[]) => void,
  ): (view: SinkStagingView, fields: string[], orderId: string | null) => void {
    switch (kind) {
      case "contacts":
        return (v, fields) => {
          const seq = v.stats.rows;
          push(STAGING.contacts, [
            file,
            seq,
            ...keys(v, fields, true),
            text(v, "first_name", fields),
            text(v, "last_name", fields),
            text(v, "country", fields),
            text(v, "city", fields),
            text(v, "zip", fields),
            text(v, "acquisition_channel", fields),
            day(v, cleanCell(read(v, "created_at", fields))),
            consent(read(v, "email_consent", fields)),
            consent(read(v, "sms_consent", fields)),
            consent(read(v, "whatsapp_consent", fields)),
          ]);
          for (const valueKind of ["tag", "list"] as const) {
            splitMulti(read(v, valueKind === "tag" ? "tags" : "lists", fields)).forEach(
              (value, pos) => push(STAGING.contactValues, [file, seq, valueKind, pos, value]),
            );
          }
          for (const prop of v.props ?? []) {
            const value = cleanCell(prop.read(fields));
            if (value !== undefined) push(STAGING.contactProps, [file, seq, prop.name, value]);
          }
        };
      case "orders":
        return (v, fields, orderId) => {
          const status = cleanCell(read(v, "status", fields));
          const normalized = status === undefined ? undefined : normalizeStatus(status);
          const currency = cleanCell(read(v, "currency", fields));
          const orderDay = day(v, read(v, "created_at", fields));
          push(STAGING.orders, [
            file,
            v.stats.rows,
            orderId,
            ...keys(v, fields, true),
            orderDay,
            time(v, orderDay),
            amount(v, read(v, "total", fields)),
            amount(v, read(v, "refunded", fields)),
            amount(v, read(v, "quantity", fields)),
            amount(v, read(v, "price", fields)),
            normalized ?? null,
            normalized === undefined ? null : (v.excluded?.has(normalized) ?? false),
            currency === undefined ? null : currency.toUpperCase(),
            channelName(cleanCell(read(v, "channel", fields))) ?? null,
            text(v, "product", fields),
            text(v, "sku", fields),
            text(v, "category", fields),
            text(v, "first_name", fields),
            text(v, "last_name", fields),
            text(v, "country", fields),
            text(v, "city", fields),
            cleanCell(read(v, "zip", fields)?.replace(/^-$/, "")) ?? null,
            consent(read(v, "email_consent", fields)),
          ]);
        };
      case "events":
        return (v, fields) => {
          const seq = v.stats.rows;
          push(STAGING.events, [
            file,
            seq,
            ...keys(v, fields, false),
            text(v, "type", fields),
            day(v, read(v, "occurred_at", fields)),
          ]);
          for (const [name, column] of v.properties ?? []) {
            const cell = fields[column];
            if (cell === undefined) continue;
            const n = parseNumber(cell.trim(), v.ctx.options.decimal);
            push(STAGING.eventProperties, [
              file,
              seq,
              name,
              cell,
              Number.isNaN(n) ? null : n,
              parseBoolean(cell) ?? null,
            ]);
          }
        };
      default:
        return (v, fields) => {
          push(STAGING.lists, [
            file,
            v.stats.rows,
            ...keys(v, fields, false),
            text(v, "list", fields),
          ]);
        };
    }
  }

  /** Stages the phones the run marked as unable to receive texts (after `markUntextablePhones`). */
  untextable(profiles: Profiles): void {
    const s = profiles.store;
    const phones = new Set<string>();
    for (let c = 0; c < s.size; c++) {
      const phone = s.phone[c];
      if (s.cannotText[c] === 1 && phone !== undefined) phones.add(phone);
    }
    for (const phone of [...phones].sort()) this.loader.append(STAGING.untextablePhones, [phone]);
  }
}
