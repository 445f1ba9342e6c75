/**
 * The row-level rejects and warnings of the SQL staging (stage-people.ts, stage-orders.ts;
 * docs/design.md#engines): the staging SQL writes what the memory engine's sinks would raise into
 * two tables, and `replayStaged` hands them, in the memory engine's order, to the run's RejectLog
 * (counts per reason, `file:line` examples, `--strict`, the `--rejects` file with the raw row's
 * fields fetched from its raw table) — so both engines report bad rows identically.
 *
 * Columns of `stage_rejects` and `stage_warnings`:
 * - `kind`: the input (`contacts`, `orders`, `events`, `lists`);
 * - `file`: the file's index within its input, in reading order (0-based, as staging.ts);
 * - `line`: the line the memory engine reports (the row's first line in the file; 1 = header);
 * - `seq`: orders the calls within a file: the memory engine raised them in ascending `seq`, ties
 *   by `line`, then `reason` (a file's stager may number several calls of one row, row × 16 + call);
 * - `reason`: the fixed phrase (`no customer key (customer_id, email or phone)`);
 * - `detail`: the value shown after it in examples, before `safeDetail` (NULL for none).
 */
import { READ_ORDER } from "../model/input-sinks.js";
import type { InputKind } from "../model/presets.js";
import type { RejectLog } from "../model/rejects.js";
import type { SqlSession } from "../engine/session.js";
import type { Dialect } from "./dialect.js";
import { sqlType, type ColumnSpec } from "./tables.js";

export const STAGE_REJECTS = "stage_rejects";
export const STAGE_WARNINGS = "stage_warnings";

export const STAGE_REJECT_COLUMNS: readonly ColumnSpec[] = [
  { name: "kind", type: "text", nullable: false, meaning: "input kind" },
  { name: "file", type: "integer", nullable: false, meaning: "file index within its input" },
  { name: "line", type: "integer", nullable: false, meaning: "line reported" },
  { name: "seq", type: "integer", nullable: false, meaning: "order of the call within its file" },
  { name: "reason", type: "text", nullable: false, meaning: "reason or warning" },
  { name: "detail", type: "text", nullable: true, meaning: "detail shown in examples" },
];

/**
 * `stage_offsets`: the UTC offsets (minutes) written in the timestamps the SQL staging read, each
 * once per file (`kind`, `file` as above, `minutes`) — what the memory engine's date parsers
 * collect into `IngestContext.offsets` (LoadedData.offsets, the time-zone hint), for the cells they
 * parse: rejected rows' too, when the date was read before the reject. Read by staged-stats.ts.
 */
export const STAGE_OFFSETS = "stage_offsets";

const STAGE_OFFSET_COLUMNS: readonly ColumnSpec[] = [
  { name: "kind", type: "text", nullable: false, meaning: "input kind" },
  { name: "file", type: "integer", nullable: false, meaning: "file index within its input" },
  { name: "minutes", type: "integer", nullable: false, meaning: "UTC offset in minutes" },
];

function columnsSql(d: Dialect, columns: readonly ColumnSpec[]): string {
  return columns
    .map((c) => `${d.identifier(c.name)} ${sqlType(d, c.type)}${c.nullable ? "" : " NOT NULL"}`)
    .join(", ");
}

/** `CREATE TABLE` statements of the three tables (dropped first when they exist). */
export function createStageRejectStatements(d: Dialect): string[] {
  const columns = columnsSql(d, STAGE_REJECT_COLUMNS);
  return [
    ...[STAGE_REJECTS, STAGE_WARNINGS].flatMap((table) => [
      `DROP TABLE IF EXISTS ${d.identifier(table)}`,
      `CREATE TABLE ${d.identifier(table)} (${columns})`,
    ]),
    `DROP TABLE IF EXISTS ${d.identifier(STAGE_OFFSETS)}`,
    createStageOffsetsStatement(d, false),
  ];
}

/** `CREATE TABLE` of `stage_offsets` (`ifMissing`: unless it exists). */
export function createStageOffsetsStatement(d: Dialect, ifMissing: boolean): string {
  return `CREATE TABLE ${ifMissing ? "IF NOT EXISTS " : ""}${d.identifier(STAGE_OFFSETS)} (${columnsSql(d, STAGE_OFFSET_COLUMNS)})`;
}

/** A file whose rows were staged: where its raw rows are, and how the run names it. */
export interface StagedFile {
  kind: InputKind;
  /** Index within its input (staging.ts `file`). */
  file: number;
  /** The file as messages show it (the memory engine's `display`). */
  display: string;
  /** The raw table of read.ts: `line`, then `c0` … `c{width-1}`. */
  table: string;
  width: number;
}

/** A raw row as the fields the reader gave: the NULL padding after its last cell removed. */
function fieldsOf(cells: readonly (string | null)[]): string[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1] === null) end--;
  return cells.slice(0, end).map((c) => c ?? "");
}

const kindRank = (kind: InputKind) => READ_ORDER.indexOf(kind);

/**
 * Hands the staged rejects and warnings of `files` to `log` in the memory engine's order: files
 * in reading order (contacts, orders, events, lists; each input's files in turn), calls in `seq`
 * order within a file. A reject's raw fields come from the file's raw table (for `--rejects`); with
 * `--strict` the first reject throws, as in the memory engine.
 */
export async function replayStaged(
  session: SqlSession,
  log: RejectLog,
  files: readonly StagedFile[],
): Promise<void> {
  const d = session.dialect;
  const q = (name: string) => d.identifier(name);
  const ordered = [...files].sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || a.file - b.file);
  for (const f of ordered) {
    const where = `s.${q("kind")} = ${d.string(f.kind)} AND s.${q("file")} = ${d.integer(f.file)}`;
    const order = `s.${q("seq")}, s.${q("line")}, s.${q("reason")}`;
    const cells = Array.from({ length: f.width }, (_, i) => `r.${q(`c${i}`)} AS ${q(`c${i}`)}`);
    const rejects = await session.rows(
      `SELECT s.${q("line")} AS line, s.${q("reason")} AS reason, s.${q("detail")} AS detail${cells.map((c) => `, ${c}`).join("")} FROM ${q(STAGE_REJECTS)} AS s LEFT JOIN ${q(f.table)} AS r ON r.${q("line")} = s.${q("line")} WHERE ${where} ORDER BY ${order}`,
    );
    for (const row of rejects) {
      const fields = fieldsOf(
        Array.from({ length: f.width }, (_, i) => (row[`c${i}`] ?? null) as string | null),
      );
      const detail = row.detail as string | null;
      log.reject(
        f.display,
        Number(row.line),
        row.reason as string,
        fields,
        ...(detail === null ? [] : [detail]),
      );
    }
    const warnings = await session.rows(
      `SELECT s.${q("line")} AS line, s.${q("reason")} AS reason, s.${q("detail")} AS detail FROM ${q(STAGE_WARNINGS)} AS s WHERE ${where} ORDER BY ${order}`,
    );
    for (const row of warnings) {
      const detail = row.detail as string | null;
      log.warn(
        f.display,
        Number(row.line),
        row.reason as string,
        ...(detail === null ? [] : [detail]),
      );
    }
  }
}
