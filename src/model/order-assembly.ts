/**
 * Order rows → orders, in one streaming pass (docs/design.md#inputs, §2, §3).
 *
 * Rows with the same `order_id` are one order; order-level fields come from the first row where
 * they are non-empty. An order stays open while its rows keep coming (a few hundred recent orders
 * are kept open, so rows of orders placed at the same moment may interleave) and is folded into
 * its customer's aggregates when it closes. Closed order ids are remembered as hashes only, in one
 * set for the run (id-set.ts): an id that comes back after its order closed is reported, never
 * silently counted twice. Memory is
 * bounded by the customers, not by the rows.
 */
import type { CellReader } from "./columns.js";
import { ambiguousDateError, type DateParser } from "./dates.js";
import { lineAmount, readAmount } from "./order-lines.js";
import type { TextMatcher } from "../dsl/patterns.js";
import type { OrderCells as Cells } from "./order-row-filter.js";
import {
  cleanId,
  missingKeyReason,
  hasNoKey,
  findCustomer,
  readKeys,
  type FileStats,
  type IngestContext,
  type RecordedLine,
  type RowKeys,
  type RowSink,
  type SinkStagingView,
} from "./ingest-context.js";
import { cleanCell } from "./values.js";

const OPEN_ORDERS = 256;

interface ItemFilter {
  product: TextMatcher | undefined;
  sku: TextMatcher | undefined;
  category: TextMatcher | undefined;
}

export class OpenOrder {
  id = "";
  /** The order's buyer, normalized; the customer is found or created when the order counts. */
  keys: RowKeys = {
    id: undefined,
    email: undefined,
    phone: undefined,
    badEmail: false,
    badPhone: false,
  };
  /** The identifier cells of the order's first row, as written: equal cells need no lookup. */
  rawId: string | undefined;
  rawEmail: string | undefined;
  rawPhone: string | undefined;
  firstLine = 0;
  /** The first row's cells, for the `--rejects` file when the whole order is rejected. */
  firstFields: readonly string[] = [];
  day = NaN;
  /** The date and time of day of the order (DateParser.time), in the shop's time zone. */
  time = NaN;
  status: string | undefined;
  currency: string | undefined;
  channel: string | undefined;
  /** The same order already read from an earlier file: its rows are passed over. */
  duplicate = false;
  /** The order's name in the second `order_id` source (Shopify `Name`), which its later rows carry. */
  alias: string | undefined;
  /** The buyer as the order describes them (billing columns). */
  firstName: string | undefined;
  lastName: string | undefined;
  country: string | undefined;
  city: string | undefined;
  zip: string | undefined;
  consent: string | undefined;
  total = NaN;
  refunded = NaN;
  lineSum = 0;
  firstProduct: string | undefined;
  firstCategory: string | undefined;
  products: string[] = [];
  categories: string[] = [];
  itemMatched: Uint8Array;
  itemSpent: Float64Array;
  /** The lines, for the ingest recorder (only when it records lines). */
  lines: RecordedLine[] = [];

  constructor(items: number) {
    this.itemMatched = new Uint8Array(items);
    this.itemSpent = new Float64Array(items);
  }

  reset(
    id: string,
    keys: RowKeys,
    line: number,
    fields: readonly string[],
    raw: readonly (string | undefined)[],
  ): void {
    this.id = id;
    this.firstFields = fields;
    this.keys = keys;
    this.rawId = raw[0];
    this.rawEmail = raw[1];
    this.rawPhone = raw[2];
    this.firstLine = line;
    this.day = NaN;
    this.time = NaN;
    this.status = undefined;
    this.currency = undefined;
    this.channel = undefined;
    this.duplicate = false;
    this.alias = undefined;
    this.firstName = undefined;
    this.lastName = undefined;
    this.country = undefined;
    this.city = undefined;
    this.zip = undefined;
    this.consent = undefined;
    this.total = NaN;
    this.refunded = NaN;
    this.lineSum = 0;
    this.firstProduct = undefined;
    this.firstCategory = undefined;
    this.products.length = 0;
    this.categories.length = 0;
    this.itemMatched.fill(0);
    this.itemSpent.fill(0);
    this.lines = [];
  }
}

/**
 * Assembles the rows of an orders file into orders: multi-row orders and their line items, order
 * ids and their aliases, ids met again, orders already read from an earlier file. Each closed
 * order goes to `fold` (the sink, ingest-orders.ts, folds it into the store).
 */
export abstract class OrderAssembler implements RowSink {
  readonly ctx: IngestContext;
  readonly file: string;
  readonly stats: FileStats;
  protected readonly dates: DateParser;
  protected readonly itemFilters: ItemFilter[] = [];
  /** `orders_filter` on the raw row (order-row-filter.ts), once the header is bound. */
  protected filter: ((fields: string[]) => boolean) | undefined;
  protected cells = {} as Cells;
  protected hasOrderId = false;
  /** With two or more `order_id` sources: the first (Shopify `Id`), and the others (`Name`). */
  protected primaryId: CellReader | undefined;
  protected aliasId: CellReader | undefined;
  private readonly byAlias = new Map<string, OpenOrder>();
  private readonly open = new Map<string, OpenOrder>();
  private readonly pool: OpenOrder[] = [];
  /** This file's number among the run's orders files, its tag in `ctx.orderIds`. */
  private readonly fileNumber: number;
  private lastOrderId: string | undefined;
  private lastOrder: OpenOrder | undefined;

  constructor(ctx: IngestContext, file: string) {
    this.ctx = ctx;
    this.file = file;
    this.fileNumber = ctx.orderFiles++;
    this.stats = ctx.newStats("orders", file);
    this.dates = ctx.dateParser(true);
  }

  abstract header(fields: string[]): void;

  /** Folds a closed order, not one already read from an earlier file, into the store. */
  protected abstract fold(order: OpenOrder): void;

  row(fields: string[], line: number): void {
    const { rejects } = this.ctx;
    const cells = this.cells;
    this.stats.rows++;
    if (this.filter !== undefined && !this.filter(fields)) {
      this.stats.filtered++;
      return;
    }

    // Parse every value first: a bad row changes nothing.
    let day = NaN;
    let time = NaN;
    const rawDate = cells.created_at(fields);
    if (rawDate !== undefined && rawDate.trim() !== "") {
      day = this.dates.parse(rawDate);
      time = this.dates.time;
      if (Number.isNaN(day) && this.dates.problem === "ambiguous day/month order") {
        throw ambiguousDateError(this.file, line, rawDate.trim());
      }
      if (Number.isNaN(day)) {
        rejects.reject(
          this.file,
          line,
          `${this.dates.problem} in created_at`,
          fields,
          rawDate.trim().slice(0, 40),
        );
        return;
      }
    }
    const total = this.amount(cells.total, fields, line, "total");
    if (total === undefined) return;
    const refunded = this.amount(cells.refunded, fields, line, "refunded");
    if (refunded === undefined) return;
    const quantity = this.amount(cells.quantity, fields, line, "quantity", true);
    if (quantity === undefined) return;
    const price = this.amount(cells.price, fields, line, "price");
    if (price === undefined) return;

    const orderId = this.hasOrderId ? this.orderIdOf(fields) : undefined;
    if (this.hasOrderId && orderId === undefined) {
      rejects.reject(this.file, line, "empty order_id", fields);
      return;
    }

    let order: OrderOrReject;
    if (orderId !== undefined) {
      order = this.continueOrder(orderId, fields, line);
      if (order === "rejected") return;
    } else {
      order = undefined;
    }
    if (order === undefined) {
      // The same order in an earlier file (two downloads that overlap): read once.
      const duplicate = orderId !== undefined && this.ctx.orderIds.fileOf(orderId) >= 0;
      const keys = duplicate ? NO_KEYS : this.buyerOf(fields, line);
      if (keys === undefined) return;
      order = this.pool.pop() ?? new OpenOrder(this.itemFilters.length);
      order.reset(orderId ?? "", keys, line, fields, [
        cells.customer_id(fields),
        cells.email(fields),
        cells.phone(fields),
      ]);
      order.duplicate = duplicate;
      if (this.aliasId !== undefined) {
        order.alias = cleanCell(this.aliasId(fields));
        if (order.alias !== undefined) this.byAlias.set(order.alias, order);
      }
      if (orderId !== undefined) {
        this.open.set(orderId, order);
        if (this.open.size > OPEN_ORDERS) {
          const oldest = this.open.keys().next().value as string;
          this.closeOrder(this.open.get(oldest) as OpenOrder);
        }
      }
    }
    this.lastOrderId = orderId;
    this.lastOrder = order;
    if (order.duplicate) return;

    if (Number.isNaN(order.day)) {
      order.day = day;
      order.time = time;
    }
    if (order.status === undefined) {
      const status = cleanCell(cells.status(fields));
      if (status !== undefined) order.status = normalizeStatus(status);
    }
    if (order.currency === undefined) {
      const currency = cleanCell(cells.currency(fields));
      if (currency !== undefined) order.currency = currency.toUpperCase();
    }
    order.firstName ??= cleanCell(cells.first_name(fields));
    order.lastName ??= cleanCell(cells.last_name(fields));
    order.country ??= cleanCell(cells.country(fields));
    order.city ??= cleanCell(cells.city(fields));
    // Shopify writes `-` for a billing address without a zip.
    order.zip ??= cleanCell(cells.zip(fields)?.replace(/^-$/, ""));
    order.consent ??= cleanCell(cells.email_consent(fields));
    if (order.channel === undefined) {
      order.channel = this.ctx.store.strings.intern(channelName(cleanCell(cells.channel(fields))));
    }
    if (Number.isNaN(order.total)) order.total = total;
    if (Number.isNaN(order.refunded)) order.refunded = refunded;

    const product = cleanCell(cells.product(fields));
    const category = cleanCell(cells.category(fields));
    const amount = lineAmount(quantity, price);
    order.lineSum += amount;
    // The order's product (and category) for last_product: of its lines, the one that sorts
    // first by product (a line with one before a line without), then category (one before none),
    // never the first line in the file.
    if (
      (order.firstProduct === undefined && order.firstCategory === undefined) ||
      (product !== undefined &&
        (order.firstProduct === undefined ||
          product < order.firstProduct ||
          (product === order.firstProduct &&
            category !== undefined &&
            (order.firstCategory === undefined || category < order.firstCategory)))) ||
      (product === undefined &&
        order.firstProduct === undefined &&
        category !== undefined &&
        (order.firstCategory === undefined || category < order.firstCategory))
    ) {
      order.firstProduct = product;
      order.firstCategory = category;
    }
    if (this.ctx.options.products && product !== undefined) order.products.push(product);
    if (this.ctx.options.categories && category !== undefined) order.categories.push(category);
    if (this.ctx.recorder?.lines === true)
      order.lines.push({
        product,
        sku: cleanCell(cells.sku(fields)),
        category,
        amount,
      });
    if (this.itemFilters.length > 0) {
      const sku = cleanCell(cells.sku(fields));
      for (let k = 0; k < this.itemFilters.length; k++) {
        const f = this.itemFilters[k];
        if (
          (f.product === undefined || f.product(product)) &&
          (f.sku === undefined || f.sku(sku)) &&
          (f.category === undefined || f.category(category))
        ) {
          order.itemMatched[k] = 1;
          order.itemSpent[k] += amount;
        }
      }
    }
    if (orderId === undefined) this.closeOrder(order);
  }

  /** Closes the orders still open; call once after the last row. */
  finish(): void {
    for (const order of [...this.open.values()]) this.closeOrder(order);
  }

  stagingView(): SinkStagingView {
    return {
      ctx: this.ctx,
      stats: this.stats,
      cells: this.cells,
      dates: this.dates,
      orderIdOf: (fields) => (this.hasOrderId ? this.orderIdOf(fields) : undefined),
      excluded: this.stagingExcluded(),
    };
  }

  /** The statuses that do not count (OrdersSink's, once its header is bound). */
  protected stagingExcluded(): ReadonlySet<string> {
    return new Set();
  }

  /**
   * The row's order id. With several `order_id` sources (Shopify: `Id`, then `Name`), a row with
   * the first one empty continues the open order whose first row had the same second one (the
   * line-item rows of a Shopify order carry only its `Name`); otherwise the first non-empty wins.
   */
  private orderIdOf(fields: string[]): string | undefined {
    if (this.primaryId === undefined || this.aliasId === undefined)
      return cleanCell(this.cells.order_id(fields));
    const primary = cleanCell(this.primaryId(fields));
    if (primary !== undefined) return primary;
    const alias = cleanCell(this.aliasId(fields));
    if (alias === undefined) return undefined;
    return this.byAlias.get(alias)?.id ?? alias;
  }

  /**
   * The open order this row continues, undefined when it starts a new one, or "rejected" when the
   * id belongs to someone else or came back after its order closed.
   */
  private continueOrder(orderId: string, fields: string[], line: number): OrderOrReject {
    const order = orderId === this.lastOrderId ? this.lastOrder : this.open.get(orderId);
    if (order === undefined) {
      if (this.ctx.orderIds.fileOf(orderId) === this.fileNumber) {
        this.ctx.rejects.reject(
          this.file,
          line,
          "order_id seen earlier, not next to the other rows of its order",
          fields,
        );
        return "rejected";
      }
      return undefined;
    }
    const cells = this.cells;
    const rawId = cells.customer_id(fields);
    const rawEmail = cells.email(fields);
    const rawPhone = cells.phone(fields);
    const same =
      (rawId === undefined || rawId === order.rawId) &&
      (rawEmail === undefined || rawEmail === order.rawEmail) &&
      (rawPhone === undefined || rawPhone === order.rawPhone);
    if (!same) {
      const keys = readKeys(this.ctx.phones, this.personKey(rawId), rawEmail, rawPhone);
      if (keys.id !== undefined || keys.email !== undefined || keys.phone !== undefined) {
        const store = this.ctx.store;
        const mine = findCustomer(store, order.keys);
        const theirs = findCustomer(store, keys);
        // Another buyer: a known customer other than this order's, or an identifier that differs.
        const differs =
          (keys.id !== undefined && order.keys.id !== undefined && keys.id !== order.keys.id) ||
          (keys.email !== undefined &&
            order.keys.email !== undefined &&
            keys.email !== order.keys.email) ||
          (keys.phone !== undefined &&
            order.keys.phone !== undefined &&
            keys.phone !== order.keys.phone);
        if ((theirs >= 0 && theirs !== mine) || (theirs < 0 && differs)) {
          this.ctx.rejects.reject(
            this.file,
            line,
            "order_id already used by another customer",
            fields,
          );
          return "rejected";
        }
      }
    }
    if (orderId !== this.lastOrderId) {
      // Keep the most recently used orders at the end: the oldest is closed first.
      this.open.delete(orderId);
      this.open.set(orderId, order);
    }
    return order;
  }

  /** The buyer's identifiers, or undefined (row rejected) when the row has none usable. */
  private buyerOf(fields: string[], line: number): RowKeys | undefined {
    const cells = this.cells;
    // The buyer's country (billing), when the orders have one: their phone is read in its plan.
    const country = cells.country as CellReader | undefined;
    const keys = readKeys(
      this.ctx.phones,
      this.personKey(cells.customer_id(fields)),
      cells.email(fields),
      cells.phone(fields),
      country?.(fields),
    );
    if (hasNoKey(keys)) {
      this.ctx.rejects.reject(this.file, line, missingKeyReason(keys), fields);
      return undefined;
    }
    return keys;
  }

  /**
   * The person a customer key stands for: with `key_map:`, the key it maps to; a key the map does
   * not know is read as it is (the counted order says so, see closeOrder).
   */
  private personKey(raw: string | undefined): string | undefined {
    const map = this.ctx.keyMap;
    if (map === undefined || raw === undefined) return raw;
    const id = cleanId(raw);
    return id === undefined ? raw : (map.get(id) ?? raw);
  }

  /** A numeric cell: NaN when empty, undefined (row rejected) when not a valid amount. */
  private amount(
    cell: CellReader,
    fields: string[],
    line: number,
    column: string,
    allowNegative = false,
  ): number | undefined {
    const { rejects, options } = this.ctx;
    const at = { file: this.file, line, rejects, decimal: options.decimal };
    return readAmount(cell, fields, at, column, allowNegative);
  }

  private closeOrder(order: OpenOrder): void {
    if (order === this.lastOrder) {
      this.lastOrder = undefined;
      this.lastOrderId = undefined;
    }
    if (order.id !== "") {
      this.open.delete(order.id);
      this.ctx.orderIds.add(order.id, this.fileNumber);
    }
    if (order.alias !== undefined && this.byAlias.get(order.alias) === order)
      this.byAlias.delete(order.alias);
    this.pool.push(order);
    if (order.duplicate) {
      this.stats.duplicates++;
      return;
    }
    this.fold(order);
  }
}

/**
 * Statuses compare trimmed and in lower case, without WooCommerce's `wc-` prefix.
 * SQL twins: `orderStatusSql` and `excludedStatusSql` (src/sql/normalise.ts): change both.
 */
export function normalizeStatus(status: string): string {
  const word = status.trim().toLowerCase();
  return word.startsWith("wc-") ? word.slice(3) : word;
}

const NO_KEYS: RowKeys = {
  id: undefined,
  email: undefined,
  phone: undefined,
  badEmail: false,
  badPhone: false,
};

type OrderOrReject = OpenOrder | undefined | "rejected";

/**
 * The sales channel as segments and reports name it. Shopify's `Source` holds the numeric id of
 * the app that created the order (a marketplace, a chat or social shop): `5690175` reads as
 * `app 5690175`, so that it is not mistaken for a number and reads as what it is.
 */
export function channelName(cell: string | undefined): string | undefined {
  return cell !== undefined && /^\d+$/.test(cell) ? `app ${cell}` : cell;
}
