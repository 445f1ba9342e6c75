/**
 * A closed order → its customer in the store (docs/design.md#inputs): the statuses and
 * currencies that count, refunds and exchange rates, the first and last orders, the buyer's
 * name, place and consent, products and categories, and the plan's order aggregates.
 */
import type { TextMatcher } from "../dsl/patterns.js";
import { cleanId, type FileStats, type IngestContext } from "./ingest-context.js";
import type { OpenOrder } from "./order-assembly.js";
import { describeBuyer } from "./buyer-fields.js";
import { addFirstPurchase, own } from "./store.js";
import { parseBoolean } from "./values.js";

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

/** What the folding reads of the orders sink that closed the order. */
export interface OrderFolding {
  readonly ctx: IngestContext;
  readonly file: string;
  readonly stats: FileStats;
  /** The order statuses that do not count (normalised). */
  readonly excluded: ReadonlySet<string>;
  /** Whether the file has amounts of its own (a total, or line prices). */
  readonly ownAmounts: boolean;
  readonly aggregates: readonly OrderAggregate[];
  /** The customer of an order that counts: found by its identifiers, or created. */
  customerOf(order: OpenOrder): number;
}

/** Folds a closed order (not a duplicate of an earlier file's) into its customer, or rejects it. */
export function foldOrder(sink: OrderFolding, order: OpenOrder): void {
  const { store, options, rejects } = sink.ctx;
  // The order's lines in the `order_lines:` files, taken whether or not the order counts: only
  // lines of no order at all are reported as such.
  const lines = order.id === "" ? undefined : sink.ctx.lines?.take(order.id);
  if (Number.isNaN(order.day)) {
    rejects.reject(
      sink.file,
      order.firstLine,
      "order without a date (created_at empty on all its rows)",
      order.firstFields,
    );
    return;
  }
  const status = order.status ?? "";
  const counted = !sink.excluded.has(status);
  const seen = sink.stats.statuses.get(status);
  if (seen === undefined) sink.stats.statuses.set(status, { orders: 1, counted });
  else seen.orders++;
  if (!counted) {
    sink.stats.excludedStatus++;
    return;
  }
  if (order.day > options.asOf) {
    sink.stats.afterAsOf++;
    return;
  }
  const currency = order.currency ?? "";
  let rate = 1;
  if (currency !== "") {
    if (options.currency !== undefined && currency !== options.currency) {
      sink.stats.otherCurrency++;
      return;
    }
    if (options.exchangeRates !== undefined && currency !== options.exchangeRates.reporting)
      rate = options.exchangeRates.rates.get(currency) ?? NaN;
  }
  sink.stats.currencies.set(currency, (sink.stats.currencies.get(currency) ?? 0) + 1);
  let amount = Number.isNaN(order.total) ? order.lineSum + (lines ?? 0) : order.total;
  if (!Number.isNaN(order.refunded)) amount -= order.refunded;
  // A currency without a rate stops the run once the files are read (read-inputs.ts).
  if (rate !== 1) amount = Number.isNaN(rate) ? 0 : amount * rate;
  if (amount < 0) {
    rejects.reject(
      sink.file,
      order.firstLine,
      "negative order amount",
      order.firstFields,
      amount.toFixed(2),
    );
    return;
  }
  const c = sink.customerOf(order);
  if (sink.ctx.lines !== undefined && !sink.ownAmounts && lines === undefined) {
    sink.stats.noLines++;
    rejects.warn(
      sink.file,
      order.firstLine,
      "order without lines in the order_lines files: its amount is 0",
    );
  }
  if (sink.ctx.keyMap !== undefined && order.rawId !== undefined) {
    const id = cleanId(order.rawId);
    if (id !== undefined && !sink.ctx.keyMap.has(id)) {
      sink.stats.unmapped++;
      rejects.warn(
        sink.file,
        order.firstLine,
        "customer_id not in the key_map files: read as its own customer",
      );
    }
  }
  describe(sink, c, order);
  const day = order.day;
  sink.stats.orders++;
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
  for (const a of sink.aggregates) {
    if (day < a.from || day > a.to) continue;
    if (a.channel !== undefined && !a.channel(order.channel)) continue;
    let value: number;
    if (a.item >= 0) {
      if (order.itemMatched[a.item] === 0) continue;
      value = a.measure === "count" ? 1 : order.itemSpent[a.item] * (Number.isNaN(rate) ? 0 : rate);
    } else {
      value = a.measure === "count" ? 1 : amount;
    }
    store.aggregates[a.index][c] += value;
  }
  const recorder = sink.ctx.recorder;
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
function describe(sink: OrderFolding, c: number, order: OpenOrder): void {
  const store = sink.ctx.store;
  describeBuyer(store, c, order);
  if (order.consent === undefined) return;
  let value = parseBoolean(order.consent);
  if (value === undefined) {
    sink.ctx.rejects.warn(
      sink.file,
      order.firstLine,
      "unrecognised email_consent value, read as no",
      order.consent.slice(0, 30),
    );
    value = false;
  }
  const current = store.emailConsent[c];
  if (current === -1) {
    store.emailConsent[c] = value ? 1 : 0;
    sink.ctx.fromOrders.add(c);
  } else if (sink.ctx.fromOrders.has(c) && !value) {
    store.emailConsent[c] = 0;
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
