/**
 * `audience build`: profiles → segments → one CSV per segment + manifest.json, written
 * all-or-nothing, guarded against a broken export (SPEC §5, §6, §7).
 */
import { mergesJson } from "../../report/inputs.js";
import { formatJson } from "../../report/json.js";
import { FIXED_COLUMNS } from "../../segments/parse-segment-file.js";
import { Command } from "commander";
import { formatDay } from "../../calendar.js";
import { join } from "node:path";
import type { BuildFlags, Settings } from "../../config/settings.js";
import { PROFILE_FIELDS } from "../../dsl/env.js";
import { GuardError, UsageError, UserError } from "../../errors.js";
import { checkOutputPlace, type OwnedPath } from "../../io/output-guard.js";
import { lockOutput } from "../../io/output-lock.js";
import type { PreviousManifest } from "../../io/previous-manifest.js";
import { OutputBuild, readPreviousOutput, type PreviousOutput } from "../../io/audience-files.js";
import type { Profiles } from "../../model/profile.js";
import { countsJson, renderCountsText } from "../../report/counts.js";
import { formatCount, formatInteger } from "../../report/table.js";
import { OUTPUT_FORMATS, type OutputFormat } from "../../segments/definition.js";
import type { SegmentMembers } from "../../segments/evaluate.js";
import { checkGuards } from "../../segments/guards.js";
import {
  csvLine,
  extraColumns,
  IDENTIFIER_COLUMNS,
  identifiersFor,
  OUTPUT_PROFILES,
  rowMaker,
} from "../../segments/output-profiles.js";
import { VERSION } from "../../version.js";
import type { CliContext } from "../context.js";
import { addInputOptions, addSegmentOptions, loadSettings } from "../options.js";
import { runSegments, type SegmentRun } from "../segment-run.js";
import type { SetExitCode } from "./index.js";

const DATE_FIELDS = new Set(
  [...PROFILE_FIELDS].filter(([, info]) => info.type === "date").map(([name]) => name),
);

interface WrittenFile {
  id: string;
  name: string;
  channel: string;
  format: OutputFormat;
  matched: number;
  reachable: number;
  assigned?: number;
  written: number;
  file: string;
  sha256: string;
  /** Whether the identifiers of this file are SHA-256 hashes (--hash on a profile that has them). */
  hashed: boolean;
  carried_over?: boolean;
}

export function registerBuild(
  program: Command,
  context: CliContext,
  setExitCode: SetExitCode,
): void {
  const command = new Command("build")
    .description(
      "write one upload-ready CSV per segment, and manifest.json, into the output folder",
    )
    .option("-o, --out <dir>", "output folder (default: config's out, else out/)")
    .option(
      "--format <profile>",
      "output profile: generic, klaviyo, mailchimp, brevo, meta, google-ads",
    )
    .option("--hash", "SHA-256 the identifiers (meta and google-ads profiles)")
    .option(
      "--exclusive",
      "write each customer only to the first segment (by priority) that reaches them",
    )
    .option("--force", "write even when a guard trips")
    .addHelpText(
      "after",
      `
Examples:
  $ audience build --config fixtures/demo/audience.yaml
  $ audience build --format klaviyo --exclusive --out /srv/audiences
  $ audience build --format meta --hash --only vip

Exit codes: 0 written · 1 bad definitions or data (nothing written) · 2 usage · 3 a guard tripped (nothing replaced)`,
    );
  addSegmentOptions(addInputOptions(command)).action(async (flags: BuildFlags) => {
    const prepared = await loadSettings(flags, context);
    const { settings } = prepared;
    const paths = { out: settings.out.path, display: settings.out.display };
    await checkOutputPlace(paths, ownedPaths(settings), context.cwd);
    const lock = await lockOutput(paths);
    try {
      const previous = await readPreviousOutput(paths);
      const run = await runSegments(prepared, context, { hash: true });
      checkHashing(run);
      const build = await OutputBuild.start(paths, stamp(new Date()));
      let files: WrittenFile[];
      for (const result of run.results) {
        const format = settings.formatFlag ?? result.segment.format ?? settings.format;
        if (FIXED_COLUMNS.has(format) && result.segment.columns.length > 0)
          context.stderr.write(
            `${run.errTheme.warning("warning")} ${result.segment.id}: columns ${result.segment.columns.join(", ")} left out: format ${format} takes only its own columns\n`,
          );
      }
      try {
        const warnings: string[] = [];
        files = await writeSegments(run, build, previous, warnings);
        for (const warning of warnings)
          context.stderr.write(`${run.errTheme.warning("warning")} ${warning}\n`);
        const trips = checkGuards(
          files
            .filter((f) => !f.carried_over)
            .map((f) => {
              const segment = run.results.find((r) => r.segment.id === f.id)?.segment;
              const prev = previousWritten(previous.manifest, f.id);
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
        await build.writeText("manifest.json", formatJson(manifest(run, files)));
        await build.commit(previous);
      } catch (error) {
        await build.abort();
        throw error;
      }
      const written = new Map(
        files.map((f) => [f.id, { written: f.written, file: `${settings.out.display}/${f.file}` }]),
      );
      const view = {
        asOf: run.asOf,
        timezone: settings.timezone,
        customers: run.data.profiles.size,
        buyers: run.data.profiles.buyers,
        results: run.results,
        exclusive: settings.exclusive,
        written,
        rejected: run.data.rejects.rejectedByFile(),
        merges: mergesJson(run.data.inputs),
      };
      if (settings.json) {
        context.stdout.write(formatJson(countsJson(view)));
      } else {
        context.stdout.write(renderCountsText(view, run.theme));
        const total = files.filter((f) => !f.carried_over).reduce((n, f) => n + f.written, 0);
        context.stdout.write(
          `\nWrote ${formatInteger(total)} rows in ${files.filter((f) => !f.carried_over).length} files and manifest.json to ${settings.out.display}/\n`,
        );
      }
      setExitCode(0);
    } finally {
      await lock.release();
    }
  });
  program.addCommand(command);
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
    ...Object.values(settings.inputs).map((input) => ({
      what: `the input ${input.display}`,
      path: input.path,
    })),
    ...settings.segments.map((s) => ({ what: `the segment files ${s.display}`, path: s.path })),
    ...(settings.rejects === undefined
      ? []
      : [{ what: `the --rejects file ${settings.rejects.display}`, path: settings.rejects.path }]),
  ];
}

async function writeSegments(
  run: SegmentRun,
  build: OutputBuild,
  previous: PreviousOutput,
  warnings: string[],
): Promise<WrittenFile[]> {
  const { settings } = run;
  const profiles = run.data.profiles;
  const order = customersByKey(profiles);
  const files: WrittenFile[] = [];
  for (const result of run.results) {
    const format = settings.formatFlag ?? result.segment.format ?? settings.format;
    const hash = settings.hash && OUTPUT_PROFILES[format].hashable;
    const file = `${result.segment.id}.csv`;
    let written = 0;
    const unknown = new Map<string, number>();
    const lines = segmentLines(profiles, result, format, hash, order, unknown, () => {
      written++;
    });
    const sha256 = await build.writeLines(file, lines);
    if (unknown.size > 0) {
      const rows = [...unknown.values()].reduce((a, b) => a + b, 0);
      warnings.push(
        `${file}: ${formatCount(rows, "row")} with a country that is not an ISO code or a known name (${[...unknown.keys()].slice(0, 5).join(", ")}): country left empty`,
      );
    }
    files.push({
      id: result.segment.id,
      name: result.segment.name,
      channel: result.segment.channel,
      format,
      matched: result.matched,
      reachable: result.reachableCount,
      ...(settings.exclusive ? { assigned: result.assignedCount } : {}),
      written,
      file,
      sha256,
      hashed: hash,
    });
  }
  if (settings.only !== undefined && previous.folder !== undefined) {
    // With --only, the other segments keep their previous files.
    const entries = previous.manifest?.segments ?? [];
    for (const segment of run.plan.segments) {
      if (files.some((f) => f.id === segment.id)) continue;
      const entry = entries.find((e) => e.id === segment.id);
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
  return files;
}

/** Every customer index, sorted by customer key (the order of rows in every file). */
function customersByKey(profiles: Profiles): Int32Array {
  const store = profiles.store;
  const keys = new Array<string>(store.size);
  for (let c = 0; c < store.size; c++) keys[c] = store.key(c);
  const order = new Int32Array(store.size);
  for (let c = 0; c < store.size; c++) order[c] = c;
  order.sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
  return order;
}

function* segmentLines(
  profiles: Profiles,
  result: SegmentMembers,
  format: OutputFormat,
  hash: boolean,
  order: Int32Array,
  unknownCountries: Map<string, number>,
  onRow: () => void,
): Generator<string> {
  const segment = result.segment;
  const maker = rowMaker(profiles, format, hash, unknownCountries);
  // Google Ads and Meta refuse files with columns of their own (warned about above).
  const columns = FIXED_COLUMNS.has(format) ? [] : segment.columns;
  const extra = extraColumns(profiles, columns, DATE_FIELDS, {
    channel: segment.channel,
    ignoreConsent: segment.consent === "ignore",
  });
  yield csvLine([...maker.header, ...extra.header], maker.delimiter);
  const dedupe = segment.channel !== "none";
  const unique = maker.uniqueCells;
  // Only values the store marked as shared by several customers can repeat in a file.
  const store = profiles.store;
  const shared = [store.sharedEmail, store.sharedPhone];
  const seen = [new Set<string>(), new Set<string>()];
  const hasExtra = columns.length > 0;
  const ignoreConsent = segment.consent === "ignore";
  for (let i = 0; i < order.length; i++) {
    const c = order[i];
    if (result.assigned[c] !== 1) continue;
    const cells = maker.identity(c, identifiersFor(profiles, c, segment.channel, ignoreConsent));
    if (dedupe) {
      let kept = 0;
      for (let k = 0; k < unique.length; k++) {
        const index = unique[k];
        const value = cells[index];
        if (value === "") continue;
        if (shared[k][c] === 0) {
          kept++;
        } else if (seen[k].has(value)) {
          cells[index] = "";
        } else {
          seen[k].add(value);
          kept++;
        }
      }
      if (kept === 0) continue;
    }
    onRow();
    if (hasExtra) for (const cell of extra.cells(c)) cells.push(cell);
    yield csvLine(cells, maker.delimiter);
  }
}

function manifest(run: SegmentRun, files: WrittenFile[]): unknown {
  const { settings } = run;
  return {
    tool: "audience",
    version: VERSION,
    generated_at: new Date().toISOString(),
    as_of: formatDay(run.asOf),
    timezone: settings.timezone,
    exclusive: settings.exclusive,
    hash: settings.hash,
    customers: run.data.profiles.size,
    buyers: run.data.profiles.buyers,
    inputs: run.data.inputs.map((input) => ({
      kind: input.kind,
      path: input.display,
      sha256: input.read.sha256 ?? null,
      bytes: input.read.bytes,
      rows_read: input.read.rows,
      rows_skipped: run.data.rejects.rejectedByFile()[input.display] ?? {},
    })),
    segment_files: run.segmentFiles,
    segments: files.map((f) => ({ ...f })),
    rfm: { cut_points: run.data.profiles.rfm.cutPoints },
  };
}
