/**
 * Why one customer is (or is not) in each segment (docs/design.md#explain-and-tests): the trace of its `where`, the
 * segments that excluded it, whether it is reachable and why not, and where `--exclusive` put it.
 * Membership, reachability and assignment are read from the evaluated results of the run, and the
 * trace runs the same compiled closures, so `explain` says what `build` did.
 *
 * Also the funnel of a segment: how many customers pass each top-level `and` condition in turn.
 */
import { traceExpression, type TraceNode } from "../dsl/explain.js";
import { compilePredicate } from "../dsl/evaluator.js";
import { formatDay } from "../calendar.js";
import type { PlanExpr } from "../dsl/plan.js";
import { PROFILE_FIELDS } from "../dsl/env.js";
import type { Profiles } from "../model/profile.js";
import type { Channel, SegmentPlan } from "./definition.js";
import { exclusiveOrder, profileScope, type SegmentMembers } from "./evaluate.js";
import { collectFields } from "./plan-segments.js";

export interface SegmentExplanation {
  id: string;
  name: string;
  channel: Channel;
  /** `where` true and not excluded: the build's membership. */
  matched: boolean;
  /** The value of `where` alone. */
  where: TraceNode;
  /** The `exclude` segments the customer is a member of. */
  excludedBy: string[];
  reachable: boolean;
  /** Written to this segment's file (with --exclusive: assigned to it). */
  written: boolean;
  /** Why not matched, not reachable or not written; null when written. */
  reason: string | null;
}

export interface CustomerExplanation {
  /** Customer index in the profiles. */
  customer: number;
  key: string;
  /** The profile fields the explained segments use, with their values as shown. */
  fields: { name: string; value: string }[];
  segments: SegmentExplanation[];
  exclusive: boolean;
  /** With --exclusive: the segment the customer was written to, if any. */
  assignedTo: string | null;
}

/**
 * Explains customer `c` for the segments `ids` (in plan order), from `results`, which must hold
 * every segment of the plan (evaluated without `only`).
 */
export function explainCustomer(
  plan: SegmentPlan,
  profiles: Profiles,
  results: readonly SegmentMembers[],
  c: number,
  options: { ids?: readonly string[]; exclusive: boolean },
): CustomerExplanation {
  const byId = new Map(results.map((r) => [r.segment.id, r]));
  const scope = profileScope(profiles, (id) => byId.get(id)?.members);
  const shown = results.filter(
    (r) => options.ids === undefined || options.ids.includes(r.segment.id),
  );
  const fields = new Set<string>(["customer_id"]);
  const segments = shown.map((result): SegmentExplanation => {
    const { segment } = result;
    collectFields(segment.where, fields);
    for (const column of segment.columns) fields.add(column);
    const where = traceExpression(
      segment.where,
      segment.whereText,
      scope,
      plan.asOf,
      c,
      plan.aggregates,
    );
    const excludedBy = segment.exclude.filter((x) => byId.get(x)?.members[c] === 1);
    const matched = result.members[c] === 1;
    const reachable = result.reachable[c] === 1;
    const written = result.assigned[c] === 1;
    let reason: string | null = null;
    if (!matched) {
      reason =
        where.result !== true
          ? "the where condition is false"
          : `excluded by ${excludedBy.join(", ")}`;
    } else if (!reachable) {
      reason = unreachableReason(profiles, segment.channel, c);
    } else if (!written) {
      const winner = exclusiveOrder(results).find((r) => r.assigned[c] === 1);
      reason = `--exclusive: written to ${winner?.segment.id ?? "another segment"}, which comes first`;
    }
    return {
      id: segment.id,
      name: segment.name,
      channel: segment.channel,
      matched,
      where,
      excludedBy,
      reachable,
      written,
      reason,
    };
  });
  const assigned = options.exclusive
    ? (exclusiveOrder(results).find((r) => r.assigned[c] === 1)?.segment.id ?? null)
    : null;
  return {
    customer: c,
    key: profiles.store.key(c),
    fields: [...fields].sort().map((name) => ({ name, value: fieldValue(profiles, name, c) })),
    segments,
    exclusive: options.exclusive,
    assignedTo: assigned,
  };
}

const DATE_FIELDS = new Set(
  [...PROFILE_FIELDS].filter(([, info]) => info.type === "date").map(([name]) => name),
);

function fieldValue(profiles: Profiles, name: string, c: number): string {
  const value = profiles.field(name)(c);
  if (value === null) return "null";
  if (typeof value === "number" && DATE_FIELDS.has(name)) return formatDay(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
  return String(value);
}

/** Why a member cannot be sent to on a channel (docs/design.md#segment-files). */
export function unreachableReason(profiles: Profiles, channel: Channel, c: number): string {
  const s = profiles.store;
  const email = () =>
    s.email[c] === undefined
      ? "no valid email address"
      : s.emailConsent[c] === 1
        ? null
        : "no email consent";
  const phone = (consent: boolean, name: string) =>
    s.phone[c] === undefined
      ? "no valid phone number (E.164)"
      : consent
        ? null
        : `no ${name} consent`;
  switch (channel) {
    case "email":
      return email() ?? "reachable";
    case "sms":
      return phone(s.smsConsent[c] === 1, "SMS") ?? "reachable";
    case "whatsapp":
      return phone(profiles.whatsappConsent(c), "WhatsApp") ?? "reachable";
    case "any":
      return `${email() ?? "reachable"}; ${phone(s.smsConsent[c] === 1, "SMS") ?? "reachable"}`;
    case "none":
      return "reachable";
    default: {
      const never: never = channel;
      return never;
    }
  }
}

export interface FunnelStep {
  /** The condition as written. */
  text: string;
  /** Customers passing this condition and every one before it. */
  passing: number;
}

export interface SegmentFunnel {
  id: string;
  customers: number;
  steps: FunnelStep[];
  /** After `exclude`: the segment's matched count. */
  matched: number;
  excludedBy: string[];
}

/**
 * How many customers pass each top-level `and` condition of the segment in turn (a `where` that
 * is not an `and` is one step), then the matched count after `exclude`.
 */
export function segmentFunnel(
  plan: SegmentPlan,
  profiles: Profiles,
  results: readonly SegmentMembers[],
  id: string,
): SegmentFunnel | undefined {
  const byId = new Map(results.map((r) => [r.segment.id, r]));
  const result = byId.get(id);
  if (result === undefined) return undefined;
  const { segment } = result;
  const scope = profileScope(profiles, (x) => byId.get(x)?.members);
  const conditions = funnelConditions(segment.where);
  const alive = new Uint8Array(profiles.size).fill(1);
  const steps = conditions.map((condition): FunnelStep => {
    const test = compilePredicate(condition, scope, plan.asOf);
    let passing = 0;
    for (let c = 0; c < profiles.size; c++) {
      if (alive[c] === 1 && test(c)) passing++;
      else alive[c] = 0;
    }
    return { text: segment.whereText.slice(condition.span.start, condition.span.end), passing };
  });
  return {
    id,
    customers: profiles.size,
    steps,
    matched: result.matched,
    excludedBy: segment.exclude,
  };
}

/** The steps of a funnel: the top-level `and` conditions of `where`, or `where` as one step. */
export function funnelConditions(where: PlanExpr): readonly PlanExpr[] {
  return where.kind === "and" ? where.args : [where];
}
