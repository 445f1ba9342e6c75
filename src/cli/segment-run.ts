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
import type { CompiledSegment, SegmentPlan } from "../segments/definition.js";
import { funnelConditions, type SegmentFunnel } from "../segments/explain.js";
import { findCustomerByKey } from "../model/find-key.js";
import { PhoneNormalizer } from "../model/phone.js";
import type { Profiles } from "../model/profile.js";
import type { SegmentMembers } from "../segments/evaluate.js";
import { prepareRun } from "../segments/prepare-run.js";
import { planSegments } from "../segments/plan-segments.js";
import type { DataNeeds } from "../model/build-profiles.js";
import { didYouMean } from "../suggest.js";
import type { CliContext } from "./context.js";
import { openDuckDbRun, runData, type DataRun, type PreparedSettings } from "./options.js";
import type { DuckDbRun } from "../engine/duckdb/run.js";
import type { SqlRun } from "../engine/sql-run.js";
import { needsPredictions } from "../dsl/env.js";
import { colorEnabled, createTheme } from "../report/theme.js";
import type { InDatabase } from "../io/read-inputs.js";
import type { PostgresWork } from "../io/pg-work.js";

export interface SegmentRun extends DataRun {
  plan: SegmentPlan;
  results: SegmentMembers[];
  segmentFiles: string[];
  /** The funnels `explain` asked for, when counted in the database (`explainInDatabase`). */
  funnels?: SegmentFunnel[];
}

export async function runSegments(
  prepared: PreparedSettings,
  context: CliContext,
  options: {
    hash?: boolean;
    /** What `explain` (and `count --explain`) shows: `explainInDatabase`. */
    explain?: ExplainRequest;
    /**
     * The command reads only counts (count): the database's fast path reads no more of the
     * profiles back (sql-profiles-store.ts `counts`), and counts each segment's members there —
     * its results have the counts and no member arrays.
     */
    counts?: boolean;
  } = {},
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
  const engine = await openEngine(settings, pipeline.plan, asOf, context);
  let run: DataRun;
  let evaluated: Awaited<ReturnType<typeof pipeline.evaluate>> | undefined;
  let funnels: SegmentFunnel[] | undefined;
  try {
    const sql = engine.sql;
    const duckdb = engine.duckdb;
    const postgres = engine.postgres;
    const recorder = sql === undefined ? await duckdb?.recorder(pipeline.plan) : undefined;
    // Profiles and segments both in the database (no TypeScript ingest), when the staging can:
    // DuckDB's loaded files, or (engine postgres) table inputs read into the server's raw tables.
    const inDatabase: InDatabase | undefined =
      sql === undefined ||
      (duckdb === undefined && postgres === undefined) ||
      // explain in the database is tested on DuckDB only: postgres reads through TypeScript.
      (postgres !== undefined && options.explain !== undefined) ||
      writesState(settings, pipeline.plan)
        ? undefined
        : {
            stage: (files, staging) => sql.stageRaw(files, staging),
            eventProperties: sql.eventProperties,
            profiles: async (files) => {
              const { profiles, members, landlines } = await sql.evaluateInDatabase(pipeline.plan, {
                ...(settings.only === undefined ? {} : { only: settings.only }),
                exclusive: settings.exclusive,
                fields: pipeline.needs.fields,
                ...(options.explain?.key === undefined ? {} : { index: true }),
                ...(options.counts === true ? { counts: true } : {}),
              });
              evaluated = { results: members, landlines };
              if (options.explain !== undefined)
                funnels = await explainInDatabase(sql, pipeline.plan, profiles, options.explain, {
                  defaultCountry: settings.defaultCountry,
                });
              const { offsets } = await sql.stagedStats(files);
              return { profiles, offsets };
            },
            ...(postgres === undefined
              ? {}
              : {
                  tables: async (session, inputs, staging) => {
                    const { rawTablesInServer } = await import("../io/pg-stage-tables.js");
                    return rawTablesInServer(postgres, session, inputs, staging);
                  },
                }),
          };
    // The cache of staged inputs serves the runs that stage in the database.
    if (inDatabase !== undefined && duckdb !== undefined && settings.cache !== undefined)
      await openCache(duckdb, settings.cache, context);
    run = await runData(prepared, pipeline.needs, context, {
      ...(options.hash === undefined ? {} : { hash: options.hash }),
      ...(duckdb === undefined ? {} : { duckdb }),
      ...(recorder === undefined ? {} : { recorder }),
      ...(sql === undefined
        ? {}
        : {
            staging: {
              source: sql.source,
              flush: () => sql.flush(),
              restart: () => sql.restage(),
            },
          }),
      ...(inDatabase === undefined ? {} : { inDatabase }),
    });
    evaluated ??= await pipeline.evaluate(
      run.data.profiles,
      sql !== undefined
        ? (...args) => sql.evaluate(...args)
        : duckdb === undefined
          ? undefined
          : (...args) => duckdb.evaluate(...args),
    );
  } finally {
    await engine.close();
  }
  const { results, landlines } = evaluated;
  if (landlines > 0 && !settings.quiet)
    context.stderr.write(
      `${run.errTheme.muted("phones:")} ${formatCount(landlines, "landline")} or other numbers that cannot receive SMS or WhatsApp: not reachable on those channels\n`,
    );
  return {
    ...run,
    plan: pipeline.plan,
    results,
    segmentFiles: loaded.files,
    ...(funnels === undefined ? {} : { funnels }),
  };
}

/** What `explain` shows: the funnels of `funnels` (ids; empty: every segment), or `key`'s trace. */
export interface ExplainRequest {
  funnels?: readonly string[];
  key?: string;
}

/**
 * The segments `ids` asked for (none: every segment), in plan order: those whose funnel is shown.
 */
export function funnelIds(plan: SegmentPlan, ids: readonly string[]): string[] {
  return plan.segments.filter((s) => ids.length === 0 || ids.includes(s.id)).map((s) => s.id);
}

/**
 * `explain` on the fast path of `--engine duckdb`, once the profiles and segments are computed in
 * the database: the funnels asked for, counted in SQL (`SqlRun.funnelCounts`); for a key, the
 * plan's aggregates of the customer it names (`SqlRun.customerAggregates`) put in the store,
 * whose aggregate columns the trace reads (the other customers' stay 0: explain shows one).
 */
async function explainInDatabase(
  sql: SqlRun,
  plan: SegmentPlan,
  profiles: Profiles,
  request: ExplainRequest,
  settings: { defaultCountry: Settings["defaultCountry"] },
): Promise<SegmentFunnel[] | undefined> {
  if (request.key !== undefined) {
    const store = profiles.store;
    const c = findCustomerByKey(store, new PhoneNormalizer(settings.defaultCountry), request.key);
    if (c >= 0) {
      const values = await sql.customerAggregates(plan, c);
      store.aggregates = values.map((value) => {
        const column = new Float64Array(store.size);
        column[c] = value;
        return column;
      });
    }
  }
  if (request.funnels === undefined) return undefined;
  const ids = funnelIds(plan, request.funnels);
  const counts = await sql.funnelCounts(plan, ids);
  const byId = new Map(plan.segments.map((s) => [s.id, s]));
  return ids.map((id, j): SegmentFunnel => {
    const segment = byId.get(id) as CompiledSegment;
    const { passing, matched } = counts.segments[j];
    return {
      id,
      customers: counts.customers,
      steps: funnelConditions(segment.where).map((condition, k) => ({
        text: segment.whereText.slice(condition.span.start, condition.span.end),
        passing: passing[k],
      })),
      matched,
      excludedBy: segment.exclude,
    };
  });
}

/**
 * The data of a command that reads profiles but no segments (rfm, channels), with `needs`. With
 * `--engine duckdb` and the SQL run, the inputs are staged and the profiles built in the database
 * (`SqlRun.evaluateInDatabase` of a plan with no segment), served by the staged cache: no input
 * row goes through the TypeScript readers. Otherwise, and when the staging needs the TypeScript
 * path, the memory engine's reading (`runData`).
 */
export async function runProfiles(
  prepared: PreparedSettings,
  needs: DataNeeds,
  context: CliContext,
): Promise<DataRun> {
  const { settings, asOf } = prepared;
  if (settings.engine !== "duckdb") return runData(prepared, needs, context);
  const plan = planSegments([], asOf);
  const engine = await openEngine(settings, plan, asOf, context);
  try {
    const { sql, duckdb } = engine;
    if (sql === undefined || duckdb === undefined)
      return await runData(prepared, needs, context, duckdb === undefined ? {} : { duckdb });
    if (settings.cache !== undefined) await openCache(duckdb, settings.cache, context);
    return await runData(prepared, needs, context, {
      duckdb,
      inDatabase: {
        stage: (files, staging) => sql.stageRaw(files, staging),
        eventProperties: sql.eventProperties,
        profiles: async (files) => {
          const { profiles } = await sql.evaluateInDatabase(plan, {
            exclusive: false,
            fields: needs.fields,
          });
          const { offsets } = await sql.stagedStats(files);
          return { profiles, offsets };
        },
      },
    });
  } finally {
    await engine.close();
  }
}

/**
 * Opens the cache of staged inputs of `duckdb`, its notices on stderr — with --quiet too: they are
 * neither progress nor the input summary.
 */
async function openCache(duckdb: DuckDbRun, cache: string, context: CliContext): Promise<void> {
  const theme = createTheme(colorEnabled(context.stderrIsTTY, context.env));
  await duckdb.openCache(cache, (line) => {
    context.stderr.write(`${theme.warning("cache")} ${line}\n`);
  });
}

/**
 * Whether a segment is written in the meta format, whose `st` column is the contacts' state or
 * province: the SQL profiles do not stage it, so such runs read with the TypeScript readers.
 */
function writesState(settings: Settings, plan: SegmentPlan): boolean {
  return plan.segments.some((s) => (settings.formatFlag ?? s.format ?? settings.format) === "meta");
}

interface OpenEngine {
  /** `--engine duckdb`: the DuckDB the CSV inputs are loaded in. */
  duckdb?: DuckDbRun;
  /** The SQL run (src/engine/sql-run.ts): profiles and segments in the database. */
  sql?: SqlRun;
  /** `engine: postgres`: the work connection the SQL run is on (src/io/pg-work.ts). */
  postgres?: PostgresWork;
  close(): Promise<void>;
}

/**
 * The engine of a segment run (docs/design.md#engines). `duckdb`: the CSV inputs load in DuckDB,
 * and profiles and segments run there in SQL — except for plans reading prediction fields or
 * a normalised export (key map, order lines), whose profiles the memory engine builds, the
 * segments still running in DuckDB. `postgres`: profiles and segments run in the server, in
 * temporary tables of a connection of the run (src/io/pg-work.ts).
 */
async function openEngine(
  settings: Settings,
  plan: SegmentPlan,
  asOf: number,
  context: CliContext,
): Promise<OpenEngine> {
  if (settings.engine === "memory") return { close: () => Promise.resolve() };
  const { SqlRun } = await import("../engine/sql-run.js");
  const normalised = (["key_map", "order_lines"] as const).some(
    (kind) => (settings.inputs[kind]?.length ?? 0) > 0 || settings.tables[kind] !== undefined,
  );
  // Fitted in TypeScript (src/predict): the SQL profile builder does not compute them.
  const prediction = plan.fields.find((f) => needsPredictions(f));
  const runOptions = {
    asOf,
    rfm: settings.rfm,
    ...(settings.currency === undefined ? {} : { currency: settings.currency }),
    ...(settings.exchangeRates === undefined ? {} : { exchangeRates: settings.exchangeRates }),
  };
  if (settings.engine === "postgres") {
    if (prediction !== undefined || normalised) {
      throw new UsageError(
        "ENGINE_UNSUPPORTED",
        prediction !== undefined
          ? `${prediction} is fitted in TypeScript (BG/NBD): engine postgres does not compute it`
          : "a normalised export (key_map:, order_lines:) is not read by engine postgres",
        { hint: "run these segments with --engine memory (the inputs are read the same way)" },
      );
    }
    const { engineDatabase, openPostgresWork } = await import("../io/pg-work.js");
    const work = await openPostgresWork(engineDatabase(settings, context.env));
    try {
      const sql = await SqlRun.start(work, plan, runOptions);
      return {
        sql,
        postgres: work,
        close: async () => {
          try {
            await sql.close();
          } finally {
            await work.close();
          }
        },
      };
    } catch (error) {
      await work.close();
      throw error;
    }
  }
  const duckdb = await openDuckDbRun(settings);
  try {
    const sql =
      prediction === undefined && !normalised
        ? await SqlRun.start(await duckdb.sqlTarget(), plan, runOptions)
        : undefined;
    return {
      duckdb,
      ...(sql === undefined ? {} : { sql }),
      close: async () => {
        try {
          await sql?.close();
        } finally {
          await duckdb.close();
        }
      },
    };
  } catch (error) {
    await duckdb.close();
    throw error;
  }
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
