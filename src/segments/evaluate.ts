/**
 * Compiled segments → members (docs/design.md#segment-files). Each segment is evaluated once per customer, in
 * dependency order: members = `where` minus the members of `exclude` segments; `in_segment(id)`
 * reads the members of `id` (not its reachability, not --exclusive). Then reachability per channel
 * and consent, and, with --exclusive, each customer goes to the first segment (by priority, then
 * appearance) that reaches them.
 */
import { compilePredicate, type Scope } from "../dsl/evaluator.js";
import type { Profiles } from "../model/profile.js";
import type { Channel, CompiledSegment, SegmentPlan } from "./definition.js";

export interface SegmentMembers {
  segment: CompiledSegment;
  /** 1 for customers matched by `where` and not excluded. */
  members: Uint8Array;
  matched: number;
  /** 1 for members reachable on the segment's channel (identifier + consent). */
  reachable: Uint8Array;
  reachableCount: number;
  /** With --exclusive: 1 for the reachable members this segment keeps. Else = reachable. */
  assigned: Uint8Array;
  assignedCount: number;
}

/** The ids to evaluate for `--only`: the chosen segments and everything they depend on. */
export function closureOf(plan: SegmentPlan, only: readonly string[]): Set<string> {
  const byId = new Map(plan.segments.map((s) => [s.id, s]));
  const out = new Set<string>();
  const visit = (id: string) => {
    if (out.has(id)) return;
    out.add(id);
    const segment = byId.get(id);
    if (segment === undefined) return;
    for (const ref of segment.references) visit(ref.id);
  };
  for (const id of only) visit(id);
  return out;
}

export function evaluateSegments(
  plan: SegmentPlan,
  profiles: Profiles,
  options: {
    only?: readonly string[];
    exclusive?: boolean;
    /** Where this plan's aggregates start in the store (plans read together, e.g. `plan`). */
    aggregateOffset?: number;
  } = {},
): SegmentMembers[] {
  const size = profiles.size;
  const wanted = options.only === undefined ? undefined : closureOf(plan, options.only);
  const byId = new Map(plan.segments.map((s) => [s.id, s]));
  const membership = new Map<string, Uint8Array>();
  const scope = profileScope(profiles, (id) => membership.get(id), options.aggregateOffset);

  for (const id of plan.evaluationOrder) {
    if (wanted !== undefined && !wanted.has(id)) continue;
    const segment = byId.get(id);
    if (segment === undefined) continue;
    const where = compilePredicate(segment.where, scope, plan.asOf);
    const excluded = segment.exclude
      .map((x) => membership.get(x))
      .filter((m): m is Uint8Array => m !== undefined);
    const members = new Uint8Array(size);
    for (let c = 0; c < size; c++) {
      if (!where(c)) continue;
      let out = false;
      for (const x of excluded) {
        if (x[c] === 1) {
          out = true;
          break;
        }
      }
      if (!out) members[c] = 1;
    }
    membership.set(id, members);
  }

  const shown = plan.segments.filter((s) =>
    options.only === undefined ? true : options.only.includes(s.id),
  );
  const results: SegmentMembers[] = shown.map((segment) => {
    const members = membership.get(segment.id) ?? new Uint8Array(size);
    const reachable = new Uint8Array(size);
    let matched = 0;
    let reachableCount = 0;
    const reach = reachTest(profiles, segment.channel, segment.consent === "ignore");
    for (let c = 0; c < size; c++) {
      if (members[c] !== 1) continue;
      matched++;
      if (reach(c)) {
        reachable[c] = 1;
        reachableCount++;
      }
    }
    return {
      segment,
      members,
      matched,
      reachable,
      reachableCount,
      assigned: reachable,
      assignedCount: reachableCount,
    };
  });

  if (options.exclusive) assignExclusively(results, size);
  return results;
}

/**
 * Where a compiled `where` reads its values for customer `c`: profile fields, the plan's
 * aggregate columns, and the members of other segments (`membersOf`, undefined = no members).
 */
export function profileScope(
  profiles: Profiles,
  membersOf: (id: string) => Uint8Array | undefined,
  aggregateOffset = 0,
): Scope<number> {
  const store = profiles.store;
  const fieldCache = new Map<string, ReturnType<Profiles["field"]>>();
  const scope: Scope<number> = {
    field(name) {
      let getter = fieldCache.get(name);
      if (getter === undefined) {
        getter = profiles.field(name);
        fieldCache.set(name, getter);
      }
      return getter;
    },
    prop(name) {
      return scope.field(`props.${name}`);
    },
    aggregate(index) {
      const column = store.aggregates[index + aggregateOffset];
      return (c) => column[c];
    },
    inSegment(id) {
      return (c) => {
        const members = membersOf(id);
        return members !== undefined && members[c] === 1;
      };
    },
  };
  return scope;
}

/** Priority first (lower number first; segments without one after), then order of appearance. */
export function exclusiveOrder(results: readonly SegmentMembers[]): SegmentMembers[] {
  return [...results].sort((a, b) => {
    const pa = a.segment.priority ?? Infinity;
    const pb = b.segment.priority ?? Infinity;
    if (pa !== pb) return pa - pb;
    return a.segment.order - b.segment.order;
  });
}

function assignExclusively(results: SegmentMembers[], size: number): void {
  const taken = new Uint8Array(size);
  for (const result of exclusiveOrder(results)) {
    const assigned = new Uint8Array(size);
    let count = 0;
    for (let c = 0; c < size; c++) {
      if (result.reachable[c] === 1 && taken[c] === 0) {
        assigned[c] = 1;
        taken[c] = 1;
        count++;
      }
    }
    result.assigned = assigned;
    result.assignedCount = count;
  }
}

/** Whether a customer can be sent to on a channel: a valid identifier and, unless ignored, consent. */
export function reachTest(
  profiles: Profiles,
  channel: Channel,
  ignoreConsent: boolean,
): (c: number) => boolean {
  const s = profiles.store;
  const byEmail = (c: number) =>
    s.email[c] !== undefined && (ignoreConsent || s.emailConsent[c] === 1);
  // A phone that cannot receive texts (a landline) reaches nobody by SMS or WhatsApp.
  const bySms = (c: number) =>
    s.phone[c] !== undefined && s.cannotText[c] === 0 && (ignoreConsent || s.smsConsent[c] === 1);
  const byWhatsapp = (c: number) =>
    s.phone[c] !== undefined &&
    s.cannotText[c] === 0 &&
    (ignoreConsent || profiles.whatsappConsent(c));
  switch (channel) {
    case "email":
      return byEmail;
    case "sms":
      return bySms;
    case "whatsapp":
      return byWhatsapp;
    case "any":
      return (c) => byEmail(c) || bySms(c);
    case "none":
      return () => true;
    default: {
      const never: never = channel;
      return never;
    }
  }
}
