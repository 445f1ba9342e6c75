/**
 * Reads the inputs of a run, once each and in order (contacts, a normalised export's key map and
 * order lines, orders, events, lists), into customer profiles. Only orders is required.
 */
import { open, readdir, rename, rm, stat } from "node:fs/promises";
import type { WriteStream } from "node:fs";
import { dirname, basename, join } from "node:path";
import { stringify } from "csv-stringify/sync";
import type { InputKind } from "../model/presets.js";
import type { FilePath, Settings } from "../config/settings.js";
import type { EpochDay } from "../calendar.js";
import { UsageError, UserError } from "../errors.js";
import type { DataNeeds } from "../model/build-profiles.js";
import type { DuckDbRun, LoadedInputs } from "../engine/duckdb/run.js";
import type { ProfileCache, RawInput, SqlRun } from "../engine/sql-run.js";
import type { StagingSource } from "../engine/staging-source.js";
import { IngestContext, type FileStats, type IngestRecorder } from "../model/ingest-context.js";
import { formatInteger } from "../report/table.js";
import { ingestOptions } from "../config/ingest-options.js";
import { Profiles } from "../model/profile.js";
import { READ_ORDER, sinkFor } from "../model/input-sinks.js";
import { insideAudienceOutput } from "./output-guard.js";
import { RejectLog, type RejectRecord } from "../model/rejects.js";
import { MAX_READINGS, type IdentityHints } from "../model/store.js";
import type { CsvReadResult } from "./parse-csv.js";
import { CsvReaders } from "./csv-threads.js";
import type { TableSession } from "./read-tables.js";
import { tableDisplay, type TableSource } from "../config/table-input.js";
import type { PlanExpr } from "../dsl/plan.js";
import type { IngestOptions } from "../model/ingest-context.js";
import type { RawTableFile, StagedTableInput, TableInput } from "./pg-stage-tables.js";

export interface Progress {
  file: string;
  kind: InputKind;
  bytes: number;
  totalBytes: number;
  rows: number;
  /** A table input: rows only, no bytes. */
  table?: boolean;
}

export interface LoadOptions {
  settings: Settings;
  asOf: EpochDay;
  needs: DataNeeds;
  /** Hash the inputs (build manifest). */
  hash?: boolean;
  /** The environment, for `database: env:NAME`. */
  env?: Readonly<Record<string, string | undefined>>;
  onProgress?: (progress: Progress) => void;
  /** `--engine duckdb`: the run whose DuckDB reads the files (docs/design.md#engines); absent: the memory engine. */
  duckdb?: DuckDbRun;
  /** Where the sinks also write the rows they count (an engine's tables). */
  recorder?: IngestRecorder;
  /**
   * The SQL run's staging (src/engine/sql-run.ts): its source wraps every sink and is the
   * recorder; `flush` is awaited after each input; `restart` forgets every staged row, before a
   * reading again of the inputs (docs/design.md#inputs identity: which rows an order keeps can
   * depend on identity, so the staging is the last reading's).
   */
  staging?: { source: StagingSource; flush(): Promise<void>; restart(): Promise<void> };
  /**
   * `--engine duckdb` with the SQL run: every file loaded into its raw table is staged in SQL and
   * the profiles come from the database — no TypeScript ingest of rows — unless a file's header
   * stops the run, a load fails, or the staging needs the TypeScript path: then the whole run
   * takes it, from the tables already loaded. `engine: postgres` with every input a table or a
   * query: the same, the raw tables filled in the server (`InDatabase.tables`).
   */
  inDatabase?: InDatabase;
}

/** What `loadProfiles` needs of the SQL run to read the inputs in the database. */
export interface InDatabase {
  stage: SqlRun["stageRaw"];
  /** The event columns the plan filters on (staged with the events). */
  eventProperties: readonly string[];
  /**
   * The profiles from the staged rows (`SqlRun.evaluateInDatabase`), with the per-file counts of
   * `files` filled from SQL (staged-stats.ts) and the UTC offsets their timestamps carry.
   */
  profiles(
    files: readonly { kind: InputKind; file: number; stats: FileStats }[],
  ): Promise<{ profiles: Profiles; offsets: number[] }>;
  /**
   * `engine: postgres`: fills the raw tables of the table inputs (every input of the run, in
   * reading order) in the server, on `session`'s snapshot (pg-stage-tables.ts `loadRawTables`).
   * Throws the error `TableSession.read` would meet on one of them (the run then reads them with
   * `read`, which meets it where the memory engine does).
   */
  tables?(
    session: TableSession,
    inputs: readonly TableInput[],
    options: { ingest: IngestOptions; ordersFilter: PlanExpr | undefined },
  ): Promise<{ files: RawTableFile[]; inputs: StagedTableInput[] } | undefined>;
}

export interface InputReport extends FilePath {
  kind: InputKind;
  /** A table input's database, without the password (the manifest records it). */
  database?: string;
  read: CsvReadResult;
  stats: FileStats;
}

export interface LoadedData {
  profiles: Profiles;
  rejects: RejectLog;
  inputs: InputReport[];
  /** Whether the orders have amounts (a total or line prices): else monetary values are unknown. */
  amounts: boolean;
  /** The UTC offsets (minutes) the files' timestamps carry, ascending. */
  offsets: number[];
}

export async function loadProfiles(options: LoadOptions): Promise<LoadedData> {
  const { settings } = options;
  if (
    (settings.inputs.orders === undefined || settings.inputs.orders.length === 0) &&
    settings.tables.orders === undefined
  ) {
    throw new UsageError(
      "NO_ORDERS",
      "no orders file: pass --orders FILE, or --config with an `orders:` path",
      {
        hint: "with an audience.yaml in the current folder, it is used by default",
      },
    );
  }
  // docs/design.md#inputs identity: while a reading depended on row order, the inputs are read
  // again with the hints it gives. The recorder and the SQL staging keep the last reading's rows:
  // a row of an order is kept or rejected ("order_id already used by another customer") by
  // whose its identifiers are.
  const recorder = options.recorder;
  const again = recorder === undefined || recorder.restart !== undefined;
  let hints: IdentityHints | undefined;
  for (let reading = 1; ; reading++) {
    if (reading > 1) {
      await recorder?.restart?.();
      await options.staging?.restart();
    }
    const data = await readInputs(options, hints, again && reading < MAX_READINGS);
    if ("loaded" in data) return data.loaded;
    hints = data.hints;
  }
}

/**
 * One reading of every input. With `retry`, a reading that depended on row order gives the hints
 * of the next one instead (its rejects file is not written).
 */
async function readInputs(
  options: LoadOptions,
  previous: IdentityHints | undefined,
  retry: boolean,
): Promise<{ loaded: LoadedData } | { hints: IdentityHints }> {
  const { settings, asOf, needs } = options;
  let rejectsFile: RejectsFile | undefined;
  const rejects = new RejectLog({
    strict: settings.strict,
    ...(settings.rejects === undefined
      ? {}
      : { listener: (r: RejectRecord) => rejectsFile?.write(r) }),
  });
  const ctx = new IngestContext(ingestOptions(settings, asOf, needs), rejects);
  ctx.store.hints = previous;
  const staging = options.staging;
  ctx.recorder = staging?.source ?? options.recorder;
  const duckdb = options.duckdb;
  const sinkOf = (kind: InputKind, display: string) => {
    const sink = sinkFor(ctx, kind, display, needs.ordersFilter);
    return staging === undefined ? sink : staging.source.wrap(kind, sink);
  };

  const inputs: InputReport[] = [];
  const files: { kind: InputKind; input: FilePath }[] = [];
  /** Every input in reading order: a file (its index in `files`) or a table. */
  const sources: ({ kind: InputKind; file: number } | { kind: InputKind; table: TableSource })[] =
    [];
  for (const kind of READ_ORDER) {
    const table = settings.tables[kind];
    if (table !== undefined) sources.push({ kind, table });
    for (const input of await expandPatterns(kind, settings.inputs[kind] ?? [])) {
      sources.push({ kind, file: files.length });
      files.push({ kind, input });
    }
  }
  const csvSources = files.map(({ input }) => {
    return {
      path: input.path,
      display: input.display,
      ...(settings.delimiter === undefined ? {} : { delimiter: settings.delimiter }),
    };
  });
  const project = settings.rejects === undefined;
  // The memory engine's reading threads start parsing at once: only for that engine.
  const readers =
    duckdb === undefined
      ? new CsvReaders(csvSources, { hash: options.hash ?? false, project })
      : undefined;
  let session: TableSession | undefined;
  let loaded: LoadedInputs | undefined;
  /** Read in the database (`inDatabase`). */
  let profiles: Profiles | undefined;
  /** The UTC offsets of the inputs read in the database. */
  let stagedOffsets: number[] = [];
  try {
    const firstTable = sources.find((s) => "table" in s);
    if (firstTable !== undefined && "table" in firstTable) {
      if (duckdb !== undefined) {
        throw new UsageError(
          "ENGINE_TABLE_INPUTS",
          `${tableDisplay(firstTable.kind, firstTable.table)}: the duckdb engine reads files only; inputs read from a database run with engine postgres (in the server) or the memory engine`,
          {
            hint: "pass --engine postgres (or set engine: postgres in audience.yaml), or drop --engine duckdb, for this config",
          },
        );
      }
      // pg is loaded by runs that read tables only.
      const tables = await import("./read-tables.js");
      const target = tables.databaseTarget(settings.database, options.env ?? {}, {
        kind: firstTable.kind,
        source: firstTable.table,
      });
      session = await tables.TableSession.open(target);
    }
    if (settings.rejects !== undefined) {
      rejectsFile = await RejectsFile.open(settings.rejects, [
        ...(settings.configFile === undefined ? [] : [settings.configFile]),
        ...files.map((f) => f.input),
        ...settings.segments,
      ]);
    }
    const unordered: string[] = [];
    const progress = (display: string, kind: InputKind, rows: () => number) =>
      options.onProgress === undefined
        ? undefined
        : (bytes: number) =>
            options.onProgress?.({ file: display, kind, bytes, totalBytes: 0, rows: rows() });
    // --engine duckdb: every file into its raw table first, for the SQL staging (the first
    // reading's: a reading again takes the TypeScript path, whose staging the first one did).
    const inDatabase = previous === undefined ? options.inDatabase : undefined;
    loaded =
      duckdb === undefined || inDatabase === undefined
        ? undefined
        : await duckdb.load(csvSources, {
            hash: options.hash ?? false,
            onLoaded: (i, raw) =>
              progress(files[i].input.display, files[i].kind, () => raw.rows)?.(raw.read.bytes),
            cache: {
              kinds: cacheKinds(files, needs),
              ingest: ingestOptions(settings, asOf, needs),
              ...(settings.delimiter === undefined ? {} : { delimiter: settings.delimiter }),
              eventProperties: inDatabase.eventProperties,
            },
          });
    if (loaded !== undefined && loaded.failed === undefined && inDatabase !== undefined) {
      const inputsLoaded = loaded;
      const staged = await stageInDatabase(inDatabase, files, loaded, {
        settings,
        asOf,
        needs,
        rejects,
        staged: () => (duckdb as DuckDbRun).saveStaged(csvSources, inputsLoaded),
        profileCache: (duckdb as DuckDbRun).profileCache(csvSources, inputsLoaded),
      });
      if (staged !== undefined) {
        inputs.push(...staged.inputs);
        profiles = staged.profiles;
        stagedOffsets = staged.offsets;
      }
    }
    // engine postgres, every input a table or a query: their raw tables filled in the server.
    if (inDatabase?.tables !== undefined && session !== undefined && files.length === 0) {
      const staged = await stageTablesInDatabase(inDatabase, session, sources, {
        settings,
        asOf,
        needs,
        rejects,
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      });
      if (staged !== undefined) {
        inputs.push(...staged.inputs);
        unordered.push(...staged.unordered);
        profiles = staged.profiles;
        stagedOffsets = staged.offsets;
      }
    }
    for (const source of profiles === undefined ? sources : []) {
      const kind = source.kind;
      if ("table" in source) {
        const display = tableDisplay(kind, source.table);
        const sink = sinkOf(kind, display);
        const stats = ctx.stats[ctx.stats.length - 1];
        const onRows = options.onProgress;
        const read = await (session as TableSession).read(kind, source.table, display, sink, {
          decimal: settings.decimal,
          project: settings.rejects === undefined,
          ...(onRows === undefined
            ? {}
            : {
                onRows: (rows: number) =>
                  onRows({ file: display, kind, bytes: 0, totalBytes: 0, rows, table: true }),
              }),
        });
        sink.finish?.();
        await staging?.flush();
        if (read.unordered) unordered.push(display);
        inputs.push({
          path: "",
          display,
          kind,
          database: (session as TableSession).target.shown,
          read: {
            rows: read.rows,
            bytes: 0,
            encoding: "utf-8",
            windows1252Bytes: 0,
            delimiter: ",",
            gzip: false,
          },
          stats,
        });
        continue;
      }
      const { input } = files[source.file];
      const sink = sinkOf(kind, input.display);
      const stats = ctx.stats[ctx.stats.length - 1];
      const onBytes = progress(input.display, kind, () => stats.rows);
      const read =
        readers !== undefined
          ? await readers.read(source.file, sink, onBytes)
          : await (duckdb as DuckDbRun).read(
              csvSources[source.file],
              sink,
              {
                hash: options.hash ?? false,
                project,
                ...(onBytes === undefined ? {} : { onBytes }),
              },
              loaded?.raw[source.file],
            );
      sink.finish?.();
      await staging?.flush();
      if (read.windows1252Bytes > 0) {
        stats.warnings.push(
          `${input.display} is not valid UTF-8: ${read.windows1252Bytes} byte(s) read as Windows-1252`,
        );
      }
      inputs.push({ ...input, kind, read, stats });
    }
    if (profiles === undefined) ctx.reportOrphanLines();
    if (unordered.length > 0) {
      const first = inputs.find((i) => i.display === unordered[0]);
      first?.stats.warnings.push(
        `${unordered.join(", ")} ${unordered.length === 1 ? "has" : "have"} no primary key and no order_by: rows come in the order the server chooses, which is not guaranteed, so ties (which of two rows of a customer counts first) may break differently from one run to the next; add order_by: in audience.yaml`,
      );
    }
    if (retry && ctx.store.readAgain()) {
      await rejectsFile?.abort();
      return { hints: ctx.store.identityHints(previous) };
    }
    checkCurrencies(inputs, settings);
    await rejectsFile?.commit();
  } catch (error) {
    await rejectsFile?.abort();
    throw error;
  } finally {
    await readers?.close();
    await session?.close();
    if (loaded !== undefined) await duckdb?.release(loaded.tables);
  }
  const amounts = inputs.some((i) => i.kind === "orders" && i.stats.hasAmount);
  return {
    loaded: {
      profiles: profiles ?? new Profiles(ctx.store, asOf, settings.rfm),
      rejects,
      inputs,
      amounts,
      offsets: [...new Set([...ctx.offsets, ...stagedOffsets])].sort((a, b) => a - b),
    },
  };
}

/**
 * The files of each kind whose staging the cache may hold (duckdb/staged-cache.ts): every kind
 * the SQL staging stages, but orders with an `orders_filter:` (which take the TypeScript path).
 */
function cacheKinds(
  files: readonly { kind: InputKind }[],
  needs: DataNeeds,
): { kind: "contacts" | "orders" | "events" | "lists"; files: number[] }[] {
  const kinds: { kind: "contacts" | "orders" | "events" | "lists"; files: number[] }[] = [];
  for (const kind of ["contacts", "orders", "events", "lists"] as const) {
    if (kind === "orders" && needs.ordersFilter !== undefined) continue;
    const indexes = files.flatMap((f, i) => (f.kind === kind ? [i] : []));
    if (indexes.length > 0) kinds.push({ kind, files: indexes });
  }
  return kinds;
}

/**
 * The fast path of `--engine duckdb` (`LoadOptions.inDatabase`), for files all loaded: each
 * header bound in reading order as the sinks bind it (an error on one stops nothing here: the
 * TypeScript path raises it where the memory engine does), then the SQL staging, the rejects
 * replayed into `rejects`, and the profiles read from the database. `undefined`: the run takes the
 * TypeScript path (nothing staged).
 */
async function stageInDatabase(
  inDatabase: InDatabase,
  files: readonly { kind: InputKind; input: FilePath & { database?: string } }[],
  loaded: {
    tables: readonly Pick<LoadedInputs["tables"][number], "table" | "header" | "width" | "read">[];
    restored: readonly Pick<LoadedInputs["restored"][number], "kind" | "restore">[];
  },
  run: {
    settings: Settings;
    asOf: EpochDay;
    needs: DataNeeds;
    rejects: RejectLog;
    /** Once staged, before the profiles (the cache stores the staging then). */
    staged(): Promise<void>;
    /** The cache of the profile build of these files (duckdb/profile-cache.ts). */
    profileCache?: ProfileCache | undefined;
  },
): Promise<{ inputs: InputReport[]; profiles: Profiles; offsets: number[] } | undefined> {
  const { settings, asOf, needs, rejects } = run;
  const options = ingestOptions(settings, asOf, needs);
  const ctx = new IngestContext(options, rejects);
  // The orders' FileStats are the staging's (stageOrders binds their headers on `ctx`), but for
  // orders restored from the cache, whose headers bind here.
  const restoredKinds = new Set<InputKind>(loaded.restored.map((r) => r.kind));
  const scratch = new IngestContext(options, new RejectLog());
  const raws: RawInput[] = [];
  const stats: (FileStats | undefined)[] = [];
  const perKind = new Map<InputKind, number>();
  for (const [i, { kind, input }] of files.entries()) {
    const raw = loaded.tables[i];
    const staging = kind === "orders" && !restoredKinds.has(kind);
    const on = staging ? scratch : ctx;
    try {
      sinkFor(on, kind, input.display, needs.ordersFilter).header([...raw.header]);
    } catch (error) {
      if (error instanceof UserError) {
        return undefined;
      }
      throw error;
    }
    stats.push(staging ? undefined : on.stats[on.stats.length - 1]);
    const file = perKind.get(kind) ?? 0;
    perKind.set(kind, file + 1);
    raws.push({
      kind,
      file,
      display: input.display,
      table: raw.table,
      width: raw.width,
      header: raw.header,
    });
  }
  const staged = await inDatabase.stage(raws, {
    ctx,
    rejects,
    strict: settings.strict,
    ordersFilter: needs.ordersFilter,
    ...(loaded.restored.length === 0
      ? {}
      : {
          restored: {
            kinds: restoredKinds,
            restore: async (restoring) => {
              for (const r of loaded.restored) await r.restore(restoring);
            },
          },
        }),
    ...(run.profileCache === undefined
      ? {}
      : { profiles: { cache: run.profileCache, fields: needs.fields } }),
  });
  if (!staged.staged) {
    return undefined;
  }
  await run.staged();
  const orders = [...staged.orders];
  const inputs = files.map(({ kind, input }, i): InputReport => {
    const read = loaded.tables[i].read;
    const fileStats = stats[i] ?? (orders.shift() as FileStats);
    if (kind !== "orders" || restoredKinds.has(kind)) fileStats.rows = read.rows;
    if (read.windows1252Bytes > 0)
      fileStats.warnings.push(
        `${input.display} is not valid UTF-8: ${read.windows1252Bytes} byte(s) read as Windows-1252`,
      );
    return { ...input, kind, read, stats: fileStats };
  });
  const { profiles, offsets } = await inDatabase.profiles(
    inputs.map((input, i) => ({ kind: input.kind, file: raws[i].file, stats: input.stats })),
  );
  return { inputs, profiles, offsets };
}

/**
 * The fast path of `engine: postgres` for a run whose inputs are all tables or queries
 * (`InDatabase.tables`): their raw tables filled in the server, then staged as `stageInDatabase`
 * stages loaded files. `undefined`: the run reads them with `TableSession.read` (an input meets
 * an error there, or the staging needs the TypeScript path); nothing is staged.
 */
async function stageTablesInDatabase(
  inDatabase: InDatabase,
  session: TableSession,
  sources: readonly ({ kind: InputKind; file: number } | { kind: InputKind; table: TableSource })[],
  run: {
    settings: Settings;
    asOf: EpochDay;
    needs: DataNeeds;
    rejects: RejectLog;
    onProgress?: (progress: Progress) => void;
  },
): Promise<
  { inputs: InputReport[]; profiles: Profiles; offsets: number[]; unordered: string[] } | undefined
> {
  const { settings, asOf, needs } = run;
  const tables = inDatabase.tables;
  if (tables === undefined) return undefined;
  const inputs = sources.flatMap((s) => ("table" in s ? [{ kind: s.kind, table: s.table }] : []));
  let raw: Awaited<ReturnType<typeof tables>>;
  try {
    raw = await tables(session, inputs, {
      ingest: ingestOptions(settings, asOf, needs),
      ordersFilter: needs.ordersFilter,
    });
  } catch (error) {
    if (error instanceof UserError) return undefined;
    throw error;
  }
  if (raw === undefined) return undefined;
  const database = session.target.shown;
  const reads = raw.inputs.map((input) => {
    run.onProgress?.({
      file: input.display,
      kind: input.kind,
      bytes: 0,
      totalBytes: 0,
      rows: input.rows,
      table: true,
    });
    const read: CsvReadResult = {
      rows: input.rows,
      bytes: 0,
      encoding: "utf-8",
      windows1252Bytes: 0,
      delimiter: ",",
      gzip: false,
    };
    return read;
  });
  const staged = await stageInDatabase(
    inDatabase,
    raw.inputs.map((input) => ({
      kind: input.kind,
      input: { path: "", display: input.display, database },
    })),
    {
      tables: raw.files.map((f, i) => ({ ...f, read: reads[i] })),
      restored: [],
    },
    { ...run, staged: () => Promise.resolve() },
  );
  if (staged === undefined) return undefined;
  return { ...staged, unordered: raw.inputs.filter((i) => i.unordered).map((i) => i.display) };
}

/**
 * Amounts in different currencies cannot be added: orders in several currencies stop the run,
 * unless `currency:` keeps one or `exchange_rates:` converts them all.
 */
function checkCurrencies(inputs: readonly InputReport[], settings: Settings): void {
  const counts = new Map<string, number>();
  for (const input of inputs) {
    for (const [currency, n] of input.stats.currencies)
      if (currency !== "") counts.set(currency, (counts.get(currency) ?? 0) + n);
  }
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const listed = sorted.map(([c, n]) => `${c} ${formatInteger(n)}`).join(", ");
  const rates = settings.exchangeRates;
  if (rates !== undefined) {
    const missing = [...counts.keys()].filter((c) => c !== rates.reporting && !rates.rates.has(c));
    if (missing.length > 0) {
      throw new UserError(
        "NO_EXCHANGE_RATE",
        `orders in ${missing.join(", ")} have no rate in exchange_rates (orders by currency: ${listed})`,
        {
          hint: `add the value of one ${missing[0]} in ${rates.reporting}, e.g.  exchange_rates: { ${missing[0]}: 1.0 }`,
        },
      );
    }
    return;
  }
  if (settings.currency !== undefined || counts.size <= 1) return;
  const [first, ...others] = sorted.map(([c]) => c);
  throw new UserError(
    "MIXED_CURRENCIES",
    `the orders are in ${counts.size} currencies (${listed} orders): amounts in different currencies cannot be added`,
    {
      hint:
        `count the orders of one currency only, in audience.yaml:  currency: ${first}\n` +
        `  or convert them into one:  reporting_currency: ${first}  with  exchange_rates: { ${others.map((c) => `${c}: <value of 1 ${c} in ${first}>`).join(", ")} }`,
    },
  );
}

const PATTERN = /[*?[]/;

/**
 * An input's files: each path as given, or the files a name pattern (`orders_export*.csv`, `*`,
 * `?` and `[…]` in the file name) matches in its folder; all in name order, each once.
 */
export async function expandPatterns(
  kind: InputKind,
  paths: readonly FilePath[],
): Promise<FilePath[]> {
  const out = new Map<string, FilePath>();
  for (const file of paths) {
    const slash = Math.max(file.path.lastIndexOf("/"), file.path.lastIndexOf("\\"));
    const name = file.path.slice(slash + 1);
    if (!PATTERN.test(name)) {
      out.set(file.path, file);
      continue;
    }
    const dir = file.path.slice(0, slash);
    const displayDir = file.display.slice(0, Math.max(0, file.display.lastIndexOf("/") + 1));
    const matcher = patternRegExp(name);
    const names = await readdir(dir === "" ? "/" : dir).catch(() => [] as string[]);
    const matched = names.filter((n) => matcher.test(n));
    if (matched.length === 0) {
      throw new UserError("NO_FILE_MATCHES", `${kind}: no file matches ${file.display}`, {
        hint: "a pattern matches file names in one folder: * any characters, ? one character",
      });
    }
    for (const n of matched) {
      const path = join(dir === "" ? "/" : dir, n);
      out.set(path, { path, display: `${displayDir}${n}` });
    }
  }
  return [...out.values()].sort((a, b) => compareNames(a.display, b.display));
}

const COLLATOR = new Intl.Collator("en", { numeric: true, sensitivity: "variant" });

/** Name order with numbers in turn: `export (2).csv` before `export (10).csv`. */
export function compareNames(a: string, b: string): number {
  return COLLATOR.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

function patternRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "*") source += "[^/]*";
    else if (ch === "?") source += "[^/]";
    else if (ch === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) source += "\\[";
      else {
        source += `[${pattern.slice(i + 1, end).replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else source += ch.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/** `--rejects FILE`: every skipped row as CSV (file, line, reason, raw), written all at once at the end. */
class RejectsFile {
  private readonly target: FilePath;
  private readonly temp: string;
  private readonly stream: WriteStream;
  private failed: NodeJS.ErrnoException | undefined;

  private constructor(target: FilePath, temp: string, stream: WriteStream) {
    this.target = target;
    this.temp = temp;
    this.stream = stream;
    this.stream.on("error", (error) => {
      this.failed = error;
    });
    this.stream.write(stringify([["file", "line", "reason", "raw"]]));
  }

  /**
   * Checks the target and opens the temporary file beside it before any data is read: a bad
   * --rejects path fails the run at once, and never replaces one of the run's own files.
   */
  static async open(target: FilePath, protectedFiles: readonly FilePath[]): Promise<RejectsFile> {
    const info = await stat(target.path).catch(() => undefined);
    if (info?.isDirectory()) {
      throw new UsageError("REJECTS_IS_A_FOLDER", `--rejects ${target.display} is a folder`, {
        hint: "give a file name for the rejected rows, e.g. --rejects rejects.csv",
      });
    }
    if (info !== undefined) {
      for (const file of protectedFiles) {
        const other = await stat(file.path).catch(() => undefined);
        if (other !== undefined && other.dev === info.dev && other.ino === info.ino) {
          const same = file.display === target.display ? "" : ` (${file.display})`;
          throw new UsageError(
            "REJECTS_IS_AN_INPUT",
            `--rejects ${target.display} is a file this run reads${same}: it would be overwritten`,
            { hint: "give another file name for the rejected rows, e.g. --rejects rejects.csv" },
          );
        }
      }
    }
    if (await insideAudienceOutput(target.path)) {
      throw new UsageError(
        "REJECTS_IN_OUTPUT",
        `--rejects ${target.display} is inside an output folder of audience: the next build would delete it`,
        { hint: "write the rejected rows beside the output folder, e.g. --rejects rejects.csv" },
      );
    }
    const temp = join(dirname(target.path), `.${basename(target.path)}.${process.pid}.tmp`);
    let handle;
    try {
      handle = await open(temp, "w");
    } catch (error) {
      throw rejectsError(target, error as NodeJS.ErrnoException);
    }
    return new RejectsFile(target, temp, handle.createWriteStream());
  }

  write(record: RejectRecord): void {
    this.stream.write(
      stringify([
        [
          record.file,
          String(record.line),
          record.reason,
          stringify([record.fields]).replace(/\r?\n$/, ""),
        ],
      ]),
    );
  }

  async commit(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.end(resolve));
    try {
      if (this.failed !== undefined) throw this.failed;
      await rename(this.temp, this.target.path);
    } catch (error) {
      await rm(this.temp, { force: true });
      throw rejectsError(this.target, error as NodeJS.ErrnoException);
    }
  }

  async abort(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.end(resolve));
    await rm(this.temp, { force: true });
  }
}

function rejectsError(target: FilePath, error: NodeJS.ErrnoException): UserError {
  const reasons: Record<string, string> = {
    ENOENT: "its folder does not exist",
    ENOTDIR: "its folder does not exist",
    EACCES: "permission denied",
    EPERM: "permission denied",
    EROFS: "the file system is read-only",
    ENOSPC: "no space left on the device",
    EISDIR: "it is a folder",
  };
  const reason = reasons[error.code ?? ""] ?? error.code ?? error.message;
  return new UserError(
    "REJECTS_UNWRITABLE",
    `cannot write --rejects file ${target.display}: ${reason}`,
  );
}
