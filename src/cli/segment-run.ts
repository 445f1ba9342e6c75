/**
 * What `count`, `build`, `report` and `explain` share: load and check the segment files, then the
 * core pipeline (`prepareRun`): plan for as_of, read the data once with exactly what the segments
 * need (with progress and the input summary), and evaluate every segment.
 */
import { fileURLToPath } from "node:url";
import type { Settings } from "../config/settings.js";
import { DiagnosticsError, UsageError, type Diagnostic } from "../errors.js";
import { loadSegmentFiles, type LoadedSegments } from "../io/segment-files.js";
import { formatCount } from "../report/table.js";
import type { SegmentPlan } from "../segments/definition.js";
import type { SegmentMembers } from "../segments/evaluate.js";
import { prepareRun } from "../segments/prepare-run.js";
import { didYouMean } from "../suggest.js";
import type { CliContext } from "./context.js";
import { openDuckDbRun, runData, type DataRun, type PreparedSettings } from "./options.js";

export interface SegmentRun extends DataRun {
  plan: SegmentPlan;
  results: SegmentMembers[];
  segmentFiles: string[];
}

export async function runSegments(
  prepared: PreparedSettings,
  context: CliContext,
  options: { hash?: boolean } = {},
): Promise<SegmentRun> {
  const { settings, asOf } = prepared;
  const loaded = await loadSegmentFiles(
    settings.segments.map((s) => s.path),
    context.cwd,
  );
  explainMissingDefault(settings, loaded.diagnostics);
  requireDefinitions(loaded, settings, settings.segments.map((s) => s.display).join(", "));
  checkOnly(
    settings,
    loaded.definitions.map((d) => d.id),
  );
  const pipeline = prepareRun(loaded.definitions, settings, asOf);
  const duckdb = settings.engine === "duckdb" ? await openDuckDbRun(settings) : undefined;
  let run: DataRun;
  let evaluated: Awaited<ReturnType<typeof pipeline.evaluate>>;
  try {
    const recorder = await duckdb?.recorder(pipeline.plan);
    run = await runData(prepared, pipeline.needs, context, {
      ...options,
      ...(duckdb === undefined ? {} : { duckdb }),
      ...(recorder === undefined ? {} : { recorder }),
    });
    evaluated = await pipeline.evaluate(
      run.data.profiles,
      duckdb === undefined ? undefined : (...args) => duckdb.evaluate(...args),
    );
  } finally {
    await duckdb?.close();
  }
  const { results, landlines } = evaluated;
  if (landlines > 0 && !settings.quiet)
    context.stderr.write(
      `${run.errTheme.muted("phones:")} ${formatCount(landlines, "landline")} or other numbers that cannot receive SMS or WhatsApp: not reachable on those channels\n`,
    );
  return { ...run, plan: pipeline.plan, results, segmentFiles: loaded.files };
}

/** Stops the run when the definitions have errors (or warnings, with --strict), or are none. */
export function requireDefinitions(
  loaded: LoadedSegments,
  settings: Settings,
  where: string,
): void {
  const errors = loaded.diagnostics.filter(
    (d) => d.severity === "error" || (settings.strict && d.severity === "warning"),
  );
  if (errors.length > 0) {
    throw new DiagnosticsError(
      loaded.diagnostics,
      `the segment definitions have ${errors.length} problem${errors.length === 1 ? "" : "s"}`,
    );
  }
  if (loaded.definitions.length === 0) {
    throw new UsageError("NO_SEGMENTS", `no segments found in ${where}`, {
      hint: "pass --segments PATH, or set `segments:` in audience.yaml",
    });
  }
}

export function checkOnly(settings: Settings, ids: string[]): void {
  for (const id of settings.only ?? []) {
    if (!ids.includes(id)) {
      throw new UsageError("UNKNOWN_SEGMENT", `--only: no segment "${id}"${didYouMean(id, ids)}`, {
        hint: `segments: ${ids.join(", ")}`,
      });
    }
  }
}

/** The segment library that comes with audience (`segments/` of the package). */
export const BUNDLED_SEGMENTS = fileURLToPath(new URL("../../segments", import.meta.url));

/**
 * A missing `segments/` (the default when neither --segments nor `segments:` names one): the
 * message says which folder was tried and where the bundled library is.
 */
function explainMissingDefault(settings: Settings, diagnostics: Diagnostic[]): void {
  for (const d of diagnostics) {
    const file = d.location.file;
    const tried = settings.segments.find((s) => s.display === file);
    if (d.code !== "FILE_NOT_FOUND" || tried === undefined || file !== "segments") continue;
    d.message = `no segments folder at ${tried.path} (the default when neither --segments nor \`segments:\` in audience.yaml names one)`;
    d.hint = `the bundled library is ${BUNDLED_SEGMENTS}: pass --segments ${BUNDLED_SEGMENTS}, or write your own segments/ (audience demo copies the library)`;
  }
}
