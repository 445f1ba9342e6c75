/**
 * The options every data command shares (docs/design.md#commands), and the run they all start with: config →
 * settings → as_of → read the inputs (with progress) → print what was read on stderr.
 */
import { Option, type OptionValues } from "commander";
import { PRESET_NAMES } from "../model/presets.js";
import {
  resolveSettings,
  type BuildFlags,
  type DataFlags,
  type Settings,
} from "../config/settings.js";
import { formatDay, type EpochDay } from "../calendar.js";
import { readConfig } from "../io/read-config.js";
import { loadProfiles, type LoadedData, type LoadOptions } from "../io/read-inputs.js";
import type { DuckDbRun } from "../engine/duckdb/run.js";
import type { DataNeeds } from "../model/build-profiles.js";
import type { IngestRecorder } from "../model/ingest-context.js";
import { todayIn, ZoneClock } from "../model/dates.js";
import { collapseNotes } from "../report/rfm.js";
import { renderInputSummary, renderProblems } from "../report/inputs.js";
import { createProgress } from "../report/spinner.js";
import { formatInteger } from "../report/table.js";
import { colorEnabled, createTheme, type Theme } from "../report/theme.js";
import type { CliContext } from "./context.js";

const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];

/** The options of every data command: where the inputs are and how to read them. */
export function dataOptions(): Option[] {
  return [
    new Option("-c, --config <file>", "config file (default: ./audience.yaml when present)"),
    new Option(
      "--contacts <files...>",
      "contacts export(s) (CSV or .csv.gz; several files or a quoted pattern)",
    ).argParser(collect),
    new Option(
      "--orders <files...>",
      'orders export(s) (CSV or .csv.gz; several files or a quoted pattern: "orders_export*.csv")',
    ).argParser(collect),
    new Option("--events <files...>", "events file(s)").argParser(collect),
    new Option("--lists <files...>", "list memberships file(s)").argParser(collect),
    new Option(
      "--preset <name>",
      `column names of a known export: ${PRESET_NAMES.join(", ")} (default: recognised from each file's header)`,
    ),
    new Option(
      "--as-of <date>",
      "compute as of this date, YYYY-MM-DD (default: today in the time zone)",
    ),
    new Option("--timezone <zone>", "IANA time zone of calendar dates (default: UTC)"),
    new Option("--json", "print a machine-readable summary on stdout"),
    new Option("-q, --quiet", "no progress and no input summary on stderr"),
    new Option("--strict", "stop at the first bad row instead of skipping it"),
    new Option("--rejects <file>", "write every skipped row to this CSV file"),
    new Option(
      "--database <url>",
      "PostgreSQL URL (or env:NAME) of the { table: … } inputs, instead of the config's database:",
    ),
    new Option(
      "--engine <name>",
      "where the run happens: memory (default), duckdb (embedded DuckDB, for large exports) or postgres (in the server of --database)",
    ),
    new Option(
      "--no-cache",
      "engine duckdb: read the exports, without the cache of loaded exports (.audience-cache beside the config, or cache:)",
    ),
  ];
}

/** The options of the commands that run segments: which definitions, which of them. */
export function segmentOptions(): Option[] {
  return [
    new Option(
      "--segments <path...>",
      "segment files or folders (default: config's segments, else segments/)",
    ).argParser(collect),
    new Option(
      "--only <ids>",
      "only these segments (comma-separated ids), with what they depend on",
    ),
  ];
}

/** The keys of `dataOptions()` and `segmentOptions()` in commander's values. */
const DATA_FLAGS = [
  "config",
  "contacts",
  "orders",
  "events",
  "lists",
  "preset",
  "asOf",
  "timezone",
  "json",
  "quiet",
  "strict",
  "rejects",
  "database",
  "engine",
  "cache",
  "segments",
  "only",
] as const satisfies readonly (keyof DataFlags)[];

/**
 * The data flags given, plus the command's own `extra` flags that settings read (`out`, `hash`,
 * …). Their values are checked by `resolveSettings`, after the config file is read, as before.
 */
export function dataFlagsOf(
  values: OptionValues,
  extra: readonly Exclude<keyof BuildFlags, keyof DataFlags>[] = [],
): BuildFlags {
  const flags: Record<string, unknown> = {};
  for (const key of [...DATA_FLAGS, ...extra]) {
    // commander gives `cache: true` unless --no-cache: only the flag given is a flag.
    if (key === "cache" && values[key] === true) continue;
    if (values[key] !== undefined) flags[key] = values[key];
  }
  return flags as BuildFlags;
}

export interface DataRun {
  settings: Settings;
  asOf: EpochDay;
  data: LoadedData;
  /** Theme for stdout. */
  theme: Theme;
  /** Theme for stderr. */
  errTheme: Theme;
}

/** The settings of a run, its as_of, and the one instant of the clock the run uses. */
export interface PreparedSettings {
  settings: Settings;
  asOf: EpochDay;
  /** When the run started (ms since the epoch): as_of's default, build stamps, built_at. */
  now: number;
}

export async function loadSettings(
  flags: BuildFlags,
  context: CliContext,
): Promise<PreparedSettings> {
  const config = await readConfig(flags.config, context.cwd);
  const settings = resolveSettings(config, flags, context.cwd);
  const now = context.now();
  const asOf = settings.asOf ?? todayIn(new ZoneClock(settings.timezone), now);
  return { settings, asOf, now };
}

/**
 * `--engine duckdb`: the DuckDB run the inputs are read in (docs/design.md#engines), loaded only then — the
 * memory engine never loads DuckDB.
 */
export async function openDuckDbRun(settings: Settings): Promise<DuckDbRun> {
  const { DuckDbRun } = await import("../engine/duckdb/run.js");
  return DuckDbRun.open(settings.duckdb);
}

/** Reads the inputs for a command; `needs` says which aggregates and fields the command uses. */
export async function runData(
  prepared: { settings: Settings; asOf: EpochDay },
  needs: DataNeeds,
  context: CliContext,
  options: {
    hash?: boolean;
    duckdb?: DuckDbRun;
    recorder?: IngestRecorder;
    staging?: LoadOptions["staging"];
    inDatabase?: LoadOptions["inDatabase"];
  } = {},
): Promise<DataRun> {
  if (prepared.settings.engine === "duckdb" && options.duckdb === undefined) {
    const duckdb = await openDuckDbRun(prepared.settings);
    try {
      return await runData(prepared, needs, context, { ...options, duckdb });
    } finally {
      await duckdb.close();
    }
  }
  const { settings, asOf } = prepared;
  const theme = createTheme(colorEnabled(context.stdoutIsTTY, context.env) && !settings.json);
  const errTheme = createTheme(colorEnabled(context.stderrIsTTY, context.env));
  const progress = createProgress(
    { stream: context.stderr, isTTY: context.stderrIsTTY, env: context.env },
    settings,
    context.now,
  );
  let data: LoadedData;
  try {
    data = await loadProfiles({
      settings,
      asOf,
      needs,
      hash: options.hash ?? false,
      env: context.env,
      onProgress: (p) => progress.update(p),
      ...(options.duckdb === undefined ? {} : { duckdb: options.duckdb }),
      ...(options.recorder === undefined ? {} : { recorder: options.recorder }),
      ...(options.staging === undefined ? {} : { staging: options.staging }),
      ...(options.inDatabase === undefined ? {} : { inDatabase: options.inDatabase }),
    });
  } finally {
    progress.stop();
  }
  if (!settings.quiet)
    context.stderr.write(renderInputSummary(data.inputs, data.profiles.size, errTheme));
  context.stderr.write(
    renderProblems(data.inputs, data.rejects, errTheme, settings.rejects?.display),
  );
  if (!settings.quiet && settings.asOf === undefined) {
    const note = staleDataNote(data, asOf);
    if (note !== undefined) context.stderr.write(`${errTheme.warning("as_of")} ${note}\n`);
  }
  if (!settings.quiet && !settings.timezoneGiven) {
    const note = timezoneNote(data.offsets);
    if (note !== undefined) context.stderr.write(`${errTheme.warning("timezone")} ${note}\n`);
  }
  if (!settings.quiet)
    for (const note of collapseNotes(data.profiles.rfm.collapsed))
      context.stderr.write(`${errTheme.warning("rfm")} ${note}\n`);
  return { settings, asOf, data, theme, errTheme };
}

/** Days between the last order and a defaulted as_of beyond which the run says so. */
export const STALE_DAYS = 90;

/**
 * With as_of defaulting to today, data that ends long before (an old export, a demo file) makes
 * every buyer lapsed: the note names the last order date and the --as-of that shows the shop then.
 */
function staleDataNote(data: LoadedData, asOf: EpochDay): string | undefined {
  const store = data.profiles.store;
  let last = -Infinity;
  for (let c = 0; c < store.size; c++)
    if (store.lastOrderDay[c] > last) last = store.lastOrderDay[c];
  if (!Number.isFinite(last) || asOf - last <= STALE_DAYS) return undefined;
  return `today (${formatDay(asOf)}) is ${formatInteger(asOf - last)} days after the last order (${formatDay(last)}): pass --as-of ${formatDay(last)} (or set as_of:) to see the shop as it was then`;
}

/** `+05:00`, `-04:30`. */
function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/**
 * With no time zone chosen, days are UTC days; timestamps written with another offset (Shopify
 * writes the shop's) put evening orders on the next day: the note names the offsets seen.
 */
export function timezoneNote(offsets: readonly number[]): string | undefined {
  if (!offsets.some((o) => o !== 0)) return undefined;
  return `the timestamps read carry UTC offsets (${offsets.map(formatOffset).join(", ")}) but no time zone is set, so days are counted in UTC: set \`timezone:\` in audience.yaml (or pass --timezone) to the shop's IANA zone, such as Europe/Paris or America/New_York`;
}
