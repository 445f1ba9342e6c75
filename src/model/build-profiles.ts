/**
 * Profiles from rows held in memory (segment tests, docs/design.md#explain-and-tests, and the unit
 * tests): the same sinks as the CSV readers, fed a header and rows of cells, so a synthetic
 * customer is read exactly as an exported one. Also what a run needs from the data: the
 * aggregates and fields its segments use, and the `orders_filter`. Readers keep exactly that,
 * whether the rows come from files or from memory.
 */
import type { AggregateSpec, PlanExpr } from "../dsl/plan.js";
import type { RfmSettings } from "../rfm/settings.js";
import { IngestContext, type FileStats, type IngestOptions } from "./ingest-context.js";
import { READ_ORDER, sinkFor } from "./input-sinks.js";
import type { InputKind } from "./presets.js";
import { Profiles } from "./profile.js";
import type { RejectLog } from "./rejects.js";
import { MAX_READINGS, type IdentityHints } from "./store.js";

/** What the plan needs from the data. */
export interface DataNeeds {
  aggregates: readonly AggregateSpec[];
  /** Profile fields used (to keep only the custom properties and lists that are needed). */
  fields: readonly string[];
  ordersFilter?: PlanExpr;
  /** Keep purchase days for the prediction models even if no field asks (`audience predict`). */
  predictions?: boolean;
}

/** One input's rows, as a reader would hand them over. */
export interface RowTable {
  /** The name rejects are reported under. */
  file: string;
  header: string[];
  /** Rows of cells, in header order. */
  rows: string[][];
  /** Each row's first line in its file (1 = header); absent: a row's line is its index + 1. */
  lines?: readonly number[];
}

/** The inputs of a run as rows in memory: one table per kind, or several files of one kind. */
export type InputRows = Partial<Record<InputKind, RowTable | readonly RowTable[]>>;

export interface BuildProfilesInput extends InputRows {
  options: IngestOptions;
  rfm: RfmSettings;
  rejects: RejectLog;
  ordersFilter?: PlanExpr;
}

export interface BuiltProfiles {
  profiles: Profiles;
  rejects: RejectLog;
  /** The counts of each table, in reading order. */
  stats: FileStats[];
  /** Whether the orders have amounts (a total or line prices): else monetary values are unknown. */
  amounts: boolean;
  /** The UTC offsets (minutes) the timestamps carry, ascending. */
  offsets: number[];
}

/** Reads the tables in reading order into the customer store, as the CSV readers do. */
export function buildProfiles(input: BuildProfilesInput): BuiltProfiles {
  // docs/design.md#inputs identity: read again with hints while a reading depended on row order.
  let hints: IdentityHints | undefined;
  for (let reading = 1; ; reading++) {
    const rejects = input.rejects;
    if (reading > 1) rejects.clear();
    const ctx = new IngestContext(input.options, rejects);
    ctx.store.hints = hints;
    for (const kind of READ_ORDER) {
      const given = input[kind];
      const tables: readonly RowTable[] =
        given === undefined ? [] : "file" in given ? [given] : given;
      for (const table of tables) {
        const sink = sinkFor(ctx, kind, table.file, input.ordersFilter);
        sink.header(table.header);
        for (const [index, row] of table.rows.entries())
          sink.row(row, table.lines?.[index] ?? index + 1);
        sink.finish?.();
      }
    }
    ctx.reportOrphanLines();
    if (ctx.store.readAgain() && reading < MAX_READINGS) {
      hints = ctx.store.identityHints(hints);
      continue;
    }
    return {
      profiles: new Profiles(ctx.store, input.options.asOf, input.rfm),
      rejects,
      stats: ctx.stats,
      amounts: ctx.stats.some((s) => s.kind === "orders" && s.hasAmount),
      offsets: [...ctx.offsets].sort((a, b) => a - b),
    };
  }
}
