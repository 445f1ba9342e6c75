/**
 * Test helper: the staging tables of `src/sql/staging.ts`, recorded from the memory engine while it
 * reads a shop. Each sink's `row` is wrapped for the duration of one load: the row's cells are read
 * with the sink's own readers and normalised with the same functions the sink uses (readKeys,
 * dates, parseNumber, cleanCell…), and the row is staged when the reader accepted it — when it
 * raised no reject of its own (an order-level reject, for an order without a date or with a
 * negative amount, is the builder's to decide) and was not left out by `orders_filter`.
 */
import { OrdersSink } from "../../src/model/ingest-orders.js";
import { channelName, normalizeStatus } from "../../src/model/order-assembly.js";
import { ContactsSink } from "../../src/model/ingest-contacts.js";
import { EventsSink, ListsSink } from "../../src/model/ingest-events.js";
import { CANONICAL_COLUMNS } from "../../src/model/presets.js";
import { readKeys, type FileStats, type IngestContext } from "../../src/model/ingest-context.js";
import { cleanCell, parseBoolean, parseNumber, splitMulti } from "../../src/model/values.js";
import type { Profiles } from "../../src/model/profile.js";
import { RejectLog } from "../../src/model/rejects.js";
import { STAGING_LAYOUT, STAGING } from "../../src/sql/staging.js";
import { StagingSource } from "../../src/engine/staging-source.js";
import type { LoadOptions } from "../../src/io/read-inputs.js";

export type StagedValue = string | number | boolean | null;
/** Table name → rows of values in the columns' order (STAGING_LAYOUT). */
export type StagedTables = Map<string, StagedValue[][]>;

type Cells = Record<string, ((fields: string[]) => string | undefined) | undefined>;

interface SinkView {
  ctx: IngestContext;
  file: string;
  stats: FileStats;
  cells: Cells;
  dates: { parse(text: string): number; time: number };
  row(fields: string[], line: number): void;
  header(fields: string[]): void;
}
interface ContactsView extends SinkView {
  props: { name: string; read: (fields: string[]) => string | undefined }[];
}
interface OrdersView extends SinkView {
  hasOrderId: boolean;
  excluded: Set<string>;
  orderIdOf(fields: string[]): string | undefined;
}

/** Reasons that are about a whole order, not the row being read. */
const ORDER_LEVEL = new Set([
  "order without a date (created_at empty on all its rows)",
  "negative order amount",
]);

const read = (cells: Cells, name: string, fields: string[]) => cells[name]?.(fields);

function day(sink: SinkView, raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === "") return null;
  const v = sink.dates.parse(raw);
  return Number.isNaN(v) ? null : v;
}

/** The order's date and time of day (DateParser.time) of the last `day` call, or null. */
function time(sink: SinkView, day: number | null): number | null {
  if (day === null) return null;
  const t = sink.dates.time;
  return Number.isNaN(t) ? null : t;
}

function amount(sink: SinkView, raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === "") return null;
  const v = parseNumber(raw.trim(), sink.ctx.options.decimal);
  return Number.isNaN(v) ? null : v;
}

function consent(raw: string | undefined): boolean | null {
  const text = cleanCell(raw);
  if (text === undefined) return null;
  return parseBoolean(text) ?? false;
}

function keys(sink: SinkView, fields: string[], withCountry: boolean): StagedValue[] {
  const k = readKeys(
    sink.ctx.phones,
    read(sink.cells, "customer_id", fields),
    read(sink.cells, "email", fields),
    read(sink.cells, "phone", fields),
    withCountry ? read(sink.cells, "country", fields) : undefined,
  );
  return [k.id ?? null, k.email ?? null, k.phone ?? null];
}

const text = (cells: Cells, name: string, fields: string[]) =>
  cleanCell(read(cells, name, fields)) ?? null;

/** The recording of the running `captureStaging` by the sinks' prototypes, if any. */
let forgetting: (() => void) | undefined;

/**
 * Forgets what the running `captureStaging` recorded by the sinks' prototypes: the caller's
 * loader restarts (a reading again of the inputs).
 */
export function forgetCaptured(): void {
  forgetting?.();
}

/**
 * Called when the running `captureStaging` sees a reading again of the inputs (its staging's
 * `restart`, or by the sinks' prototypes a sink of another IngestContext), after it forgot the
 * earlier reading's rows: a test recording the RejectLog's calls forgets the earlier reading's
 * calls there too.
 */
export const onReadingAgain = new Set<() => void>();

/** A reject or warning call as the sinks make it. */
export type Call = unknown[];

/**
 * Records every `reject` and `warn` of every RejectLog while `load` runs; a reading again of the
 * inputs (`onReadingAgain`) forgets the earlier reading's calls.
 */
export async function recordCalls<T>(
  load: () => Promise<T>,
): Promise<{ result: T; calls: Call[] }> {
  const proto = RejectLog.prototype;
  const saved = { reject: proto.reject, warn: proto.warn };
  const calls: Call[] = [];
  const forget = () => {
    calls.length = 0;
  };
  onReadingAgain.add(forget);
  proto.reject = function (this: RejectLog, file, line, reason, fields, detail) {
    calls.push(["reject", file, line, reason, detail ?? null, [...fields]]);
    return saved.reject.call(this, file, line, reason, fields, detail);
  };
  proto.warn = function (this: RejectLog, file, line, warning, detail) {
    calls.push(["warn", file, line, warning, detail ?? null]);
    return saved.warn.call(this, file, line, warning, detail);
  };
  try {
    return { result: await load(), calls };
  } finally {
    onReadingAgain.delete(forget);
    proto.reject = saved.reject;
    proto.warn = saved.warn;
  }
}

/**
 * Runs `load` while staging every accepted row; `eventProperties` are the event columns to stage
 * (those the plan filters on). Call `untextable(profiles)` after the run's phones are marked.
 *
 * A `load` that takes an argument is handed the production staging source (give it to
 * `loadProfiles` as `staging`); one that takes none is staged by this helper's own wrappers of the
 * sinks' prototypes, an independent recording that test/staging-source.test.ts holds the
 * production source to.
 */
export async function captureStaging<T>(
  load: (staging: NonNullable<LoadOptions["staging"]>) => Promise<T>,
  eventProperties: readonly string[],
): Promise<{ result: T; staged: StagedTables }> {
  const staged: StagedTables = new Map(STAGING_LAYOUT.map((t) => [t.table, []]));
  const push = (table: string, row: StagedValue[]) => staged.get(table)?.push(row);
  if (load.length > 0) {
    // The production staging source (src/engine/staging-source.ts), handed to loadProfiles.
    const loader = {
      append: (table: string, row: readonly StagedValue[]) => push(table, [...row]),
      flush: () => Promise.resolve(),
    };
    const source = new StagingSource(loader, eventProperties);
    // A reading again of the inputs (docs/design.md#inputs identity) stages them again.
    const restart = () => {
      for (const rows of staged.values()) rows.length = 0;
      source.restartFiles();
      for (const listener of onReadingAgain) listener();
      return Promise.resolve();
    };
    return { result: await load({ source, flush: loader.flush, restart }), staged };
  }
  const fileIndex = new Map<string, Map<object, number>>();
  // A reading again of the inputs (docs/design.md#inputs identity) is recorded again.
  forgetting = () => {
    for (const rows of staged.values()) rows.length = 0;
    fileIndex.clear();
  };
  // Each reading of the inputs has an IngestContext of its own: a sink of another one is a reading
  // again (read-inputs.ts), whose rows replace the earlier reading's.
  let reading: object | undefined;
  const indexOf = (kind: string, sink: object) => {
    const ctx = (sink as SinkView).ctx;
    if (reading !== undefined && ctx !== reading) {
      forgetting?.();
      for (const listener of onReadingAgain) listener();
    }
    reading = ctx;
    let byKind = fileIndex.get(kind);
    if (byKind === undefined) fileIndex.set(kind, (byKind = new Map()));
    let i = byKind.get(sink);
    if (i === undefined) byKind.set(sink, (i = byKind.size));
    return i;
  };

  /** Calls the sink's row; whether the reader accepted it. */
  const accepted = (sink: SinkView, original: SinkView["row"], fields: string[], line: number) => {
    const rejects = sink.ctx.rejects as unknown as { reject: (...args: unknown[]) => void };
    const own = Object.hasOwn(rejects, "reject");
    const saved = rejects.reject;
    let rejected = false;
    rejects.reject = function (this: unknown, ...args: unknown[]) {
      if (args[1] === line && !ORDER_LEVEL.has(args[2] as string)) rejected = true;
      return saved.apply(this, args);
    };
    const filtered = sink.stats.filtered;
    try {
      original.call(sink, fields, line);
    } finally {
      if (own) rejects.reject = saved;
      else delete (rejects as { reject?: unknown }).reject;
    }
    return !rejected && sink.stats.filtered === filtered;
  };

  const contacts = ContactsSink.prototype as unknown as ContactsView;
  const orders = OrdersSink.prototype as unknown as OrdersView;
  const events = EventsSink.prototype as unknown as SinkView;
  const lists = ListsSink.prototype as unknown as SinkView;
  const saved = {
    contacts: contacts.row,
    orders: orders.row,
    events: events.row,
    eventsHeader: events.header,
    lists: lists.row,
  };

  contacts.row = function (this: ContactsView, fields: string[], line: number) {
    const file = indexOf("contacts", this);
    if (!accepted(this, saved.contacts, fields, line)) return;
    const seq = this.stats.rows;
    const c = this.cells;
    push(STAGING.contacts, [
      file,
      seq,
      ...keys(this, fields, true),
      text(c, "first_name", fields),
      text(c, "last_name", fields),
      text(c, "country", fields),
      text(c, "city", fields),
      text(c, "zip", fields),
      text(c, "acquisition_channel", fields),
      day(this, cleanCell(read(c, "created_at", fields))),
      consent(read(c, "email_consent", fields)),
      consent(read(c, "sms_consent", fields)),
      consent(read(c, "whatsapp_consent", fields)),
    ]);
    for (const kind of ["tag", "list"] as const) {
      splitMulti(read(c, kind === "tag" ? "tags" : "lists", fields)).forEach((value, pos) =>
        push(STAGING.contactValues, [file, seq, kind, pos, value]),
      );
    }
    for (const prop of this.props) {
      const value = cleanCell(prop.read(fields));
      if (value !== undefined) push(STAGING.contactProps, [file, seq, prop.name, value]);
    }
  };

  orders.row = function (this: OrdersView, fields: string[], line: number) {
    const file = indexOf("orders", this);
    // The order id as the row will resolve it (a Shopify `Name` alias), before the row changes it.
    const orderId = this.hasOrderId ? (this.orderIdOf(fields) ?? null) : null;
    if (!accepted(this, saved.orders, fields, line)) return;
    const c = this.cells;
    const status = cleanCell(read(c, "status", fields));
    const normalized = status === undefined ? undefined : normalizeStatus(status);
    const currency = cleanCell(read(c, "currency", fields));
    const orderDay = day(this, read(c, "created_at", fields));
    push(STAGING.orders, [
      file,
      this.stats.rows,
      orderId,
      ...keys(this, fields, true),
      orderDay,
      time(this, orderDay),
      amount(this, read(c, "total", fields)),
      amount(this, read(c, "refunded", fields)),
      amount(this, read(c, "quantity", fields)),
      amount(this, read(c, "price", fields)),
      normalized ?? null,
      normalized === undefined ? null : this.excluded.has(normalized),
      currency === undefined ? null : currency.toUpperCase(),
      channelName(cleanCell(read(c, "channel", fields))) ?? null,
      text(c, "product", fields),
      text(c, "sku", fields),
      text(c, "category", fields),
      text(c, "first_name", fields),
      text(c, "last_name", fields),
      text(c, "country", fields),
      text(c, "city", fields),
      cleanCell(read(c, "zip", fields)?.replace(/^-$/, "")) ?? null,
      consent(read(c, "email_consent", fields)),
    ]);
  };

  const propertyColumns = new WeakMap<object, Map<string, number>>();
  events.header = function (this: SinkView, header: string[]) {
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
  };
  events.row = function (this: SinkView, fields: string[], line: number) {
    const file = indexOf("events", this);
    if (!accepted(this, saved.events, fields, line)) return;
    const seq = this.stats.rows;
    const c = this.cells;
    push(STAGING.events, [
      file,
      seq,
      ...keys(this, fields, false),
      text(c, "type", fields),
      day(this, read(c, "occurred_at", fields)),
    ]);
    for (const name of eventProperties) {
      const col = propertyColumns.get(this)?.get(name);
      if (col === undefined) continue;
      const cell = fields[col];
      if (cell === undefined) continue;
      const n = parseNumber(cell.trim(), this.ctx.options.decimal);
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

  lists.row = function (this: SinkView, fields: string[], line: number) {
    const file = indexOf("lists", this);
    if (!accepted(this, saved.lists, fields, line)) return;
    push(STAGING.lists, [
      file,
      this.stats.rows,
      ...keys(this, fields, false),
      text(this.cells, "list", fields),
    ]);
  };

  try {
    const result = await (load as () => Promise<T>)();
    return { result, staged };
  } finally {
    forgetting = undefined;
    contacts.row = saved.contacts;
    orders.row = saved.orders;
    events.row = saved.events;
    events.header = saved.eventsHeader;
    lists.row = saved.lists;
  }
}

/** The phones the run marked as unable to receive texts, as `stage_untextable_phones` rows. */
export function untextablePhones(profiles: Profiles): StagedValue[][] {
  const s = profiles.store;
  const phones = new Set<string>();
  for (let c = 0; c < s.size; c++) {
    const phone = s.phone[c];
    if (s.cannotText[c] === 1 && phone !== undefined) phones.add(phone);
  }
  return [...phones].sort().map((p) => [p]);
}
