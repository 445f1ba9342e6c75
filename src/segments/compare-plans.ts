/**
 * Two versions of the segment definitions on the same profiles (`audience plan`, for pull
 * requests): per segment, added, removed, changed or unchanged, and its members before and after
 * — how many entered and exited, among the members and among the written audience.
 */
import type { CompiledSegment } from "./definition.js";
import type { SegmentMembers } from "./evaluate.js";

export type SegmentChange = "added" | "removed" | "changed" | "unchanged";

export interface SideCounts {
  matched: number;
  reachable: number;
  written: number;
}

export interface SegmentPlanDiff {
  id: string;
  change: SegmentChange;
  /** What differs between the two definitions (`where`, `exclude`, `channel`…). */
  changedKeys: string[];
  before: SideCounts | null;
  after: SideCounts | null;
  /** Members (where minus exclude) now and not before, and before and not now. */
  entered: number;
  exited: number;
  /** The same for the written audience (reachable; with --exclusive, assigned). */
  writtenEntered: number;
  writtenExited: number;
}

export function comparePlans(
  base: readonly SegmentMembers[],
  head: readonly SegmentMembers[],
  size: number,
): SegmentPlanDiff[] {
  const before = new Map(base.map((r) => [r.segment.id, r]));
  const after = new Map(head.map((r) => [r.segment.id, r]));
  const ids = [
    ...head.map((r) => r.segment.id),
    ...base.map((r) => r.segment.id).filter((id) => !after.has(id)),
  ];
  const empty = new Uint8Array(size);
  return ids.map((id): SegmentPlanDiff => {
    const b = before.get(id);
    const a = after.get(id);
    const changedKeys =
      b !== undefined && a !== undefined ? definitionChanges(b.segment, a.segment) : [];
    const change: SegmentChange =
      b === undefined
        ? "added"
        : a === undefined
          ? "removed"
          : changedKeys.length > 0
            ? "changed"
            : "unchanged";
    const flow = (x: Uint8Array, y: Uint8Array) => {
      let entered = 0;
      let exited = 0;
      for (let c = 0; c < size; c++) {
        if (y[c] === 1 && x[c] !== 1) entered++;
        else if (x[c] === 1 && y[c] !== 1) exited++;
      }
      return { entered, exited };
    };
    const members = flow(b?.members ?? empty, a?.members ?? empty);
    const written = flow(b?.assigned ?? empty, a?.assigned ?? empty);
    return {
      id,
      change,
      changedKeys,
      before: b === undefined ? null : counts(b),
      after: a === undefined ? null : counts(a),
      entered: members.entered,
      exited: members.exited,
      writtenEntered: written.entered,
      writtenExited: written.exited,
    };
  });
}

function counts(r: SegmentMembers): SideCounts {
  return { matched: r.matched, reachable: r.reachableCount, written: r.assignedCount };
}

/** The keys whose meaning differs; whitespace inside `where` does not count. */
function definitionChanges(a: CompiledSegment, b: CompiledSegment): string[] {
  const keys: string[] = [];
  const norm = (t: string) => t.replace(/\s+/g, " ").trim();
  if (norm(a.whereText) !== norm(b.whereText)) keys.push("where");
  if (a.exclude.join("\n") !== b.exclude.join("\n")) keys.push("exclude");
  if (a.channel !== b.channel) keys.push("channel");
  if (a.consent !== b.consent) keys.push("consent");
  if (a.columns.join("\n") !== b.columns.join("\n")) keys.push("columns");
  if (a.priority !== b.priority) keys.push("priority");
  if (a.name !== b.name) keys.push("name");
  return keys;
}
