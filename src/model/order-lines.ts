/**
 * Order lines: the amount of a line, and the lines of a normalised export (docs/design.md#normalised-exports)
 * summed per order. One place for "an order's amount from its lines", whether the lines are rows
 * of the orders file (Shopify's line items) or a file of their own (`order_lines:`, Olist's items).
 */
import type { CellReader } from "./columns.js";
import type { RejectLog } from "./rejects.js";
import { parseNumber, type DecimalMark } from "./values.js";

/**
 * A line's amount: quantity × price (no quantity: one), plus its freight. An empty price is 0, an
 * empty freight nothing.
 */
export function lineAmount(quantity: number, price: number, freight = NaN): number {
  const goods = Number.isNaN(price) ? 0 : (Number.isNaN(quantity) ? 1 : quantity) * price;
  return Number.isNaN(freight) ? goods : goods + freight;
}

/**
 * A numeric cell: NaN when empty, undefined (the row rejected, with the reason counted) when it is
 * not a number, or negative where that is not allowed.
 */
export function readAmount(
  cell: CellReader,
  fields: string[],
  at: { file: string; line: number; rejects: RejectLog; decimal: DecimalMark },
  column: string,
  allowNegative = false,
): number | undefined {
  const raw = cell(fields);
  if (raw === undefined) return NaN;
  const text = raw.trim();
  if (text === "") return NaN;
  const value = parseNumber(text, at.decimal);
  if (Number.isNaN(value)) {
    at.rejects.reject(at.file, at.line, `invalid number in ${column}`, fields, text.slice(0, 30));
    return undefined;
  }
  if (value < 0 && !allowNegative) {
    at.rejects.reject(at.file, at.line, `negative ${column}`, fields, text.slice(0, 30));
    return undefined;
  }
  return value;
}

interface LinesOfOrder {
  amount: number;
  lines: number;
  /** Where the order's first line is, for the warning when no order has its id. */
  file: string;
  line: number;
  taken: boolean;
}

/** What the orders did not take: lines whose order is in no orders file. */
export interface OrphanLines {
  file: string;
  line: number;
  lines: number;
}

/**
 * The lines of the `order_lines:` files, summed per order id. Memory grows with the orders that
 * have lines; each order takes its sum once, when it closes.
 */
export class OrderLines {
  private readonly byOrder = new Map<string, LinesOfOrder>();
  /** Whether freight counts in an order's amount (`include_shipping:`, default true). */
  private readonly includeShipping: boolean;

  constructor(includeShipping: boolean) {
    this.includeShipping = includeShipping;
  }

  /** Adds one line of order `orderId`; returns whether it is the order's first line. */
  add(
    orderId: string,
    quantity: number,
    price: number,
    freight: number,
    at: { file: string; line: number },
  ): boolean {
    const amount = lineAmount(quantity, price, this.includeShipping ? freight : NaN);
    const seen = this.byOrder.get(orderId);
    if (seen !== undefined) {
      seen.amount += amount;
      seen.lines++;
      return false;
    }
    this.byOrder.set(orderId, { amount, lines: 1, file: at.file, line: at.line, taken: false });
    return true;
  }

  /** The sum of the order's lines (undefined: it has none), marking them used by an order. */
  take(orderId: string): number | undefined {
    const seen = this.byOrder.get(orderId);
    if (seen === undefined) return undefined;
    seen.taken = true;
    return seen.amount;
  }

  /** The orders whose lines no order took, in the order their first lines were read. */
  orphans(): OrphanLines[] {
    const out: OrphanLines[] = [];
    for (const seen of this.byOrder.values())
      if (!seen.taken) out.push({ file: seen.file, line: seen.line, lines: seen.lines });
    return out;
  }
}
