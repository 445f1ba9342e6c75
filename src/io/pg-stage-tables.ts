/**
 * `engine: postgres` with every input a table or a query (docs/design.md#engines): the rows are
 * normalised in the server, not in TypeScript. Each input becomes a temporary raw table of the
 * layout of engine/duckdb/read.ts (`line`, then `c0` … one text cell per column), filled by the
 * work connection inside a `REPEATABLE READ READ ONLY` transaction on the table session's own
 * snapshot (pg-work.ts `readInSnapshot`): the very rows `TableSession.read` would read, in its
 * order (`line` 1 = the first row read: the primary key, `order_by:`, or the query's order), each
 * cell the very text it would hand the sinks (pg-values.ts `cellTextSql`, the SQL twin of the
 * converters of typed columns). The SQL staging of the DuckDB engine then runs on the work
 * session: src/sql/stage-people.ts (contacts, events, lists) and src/sql/stage-orders.ts, with
 * their row-level rejects and warnings in the tables of src/sql/stage-rejects.ts.
 *
 * Errors are those of the TypeScript path, in its order: per input, a missing table or order_by
 * column or a refused query (`TableSession.describe`), then a failure while reading the rows,
 * then a header the sinks refuse (located at the input's key in audience.yaml).
 *
 * When the SQL cannot stage the run exactly (a CSV input among the tables, a database not in
 * UTF8, or what stagePeople / stageOrders leave to TypeScript), the outcome says why and the
 * staging and reject tables are left empty, for the run to read its inputs with
 * `TableSession.read` as before, in the same snapshot.
 *
 * The run (read-inputs.ts `stageTablesInDatabase`) fills the raw tables with `rawTablesInServer`
 * and stages them with `SqlRun.stageRaw`, as duckdb's loaded files. `stageTableInputs` is that
 * staging without the SqlRun (no currency or order-level checks), which
 * test/sql-staging-postgres.test.ts compares with the TypeScript path table by table. Its usage,
 * inside the run's table session and after `createStagingStatements` created the staging tables:
 *
 *   const staging = await stageTableInputs(work, tables, inputs, {
 *     ingest: ingestOptions(settings, asOf, needs),
 *     eventProperties,                          // the event columns the plan filters on
 *     ordersFilter: needs.ordersFilter,
 *     strict: settings.strict,
 *   });
 *   if (staging.staged) {
 *     await replayStaged(work.session, rejects, staging.files);   // the run's RejectLog
 *     // … then SqlRun.evaluateInDatabase; per-input counts: staging.inputs, staging.ordersStats
 *   } else {
 *     // staging.needsTypeScript: loadProfiles reads the tables through the sinks, as today
 *   }
 */
import type { InputKind } from "../model/presets.js";
import { type FileStats, IngestContext, type IngestOptions } from "../model/ingest-context.js";
import type { PlanExpr } from "../dsl/plan.js";
import { sinkFor } from "../model/input-sinks.js";
import { RejectLog } from "../model/rejects.js";
import { stagePeople, type PeopleFile, type PeopleKind } from "../sql/stage-people.js";
import { stageOrders, type RawOrdersFile } from "../sql/stage-orders.js";
import {
  createStageRejectStatements,
  STAGE_REJECTS,
  STAGE_WARNINGS,
  type StagedFile,
} from "../sql/stage-rejects.js";
import { STAGING_LAYOUT } from "../sql/staging.js";
import { tableDisplay, type TableSource } from "../config/table-input.js";
import type { PostgresWork } from "./pg-work.js";
import { cellTextSql } from "./pg-values.js";
import { sinkHeader, type TableSession } from "./read-tables.js";

/** One input of the run, in reading order. */
export interface TableInput {
  kind: InputKind;
  /** A table or query input; undefined for a CSV file (which this staging does not read). */
  table?: TableSource;
}

export interface StageTablesOptions {
  /** The run's ingest options (config/ingest-options.ts `ingestOptions`). */
  ingest: IngestOptions;
  /** The event columns the plan filters on (staged into `stage_event_properties`). */
  eventProperties: readonly string[];
  ordersFilter: PlanExpr | undefined;
  /** `--strict`. */
  strict: boolean;
}

/** A staged input. */
export interface StagedTableInput {
  kind: InputKind;
  /** As messages name it: `table shop.orders`, `query (orders)`. */
  display: string;
  /** Rows read. */
  rows: number;
  /** Neither order_by nor a primary key (read-inputs.ts warns about it). */
  unordered: boolean;
}

export type TableStaging =
  | {
      staged: true;
      /** The raw tables, for `replayStaged` (stage-rejects.ts). */
      files: StagedFile[];
      inputs: StagedTableInput[];
      /** The orders inputs' FileStats, as the orders sink counts them (stage-orders.ts). */
      ordersStats: FileStats[];
    }
  | { staged: false; needsTypeScript: string };

const RAW = "audience_raw_";

/** An input's raw table (the layout of engine/duckdb/read.ts), with the header it was read with. */
export type RawTableFile = StagedFile & { header: string[] };

/**
 * The raw tables of `inputs` (table or query inputs only), `audience_raw_<index>`, in the order
 * and with the errors of the TypeScript path (see the module's comment).
 */
export async function loadRawTables(
  work: PostgresWork,
  tables: TableSession,
  inputs: readonly TableInput[],
  options: Pick<StageTablesOptions, "ingest" | "ordersFilter">,
): Promise<{ files: RawTableFile[]; inputs: StagedTableInput[] }> {
  const s = work.session;
  const d = s.dialect;
  const snapshot = await tables.snapshot();
  // The sinks of a context of its own check each header, as the TypeScript path's would.
  const check = new IngestContext(options.ingest, new RejectLog());
  const files: RawTableFile[] = [];
  const staged: StagedTableInput[] = [];
  const perKind = new Map<InputKind, number>();
  for (const [i, input] of inputs.entries()) {
    const source = input.table;
    if (source === undefined) throw new Error(`${input.kind}: not a table input`);
    const display = tableDisplay(input.kind, source);
    const shape = await tables.describe(input.kind, source, display);
    const table = `${RAW}${i}`;
    const width = shape.columns.length;
    const cells = Array.from({ length: width }, (_, c) => d.identifier(`c${c}`));
    await s.run(`DROP TABLE IF EXISTS ${d.identifier(table)}`);
    await s.run(
      `CREATE TEMP TABLE ${d.identifier(table)} (line bigint NOT NULL${cells.map((c) => `, ${c} text NOT NULL`).join("")})`,
    );
    const read = shape.columns.map((f, c) =>
      cellTextSql(f.type, options.ingest.decimal, `q.${d.identifier(`x${c}`)}`),
    );
    const aliases = shape.columns.map((_, c) => d.identifier(`x${c}`));
    // row_number() OVER () numbers the rows in the order the statement gives them. The
    // statement on lines of its own: a trailing `-- comment` in a query stays a comment.
    await work.readInSnapshot(
      snapshot,
      `INSERT INTO pg_temp.${d.identifier(table)} SELECT row_number() OVER ()${read.map((r) => `, ${r}`).join("")} FROM (\n${shape.select}\n) AS q${width === 0 ? "" : `(${aliases.join(", ")})`}`,
      { kind: input.kind, at: source.at, what: display },
    );
    await s.run(`ANALYZE ${d.identifier(table)}`);
    sinkHeader(
      sinkFor(check, input.kind, display, options.ordersFilter),
      shape.columns.map((f) => f.name),
      source.at,
    );
    const [count] = await s.rows(`SELECT count(*) AS n FROM ${d.identifier(table)}`);
    const file = perKind.get(input.kind) ?? 0;
    perKind.set(input.kind, file + 1);
    files.push({
      kind: input.kind,
      file,
      display,
      table,
      width,
      header: shape.columns.map((f) => f.name),
    });
    staged.push({
      kind: input.kind,
      display,
      rows: Number(count?.n ?? 0),
      unordered: shape.unordered,
    });
  }
  return { files, inputs: staged };
}

/**
 * Why the server cannot stage the inputs: a database not in UTF8 (`pg` reads its text
 * converted, the staging's string functions would see its own encoding), or a standby, which
 * cannot export the reading transaction's snapshot (`TableSession.snapshot`).
 */
async function notStageable(work: PostgresWork): Promise<string | undefined> {
  const [server] = await work.session.rows(
    "SELECT current_setting('server_encoding') AS e, pg_is_in_recovery() AS standby",
  );
  if (server?.e !== "UTF8") return `the database's encoding is ${String(server?.e)}, not UTF8`;
  return server.standby === true ? "a standby cannot export a snapshot" : undefined;
}

/**
 * The raw tables of a run's table inputs for the SQL staging (`SqlRun.stageRaw`), as
 * `loadRawTables` fills them; `undefined` when the database is not in UTF8 or is a standby (the
 * run reads the inputs with `TableSession.read`).
 */
export async function rawTablesInServer(
  work: PostgresWork,
  tables: TableSession,
  inputs: readonly TableInput[],
  options: Pick<StageTablesOptions, "ingest" | "ordersFilter">,
): Promise<{ files: RawTableFile[]; inputs: StagedTableInput[] } | undefined> {
  if ((await notStageable(work)) !== undefined) return undefined;
  return loadRawTables(work, tables, inputs, options);
}

/**
 * Stages `inputs` (every input of the run, in reading order) in the server; see the module's
 * comment for the usage. The raw tables stay until the work session ends (the replay of the
 * rejects reads their rows).
 */
export async function stageTableInputs(
  work: PostgresWork,
  tables: TableSession,
  inputs: readonly TableInput[],
  options: StageTablesOptions,
): Promise<TableStaging> {
  const s = work.session;
  const d = s.dialect;
  const csv = inputs.find((i) => i.table === undefined);
  if (csv !== undefined)
    return { staged: false, needsTypeScript: `${csv.kind} is read from files` };
  const normalised = inputs.find((i) => i.kind === "key_map" || i.kind === "order_lines");
  if (normalised !== undefined)
    return {
      staged: false,
      needsTypeScript: `${normalised.kind}: a normalised export is not staged in SQL`,
    };
  const why = await notStageable(work);
  if (why !== undefined) return { staged: false, needsTypeScript: why };
  const { files, inputs: staged } = await loadRawTables(work, tables, inputs, options);
  for (const sql of createStageRejectStatements(d)) await s.run(sql);
  const fallBack = async (why: string): Promise<TableStaging> => {
    for (const { table } of STAGING_LAYOUT) await s.run(`DELETE FROM ${d.identifier(table)}`);
    for (const table of [STAGE_REJECTS, STAGE_WARNINGS])
      await s.run(`DROP TABLE IF EXISTS ${d.identifier(table)}`);
    for (const f of files) await s.run(`DROP TABLE IF EXISTS ${d.identifier(f.table)}`);
    return { staged: false, needsTypeScript: why };
  };
  const people: PeopleFile[] = files.flatMap((f) =>
    f.kind === "contacts" || f.kind === "events" || f.kind === "lists"
      ? [{ ...f, kind: f.kind as PeopleKind }]
      : [],
  );
  const peopleStaged = await stagePeople(s, people, {
    ingest: options.ingest,
    eventProperties: options.eventProperties,
  });
  if (!peopleStaged.staged) return fallBack(peopleStaged.reason);
  const ordersFiles: RawOrdersFile[] = files
    .filter((f) => f.kind === "orders")
    .map((f) => ({ display: f.display, table: f.table, header: f.header, width: f.width }));
  let ordersStats: FileStats[] = [];
  if (ordersFiles.length > 0) {
    const orders = await stageOrders(s, ordersFiles, {
      ctx: new IngestContext(options.ingest, new RejectLog()),
      ordersFilter: options.ordersFilter,
      strict: options.strict,
    });
    if (!orders.staged) return fallBack(orders.needsTypeScript);
    ordersStats = orders.stats;
  }
  return {
    staged: true,
    files: files.map(({ header: _header, ...f }) => f),
    inputs: staged,
    ordersStats,
  };
}
