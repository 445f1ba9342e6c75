/**
 * The sink of each kind of input, and the order inputs are read in: the CSV readers, the table
 * readers and rows held in memory (build-profiles.ts) all hand their rows to these.
 */
import type { InputKind } from "./presets.js";
import { ContactsSink } from "./ingest-contacts.js";
import type { IngestContext, RowSink } from "./ingest-context.js";
import { EventsSink, ListsSink } from "./ingest-events.js";
import { KeyMapSink, OrderLinesSink } from "./ingest-normalised.js";
import { OrdersSink } from "./ingest-orders.js";
import type { PlanExpr } from "../dsl/plan.js";

/** The reading order: a normalised export's key map and order lines before the orders. */
export const READ_ORDER: readonly InputKind[] = [
  "contacts",
  "key_map",
  "order_lines",
  "orders",
  "events",
  "lists",
];

/** The sink that reads rows of one kind of input into the store. */
export function sinkFor(
  ctx: IngestContext,
  kind: InputKind,
  file: string,
  ordersFilter: PlanExpr | undefined,
): RowSink & { finish?: () => void } {
  switch (kind) {
    case "contacts":
      return new ContactsSink(ctx, file);
    case "orders":
      return new OrdersSink(ctx, file, ordersFilter);
    case "events":
      return new EventsSink(ctx, file);
    case "lists":
      return new ListsSink(ctx, file);
    case "key_map":
      return new KeyMapSink(ctx, file);
    case "order_lines":
      return new OrderLinesSink(ctx, file);
    default: {
      const never: never = kind;
      return never;
    }
  }
}
