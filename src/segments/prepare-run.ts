/**
 * The pipeline every segment run follows, written once for the CLI and the tests: plan the
 * segments for as_of → what the data must hold (`needs`) → (the caller reads the data into
 * profiles, from files or from rows in memory) → mark phones that cannot receive texts when a
 * segment sends them → evaluate every segment.
 */
import { AggregateTable, compileExpression, type CheckedExpr } from "../dsl/index.js";
import type { PlanExpr } from "../dsl/plan.js";
import type { EpochDay } from "../calendar.js";
import type { DataNeeds } from "../model/build-profiles.js";
import { markUntextablePhones, PhoneTypes } from "../model/phone-type.js";
import type { Profiles } from "../model/profile.js";
import type { SegmentDefinition, SegmentPlan } from "./definition.js";
import { evaluateSegments, type SegmentMembers } from "./evaluate.js";
import { planSegments } from "./plan-segments.js";

/** What the pipeline reads of the settings (a config's `Settings` has all of it). */
export interface RunSettings {
  /** The checked `orders_filter` of the config. */
  ordersFilter?: { checked: CheckedExpr };
  /** `--only`: these segments, with what they depend on. */
  only?: readonly string[];
  exclusive: boolean;
}

/** Output columns every profile may write; they are always kept, so they are not "needed". */
export const IDENTITY_FIELDS: readonly string[] = [
  "customer_id",
  "email",
  "phone",
  "first_name",
  "last_name",
  "country",
  "zip",
];

/** Channels that need a phone able to receive texts. */
const TEXT_CHANNELS = new Set(["sms", "whatsapp", "any"]);

/** Whether some segment of `plan` sends texts: its run marks the phones that cannot receive them. */
export function sendsTexts(plan: SegmentPlan): boolean {
  return plan.segments.some((s) => TEXT_CHANNELS.has(s.channel));
}

export interface PreparedRun {
  asOf: EpochDay;
  plan: SegmentPlan;
  /** What the profiles must be read with for `evaluate`. */
  needs: DataNeeds;
  /**
   * Evaluates every segment on profiles read with `needs`: by the memory engine's evaluator, or by
   * `engine` (another engine's evaluation of the same plan, e.g. compiled SQL: docs/design.md#engines).
   */
  evaluate(profiles: Profiles, engine?: SegmentEngine): Promise<EvaluatedRun>;
}

/** An evaluation of a plan giving exactly `evaluateSegments`' results. */
export type SegmentEngine = (
  plan: SegmentPlan,
  profiles: Profiles,
  options: { only?: readonly string[]; exclusive: boolean },
) => Promise<SegmentMembers[]>;

interface EvaluatedRun {
  results: SegmentMembers[];
  /** Phones marked as unable to receive SMS or WhatsApp (0 when no segment sends texts). */
  landlines: number;
}

export function prepareRun(
  definitions: readonly SegmentDefinition[],
  settings: RunSettings,
  asOf: EpochDay,
  options: { fields?: readonly string[] } = {},
): PreparedRun {
  const plan = planSegments(definitions, asOf);
  const needs: DataNeeds = {
    aggregates: plan.aggregates,
    fields: [...new Set([...(options.fields ?? []), ...plan.fields, ...IDENTITY_FIELDS])],
    ...ordersFilterNeeds(settings, asOf),
  };
  return {
    asOf,
    plan,
    needs,
    async evaluate(profiles, engine) {
      let landlines = 0;
      if (sendsTexts(plan)) {
        // The metadata with number types is loaded only for runs that send texts.
        const { default: metadata } = await import("libphonenumber-js/max/metadata");
        landlines = markUntextablePhones(profiles.store, new PhoneTypes(metadata));
      }
      const options = {
        ...(settings.only === undefined ? {} : { only: settings.only }),
        exclusive: settings.exclusive,
      };
      const results =
        engine === undefined
          ? evaluateSegments(plan, profiles, options)
          : await engine(plan, profiles, options);
      return { results, landlines };
    },
  };
}

/** The compiled `orders_filter` for this as_of, if the settings have one. */
export function ordersFilterNeeds(
  settings: Pick<RunSettings, "ordersFilter">,
  asOf: EpochDay,
): { ordersFilter?: PlanExpr } {
  if (settings.ordersFilter === undefined) return {};
  return {
    ordersFilter: compileExpression(settings.ordersFilter.checked, asOf, new AggregateTable()),
  };
}
