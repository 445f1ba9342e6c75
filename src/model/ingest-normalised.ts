/**
 * The two extra files of a normalised export (docs/design.md#normalised-exports), read before the
 * orders: `key_map:` (each order's customer key → the person's key; Olist's customers file maps
 * `customer_id` to `customer_unique_id`) and `order_lines:` (the lines that hold the amounts;
 * Olist's order items, price and freight per item).
 */
import type { CellReader } from "./columns.js";
import { cleanId, type FileStats, type IngestContext, type RowSink } from "./ingest-context.js";
import { readAmount } from "./order-lines.js";
import { cleanCell } from "./values.js";

export class KeyMapSink implements RowSink {
  private readonly ctx: IngestContext;
  private readonly file: string;
  private readonly stats: FileStats;
  private from: CellReader = () => undefined;
  private to: CellReader = () => undefined;
  private used: readonly number[] = [];

  constructor(ctx: IngestContext, file: string) {
    this.ctx = ctx;
    this.file = file;
    this.stats = ctx.newStats("key_map", file);
    ctx.keyMap ??= new Map();
  }

  header(fields: string[]): void {
    const { cells, used } = this.ctx.bindFile("key_map", this.file, fields, this.stats);
    this.from = cells.from;
    this.to = cells.to;
    this.used = [...used];
  }

  columns(): readonly number[] {
    return this.used;
  }

  row(fields: string[], line: number): void {
    this.stats.rows++;
    const from = cleanId(this.from(fields));
    const to = cleanId(this.to(fields));
    const { rejects } = this.ctx;
    if (from === undefined) {
      rejects.reject(this.file, line, "empty from (the order's customer key)", fields);
      return;
    }
    if (to === undefined) {
      rejects.reject(this.file, line, "empty to (the person's key)", fields);
      return;
    }
    const map = this.ctx.keyMap as Map<string, string>;
    const known = map.get(from);
    if (known === undefined) {
      map.set(from, to);
      this.stats.mapped++;
    } else if (known !== to) {
      rejects.reject(this.file, line, "customer key already mapped to another person", fields);
    }
  }
}

export class OrderLinesSink implements RowSink {
  private readonly ctx: IngestContext;
  private readonly file: string;
  private readonly stats: FileStats;
  private cells: Record<string, CellReader> = {};
  private used: readonly number[] = [];

  constructor(ctx: IngestContext, file: string) {
    this.ctx = ctx;
    this.file = file;
    this.stats = ctx.newStats("order_lines", file);
    ctx.orderLines();
  }

  header(fields: string[]): void {
    const { cells, used } = this.ctx.bindFile("order_lines", this.file, fields, this.stats);
    this.cells = cells;
    this.used = [...used];
  }

  columns(): readonly number[] {
    return this.used;
  }

  row(fields: string[], line: number): void {
    this.stats.rows++;
    const { rejects, options } = this.ctx;
    const at = { file: this.file, line, rejects, decimal: options.decimal };
    const quantity = readAmount(this.cells.quantity, fields, at, "quantity");
    if (quantity === undefined) return;
    const price = readAmount(this.cells.price, fields, at, "price");
    if (price === undefined) return;
    const freight = readAmount(this.cells.freight, fields, at, "freight");
    if (freight === undefined) return;
    const orderId = cleanCell(this.cells.order_id(fields));
    if (orderId === undefined) {
      rejects.reject(this.file, line, "empty order_id", fields);
      return;
    }
    if (this.ctx.orderLines().add(orderId, quantity, price, freight, at)) this.stats.orders++;
  }
}
