/**
 * The rules that need every segment file at once: ids are unique, `in_segment(…)` and `exclude`
 * name existing segments, no segment depends on itself through them; and the order in which the
 * segments must be evaluated (dependencies first).
 */
import type { ErrorCode } from "../codes.js";
import type { Diagnostic } from "../errors.js";
import type { SourceLocation } from "../source-file.js";
import { didYouMean } from "../suggest.js";
import type { DeclaredSegment, SegmentReference } from "./definition.js";

export interface SegmentGraph {
  diagnostics: Diagnostic[];
  /**
   * Segment ids, every dependency before its dependents; ties in order of appearance. Segments
   * in or behind a cycle come last, in order of appearance.
   */
  evaluationOrder: string[];
}

export function checkSegmentGraph(segments: readonly DeclaredSegment[]): SegmentGraph {
  const diagnostics: Diagnostic[] = [];
  const ordered = [...segments].sort((a, b) => a.order - b.order);

  // Ids: the first declaration wins; later ones are errors naming the first.
  const byId = new Map<string, DeclaredSegment>();
  for (const segment of ordered) {
    const first = byId.get(segment.id);
    if (first === undefined) {
      byId.set(segment.id, segment);
      continue;
    }
    diagnostics.push(
      errorAt(
        segment.location,
        "DUPLICATE_ID",
        `segment id "${segment.id}" is already defined at ${place(first.location)}`,
        "segment ids are unique across all segment files: each one names an output file",
      ),
    );
  }
  const unique = [...byId.values()];

  // References: unknown ids are errors; known ones are the graph's edges.
  const edges = new Map<string, { to: string; ref: SegmentReference }[]>();
  for (const segment of unique) {
    const out: { to: string; ref: SegmentReference }[] = [];
    for (const ref of segment.references) {
      if (byId.has(ref.id)) {
        out.push({ to: ref.id, ref });
        continue;
      }
      const what = ref.via === "exclude" ? "exclude names" : "in_segment refers to";
      diagnostics.push(
        errorAt(
          ref.location,
          "UNKNOWN_SEGMENT",
          `${what} an unknown segment "${ref.id.slice(0, 80)}"${didYouMean(ref.id, byId.keys())}`,
        ),
      );
    }
    edges.set(segment.id, out);
  }

  for (const component of stronglyConnected(unique, edges)) {
    const cycle = shortestCycle(component, edges);
    if (cycle === undefined) continue;
    const [first, second] = cycle;
    const ref = edges.get(first)?.find((e) => e.to === second)?.ref;
    const message =
      cycle.length === 2
        ? `segment "${first}" depends on itself: ${cycle.join(" → ")}`
        : `segments depend on each other in a cycle: ${cycle.join(" → ")}`;
    diagnostics.push(
      errorAt(
        ref?.location ?? (byId.get(first) as DeclaredSegment).location,
        "SEGMENT_CYCLE",
        message,
        "in_segment() and exclude must not lead back to the segment itself",
      ),
    );
  }

  return { diagnostics, evaluationOrder: evaluationOrder(unique, edges) };
}

type Edges = ReadonlyMap<string, readonly { to: string }[]>;

/**
 * Kahn's algorithm, always taking the ready segment that appears first, so the order is stable.
 * `unique` is in order of appearance.
 */
function evaluationOrder(unique: readonly DeclaredSegment[], edges: Edges): string[] {
  const rank = new Map(unique.map((s, i) => [s.id, i]));
  const waitingOn = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const segment of unique) {
    const deps = new Set((edges.get(segment.id) ?? []).map((e) => e.to));
    waitingOn.set(segment.id, deps.size);
    for (const dep of deps) {
      const list = dependents.get(dep) ?? [];
      list.push(segment.id);
      dependents.set(dep, list);
    }
  }
  const ready: number[] = unique
    .filter((s) => waitingOn.get(s.id) === 0)
    .map((s) => rank.get(s.id) as number)
    .reverse();
  const order: string[] = [];
  while (ready.length > 0) {
    // `ready` is kept sorted descending: the smallest rank is at the end.
    const id = unique[ready.pop() as number].id;
    order.push(id);
    for (const dependent of dependents.get(id) ?? []) {
      const left = (waitingOn.get(dependent) as number) - 1;
      waitingOn.set(dependent, left);
      if (left === 0) insertDescending(ready, rank.get(dependent) as number);
    }
  }
  if (order.length < unique.length) {
    const placed = new Set(order);
    for (const segment of unique) if (!placed.has(segment.id)) order.push(segment.id);
  }
  return order;
}

function insertDescending(list: number[], value: number): void {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (list[mid] > value) low = mid + 1;
    else high = mid;
  }
  list.splice(low, 0, value);
}

/**
 * Tarjan's strongly connected components, iteratively (thousands of segments must not overflow
 * the stack). Only components that hold a cycle are returned, each as ids in order of appearance.
 */
function stronglyConnected(unique: readonly DeclaredSegment[], edges: Edges): string[][] {
  const rank = new Map(unique.map((s, i) => [s.id, i]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  for (const root of unique) {
    if (index.has(root.id)) continue;
    const work: { id: string; next: number }[] = [{ id: root.id, next: 0 }];
    index.set(root.id, counter);
    low.set(root.id, counter);
    counter++;
    stack.push(root.id);
    onStack.add(root.id);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const out = edges.get(frame.id) ?? [];
      if (frame.next < out.length) {
        const to = out[frame.next++].to;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter);
          counter++;
          stack.push(to);
          onStack.add(to);
          work.push({ id: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.id, Math.min(low.get(frame.id) as number, index.get(to) as number));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].id;
        low.set(parent, Math.min(low.get(parent) as number, low.get(frame.id) as number));
      }
      if (low.get(frame.id) !== index.get(frame.id)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.id);
      const selfLoop = out.some((e) => e.to === frame.id);
      if (component.length > 1 || selfLoop) {
        components.push(
          component.sort((a, b) => (rank.get(a) as number) - (rank.get(b) as number)),
        );
      }
    }
  }
  return components.sort((a, b) => (rank.get(a[0]) as number) - (rank.get(b[0]) as number));
}

/**
 * The shortest cycle through the component's first segment (breadth-first, edges in the order
 * they were written), as ids from that segment back to it: `[a, b, a]`.
 */
function shortestCycle(component: readonly string[], edges: Edges): string[] | undefined {
  const members = new Set(component);
  const start = component[0];
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i];
    for (const { to } of edges.get(id) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let at = id; at !== start; at = previous.get(at) as string) path.push(at);
        return [start, ...path.slice(1).reverse(), start];
      }
      if (!previous.has(to)) {
        previous.set(to, id);
        queue.push(to);
      }
    }
  }
  return undefined;
}

/** A located error, as the segment graph and the segment tests report them. */
export function errorAt(
  location: SourceLocation,
  code: ErrorCode,
  message: string,
  hint?: string,
): Diagnostic {
  return { location, severity: "error", code, message, ...(hint === undefined ? {} : { hint }) };
}

/** `segments/a.yaml:3:3`, for messages. */
function place(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}
