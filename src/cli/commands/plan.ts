/**
 * `audience plan --base PATH` (for pull requests): the same data evaluated with two versions of
 * the segment definitions — the base (a folder or file, or `REVISION:PATH` read from git) and the
 * current ones (`--segments`, else the config's) — and per segment what changes.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { Option } from "commander";
import type { BuildFlags } from "../../config/settings.js";
import { UsageError } from "../../errors.js";
import { parseGitSpec, readGitSegments } from "../../io/git-segments.js";
import {
  checkSegmentTexts,
  loadSegmentFiles,
  type LoadedSegments,
} from "../../io/segment-files.js";
import { formatJson } from "../../report/json.js";
import {
  PLAN_FORMATS,
  planJson,
  renderPlanMarkdown,
  renderPlanText,
  type PlanFormat,
} from "../../report/plan.js";
import { comparePlans } from "../../segments/compare-plans.js";
import { evaluateSegments } from "../../segments/evaluate.js";
import { planSegments } from "../../segments/plan-segments.js";
import type { CommandSpec } from "../command-spec.js";
import { dataFlagsOf, dataOptions, loadSettings, runData } from "../options.js";
import { IDENTITY_FIELDS, ordersFilterNeeds } from "../../segments/prepare-run.js";
import { requireDefinitions } from "../segment-run.js";

export interface PlanOptions {
  /** The data options and `--segments` (the definitions after), with `--exclusive`. */
  data: BuildFlags;
  /** `--base`, as given: a path, or REVISION:PATH. */
  base: string;
  format: PlanFormat;
}

export const planCommand: CommandSpec<PlanOptions> = {
  name: "plan",
  description:
    "what a change to the segment definitions does to the audiences: per segment, entered and exited",
  options: () => [
    new Option(
      "--base <path>",
      "the definitions before: a file or folder, or REVISION:PATH from git (origin/main:segments/)",
    ).makeOptionMandatory(),
    new Option(
      "--segments <path...>",
      "the definitions after (default: config's segments, else segments/)",
    ),
    new Option("--format <format>", `output: ${PLAN_FORMATS.join(", ")}`).default("text"),
    new Option("--exclusive", "written audiences with --exclusive assignment"),
    ...dataOptions(),
  ],
  helpAfter: `
Examples:
  $ audience plan --base origin/main:segments/ --config audience.yaml
  $ audience plan --base old/lifecycle.yaml --segments segments/lifecycle.yaml --format markdown >> "$GITHUB_STEP_SUMMARY"`,
  parse(values) {
    const format = parseFormat(values.json === true ? "json" : String(values.format));
    // `--format` here is the plan's output, not an output profile: settings never see it.
    const data = { ...dataFlagsOf(values, ["exclusive"]), json: format === "json" };
    return { data, base: String(values.base), format };
  },
  async run({ data, base, format }, context) {
    const prepared = await loadSettings(data, context);
    const { settings, asOf } = prepared;
    const headLoaded = await loadSegmentFiles(
      settings.segments.map((s) => s.path),
      context.cwd,
    );
    requireDefinitions(headLoaded, settings, settings.segments.map((s) => s.display).join(", "));
    const baseLoaded = await loadBase(base, context.cwd);
    requireDefinitions(baseLoaded, settings, `--base ${base}`);

    const basePlan = planSegments(baseLoaded.definitions, asOf);
    const headPlan = planSegments(headLoaded.definitions, asOf);
    // One read of the data for both: the head's aggregates come after the base's.
    const needs = {
      aggregates: [...basePlan.aggregates, ...headPlan.aggregates],
      fields: [...new Set([...basePlan.fields, ...headPlan.fields, ...IDENTITY_FIELDS])],
      ...ordersFilterNeeds(settings, asOf),
    };
    const run = await runData(prepared, needs, context);
    const { profiles } = run.data;
    const before = evaluateSegments(basePlan, profiles, { exclusive: settings.exclusive });
    const after = evaluateSegments(headPlan, profiles, {
      exclusive: settings.exclusive,
      aggregateOffset: basePlan.aggregates.length,
    });
    const view = {
      asOf,
      customers: profiles.size,
      base: base,
      head: settings.segments.map((s) => s.display).join(", "),
      exclusive: settings.exclusive,
      segments: comparePlans(before, after, profiles.size),
    };
    context.stdout.write(
      format === "json"
        ? formatJson(planJson(view))
        : format === "markdown"
          ? renderPlanMarkdown(view)
          : renderPlanText(view, run.theme),
    );
    return 0;
  },
};

/** A path on disk when there is one, else `REVISION:PATH` from git. */
async function loadBase(base: string, cwd: string): Promise<LoadedSegments> {
  const onDisk = await stat(path.resolve(cwd, base)).then(
    () => true,
    () => false,
  );
  if (onDisk || parseGitSpec(base) === undefined) return loadSegmentFiles([base], cwd);
  return checkSegmentTexts(await readGitSegments(base, cwd));
}

function parseFormat(value: string): PlanFormat {
  const format = PLAN_FORMATS.find((f) => f === value);
  if (format === undefined) {
    throw new UsageError(
      "BAD_OPTION",
      `--format must be ${PLAN_FORMATS.join(", ")}; found "${value.slice(0, 40)}"`,
    );
  }
  return format;
}
