/**
 * Order rows → orders → customer aggregates, in one streaming pass (docs/design.md#inputs): the
 * sink of an orders file binds its header, assembles its rows into orders (order-assembly.ts),
 * keeps the rows `orders_filter` lets through (order-row-filter.ts), and folds each closed order
 * into its customer (order-folding.ts).
 */
import { compilePatterns } from "../dsl/patterns.js";
import type { OrderAggregateSpec, PlanExpr } from "../dsl/plan.js";
import { cellReader } from "./columns.js";
import type { Preset } from "./presets.js";
import { findCustomer, type IngestContext } from "./ingest-context.js";
import { normalizeStatus, OrderAssembler, type OpenOrder } from "./order-assembly.js";
import { foldOrder, type OrderAggregate } from "./order-folding.js";
import { compileRowFilter, type OrderCells as Cells } from "./order-row-filter.js";

export class OrdersSink extends OrderAssembler {
  /** Read by the folding (order-folding.ts), with `ownAmounts` and `aggregates`. */
  excluded = new Set<string>();
  readonly aggregates: OrderAggregate[] = [];
  private readonly filterExpr: PlanExpr | undefined;
  private used = new Set<number>();
  /** Whether the file has amounts of its own (a total, or line prices). */
  ownAmounts = true;

  constructor(ctx: IngestContext, file: string, ordersFilter: PlanExpr | undefined) {
    super(ctx, file);
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

  protected override stagingExcluded(): ReadonlySet<string> {
    return this.excluded;
  }

  protected fold(order: OpenOrder): void {
    foldOrder(this, order);
  }

  /** The customer of an order that counts: found by its identifiers, or created (not a contact). */
  customerOf(order: OpenOrder): number {
    const { store, rejects } = this.ctx;
    const keys = order.keys;
    let c = findCustomer(store, keys);
    if (c < 0) {
      c = store.create(false);
      this.stats.created++;
      if (keys.badEmail) rejects.warn(this.file, order.firstLine, "invalid email left out");
      if (keys.phoneWarning !== undefined)
        rejects.warn(this.file, order.firstLine, keys.phoneWarning);
    }
    store.attach(c, keys.id, keys.email, keys.phone);
    if (store.keptApart(c, keys.id, keys.email, keys.phone)) this.stats.keptApart++;
    return c;
  }
}

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
