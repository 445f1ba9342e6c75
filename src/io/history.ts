/**
 * The history of an output folder (docs/design.md#changes): `OUT/history.jsonl`, one JSON line per complete
 * build, oldest first — as_of, when it was built, the engine, each input's SHA-256 and per segment
 * its counts. Never a row, never an identifier.
 *
 * It lives inside the build folder like every other file, so it survives each swap by being
 * carried into the next build folder (the previous lines, then the new one) and is replaced in the
 * same atomic rename: a build that dies leaves the previous history, a build that completes adds
 * exactly one line. Only the last `history: { keep: N }` builds are kept (400 by default).
 *
 * A line that is not a build record (edited by hand, cut short) is dropped with one warning that
 * names its line number, and the history is written back without it: a nightly job keeps running
 * on the builds that can be read. A file too large to be a history is refused.
 */
import { join } from "node:path";
import { UserError } from "../errors.js";
import { readFileAtMost } from "./read-bounded.js";

export const HISTORY_FILE = "history.jsonl";
export const DEFAULT_HISTORY_KEEP = 400;
export const MAX_HISTORY_KEEP = 10_000;
/** Far above MAX_HISTORY_KEEP builds of a few hundred segments. */
const HISTORY_BYTES_LIMIT = 256 * 1024 * 1024;

export interface SegmentSizes {
  matched: number;
  reachable: number;
  written: number;
  entered: number;
  exited: number;
}

export interface HistoryRecord {
  as_of: string;
  /** ISO time (UTC) at which the build was written. */
  built_at: string;
  engine: string;
  inputs: { kind: string; sha256: string | null }[];
  /** The segments this build computed (with --only, not the ones it kept from before). */
  segments: Record<string, SegmentSizes>;
}

/** `audience history --json` (docs/design.md#changes). */
export interface HistoryJson {
  builds: { as_of: string; built_at: string; segments: Record<string, SegmentSizes> }[];
}

export interface LoadedHistory {
  records: HistoryRecord[];
  /** Line numbers (1-based) of the lines that were not build records. */
  dropped: number[];
}

const SIZE_FIELDS = ["matched", "reachable", "written", "entered", "exited"] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const SEGMENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isRecordObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The record a line holds, or `undefined` when it is not one. */
function recordOf(line: string): HistoryRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecordObject(value)) return undefined;
  const { as_of, built_at, engine, inputs, segments } = value;
  if (typeof as_of !== "string" || !DAY.test(as_of) || Number.isNaN(Date.parse(as_of)))
    return undefined;
  if (typeof built_at !== "string" || Number.isNaN(Date.parse(built_at))) return undefined;
  if (typeof engine !== "string") return undefined;
  if (!Array.isArray(inputs)) return undefined;
  const cleanInputs: HistoryRecord["inputs"] = [];
  for (const input of inputs) {
    if (!isRecordObject(input) || typeof input.kind !== "string") return undefined;
    if (input.sha256 !== null && typeof input.sha256 !== "string") return undefined;
    cleanInputs.push({ kind: input.kind, sha256: input.sha256 });
  }
  if (!isRecordObject(segments)) return undefined;
  const cleanSegments: Record<string, SegmentSizes> = {};
  for (const [id, sizes] of Object.entries(segments)) {
    if (!SEGMENT_ID.test(id) || !isRecordObject(sizes)) return undefined;
    if (!SIZE_FIELDS.every((field) => isCount(sizes[field]))) return undefined;
    cleanSegments[id] = {
      matched: sizes.matched as number,
      reachable: sizes.reachable as number,
      written: sizes.written as number,
      entered: sizes.entered as number,
      exited: sizes.exited as number,
    };
  }
  return { as_of, built_at, engine, inputs: cleanInputs, segments: cleanSegments };
}

/** Parses the text of a history file; lines that are not build records are dropped. */
export function parseHistory(text: string): LoadedHistory {
  const records: HistoryRecord[] = [];
  const dropped: number[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    const record = recordOf(line);
    if (record === undefined) dropped.push(i + 1);
    else records.push(record);
  }
  return { records, dropped };
}

/** The history file's text: one compact JSON line per build. */
export function formatHistory(records: readonly HistoryRecord[]): string {
  return records.map((record) => `${JSON.stringify(record)}\n`).join("");
}

/** The history with one more build, trimmed to the last `keep`. */
export function appendBuild(
  records: readonly HistoryRecord[],
  record: HistoryRecord,
  keep: number,
): HistoryRecord[] {
  const all = [...records, record];
  return all.slice(Math.max(0, all.length - keep));
}

/** The one-line warning for dropped lines (no content is quoted: it could hold anything). */
export function droppedWarning(display: string, loaded: LoadedHistory): string {
  const lines = loaded.dropped;
  const shown = lines.slice(0, 5).join(", ") + (lines.length > 5 ? ", …" : "");
  return `${display}: dropped ${lines.length === 1 ? "line" : `${lines.length} lines`} ${shown} (not a build record of audience); the other ${loaded.records.length === 1 ? "build is" : `${loaded.records.length} builds are`} kept`;
}

/**
 * The history in a build folder (or OUT itself): no file is an empty history. `display` names
 * the file in messages.
 */
export async function loadHistory(folder: string, display: string): Promise<LoadedHistory> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readFileAtMost(join(folder, HISTORY_FILE), HISTORY_BYTES_LIMIT);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { records: [], dropped: [] };
    throw new UserError("HISTORY_UNREADABLE", `cannot read ${display} (${code ?? String(error)})`);
  }
  if (bytes === undefined) {
    throw new UserError(
      "HISTORY_TOO_LARGE",
      `${display} is larger than ${HISTORY_BYTES_LIMIT / 1024 / 1024} MiB: it is not a history written by audience`,
      { hint: `move it out of the output folder; the next build starts a new history` },
    );
  }
  return parseHistory(bytes.toString("utf8"));
}

/** The machine-readable history (docs/design.md#changes), optionally for some segments only. */
export function historyJson(
  records: readonly HistoryRecord[],
  only?: readonly string[],
): HistoryJson {
  return {
    builds: records.map((record) => ({
      as_of: record.as_of,
      built_at: record.built_at,
      segments:
        only === undefined
          ? { ...record.segments }
          : Object.fromEntries(Object.entries(record.segments).filter(([id]) => only.includes(id))),
    })),
  };
}

/**
 * `audience history --json` of an output folder, oldest build first: for the report and other
 * readers of OUT (`display` names the folder in messages). Lines that are not build records are
 * left out (`onWarning` hears about them).
 */
export async function readHistory(
  outDir: string,
  display: string,
  options: { onWarning?: (message: string) => void } = {},
): Promise<HistoryJson> {
  const loaded = await loadHistory(outDir, `${display}/${HISTORY_FILE}`);
  if (loaded.dropped.length > 0)
    options.onWarning?.(droppedWarning(`${display}/${HISTORY_FILE}`, loaded));
  return historyJson(loaded.records);
}

/** Rows written for a segment by the latest build of the history that computed it. */
export function lastWritten(records: readonly HistoryRecord[], id: string): number | undefined {
  for (let i = records.length - 1; i >= 0; i--) {
    const sizes = records[i].segments[id];
    if (sizes !== undefined) return sizes.written;
  }
  return undefined;
}
