/**
 * The settings a run uses: defaults, overridden by `audience.yaml`, overridden by flags (docs/design.md#commands).
 * Paths from the config file are relative to the config file; paths from flags to the working
 * directory.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { parseIsoDay, type EpochDay } from "../calendar.js";
import { UsageError } from "../errors.js";
import type { Delimiter } from "../io/parse-csv.js";
import { DEFAULT_HISTORY_KEEP } from "../io/history.js";
import type { DateOrder } from "../model/dates.js";
import { ZoneClock } from "../model/dates.js";
import type { DecimalMark } from "../model/values.js";
import { OUTPUT_FORMATS, type OutputFormat } from "../segments/definition.js";
import { didYouMean } from "../suggest.js";
import { DEFAULT_RFM, type RfmSettings } from "../rfm/settings.js";
import {
  ENGINES,
  presetOf,
  type CheckedFilter,
  type ConfigValues,
  type EngineName,
} from "./load-config.js";
import type { TableSource } from "./table-input.js";
import {
  INPUT_KINDS,
  PRESET_NAMES,
  PRESETS,
  type ColumnMap,
  type InputKind,
  type Preset,
} from "../model/presets.js";

/** The cache folder of engine duckdb beside the config, when `cache:` names none. */
export const CACHE_FOLDER = ".audience-cache";

export interface FilePath {
  /** Absolute path, to open. */
  path: string;
  /** As shown to the user: relative to the working directory when inside it. */
  display: string;
}

/** Options shared by the data commands (docs/design.md#commands). */
export interface DataFlags {
  config?: string;
  /** One or more files or name patterns each (`--orders a.csv --orders "b*.csv"`). */
  contacts?: string | string[];
  orders?: string | string[];
  events?: string | string[];
  lists?: string | string[];
  preset?: string;
  segments?: string[];
  asOf?: string;
  timezone?: string;
  only?: string;
  json?: boolean;
  quiet?: boolean;
  strict?: boolean;
  rejects?: string;
  /** `--database URL`: the database of table inputs, instead of the config's `database:`. */
  database?: string;
  /** `--engine memory|duckdb|postgres`. */
  engine?: string;
  /** `--no-cache` gives false: engine duckdb reads the exports without its cache. */
  cache?: boolean;
}

export interface BuildFlags extends DataFlags {
  out?: string;
  format?: string;
  hash?: boolean;
  exclusive?: boolean;
  force?: boolean;
}

export interface Settings {
  /** The config file used, if any. */
  configFile?: FilePath;
  /** Each input's files or name patterns, as given (patterns are expanded when read). */
  inputs: Partial<Record<InputKind, FilePath[]>>;
  preset: Preset;
  /** No preset in the config or on the command line: each file's header says which. */
  detectPreset: boolean;
  columns: Partial<Record<InputKind, ColumnMap>>;
  delimiter?: Delimiter;
  decimal: DecimalMark;
  segments: FilePath[];
  out: FilePath;
  /** The config's `format:` (or generic): a segment's own `format:` wins over it. */
  format: OutputFormat;
  /** `--format`: wins over everything for this run. */
  formatFlag?: OutputFormat;
  timezone: string;
  /** Whether `--timezone` or `timezone:` chose it (else UTC, the default). */
  timezoneGiven: boolean;
  defaultCountry?: string;
  dateOrder?: DateOrder;
  ordersFilter?: CheckedFilter;
  /** `exclude_status:`; absent: each file's preset's non-purchase statuses. */
  excludeStatus?: string[];
  /** `currency:`: count only the orders in this currency. */
  currency?: string;
  /** `exchange_rates:` with `reporting_currency:`. */
  exchangeRates?: { reporting: string; rates: Map<string, number> };
  rfm: RfmSettings;
  /** From `--as-of` or `as_of:`; when absent the command uses today in `timezone`. */
  asOf?: EpochDay;
  hash: boolean;
  exclusive: boolean;
  strict: boolean;
  force: boolean;
  only?: string[];
  json: boolean;
  quiet: boolean;
  rejects?: FilePath;
  /** How many builds OUT/history.jsonl keeps (`history: { keep: N }`). */
  historyKeep: number;
  /** `include_shipping:` (default true): the freight of `order_lines:` counts in revenue. */
  includeShipping: boolean;
  /** The inputs read from the database (`{ table: NAME }`, `{ query: … }`); a flag's files win. */
  tables: Partial<Record<InputKind, TableSource>>;
  /** The database of the table inputs as given (a URL or env:NAME), and where it was given. */
  database?: { given: string; from: "--database" | "database:" };
  /** Where the run happens: `--engine`, else `engine:`, else memory. */
  engine: EngineName;
  /** `duckdb:` of the config, its temp_directory resolved against the config's folder. */
  duckdb: { memoryLimit?: string; threads?: number; tempDirectory?: string };
  /**
   * The folder of engine duckdb's cache of loaded exports (src/engine/duckdb/cache.ts): `cache:`
   * resolved against the config's folder, else `.audience-cache` beside the config; absent with
   * `--no-cache` or without a config file.
   */
  cache?: string;
}

/**
 * A path as messages show it: relative to the working directory, with `/` on every platform.
 * A path outside the working directory is shown whole, or (`outside: "relative"`, segment files)
 * relative with `..`; one on another drive is always shown whole.
 */
export function displayPath(
  absolute: string,
  cwd: string,
  outside: "absolute" | "relative" = "absolute",
): string {
  const rel = relative(cwd, absolute);
  if (rel === "") return ".";
  if (isAbsolute(rel) || (outside === "absolute" && rel.startsWith(".."))) {
    return absolute.split(sep).join("/");
  }
  return rel.split(sep).join("/");
}

function filePath(path: string, base: string, cwd: string): FilePath {
  const absolute = resolve(base, path);
  return { path: absolute, display: displayPath(absolute, cwd) };
}

export interface ConfigSource {
  values: ConfigValues;
  /** Folder of the config file: its paths are relative to it. */
  dir: string;
  file: FilePath;
}

/** Merges defaults, the config file and the flags. Bad flag values are usage errors (exit 2). */
export function resolveSettings(
  config: ConfigSource | undefined,
  flags: BuildFlags,
  cwd: string,
): Settings {
  const values = config?.values ?? {};
  const base = config?.dir ?? cwd;
  const inputs: Partial<Record<InputKind, FilePath[]>> = {};
  const tables: Partial<Record<InputKind, TableSource>> = {};
  for (const kind of ["contacts", "orders", "events", "lists"] as const) {
    const fromFlag = flags[kind];
    const fromConfig = values[kind];
    const table = values.tables?.[kind];
    if (fromFlag !== undefined)
      inputs[kind] = (Array.isArray(fromFlag) ? fromFlag : [fromFlag]).map((p) =>
        filePath(p, cwd, cwd),
      );
    else if (fromConfig !== undefined) inputs[kind] = fromConfig.map((p) => filePath(p, base, cwd));
    else if (table !== undefined) tables[kind] = table;
  }
  // A normalised export's extra files: in audience.yaml only (docs/design.md#normalised-exports).
  for (const kind of ["key_map", "order_lines"] as const) {
    const fromConfig = values[kind];
    if (fromConfig !== undefined) inputs[kind] = fromConfig.map((p) => filePath(p, base, cwd));
  }
  const database =
    flags.database !== undefined
      ? { given: flags.database, from: "--database" as const }
      : values.database !== undefined
        ? { given: values.database, from: "database:" as const }
        : undefined;

  let presetName = values.preset;
  if (flags.preset !== undefined) {
    if (PRESETS[flags.preset] === undefined) {
      throw new UsageError(
        "BAD_PRESET",
        `--preset "${flags.preset}" is not a preset${didYouMean(flags.preset, PRESET_NAMES)}`,
        { hint: `presets: ${PRESET_NAMES.join(", ")}` },
      );
    }
    presetName = flags.preset;
  }

  let timezone = values.timezone ?? "UTC";
  if (flags.timezone !== undefined) {
    if (!ZoneClock.isValidZone(flags.timezone)) {
      throw new UsageError("BAD_TIMEZONE", `--timezone "${flags.timezone}" is not a time zone`, {
        hint: "use an IANA name such as Europe/Paris, America/New_York or UTC",
      });
    }
    timezone = flags.timezone;
  }

  let asOf = values.as_of;
  if (flags.asOf !== undefined) {
    asOf = parseIsoDay(flags.asOf.trim());
    if (asOf === undefined) {
      throw new UsageError(
        "BAD_AS_OF",
        `--as-of "${flags.asOf}" is not a date: expected YYYY-MM-DD`,
      );
    }
  }

  const format: OutputFormat = values.format ?? "generic";
  let formatFlag: OutputFormat | undefined;
  if (flags.format !== undefined) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(flags.format)) {
      throw new UsageError(
        "BAD_FORMAT",
        `--format "${flags.format}" is not an output profile${didYouMean(flags.format, OUTPUT_FORMATS)}`,
        { hint: `profiles: ${OUTPUT_FORMATS.join(", ")}` },
      );
    }
    formatFlag = flags.format as OutputFormat;
  }

  const segments =
    flags.segments !== undefined && flags.segments.length > 0
      ? flags.segments.map((p) => filePath(p, cwd, cwd))
      : values.segments !== undefined
        ? values.segments.map((p) => filePath(p, base, cwd))
        : [filePath("segments", base, cwd)];

  const out =
    flags.out !== undefined
      ? filePath(flags.out, cwd, cwd)
      : values.out !== undefined
        ? filePath(values.out, base, cwd)
        : filePath("out", cwd, cwd);

  let only: string[] | undefined;
  if (flags.only !== undefined) {
    only = flags.only
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    if (only.length === 0) throw new UsageError("BAD_ONLY", "--only needs at least one segment id");
  }

  let engine: EngineName = values.engine ?? "memory";
  if (flags.engine !== undefined) {
    if (!(ENGINES as readonly string[]).includes(flags.engine)) {
      throw new UsageError(
        "BAD_ENGINE",
        `--engine "${flags.engine}" is not an engine${didYouMean(flags.engine, ENGINES)}`,
        { hint: `engines: ${ENGINES.join(", ")}` },
      );
    }
    engine = flags.engine as EngineName;
  }
  const duckdb = values.duckdb ?? {};
  const cache =
    flags.cache === false
      ? undefined
      : values.cache !== undefined
        ? resolve(base, values.cache)
        : config === undefined
          ? undefined
          : resolve(config.dir, CACHE_FOLDER);

  return {
    ...(config === undefined ? {} : { configFile: config.file }),
    inputs,
    preset: presetOf(presetName),
    detectPreset: presetName === undefined,
    columns: columnMaps(values.columns),
    ...(values.delimiter === undefined ? {} : { delimiter: values.delimiter }),
    decimal: values.decimal ?? "auto",
    segments,
    out,
    format,
    ...(formatFlag === undefined ? {} : { formatFlag }),
    timezone,
    timezoneGiven: values.timezone !== undefined || flags.timezone !== undefined,
    ...(values.default_country === undefined ? {} : { defaultCountry: values.default_country }),
    ...(values.date_order === undefined ? {} : { dateOrder: values.date_order }),
    ...(values.orders_filter === undefined ? {} : { ordersFilter: values.orders_filter }),
    ...(values.exclude_status === undefined
      ? {}
      : { excludeStatus: values.exclude_status.map((s) => s.toLowerCase()) }),
    ...(values.currency === undefined ? {} : { currency: values.currency }),
    ...(values.exchange_rates === undefined || values.reporting_currency === undefined
      ? {}
      : {
          exchangeRates: {
            reporting: values.reporting_currency,
            rates: new Map(Object.entries(values.exchange_rates)),
          },
        }),
    rfm: values.rfm ?? DEFAULT_RFM,
    ...(asOf === undefined ? {} : { asOf }),
    hash: flags.hash ?? values.hash ?? false,
    exclusive: flags.exclusive ?? values.exclusive ?? false,
    strict: flags.strict ?? values.strict ?? false,
    force: flags.force ?? false,
    ...(only === undefined ? {} : { only }),
    json: flags.json ?? false,
    quiet: flags.quiet ?? false,
    ...(flags.rejects === undefined ? {} : { rejects: filePath(flags.rejects, cwd, cwd) }),
    historyKeep: values.history?.keep ?? DEFAULT_HISTORY_KEEP,
    includeShipping: values.include_shipping ?? true,
    tables,
    ...(database === undefined ? {} : { database }),
    engine,
    duckdb: {
      ...(duckdb.memory_limit === undefined ? {} : { memoryLimit: duckdb.memory_limit }),
      ...(duckdb.threads === undefined ? {} : { threads: duckdb.threads }),
      ...(duckdb.temp_directory === undefined
        ? {}
        : { tempDirectory: resolve(base, duckdb.temp_directory) }),
    },
    ...(cache === undefined ? {} : { cache }),
  };
}

/** `columns:` as the model reads it: each column's headers as a list (one header: a list of one). */
function columnMaps(columns: ConfigValues["columns"]): Partial<Record<InputKind, ColumnMap>> {
  const maps: Partial<Record<InputKind, ColumnMap>> = {};
  for (const kind of INPUT_KINDS) {
    const given = columns?.[kind];
    if (given === undefined) continue;
    maps[kind] = Object.fromEntries(
      Object.entries(given).map(([column, headers]) => [
        column,
        typeof headers === "string" ? [headers] : headers,
      ]),
    );
  }
  return maps;
}
