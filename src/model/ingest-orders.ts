/**
 * Order rows → orders → customer aggregates, in one streaming pass (docs/design.md#inputs, §2, §3).
 *
 * Rows with the same `order_id` are one order; order-level fields come from the first row where
 * they are non-empty. An order stays open while its rows keep coming (a few hundred recent orders
 * are kept open, so rows of orders placed at the same moment may interleave) and is folded into
 * its customer's aggregates when it closes. Closed order ids are remembered as hashes only, in one
 * set for the run (id-set.ts): an id that comes back after its order closed is reported, never
 * silently counted twice. Memory is
 * bounded by the customers, not by the rows.
 */
import { compilePatterns, type TextMatcher } from "../dsl/patterns.js";
import type { OrderAggregateSpec, PlanExpr } from "../dsl/plan.js";
import { compilePredicate, type Scope, type Value } from "../dsl/evaluator.js";
import { cellReader, type CellReader } from "./columns.js";
import { orderColumnType } from "./order-columns.js";
import { CANONICAL_COLUMNS, type Preset } from "./presets.js";
import { ambiguousDateError, type DateParser } from "./dates.js";
import { lineAmount, readAmount } from "./order-lines.js";
import { addFirstPurchase, own } from "./store.js";
import { describeBuyer } from "./buyer-fields.js";
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
} from "./ingest-context.js";
import { cleanCell, parseBoolean, parseNumber } from "./values.js";

const OPEN_ORDERS = 256;

/** One `orders()`/`spent()` column the sink fills (typed for the SQL tests' recording too). */
export interface OrderAggregate {
  index: number;
  measure: "count" | "spent";
  from: number;
  to: number;
  channel: TextMatcher | undefined;
  /** Index into the open order's item slots, or -1 without an item filter. */
  item: number;
}

interface ItemFilter {
  product: TextMatcher | undefined;
  sku: TextMatcher | undefined;
  category: TextMatcher | undefined;
}

class OpenOrder {
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

type Cells = Record<(typeof CANONICAL_COLUMNS.orders)[number], CellReader>;

export class OrdersSink implements RowSink {
  private readonly ctx: IngestContext;
  private readonly file: string;
  private readonly stats: FileStats;
  private readonly dates: DateParser;
  private excluded = new Set<string>();
  private readonly aggregates: OrderAggregate[] = [];
  private readonly itemFilters: ItemFilter[] = [];
  private readonly filterExpr: PlanExpr | undefined;
  private filter: ((fields: string[]) => boolean) | undefined;
  private cells = {} as Cells;
  private used = new Set<number>();
  private hasOrderId = false;
  /** Whether the file has amounts of its own (a total, or line prices). */
  private ownAmounts = true;
  /** With two or more `order_id` sources: the first (Shopify `Id`), and the others (`Name`). */
  private primaryId: CellReader | undefined;
  private aliasId: CellReader | undefined;
  private readonly byAlias = new Map<string, OpenOrder>();
  private readonly open = new Map<string, OpenOrder>();
  private readonly pool: OpenOrder[] = [];
  /** This file's number among the run's orders files, its tag in `ctx.orderIds`. */
  private readonly fileNumber: number;
  private lastOrderId: string | undefined;
  private lastOrder: OpenOrder | undefined;

  constructor(ctx: IngestContext, file: string, ordersFilter: PlanExpr | undefined) {
    this.ctx = ctx;
    this.file = file;
    this.fileNumber = ctx.orderFiles++;
    this.stats = ctx.newStats("orders", file);
    this.dates = ctx.dateParser(true);
    this.filterExpr = ordersFilter;
    ctx.options.aggregates.forEach((spec, index) => {
      if (spec.source !== "orders") return;
      this.aggregates.push(this.prepare(spec, index));
    });
  }

  private prepare(spec: OrderAggregateSpec, index: number): OrderAggregate {
    let item = -1;
    if (spec.product !== null || spec.sku !== null || spec.category !== null) {
      item = this.itemFilters.length;
      this.itemFilters.push({
        product: spec.product === null ? undefined : compilePatterns(spec.product),
        sku: spec.sku === null ? undefined : compilePatterns(spec.sku),
        category: spec.category === null ? undefined : compilePatterns(spec.category),
      });
    }
    return {
      index,
      measure: spec.measure,
      from: spec.window.from ?? -Infinity,
      to: spec.window.to ?? Infinity,
      channel: spec.channel === null ? undefined : compilePatterns(spec.channel),
      item,
    };
  }

  header(fields: string[]): void {
    const { bound, cells, used, preset } = this.ctx.bindFile(
      "orders",
      this.file,
      fields,
      this.stats,
    );
    this.cells = cells as Cells;
    this.used = used;
    this.hasOrderId = bound.bindings.has("order_id");
    const idSources = bound.bindings.get("order_id")?.sources ?? [];
    if (idSources.length > 1) {
      this.primaryId = cellReader({ canonical: "order_id", sources: idSources.slice(0, 1) });
      this.aliasId = cellReader({ canonical: "order_id", sources: idSources.slice(1) });
    }
    const excluded = this.ctx.options.excludeStatus ?? preset.notPurchase;
    this.excluded = new Set(excluded.map(normalizeStatus));
    this.ownAmounts = bound.bindings.has("total") || bound.bindings.has("price");
    // A normalised export: the amounts are in the `order_lines:` files.
    if (!this.ownAmounts && this.ctx.lines === undefined) {
      this.stats.hasAmount = false;
      this.stats.warnings.push(noAmountWarning(this.file, preset));
    }
    // A normalised export's orders keyed per order (Olist): without the key map, each order is
    // its own buyer.
    const keyMap = preset.signatures.find((s) => s.kind === "key_map");
    if (
      keyMap !== undefined &&
      this.ctx.keyMap === undefined &&
      bound.bindings.has("customer_id")
    ) {
      this.stats.warnings.push(
        `${this.file}: the customer_id of ${keyMap.what.replace(/ customers export.*$/, " order")} ` +
          `is per order, so each order is its own buyer; to join a person's orders, add the ` +
          `customers file in audience.yaml, e.g.  key_map: ${keyMap.file ?? "customers.csv"}`,
      );
    }
    if (this.filterExpr !== undefined)
      this.filter = compileRowFilter(this.filterExpr, this.cells, this.dates, this.ctx);
  }

  columns(): readonly number[] {
    return [...this.used];
  }

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
    // first (by product, then category), never the first line in the file.
    if (
      (order.firstProduct === undefined && order.firstCategory === undefined) ||
      (product !== undefined &&
        (order.firstProduct === undefined ||
          product < order.firstProduct ||
          (product === order.firstProduct &&
            category !== undefined &&
            (order.firstCategory === undefined || category < order.firstCategory))))
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

  /** The customer of an order that counts: found by its identifiers, or created (not a contact). */
  private customerOf(order: OpenOrder): number {
    const { store, rejects } = this.ctx;
    const keys = order.keys;
    let c = findCustomer(store, keys);
    if (store.lastKeptApart) this.stats.keptApart++;
    if (c < 0) {
      c = store.create(false);
      this.stats.created++;
      if (keys.badEmail) rejects.warn(this.file, order.firstLine, "invalid email left out");
      if (keys.phoneWarning !== undefined)
        rejects.warn(this.file, order.firstLine, keys.phoneWarning);
    }
    store.attach(c, keys.id, keys.email, keys.phone);
    return c;
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
    const { store, options, rejects } = this.ctx;
    if (order.duplicate) {
      this.stats.duplicates++;
      return;
    }
    // The order's lines in the `order_lines:` files, taken whether or not the order counts: only
    // lines of no order at all are reported as such.
    const lines = order.id === "" ? undefined : this.ctx.lines?.take(order.id);
    if (Number.isNaN(order.day)) {
      rejects.reject(
        this.file,
        order.firstLine,
        "order without a date (created_at empty on all its rows)",
        order.firstFields,
      );
      return;
    }
    const status = order.status ?? "";
    const counted = !this.excluded.has(status);
    const seen = this.stats.statuses.get(status);
    if (seen === undefined) this.stats.statuses.set(status, { orders: 1, counted });
    else seen.orders++;
    if (!counted) {
      this.stats.excludedStatus++;
      return;
    }
    if (order.day > options.asOf) {
      this.stats.afterAsOf++;
      return;
    }
    const currency = order.currency ?? "";
    let rate = 1;
    if (currency !== "") {
      if (options.currency !== undefined && currency !== options.currency) {
        this.stats.otherCurrency++;
        return;
      }
      if (options.exchangeRates !== undefined && currency !== options.exchangeRates.reporting)
        rate = options.exchangeRates.rates.get(currency) ?? NaN;
    }
    this.stats.currencies.set(currency, (this.stats.currencies.get(currency) ?? 0) + 1);
    let amount = Number.isNaN(order.total) ? order.lineSum + (lines ?? 0) : order.total;
    if (!Number.isNaN(order.refunded)) amount -= order.refunded;
    // A currency without a rate stops the run once the files are read (read-inputs.ts).
    if (rate !== 1) amount = Number.isNaN(rate) ? 0 : amount * rate;
    if (amount < 0) {
      rejects.reject(
        this.file,
        order.firstLine,
        "negative order amount",
        order.firstFields,
        amount.toFixed(2),
      );
      return;
    }
    const c = this.customerOf(order);
    if (this.ctx.lines !== undefined && !this.ownAmounts && lines === undefined) {
      this.stats.noLines++;
      rejects.warn(
        this.file,
        order.firstLine,
        "order without lines in the order_lines files: its amount is 0",
      );
    }
    if (this.ctx.keyMap !== undefined && order.rawId !== undefined) {
      const id = cleanId(order.rawId);
      if (id !== undefined && !this.ctx.keyMap.has(id)) {
        this.stats.unmapped++;
        rejects.warn(
          this.file,
          order.firstLine,
          "customer_id not in the key_map files: read as its own customer",
        );
      }
    }
    this.describe(c, order);
    const day = order.day;
    this.stats.orders++;
    store.ordersCount[c]++;
    store.totalSpent[c] += amount;
    const firstDay = store.firstOrderDay[c];
    const time = order.time;
    if (options.purchaseDays) {
      const days = (store.purchaseDays[c] ??= []);
      if (!days.includes(day)) days.push(day);
      if (Number.isNaN(firstDay) || day < firstDay) store.firstDaySpent[c] = amount;
      else if (day === firstDay) store.firstDaySpent[c] += amount;
    }
    // First and last orders: by date and time of day, then by order id, then by what the order
    // carries (docs/design.md#inputs) — never by place in the file.
    const firstTime = store.firstOrderTime[c];
    if (
      Number.isNaN(firstTime) ||
      orderBefore(
        time,
        order.id,
        order.channel,
        firstTime,
        store.firstOrderId[c],
        store.firstOrderChannel[c],
      )
    ) {
      store.firstOrderId[c] = own(order.id);
      store.firstOrderDay[c] = day;
      store.firstOrderTime[c] = time;
      store.firstOrderChannel[c] = order.channel;
    }
    const lastTime = store.lastOrderTime[c];
    if (
      Number.isNaN(lastTime) ||
      orderBefore(
        lastTime,
        store.lastOrderId[c],
        [store.lastProduct[c], store.lastCategory[c], store.lastOrderChannel[c]],
        time,
        order.id,
        [order.firstProduct, order.firstCategory, order.channel],
      )
    ) {
      store.lastOrderId[c] = own(order.id);
      store.lastOrderDay[c] = day;
      store.lastOrderTime[c] = time;
      store.lastOrderChannel[c] = order.channel;
      store.lastProduct[c] = store.strings.intern(order.firstProduct);
      store.lastCategory[c] = store.strings.intern(order.firstCategory);
    }
    if (options.products) {
      for (const p of order.products)
        addFirstPurchase(store.products, c, store.strings.intern(p) as string, time);
    }
    if (options.categories) {
      for (const p of order.categories)
        addFirstPurchase(store.categories, c, store.strings.intern(p) as string, time);
    }
    for (const a of this.aggregates) {
      if (day < a.from || day > a.to) continue;
      if (a.channel !== undefined && !a.channel(order.channel)) continue;
      let value: number;
      if (a.item >= 0) {
        if (order.itemMatched[a.item] === 0) continue;
        value =
          a.measure === "count" ? 1 : order.itemSpent[a.item] * (Number.isNaN(rate) ? 0 : rate);
      } else {
        value = a.measure === "count" ? 1 : amount;
      }
      store.aggregates[a.index][c] += value;
    }
    const recorder = this.ctx.recorder;
    if (recorder?.orders === true) {
      const lineRate = Number.isNaN(rate) ? 0 : rate;
      if (lineRate !== 1) for (const l of order.lines) l.amount *= lineRate;
      recorder.order(c, day, order.channel, amount, order.lines);
    }
  }

  /**
   * The buyer's name, place and consent from the order, where contacts did not give them: contacts
   * are read first and win; between orders the latest order wins (buyer-fields.ts), and for
   * consent "no" wins.
   */
  private describe(c: number, order: OpenOrder): void {
    const store = this.ctx.store;
    describeBuyer(store, c, order);
    if (order.consent === undefined) return;
    let value = parseBoolean(order.consent);
    if (value === undefined) {
      this.ctx.rejects.warn(
        this.file,
        order.firstLine,
        "unrecognised email_consent value, read as no",
        order.consent.slice(0, 30),
      );
      value = false;
    }
    const current = store.emailConsent[c];
    if (current === -1) {
      store.emailConsent[c] = value ? 1 : 0;
      this.ctx.fromOrders.add(c);
    } else if (this.ctx.fromOrders.has(c) && !value) {
      store.emailConsent[c] = 0;
    }
  }
}

/**
 * Whether order A comes strictly before order B: by date and time of day; at the same instant by
 * order id (an order without one first, then the shorter id, then by text: "9" before "10"); at the
 * same instant and id (orders without an id, one row each) by what they carry — product, category,
 * channel, compared as text, an absent value first — so that which one wins never changes what is
 * written. Never by place in the file.
 */
function orderBefore(
  timeA: number,
  idA: string | undefined,
  carriedA: string | undefined | readonly (string | undefined)[],
  timeB: number,
  idB: string | undefined,
  carriedB: string | undefined | readonly (string | undefined)[],
): boolean {
  if (timeA !== timeB) return timeA < timeB;
  const a = idA ?? "";
  const b = idB ?? "";
  if (a !== b) return a.length !== b.length ? a.length < b.length : a < b;
  const listA = typeof carriedA === "object" ? carriedA : [carriedA];
  const listB = typeof carriedB === "object" ? carriedB : [carriedB];
  for (let i = 0; i < listA.length; i++) {
    const x = listA[i] ?? "";
    const y = listB[i] ?? "";
    if (x !== y) return x < y;
  }
  return false;
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

/** The warning for an orders file without any amount, naming what was looked for. */
function noAmountWarning(file: string, preset: Preset): string {
  // A normalised export (Olist): the amounts are in its order lines file.
  const lines = preset.signatures.find((s) => s.kind === "order_lines");
  if (lines !== undefined) {
    return (
      `${file} has no amount column: revenue, total_spent and RFM monetary are unavailable; ` +
      `the amounts of ${lines.what.replace(/ order items export$/, " export")} are in its order ` +
      `items file: add it in audience.yaml, e.g.  order_lines: ${lines.file ?? "order_items.csv"}`
    );
  }
  const names = (column: string) =>
    (preset.columns.orders[column] ?? []).map((s) => (typeof s === "string" ? s : s.header));
  const totals = names("total");
  const prices = names("price");
  const looked = [
    ...(totals.length > 0 ? [`total (${totals.join(", ")})`] : []),
    ...(prices.length > 0 ? [`quantity × price (${prices.join(", ")})`] : []),
  ];
  return (
    `${file} has no amount column (looked for ${looked.join("; ")}): revenue, total_spent and ` +
    `RFM monetary are unavailable; if it has one, map it in audience.yaml, e.g.  ` +
    `columns: { orders: { total: "Your Header" } }`
  );
}

type OrderOrReject = OpenOrder | undefined | "rejected";

/** `orders_filter` over the raw row: its canonical columns, parsed on demand. */
function compileRowFilter(
  expr: PlanExpr,
  cells: Cells,
  dates: DateParser,
  ctx: IngestContext,
): (fields: string[]) => boolean {
  const decimal = ctx.options.decimal;
  const scope: Scope<string[]> = {
    field(name) {
      const read = cells[name as keyof Cells];
      const type = orderColumnType(name);
      if (type === "date") {
        return (fields): Value => {
          const raw = read(fields);
          if (raw === undefined || raw.trim() === "") return null;
          const day = dates.parse(raw);
          return Number.isNaN(day) ? null : day;
        };
      }
      if (type === "number") {
        return (fields): Value => {
          const raw = read(fields);
          if (raw === undefined || raw.trim() === "") return null;
          const value = parseNumber(raw.trim(), decimal);
          return Number.isNaN(value) ? null : value;
        };
      }
      return (fields): Value => cleanCell(read(fields)) ?? null;
    },
    prop: () => () => null,
    aggregate: () => () => null,
    inSegment: () => () => false,
  };
  return compilePredicate(expr, scope, ctx.options.asOf);
}

/**
 * The sales channel as segments and reports name it. Shopify's `Source` holds the numeric id of
 * the app that created the order (a marketplace, a chat or social shop): `5690175` reads as
 * `app 5690175`, so that it is not mistaken for a number and reads as what it is.
 */
export function channelName(cell: string | undefined): string | undefined {
  return cell !== undefined && /^\d+$/.test(cell) ? `app ${cell}` : cell;
}
