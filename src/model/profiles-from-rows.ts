/**
 * Profiles from rows held in memory (segment tests, docs/design.md#explain-and-tests): the same sinks as the CSV readers,
 * fed a header and rows of cells, so a synthetic customer is read exactly as an exported one.
 */
import type { RfmSettings } from "../rfm/settings.js";
import type { InputKind } from "./presets.js";
import { ContactsSink } from "./ingest-contacts.js";
import { IngestContext, type IngestOptions, type RowSink } from "./ingest-context.js";
import { EventsSink, ListsSink } from "./ingest-events.js";
import { KeyMapSink, OrderLinesSink } from "./ingest-normalised.js";
import { OrdersSink } from "./ingest-orders.js";
import { Profiles } from "./profile.js";
import type { RejectLog } from "./rejects.js";
import type { PlanExpr } from "../dsl/plan.js";

export interface RowTable {
  /** The name rejects are reported under. */
  file: string;
  header: string[];
  /** Rows of cells, in header order; a row's "line" is its index + 1. */
  rows: string[][];
}

/** The reading order: a normalised export's key map and order lines before the orders. */
export const READ_ORDER: readonly InputKind[] = [
  "contacts",
  "key_map",
  "order_lines",
  "orders",
  "events",
  "lists",
];

export function profilesFromRows(
  options: IngestOptions,
  rfm: RfmSettings,
  tables: Partial<Record<InputKind, RowTable>>,
  rejects: RejectLog,
  ordersFilter?: PlanExpr,
): Profiles {
  const ctx = new IngestContext(options, rejects);
  for (const kind of READ_ORDER) {
    const table = tables[kind];
    if (table === undefined) continue;
    const sink = sinkFor(ctx, kind, table.file, ordersFilter);
    sink.header(table.header);
    for (const [index, row] of table.rows.entries()) sink.row(row, index + 1);
    sink.finish?.();
    if (kind === "orders") ctx.reportOrphanLines();
  }
  return new Profiles(ctx.store, options.asOf, rfm);
}

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
