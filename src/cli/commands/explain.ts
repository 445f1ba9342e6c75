/**
 * `audience explain [KEY] [--segment ID,…]` (docs/design.md#explain-and-tests): why one customer is or is not in each
 * segment, from the same run as `count`; without KEY, the per-condition funnel of the segments.
 */
import { Command } from "commander";
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
import type { CliContext } from "../context.js";
import { addInputOptions, addSegmentOptions, loadSettings } from "../options.js";
import { runSegments, type SegmentRun } from "../segment-run.js";
import type { SetExitCode } from "./index.js";

interface ExplainFlags extends BuildFlags {
  segment?: string;
}

export function registerExplain(
  program: Command,
  context: CliContext,
  setExitCode: SetExitCode,
): void {
  const command = new Command("explain")
    .description(
      "why a customer is or is not in each segment: every sub-expression's value, exclusion, reachability",
    )
    .argument(
      "[key]",
      "customer_id, email or phone as in the data (without: the segments' funnels)",
    )
    .option("--segment <ids>", "only these segments (comma-separated ids)")
    .option("--exclusive", "show where --exclusive assigns the customer")
    .addHelpText(
      "after",
      `
Examples:
  $ audience explain C100002 --config fixtures/demo/audience.yaml
  $ audience explain C100002 --segment one-time-lapsed --json
  $ audience explain --segment repeat-lapsed     # how many pass each condition in turn`,
    );
  addSegmentOptions(addInputOptions(command)).action(
    async (key: string | undefined, flags: ExplainFlags) => {
      const ids = flags.segment
        ?.split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      if (key === undefined && ids === undefined) {
        throw new UsageError(
          "MISSING_KEY",
          "explain needs a customer KEY, or --segment ID,… for the funnel",
          {
            hint: "audience explain C100002, or audience explain --segment win-back",
          },
        );
      }
      const prepared = await loadSettings({ ...flags, only: undefined }, context);
      const run = await runSegments(prepared, context);
      checkIds(run, ids ?? []);
      if (key === undefined) {
        const funnels = explainFunnels(run, ids ?? []);
        context.stdout.write(
          run.settings.json
            ? formatJson({ funnels: funnelsJson(funnels) })
            : renderFunnelsText(funnels, run.theme),
        );
        setExitCode(0);
        return;
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
      setExitCode(0);
    },
  );
  program.addCommand(command);
}

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
