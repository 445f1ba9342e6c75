/**
 * `audience report --html FILE`: the page a marketer opens (docs/design.md#report) — segments, RFM heat map,
 * channels, Pareto curve and what was read — from the same run as `count`. `build` writes the
 * same page as OUT/report.html.
 */
import { resolve } from "node:path";
import { Option } from "commander";
import { formatDay } from "../../calendar.js";
import { displayPath, type BuildFlags } from "../../config/settings.js";
import { readHistory } from "../../io/history.js";
import { writeReportFile } from "../../io/report-file.js";
import { buildChannelReport } from "../../model/channels.js";
import type { CountsView } from "../../report/counts.js";
import { renderReportHtml, type BuildHistory } from "../../report/html.js";
import { formatJson } from "../../report/json.js";
import { formatCount } from "../../report/table.js";
import { VERSION } from "../../version.js";
import type { CommandSpec } from "../command-spec.js";
import { dataFlagsOf, dataOptions, loadSettings, segmentOptions } from "../options.js";
import { runSegments, type SegmentRun } from "../segment-run.js";
import { countsViewOf } from "./count.js";
import { predictReportOf } from "./predict.js";
import { needsPredictions } from "../../dsl/env.js";
import { rfmReportOf } from "./rfm.js";

/** The HTML report of a run: the counts of `count`, the reports of `rfm` and `channels`. */
export function reportHtmlOf(run: SegmentRun, counts: CountsView, history?: BuildHistory): string {
  // The prediction distributions, when a segment selects on them (the fit is already needed).
  const predictions = run.plan.fields.some(needsPredictions)
    ? predictReportOf(run.data.profiles, run.asOf, { count: 1, unit: "y" })
    : undefined;
  return renderReportHtml({
    counts,
    rfm: rfmReportOf(run),
    channels: buildChannelReport(run.data.profiles),
    inputs: run.data.inputs,
    warnings: run.data.rejects.warningsByFile(),
    version: VERSION,
    amounts: run.data.amounts,
    ...(history === undefined ? {} : { history }),
    ...(predictions === undefined ? {} : { predictions }),
  });
}

export interface ReportOptions {
  /** The data and segment options, with `--out` (whose history is charted) and `--exclusive`. */
  data: BuildFlags;
  /** `--html`: the file to write, as given. */
  html: string;
}

export const reportCommand: CommandSpec<ReportOptions> = {
  name: "report",
  description:
    "write one self-contained HTML page: segments, RFM heat map, channels, Pareto curve, inputs",
  options: () => [
    new Option("--html <file>", "the HTML file to write").makeOptionMandatory(),
    new Option(
      "-o, --out <dir>",
      "output folder whose build history the page charts (default: config's out, else out/)",
    ),
    new Option(
      "--exclusive",
      "count each customer only in the first segment (by priority) that reaches them",
    ),
    ...dataOptions(),
    ...segmentOptions(),
  ],
  helpAfter: `
Examples:
  $ audience report --config fixtures/demo/audience.yaml --html report.html
  $ audience report --only win-back,vip --as-of 2026-06-30 --html /tmp/week.html`,
  parse: (values) => ({
    data: dataFlagsOf(values, ["out", "exclusive"]),
    html: String(values.html),
  }),
  async run(options, context) {
    const prepared = await loadSettings(options.data, context);
    const run = await runSegments(prepared, context);
    const path = resolve(context.cwd, options.html);
    const target = { path, display: displayPath(path, context.cwd) };
    // The size-over-time of the builds written to OUT, when there are any.
    const history = await readHistory(run.settings.out.path, run.settings.out.display, {
      onWarning: (message) =>
        context.stderr.write(`${run.errTheme.warning("warning")} ${message}\n`),
    });
    const html = reportHtmlOf(run, countsViewOf(run), history);
    const inputs = Object.values(run.settings.inputs).flatMap((files) => files ?? []);
    await writeReportFile(target, html, inputs);
    context.stdout.write(
      run.settings.json
        ? formatJson({ html: target.display, bytes: Buffer.byteLength(html, "utf8") })
        : `Wrote ${target.display}: ${formatCount(run.results.length, "segment")}, ${formatCount(run.data.profiles.size, "customer")}, as of ${formatDay(run.asOf)}\n`,
    );
    return 0;
  },
};
