/**
 * `orders_filter` on the rows of an orders file: an expression over the row's canonical columns,
 * read and parsed on demand, deciding before anything else whether the row is read at all.
 */
import type { PlanExpr } from "../dsl/plan.js";
import { compilePredicate, type Scope, type Value } from "../dsl/evaluator.js";
import type { CellReader } from "./columns.js";
import type { DateParser } from "./dates.js";
import type { IngestContext } from "./ingest-context.js";
import { orderColumnType } from "./order-columns.js";
import type { CANONICAL_COLUMNS } from "./presets.js";
import { cleanCell, parseNumber } from "./values.js";

/** A reader for each canonical column of an orders file. */
export type OrderCells = Record<(typeof CANONICAL_COLUMNS.orders)[number], CellReader>;
type Cells = OrderCells;

/** `orders_filter` over the raw row: its canonical columns, parsed on demand. */
export function compileRowFilter(
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
