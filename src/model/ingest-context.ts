/**
 * What every input sink shares: the customer store, the reject log, the parsers configured for
 * this run, and the aggregates the compiled plan asks for.
 */
import {
  CANONICAL_COLUMNS,
  detectPreset,
  type ColumnMap,
  type InputKind,
  type Preset,
} from "./presets.js";
import { UserError } from "../errors.js";
import { bindHeader, cellReader, type BoundHeader, type CellReader } from "./columns.js";
import type { AggregateSpec } from "../dsl/plan.js";
import type { EpochDay } from "../calendar.js";
import { DateParser, type DateOrder, ZoneClock } from "./dates.js";
import { countryCode } from "./countries.js";
import { OrderIdSet } from "./id-set.js";
import { OrderLines } from "./order-lines.js";
import { isSpreadsheetRounded, PhoneNormalizer } from "./phone.js";
import type { RejectLog } from "./rejects.js";
import { CustomerStore, type MatchReason } from "./store.js";
import { normalizeEmail, type DecimalMark } from "./values.js";

/** The last part of a displayed path. */
function basename(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1);
}

/** Where the CSV readers hand a file's rows: its header, then the raw fields of each row. */
export interface RowSink {
  /** Called once with the header row; may throw (missing required column) before any row. */
  header(fields: string[]): void;
  /** Called for every data row; `line` is the row's first line in the file (1 = header). */
  row(fields: string[], line: number): void;
  /**
   * Once the header is read: the columns `row` reads. The reading threads may then leave the
   * others empty rather than copy them to the main thread (a Shopify export has 70 columns).
   */
  columns?(): readonly number[];
}

export interface IngestOptions {
  asOf: EpochDay;
  timezone: string;
  defaultCountry?: string;
  dateOrder?: DateOrder;
  decimal: DecimalMark;
  preset: Preset;
  /** No preset chosen: each file is read with the preset its header is recognised as (else `preset`). */
  detectPreset?: boolean;
  columns: Partial<Record<InputKind, ColumnMap>>;
  /** Order statuses that do not count; absent: the file's preset's (`notPurchase`). */
  excludeStatus?: readonly string[];
  /** `currency:`: only orders in this currency count (upper case). */
  currency?: string;
  /** `exchange_rates:` into `reporting_currency`: amounts in other currencies are converted. */
  exchangeRates?: ExchangeRates;
  /** Aggregates of the compiled plan, in plan order. */
  aggregates: readonly AggregateSpec[];
  /** Custom contact properties to keep (`props.NAME` used by segments or outputs). */
  props: readonly string[];
  /** Keep the distinct products / categories of each customer. */
  products: boolean;
  categories: boolean;
  /** Keep each buyer's distinct purchase days (for predictions). */
  purchaseDays?: boolean;
  /** `include_shipping:` (default true): the freight of `order_lines:` counts in an order's amount. */
  includeShipping?: boolean;
}

export interface ExchangeRates {
  reporting: string;
  /** Currency (upper case) → value of one unit in the reporting currency. */
  rates: ReadonlyMap<string, number>;
}

/** Counts per input file, beyond rejects (which the RejectLog holds). */
export interface FileStats {
  kind: InputKind;
  file: string;
  rows: number;
  /** Contacts: rows merged into an existing customer. */
  merged: number;
  /** Contacts: the merged rows by the identifier that linked them. */
  mergedBy: Record<MatchReason, number>;
  /** Rows whose phone belongs to a customer with another email, kept as their own customer. */
  keptApart: number;
  /** Customers this file created (orders, events and lists can create buyers/leads). */
  created: number;
  /** Orders: distinct orders counted. */
  orders: number;
  /** Orders whose status is excluded (cancelled, refunded…). */
  excludedStatus: number;
  /** Rows or orders dated after as_of (point in time). */
  afterAsOf: number;
  /** Rows left out by `orders_filter`. */
  filtered: number;
  /** The preset the file was read with. */
  preset: string;
  /** What the header was recognised as ("a Shopify orders export"), with no preset chosen. */
  detected?: string;
  /** Orders: how many orders had each status ("" for none), and whether that status counts. */
  statuses: Map<string, { orders: number; counted: boolean }>;
  /** Orders: counted orders by currency (upper case; "" for none). */
  currencies: Map<string, number>;
  /** Orders left out because their currency is not `currency:`. */
  otherCurrency: number;
  /** Orders already read from an earlier file of the same input (same order id). */
  duplicates: number;
  /** Orders: whether the file has an amount (a total, or line prices). */
  hasAmount: boolean;
  /** Key map: the customer keys it maps to a person. */
  mapped: number;
  /** Orders: counted orders whose customer key the key map does not know (read as it is). */
  unmapped: number;
  /** Orders: counted orders without a line in the `order_lines:` files (amount 0). */
  noLines: number;
  /** Order lines: lines of orders that no orders file has (not counted). */
  orphanLines: number;
  warnings: string[];
}

export function emptyStats(kind: InputKind, file: string): FileStats {
  return {
    kind,
    file,
    rows: 0,
    merged: 0,
    mergedBy: { customer_id: 0, email: 0, phone: 0 },
    keptApart: 0,
    created: 0,
    orders: 0,
    excludedStatus: 0,
    afterAsOf: 0,
    filtered: 0,
    preset: "generic",
    statuses: new Map(),
    currencies: new Map(),
    otherCurrency: 0,
    duplicates: 0,
    hasAmount: true,
    mapped: 0,
    unmapped: 0,
    noLines: 0,
    orphanLines: 0,
    warnings: [],
  };
}

/** A line of a counted order, as `order_lines` holds it (src/sql/tables.ts). */
export interface RecordedLine {
  product: string | undefined;
  sku: string | undefined;
  category: string | undefined;
  /** Quantity (1 when empty) × price (0 without one), converted into the reporting currency. */
  amount: number;
}

/**
 * Receives the normalised rows the sinks count, for an engine that computes the plan's aggregates
 * itself from them (`--engine duckdb`, docs/design.md#engines): each counted order with its lines, each counted
 * event with the cells of the properties the plan filters on. The rows are the sinks' own, so
 * both engines aggregate exactly the same data. Arrays passed are reused: copy what is kept.
 */
export interface IngestRecorder {
  /** Record orders (the plan has `orders(…)`/`spent(…)` aggregates). */
  readonly orders: boolean;
  /** Record the orders' lines (an aggregate filters on product, sku or category). */
  readonly lines: boolean;
  /** Record events (the plan has `events(…)` aggregates). */
  readonly events: boolean;
  /** The event properties to record: those the plan filters on. */
  readonly eventProperties: readonly string[];
  order(
    customer: number,
    day: number,
    channel: string | undefined,
    amount: number,
    lines: readonly RecordedLine[],
  ): void;
  event(customer: number, type: string, day: number, properties: readonly RecordedProperty[]): void;
  /**
   * Forgets every row recorded, for a reading of the inputs again (docs/design.md#inputs
   * identity); a recorder without it keeps the first reading.
   */
  restart?(): Promise<void>;
}

/** An event's cell: as written, and read by the §1 number and boolean rules. */
export interface RecordedProperty {
  name: string;
  text: string;
  number: number | undefined;
  flag: boolean | undefined;
}

/**
 * What a sink shows of itself to a staging source (src/engine/staging-source.ts), which stages each
 * accepted row with the sink's own cell readers and date parser: the cells as bound to the
 * file's header, and, by kind, the custom contact columns, the orders' id and excluded statuses,
 * the event property columns. Read after `header`.
 */
export interface SinkStagingView {
  readonly ctx: IngestContext;
  readonly stats: FileStats;
  readonly cells: Readonly<Record<string, CellReader | undefined>>;
  readonly dates: { parse(text: string): number; readonly time: number };
  /** Contacts: the custom columns kept (`props.NAME`). */
  readonly props?: readonly { name: string; read: CellReader }[];
  /** Orders: the row's order id as it resolves it (a Shopify `Name` alias), before the row. */
  orderIdOf?(fields: string[]): string | undefined;
  /** Orders: the normalised statuses that do not count. */
  readonly excluded?: ReadonlySet<string>;
  /** Events: the recorder's property columns (name → column) the file has. */
  readonly properties?: readonly (readonly [string, number])[];
}

export class IngestContext {
  readonly store: CustomerStore;
  readonly rejects: RejectLog;
  readonly options: IngestOptions;
  readonly clock: ZoneClock;
  readonly phones: PhoneNormalizer;
  readonly stats: FileStats[] = [];
  /**
   * Order ids closed in any orders file so far, each with the number of the file that closed it:
   * one set for the run (an id back in its own file is rejected, one of an earlier file is the
   * same order in two downloads).
   */
  readonly orderIds = new OrderIdSet();
  /** Orders files opened so far: the next one's number in `orderIds`. */
  orderFiles = 0;
  /** Customers whose consent or name so far comes from orders, not from contacts. */
  readonly fromOrders = new Set<number>();
  /** UTC offsets (minutes) written in the timestamps of every file read. */
  readonly offsets = new Set<number>();
  /**
   * A normalised export (docs/design.md#normalised-exports): the `key_map:` files' per-order
   * customer key → person key, and the `order_lines:` files' lines summed per order; read before
   * the orders, which use them.
   */
  keyMap: Map<string, string> | undefined;
  lines: OrderLines | undefined;
  /** Where the counted rows also go, for an engine that aggregates them itself. */
  recorder: IngestRecorder | undefined;

  constructor(options: IngestOptions, rejects: RejectLog) {
    this.options = options;
    this.rejects = rejects;
    this.clock = new ZoneClock(options.timezone);
    this.phones = new PhoneNormalizer(options.defaultCountry);
    this.store = new CustomerStore(options.aggregates.length, options.props);
  }

  dateParser(rejectBefore1970 = true): DateParser {
    return new DateParser({
      clock: this.clock,
      ...(this.options.dateOrder === undefined ? {} : { dateOrder: this.options.dateOrder }),
      rejectBefore1970,
      offsets: this.offsets,
    });
  }

  /**
   * Binds a file's header (preset and `columns:`), records its warnings, and returns the bound
   * header with a reader for each canonical column of its kind.
   */
  bindFile(
    kind: InputKind,
    file: string,
    header: string[],
    stats: FileStats,
  ): {
    bound: BoundHeader;
    cells: Record<string, CellReader>;
    used: Set<number>;
    preset: Preset;
  } {
    let preset = this.options.preset;
    if (this.options.detectPreset === true) {
      const found = detectPreset(header, kind);
      if (found !== undefined && found.signature.kind !== kind) {
        const other = found.signature.kind;
        throw new UserError(
          "WRONG_KIND",
          `${file} is ${found.signature.what}, given as the ${kind} file`,
          {
            // key_map and order_lines have no flag: they are described in audience.yaml only.
            hint:
              other === "key_map" || other === "order_lines"
                ? `give it as \`${other}:\` in audience.yaml`
                : `pass it as --${other} (or \`${other}:\` in audience.yaml)`,
          },
        );
      }
      if (found !== undefined) {
        preset = found.preset;
        stats.detected = `${basename(file)}: ${found.signature.what} (preset ${preset.name})`;
      }
    }
    stats.preset = preset.name;
    const bound = bindHeader(kind, file, header, preset, this.options.columns[kind]);
    stats.warnings.push(...bound.warnings);
    const cells: Record<string, CellReader> = {};
    for (const name of CANONICAL_COLUMNS[kind]) cells[name] = cellReader(bound.bindings.get(name));
    // Every bound column is read (or may be, by a row filter); sinks add the extra ones they read.
    const used = new Set<number>();
    for (const binding of bound.bindings.values())
      for (const source of binding.sources) used.add(source.index);
    return { bound, cells, used, preset };
  }

  /** The order lines, created with the first `order_lines:` file. */
  orderLines(): OrderLines {
    this.lines ??= new OrderLines(this.options.includeShipping ?? true);
    return this.lines;
  }

  /**
   * After the last orders file: lines whose order no orders file has are not counted, and said
   * so (one warning per order, at its first line).
   */
  reportOrphanLines(): void {
    if (this.lines === undefined) return;
    for (const orphan of this.lines.orphans()) {
      this.rejects.warn(
        orphan.file,
        orphan.line,
        "order_id in no orders file: the order's lines are not counted",
      );
      const stats = this.stats.find((s) => s.kind === "order_lines" && s.file === orphan.file);
      if (stats !== undefined) stats.orphanLines += orphan.lines;
    }
  }

  newStats(kind: InputKind, file: string): FileStats {
    const stats = emptyStats(kind, file);
    this.stats.push(stats);
    return stats;
  }
}

/** The identifiers of a row, normalized; `bad…` say which were present but invalid. */
export interface RowKeys {
  id: string | undefined;
  email: string | undefined;
  phone: string | undefined;
  badEmail: boolean;
  badPhone: boolean;
  /** The warning for a phone left out (`badPhone`): why, and what to do. */
  phoneWarning?: string;
}

export const ROUNDED_PHONE = "phone rounded by a spreadsheet (like 9.23225E+11) left out";
export const INVALID_PHONE = "invalid phone left out";
export const INVALID_PHONE_NO_COUNTRY =
  "invalid phone left out (national numbers need `default_country:`, e.g. US or FR)";

/** Whether a row has no usable identifier at all. */
export function hasNoKey(keys: RowKeys): boolean {
  return keys.id === undefined && keys.email === undefined && keys.phone === undefined;
}

/** The reject reason of a row without a usable identifier. */
export function missingKeyReason(keys: RowKeys): string {
  return keys.badEmail || keys.badPhone
    ? "no valid customer key (email or phone invalid)"
    : "no customer key (customer_id, email or phone)";
}

/**
 * A row's identifiers, normalized. `rawCountry` is the row's own country (code or name): its
 * national phone numbers are read in that country's plan, then (not valid there) in
 * `default_country`'s.
 */
export function readKeys(
  phones: PhoneNormalizer,
  rawId: string | undefined,
  rawEmail: string | undefined,
  rawPhone: string | undefined,
  rawCountry?: string,
): RowKeys {
  const id = cleanId(rawId);
  let email: string | undefined;
  let badEmail = false;
  if (rawEmail !== undefined && rawEmail.trim() !== "") {
    email = normalizeEmail(rawEmail);
    badEmail = email === undefined;
  }
  let phone: string | undefined;
  let badPhone = false;
  let phoneWarning: string | undefined;
  if (rawPhone !== undefined && rawPhone.trim() !== "") {
    if (isSpreadsheetRounded(rawPhone)) {
      phoneWarning = ROUNDED_PHONE;
    } else {
      // The row's country first, then default_country (a French number of a customer in Belgium).
      const own = phones.forCountry(countryCode(rawCountry));
      phone = own.toE164(rawPhone);
      if (phone === undefined && own !== phones) phone = phones.toE164(rawPhone);
      if (phone === undefined)
        phoneWarning =
          own.country === undefined && !/^\s*'?\s*(\+|00)/.test(rawPhone)
            ? INVALID_PHONE_NO_COUNTRY
            : INVALID_PHONE;
    }
    badPhone = phone === undefined;
  }
  return {
    id,
    email,
    phone,
    badEmail,
    badPhone,
    ...(phoneWarning === undefined ? {} : { phoneWarning }),
  };
}

/**
 * The customer a row's identifiers belong to (docs/design.md#inputs), or -1: the customer with its customer_id;
 * for an id not seen yet, a customer found by email or phone only when that customer has no id of
 * its own — two different customer ids are two customers, even with one email (a family address)
 * — and, found by the phone, no email either (the phone's customer is then another person).
 */
export function findCustomer(store: CustomerStore, keys: RowKeys): number {
  store.lastKeptApart = false;
  if (keys.id === undefined) return store.find(undefined, keys.email, keys.phone);
  store.pending = undefined;
  const c = store.byId.get(keys.id);
  if (c !== undefined) {
    store.lastMatch = "customer_id";
    return c;
  }
  // Only customers without an id of their own can be found by email or phone.
  if ((keys.email === undefined && keys.phone === undefined) || store.withId === store.size)
    return -1;
  const other = store.find(undefined, keys.email, keys.phone);
  // What the hints give a row without an id is not this row's: it has its own id.
  store.pending = undefined;
  if (other < 0 || store.customerId[other] !== undefined) return -1;
  return store.lastMatch === "phone" && store.email[other] !== undefined ? -1 : other;
}

/**
 * A customer id as text: trimmed, apostrophe removed, `17850.0` (pandas) → `17850`.
 * SQL twin: `cleanIdSql` (src/sql/normalise.ts): change both.
 */
export function cleanId(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let id = raw.trim();
  if (id.startsWith("'")) id = id.slice(1).trim();
  if (id === "") return undefined;
  if (id.endsWith(".0") && /^\d+\.0$/.test(id)) id = id.slice(0, -2);
  return id;
}
