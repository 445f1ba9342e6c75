/**
 * `audience explain [KEY] [--segment ID,…]` (docs/design.md#explain-and-tests): why one customer is or is not in each
 * segment, from the same run as `count`; without KEY, the per-condition funnel of the segments.
 */
import { Option } from "commander";
import type { BuildFlags } from "../../config/settings.js";
import { UsageError, UserError } from "../../errors.js";
import { findCustomerByKey } from "../../model/find-key.js";
import { PhoneNormalizer } from "../../model/phone.js";
import {
  explanationJson,
  funnelsJson,
  renderExplanationText,
  renderFunnelsText,
} from "../../report/explain.js";
import { formatJson } from "../../report/json.js";
import { evaluateSegments } from "../../segments/evaluate.js";
import { explainCustomer, segmentFunnel, type SegmentFunnel } from "../../segments/explain.js";
import { didYouMean } from "../../suggest.js";
import type { CommandSpec } from "../command-spec.js";
import { dataFlagsOf, dataOptions, loadSettings, segmentOptions } from "../options.js";
import { runSegments, type SegmentRun } from "../segment-run.js";

export interface ExplainOptions {
  /** The data and segment options (`--only` aside: explain shows every segment's membership). */
  data: BuildFlags;
  /** The customer's key; absent: the funnels. */
  key?: string;
  /** `--segment`: the ids asked for. */
  ids?: string[];
}

export const explainCommand: CommandSpec<ExplainOptions> = {
  name: "explain",
  description:
    "why a customer is or is not in each segment: every sub-expression's value, exclusion, reachability",
  arguments: [
    {
      syntax: "[key]",
      description: "customer_id, email or phone as in the data (without: the segments' funnels)",
    },
  ],
  options: () => [
    new Option("--segment <ids>", "only these segments (comma-separated ids)"),
    new Option("--exclusive", "show where --exclusive assigns the customer"),
    ...dataOptions(),
    ...segmentOptions(),
  ],
  helpAfter: `
Examples:
  $ audience explain C100002 --config fixtures/demo/audience.yaml
  $ audience explain C100002 --segment one-time-lapsed --json
  $ audience explain --segment repeat-lapsed     # how many pass each condition in turn`,
  parse(values, args) {
    const key = typeof args[0] === "string" ? args[0] : undefined;
    const ids =
      typeof values.segment === "string"
        ? values.segment
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== "")
        : undefined;
    if (key === undefined && ids === undefined) {
      throw new UsageError(
        "MISSING_KEY",
        "explain needs a customer KEY, or --segment ID,… for the funnel",
        {
          hint: "audience explain C100002, or audience explain --segment win-back",
        },
      );
    }
    return {
      data: { ...dataFlagsOf(values, ["exclusive"]), only: undefined },
      ...(key === undefined ? {} : { key }),
      ...(ids === undefined ? {} : { ids }),
    };
  },
  async run({ data, key, ids }, context) {
    const prepared = await loadSettings(data, context);
    const run = await runSegments(prepared, context, { evaluatesProfiles: true });
    checkIds(run, ids ?? []);
    if (key === undefined) {
      const funnels = explainFunnels(run, ids ?? []);
      context.stdout.write(
        run.settings.json
          ? formatJson({ funnels: funnelsJson(funnels) })
          : renderFunnelsText(funnels, run.theme),
      );
      return 0;
    }
    const phones = new PhoneNormalizer(run.settings.defaultCountry);
    const c = findCustomerByKey(run.data.profiles.store, phones, key);
    // Privacy: neither the key nor any close key is printed.
    if (c < 0) throw new UserError("NO_CUSTOMER", "no customer matched this key");
    const explanation = explainCustomer(run.plan, run.data.profiles, run.results, c, {
      ...(ids === undefined ? {} : { ids }),
      exclusive: run.settings.exclusive,
    });
    context.stdout.write(
      run.settings.json
        ? formatJson(explanationJson(explanation, run.asOf))
        : renderExplanationText(explanation, run.asOf, run.theme),
    );
    return 0;
  },
};

/** The funnel of each segment asked for, in plan order. */
export function explainFunnels(run: SegmentRun, ids: readonly string[]): SegmentFunnel[] {
  const wanted = ids.length > 0 ? ids : run.plan.segments.map((s) => s.id);
  // `in_segment` and `exclude` read the members of every segment, not only the ones shown.
  const results =
    run.results.length === run.plan.segments.length
      ? run.results
      : evaluateSegments(run.plan, run.data.profiles);
  return run.plan.segments
    .filter((s) => wanted.includes(s.id))
    .map((s) => segmentFunnel(run.plan, run.data.profiles, results, s.id))
    .filter((f): f is SegmentFunnel => f !== undefined);
}

function checkIds(run: SegmentRun, ids: readonly string[]): void {
  const known = run.plan.segments.map((s) => s.id);
  for (const id of ids) {
    if (!known.includes(id)) {
      throw new UsageError(
        "UNKNOWN_SEGMENT",
        `--segment: no segment "${id}"${didYouMean(id, known)}`,
        {
          hint: `segments: ${known.join(", ")}`,
        },
      );
    }
  }
}
