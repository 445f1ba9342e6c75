/**
 * `audience build`: profiles → segments → one CSV per segment + manifest.json, written
 * all-or-nothing, guarded against a broken export (docs/design.md#segment-files, §6, §7).
 */
import { formatJson } from "../../report/json.js";
import { FIXED_COLUMNS } from "../../segments/parse-segment-file.js";
import { Option } from "commander";
import { formatDay } from "../../calendar.js";
import { join } from "node:path";
import type { BuildFlags, Settings } from "../../config/settings.js";
import { GuardError, UsageError, UserError } from "../../errors.js";
import { checkOutputPlace, type OwnedPath } from "../../io/output-guard.js";
import { lockOutput } from "../../io/output-lock.js";
import {
  buildManifest,
  type Manifest,
  type ManifestFile,
  type ManifestSegment,
} from "../../io/manifest.js";
import type { PreviousManifest } from "../../io/previous-manifest.js";
import {
  OutputBuild,
  readPreviousOutput,
  type PreviousOutput,
} from "../../io/output-transaction.js";
import {
  changesFiles,
  makeChangesFolder,
  PreviousRows,
  rowIdentity,
  syncChangesFolder,
} from "../../io/changes.js";
import {
  appendBuild,
  droppedWarning,
  formatHistory,
  historyJson,
  HISTORY_FILE,
  lastWritten,
  loadHistory,
  type HistoryRecord,
  type LoadedHistory,
} from "../../io/history.js";
import { countsJson, renderCountsText, type CountsView } from "../../report/counts.js";
import { formatCount, formatInteger } from "../../report/table.js";
import { OUTPUT_FORMATS, type OutputFormat } from "../../segments/definition.js";
import { checkGuards } from "../../segments/guards.js";
import { IDENTIFIER_COLUMNS, OUTPUT_PROFILES } from "../../segments/output-profiles.js";
import { customersByKey, rowShape, segmentLines } from "../../segments/output-rows.js";
import type { CliContext } from "../context.js";
import type { CommandSpec } from "../command-spec.js";
import { dataFlagsOf, dataOptions, loadSettings, segmentOptions } from "../options.js";
import { runSegments, type SegmentRun } from "../segment-run.js";
import { countsViewOf } from "./count.js";
import { reportHtmlOf } from "./report.js";

/** The HTML report every build writes beside the segment files (docs/design.md#report). */
const REPORT_FILE = "report.html";

/** A segment's file as this build writes it into the manifest. */
type WrittenFile = ManifestSegment & { format: OutputFormat; hashed: boolean };

export interface BuildOptions {
  /** The data and segment options, with `--out`, `--format`, `--hash`, `--exclusive`, `--force`. */
  data: BuildFlags;
}

export const buildCommand: CommandSpec<BuildOptions> = {
  name: "build",
  description: "write one upload-ready CSV per segment, and manifest.json, into the output folder",
  options: () => [
    new Option("-o, --out <dir>", "output folder (default: config's out, else out/)"),
    new Option(
      "--format <profile>",
      "output profile: generic, klaviyo, mailchimp, brevo, meta, google-ads",
    ),
    new Option("--hash", "SHA-256 the identifiers (meta and google-ads profiles)"),
    new Option(
      "--exclusive",
      "write each customer only to the first segment (by priority) that reaches them",
    ),
    new Option("--force", "write even when a guard trips"),
    ...dataOptions(),
    ...segmentOptions(),
  ],
  helpAfter: `
Examples:
  $ audience build --config fixtures/demo/audience.yaml
  $ audience build --format klaviyo --exclusive --out /srv/audiences
  $ audience build --format meta --hash --only vip

Exit codes: 0 written · 1 bad definitions or data (nothing written) · 2 usage · 3 a guard tripped (nothing replaced)`,
  parse: (values) => ({
    data: dataFlagsOf(values, ["out", "format", "hash", "exclusive", "force"]),
  }),
  run: (options, context) => runBuild(options.data, context),
};

async function runBuild(flags: BuildFlags, context: CliContext): Promise<number> {
  const prepared = await loadSettings(flags, context);
  const { settings } = prepared;
  // The one reading of the clock: as_of's default, the build folder's stamp and built_at.
  const builtAt = new Date(prepared.now);
  const paths = { out: settings.out.path, display: settings.out.display };
  await checkOutputPlace(paths, ownedPaths(settings), context.cwd);
  const lock = await lockOutput(paths);
  try {
    const previous = await readPreviousOutput(paths);
    const history = await previousHistory(previous, settings.out.display);
    const run = await runSegments(prepared, context, { hash: true });
    checkHashing(run);
    if (history.dropped.length > 0)
      context.stderr.write(
        `${run.errTheme.warning("warning")} ${droppedWarning(`${settings.out.display}/${HISTORY_FILE}`, history)}\n`,
      );
    const build = await OutputBuild.start(paths, stamp(builtAt));
    let files: WrittenFile[];
    let view: CountsView;
    for (const result of run.results) {
      const format = settings.formatFlag ?? result.segment.format ?? settings.format;
      if (FIXED_COLUMNS.has(format) && result.segment.columns.length > 0)
        context.stderr.write(
          `${run.errTheme.warning("warning")} ${result.segment.id}: columns ${result.segment.columns.join(", ")} left out: format ${format} takes only its own columns\n`,
        );
    }
    try {
      const warn = (message: string) =>
        context.stderr.write(`${run.errTheme.warning("warning")} ${message}\n`);
      files = await writeSegments(run, build, previous, warn);
      const trips = checkGuards(
        files
          .filter((f) => !f.carried_over)
          .map((f) => {
            const segment = run.results.find((r) => r.segment.id === f.id)?.segment;
            const prev =
              lastWritten(history.records, f.id) ?? previousWritten(previous.manifest, f.id);
            return {
              id: f.id,
              guard: segment?.guard ?? {},
              written: f.written,
              ...(prev === undefined ? {} : { previous: prev }),
            };
          }),
      );
      if (trips.length > 0 && !settings.force) {
        throw new GuardError(
          `${trips.length === 1 ? "a guard" : `${trips.length} guards`} tripped; nothing was written:\n${trips.map((t) => `  ${t.message}`).join("\n")}`,
          { hint: "check today's exports; run with --force to write anyway" },
        );
      }
      for (const trip of trips)
        context.stderr.write(
          `${run.errTheme.warning("guard overridden by --force")} ${trip.message}\n`,
        );
      const records = appendBuild(
        history.records,
        historyRecord(run, files, builtAt.toISOString()),
        settings.historyKeep,
      );
      await build.writeText(HISTORY_FILE, formatHistory(records));
      const written = new Map(
        files.map((f) => [
          f.id,
          {
            written: f.written,
            file: `${settings.out.display}/${f.file}`,
            entered: f.entered ?? 0,
            exited: f.exited ?? 0,
          },
        ]),
      );
      view = countsViewOf(run, written);
      const report = {
        file: REPORT_FILE,
        sha256: await build.writeLines(REPORT_FILE, [
          reportHtmlOf(run, view, historyJson(records)),
        ]),
      };
      await build.writeText("manifest.json", formatJson(manifestOf(run, files, builtAt, report)));
      await build.commit(previous);
    } catch (error) {
      await build.abort();
      throw error;
    }
    if (settings.json) {
      context.stdout.write(formatJson(countsJson(view)));
    } else {
      context.stdout.write(renderCountsText(view, run.theme));
      const total = files.filter((f) => !f.carried_over).reduce((n, f) => n + f.written, 0);
      context.stdout.write(
        `\nWrote ${formatInteger(total)} rows in ${files.filter((f) => !f.carried_over).length} files, manifest.json and ${REPORT_FILE} to ${settings.out.display}/\n`,
      );
    }
    return 0;
  } finally {
    await lock.release();
  }
}

/**
 * `--hash` is done for real or refused: every segment's profile must have a hashed form, and a
 * hashed file never carries a clear identifier in its extra columns.
 */
function checkHashing(run: SegmentRun): void {
  const { settings } = run;
  if (!settings.hash) return;
  for (const result of run.results) {
    const segment = result.segment;
    const format = settings.formatFlag ?? segment.format ?? settings.format;
    if (!OUTPUT_PROFILES[format].hashable)
      throw new UsageError(
        "HASH_NOT_AVAILABLE",
        `--hash: segment "${segment.id}" is written with the ${format} profile, which has no hashed form`,
        { hint: "hashed profiles: meta, google-ads (--format meta or --format google-ads)" },
      );
    const clear = segment.columns.filter((c) => IDENTIFIER_COLUMNS.has(c));
    if (clear.length > 0)
      throw new UserError(
        "HASH_CLEAR_IDENTIFIER",
        `--hash: segment "${segment.id}" lists ${clear.join(", ")} in columns: a hashed file never carries an identifier in clear`,
        {
          hint: "remove these columns from the segment (the profile's own columns carry them, hashed)",
        },
      );
  }
}

/** `20261122T193012`: build folders sort by time. */
function stamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "");
}

function previousWritten(manifest: PreviousManifest | undefined, id: string): number | undefined {
  return manifest?.segments.find((s) => s.id === id)?.written;
}

/** Everything the run reads or writes besides OUT: OUT may neither be nor hold any of them. */
function ownedPaths(settings: Settings): OwnedPath[] {
  return [
    ...(settings.configFile === undefined
      ? []
      : [
          {
            what: `the config file ${settings.configFile.display}`,
            path: settings.configFile.path,
          },
        ]),
    ...Object.values(settings.inputs)
      .flat()
      .map((input) => ({
        what: `the input ${input.display}`,
        path: input.path,
      })),
    ...settings.segments.map((s) => ({ what: `the segment files ${s.display}`, path: s.path })),
    ...(settings.rejects === undefined
      ? []
      : [{ what: `the --rejects file ${settings.rejects.display}`, path: settings.rejects.path }]),
  ];
}

/** The history carried from the build OUT holds now (empty for a first build). */
async function previousHistory(previous: PreviousOutput, display: string): Promise<LoadedHistory> {
  if (previous.folder === undefined) return { records: [], dropped: [] };
  return loadHistory(previous.folder, `${display}/${HISTORY_FILE}`);
}

async function writeSegments(
  run: SegmentRun,
  build: OutputBuild,
  previous: PreviousOutput,
  warn: (message: string) => void,
): Promise<WrittenFile[]> {
  const { settings } = run;
  const profiles = run.data.profiles;
  const order = customersByKey(profiles);
  const files: WrittenFile[] = [];
  const previousEntries = previous.manifest?.segments ?? [];
  await makeChangesFolder(build.folder);
  for (const result of run.results) {
    const id = result.segment.id;
    const format = settings.formatFlag ?? result.segment.format ?? settings.format;
    const hash = settings.hash && OUTPUT_PROFILES[format].hashable;
    const file = `${id}.csv`;
    const unknown = new Map<string, number>();
    const shape = rowShape(profiles, result.segment, format, hash, unknown);
    const { maker, header } = shape;
    // The previous complete build's file of this segment, to compare with (§13).
    let base: PreviousRows | undefined;
    const entry = previousEntries.find((e) => e.id === id);
    if (previous.folder !== undefined && entry !== undefined) {
      // Hashed and clear files of meta and google-ads share a header: the manifest tells them apart.
      const wasHashed =
        entry.hashed ??
        (previous.manifest?.hash === true &&
          (OUTPUT_PROFILES as Record<string, { hashable: boolean } | undefined>)[entry.format]
            ?.hashable === true);
      const found =
        wasHashed !== hash
          ? "other-header"
          : await PreviousRows.read(
              join(previous.folder, file),
              header,
              maker.delimiter,
              maker.keyCells,
            );
      if (found === "other-header")
        warn(
          `${id}: its columns changed since the previous build (profile, --hash or columns:), so every row counts as entered`,
        );
      else base = found;
    }
    let written = 0;
    const entered: string[] = [];
    const lines = segmentLines(profiles, result, shape, order, (cells, line) => {
      written++;
      if (base !== undefined && !base.take(rowIdentity(cells, maker.keyCells))) entered.push(line);
    });
    const sha256 = await build.writeLines(file, lines);
    const names = changesFiles(id);
    let enteredFile: ManifestFile;
    if (base === undefined) {
      // No file to compare with: every row entered, the file itself.
      await build.carryOver(join(build.folder, file), names.entered);
      enteredFile = { file: names.entered, sha256 };
    } else {
      enteredFile = {
        file: names.entered,
        sha256: await build.writeLines(names.entered, [header, ...entered]),
      };
    }
    let exited = 0;
    const exitedLines = function* (): Generator<string> {
      yield header;
      if (base === undefined) return;
      for (const line of base.exited()) {
        exited++;
        yield line;
      }
    };
    const exitedFile = {
      file: names.exited,
      sha256: await build.writeLines(names.exited, exitedLines()),
    };
    if (unknown.size > 0) {
      const rows = [...unknown.values()].reduce((a, b) => a + b, 0);
      warn(
        `${file}: ${formatCount(rows, "row")} with a country that is not an ISO code or a known name (${[...unknown.keys()].slice(0, 5).join(", ")}): country left empty`,
      );
    }
    files.push({
      id,
      name: result.segment.name,
      channel: result.segment.channel,
      format,
      hashed: hash,
      matched: result.matched,
      reachable: result.reachableCount,
      ...(settings.exclusive ? { assigned: result.assignedCount } : {}),
      written,
      file,
      sha256,
      entered: base === undefined ? written : entered.length,
      exited,
      changes: { entered: enteredFile, exited: exitedFile },
    });
  }
  if (settings.only !== undefined && previous.folder !== undefined) {
    // With --only, the other segments keep their previous files, and their changes of then.
    for (const segment of run.plan.segments) {
      if (files.some((f) => f.id === segment.id)) continue;
      const entry = previousEntries.find((e) => e.id === segment.id);
      if (entry === undefined) continue;
      if (!(OUTPUT_FORMATS as readonly string[]).includes(entry.format))
        throw new UserError(
          "OUTPUT_MANIFEST_INVALID",
          `${settings.out.display}/manifest.json is not a manifest of audience: the format of "${entry.id}" is not an output profile`,
          {
            hint: "the output folder was changed by hand: move it away (or delete it), then build again",
          },
        );
      await build.carryOver(join(previous.folder, entry.file), entry.file);
      for (const kept of [entry.changes?.entered, entry.changes?.exited])
        if (kept !== undefined) await build.carryOver(join(previous.folder, kept.file), kept.file);
      files.push({
        ...entry,
        format: entry.format as OutputFormat,
        hashed: entry.hashed ?? false,
        carried_over: true,
      });
    }
    const position = new Map(run.plan.segments.map((s, i) => [s.id, i]));
    files.sort((a, b) => (position.get(a.id) ?? 0) - (position.get(b.id) ?? 0));
  }
  await syncChangesFolder(build.folder);
  return files;
}

/** This build's line of the history: counts only, never a row (§13). */
function historyRecord(run: SegmentRun, files: WrittenFile[], builtAt: string): HistoryRecord {
  return {
    as_of: formatDay(run.asOf),
    built_at: builtAt,
    engine: run.settings.engine,
    inputs: run.data.inputs.map((input) => ({
      kind: input.kind,
      sha256: input.read.sha256 ?? null,
    })),
    segments: Object.fromEntries(
      files
        .filter((f) => !f.carried_over)
        .map((f) => [
          f.id,
          {
            matched: f.matched,
            reachable: f.reachable,
            written: f.written,
            entered: f.entered ?? 0,
            exited: f.exited ?? 0,
          },
        ]),
    ),
  };
}

function manifestOf(
  run: SegmentRun,
  files: readonly WrittenFile[],
  builtAt: Date,
  report: ManifestFile,
): Manifest {
  const { settings, data } = run;
  return buildManifest({
    builtAt,
    asOf: run.asOf,
    timezone: settings.timezone,
    engine: settings.engine,
    exclusive: settings.exclusive,
    hash: settings.hash,
    customers: data.profiles.size,
    buyers: data.profiles.buyers,
    inputs: data.inputs,
    rejectedByFile: data.rejects.rejectedByFile(),
    segmentFiles: run.segmentFiles,
    segments: files,
    cutPoints: data.profiles.rfm.cutPoints,
    report,
  });
}
