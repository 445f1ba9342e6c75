/**
 * The rows of a compiled segments statement (src/sql/compile.ts, `rows: "flags"`: segment id,
 * customer, reachable, assigned) gathered into the `SegmentMembers` the shared writer takes, for
 * every engine that runs the statement.
 */
import type { SegmentPlan } from "../segments/definition.js";
import type { SegmentMembers } from "../segments/evaluate.js";

export class SegmentRows {
  private readonly shown: SegmentPlan["segments"];
  private readonly results: Map<string, SegmentMembers>;
  private current: SegmentMembers | undefined;

  constructor(
    plan: SegmentPlan,
    private readonly size: number,
    private readonly options: { only?: readonly string[]; exclusive: boolean },
  ) {
    const only = options.only;
    this.shown = plan.segments.filter((s) => (only === undefined ? true : only.includes(s.id)));
    this.results = new Map(
      this.shown.map((segment) => [
        segment.id,
        {
          segment,
          members: new Uint8Array(size),
          matched: 0,
          reachable: new Uint8Array(size),
          reachableCount: 0,
          assigned: options.exclusive ? new Uint8Array(size) : new Uint8Array(0),
          assignedCount: 0,
        },
      ]),
    );
  }

  /** One row of the statement. */
  add(id: string, customer: number, reachable: unknown, assigned: unknown): void {
    if (this.current?.segment.id !== id) this.current = this.results.get(id);
    const current = this.current;
    if (current === undefined) throw new Error(`the segments SQL returned segment ${id}`);
    const c = customer;
    if (!(c >= 0 && c < this.size)) throw new Error(`the segments SQL returned customer ${c}`);
    current.members[c] = 1;
    current.matched++;
    if (reachable === true) {
      current.reachable[c] = 1;
      current.reachableCount++;
    }
    if (this.options.exclusive && assigned === true) {
      current.assigned[c] = 1;
      current.assignedCount++;
    }
  }

  /**
   * The counts of one segment, from the statement's rows counted in the database: for readers of
   * the counts only (`audience count`), on rows made for `size` 0 (no member arrays).
   */
  addCounts(id: string, matched: number, reachable: number, assigned: number): void {
    const current = this.results.get(id);
    if (current === undefined) throw new Error(`the segments SQL returned segment ${id}`);
    if (this.size !== 0) throw new Error("SegmentRows.addCounts on rows with member arrays");
    current.matched = matched;
    current.reachableCount = reachable;
    current.assignedCount = this.options.exclusive ? assigned : 0;
  }

  /** The members of each segment shown, in plan order; without --exclusive, assigned = reachable. */
  finish(): SegmentMembers[] {
    return this.shown.map((segment) => {
      const r = this.results.get(segment.id) as SegmentMembers;
      if (!this.options.exclusive) {
        r.assigned = r.reachable;
        r.assignedCount = r.reachableCount;
      }
      return r;
    });
  }
}
