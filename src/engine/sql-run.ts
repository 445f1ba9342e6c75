/**
 * The SQL run of a segment plan, whatever the database (docs/design.md#engines): the staging
 * tables (src/sql/staging.ts) → identity and profiles in SQL (src/sql/profiles-sql.ts) → the
 * plan compiled to one statement (src/sql/compile.ts) → only the members, with their reachability
 * and --exclusive assignment, back as the `SegmentMembers` the shared writer takes.
 *
 * The staging tables are filled from the raw tables of the loaded inputs in SQL (`stageRaw`), or,
 * on the TypeScript path, while the inputs are read, by the staging source (staging-source.ts)
 * the run hands out. Two modes:
 * - `evaluateInDatabase`: the profiles the rest of the CLI reads (counts, RFM, channels, the
 *   writer's columns and guards) are read back from the database too (sql-profiles-store.ts);
 *   no TypeScript ingest is needed.
 * - `evaluate` (check mode): they are the memory engine's, read in the same pass; the run checks
 *   that the database found the same customers (count and keys), so a member index is the same
 *   customer on both sides.
 *
 * Plans that read prediction fields (fitted in TypeScript, src/predict) are not for this run:
 * `buildProfileTables` refuses them.
 */
import type { PlanExpr } from "../dsl/plan.js";
import type { ExchangeRates, FileStats, IngestContext } from "../model/ingest-context.js";
import type { RejectLog } from "../model/rejects.js";
import type { InputKind } from "../model/presets.js";
import { PhoneTypes } from "../model/phone-type.js";
import type { Profiles } from "../model/profile.js";
import type { RfmSettings } from "../rfm/settings.js";
import type { CompiledSegment, SegmentPlan } from "../segments/definition.js";
import type { SegmentMembers } from "../segments/evaluate.js";
import {
  compileCustomerAggregatesSql,
  compileFunnelSql,
  compileSegmentsSql,
} from "../sql/compile.js";
import { funnelConditions } from "../segments/explain.js";
import { buildProfileTables, type ProfileBuildResult } from "../sql/profiles-sql.js";
import { sendsTexts } from "../segments/prepare-run.js";
import { createStagingStatements, STAGING, STAGING_LAYOUT } from "../sql/staging.js";
import { TABLES } from "../sql/tables.js";
import { stageOrders } from "../sql/stage-orders.js";
import { fillStagedStats, type StagedStatsFile } from "../sql/staged-stats.js";
import { stageConsentWarnings } from "../sql/stage-consent.js";
import { STAGE_ORDER_KEYS, stageOrderKeyWarnings } from "../sql/stage-order-keys.js";
import { stagePeople, type PeopleFile } from "../sql/stage-people.js";
import {
  createStageRejectStatements,
  replayStaged,
  STAGE_REJECTS,
  STAGE_WARNINGS,
  type StagedFile,
} from "../sql/stage-rejects.js";
import type { SqlSession } from "./session.js";
import { readSqlProfiles, storeFields } from "./sql-profiles-store.js";
import { SegmentRows } from "./segment-rows.js";
import { StagingSource, type StagingLoader } from "./staging-source.js";

export interface SqlRunOptions {
  asOf: number;
  rfm: RfmSettings;
  currency?: string;
  exchangeRates?: ExchangeRates;
}

/** What the SQL run needs of a database: a session, and a loader of staging rows on it. */
export interface SqlTarget {
  session: SqlSession;
  /** Created once the staging tables exist. */
  /** `writeAll`: every row appended so far in its table (the loader may buffer past `flush`). */
  loader(): Promise<StagingLoader & { close(): Promise<void>; writeAll(): Promise<void> }>;
}

/** An input loaded into a raw table (duckdb/read.ts), as staging takes it. */
export interface RawInput extends StagedFile {
  header: readonly string[];
}

/**
 * Where a SQL run keeps what its profile build made of the staged inputs between runs
 * (duckdb/profile-cache.ts, in the load cache): an entry for the run's files and their staging
 * keys, and `key`, the run's text of every other setting that changes the build (`profileKey`).
 * The cache is never a source of truth: a miss builds, and stores what it built.
 */
export interface ProfileCache {
  /** The stored tables (name as stored → where to read it) and meta for `key`, or undefined. */
  lookup(key: string): Promise<{ tables: ReadonlyMap<string, string>; meta: string } | undefined>;
  /** Stores `tables` of the run's database and `meta` as the entry for `key`. */
  save(key: string, tables: readonly string[], meta: string): Promise<void>;
}

/** What a profile cache entry keeps beside its tables. */
interface ProfileMeta {
  /** The profile columns built (`SqlRun.columns`). */
  columns: string[];
  built: ProfileBuildResult;
  /** The per-file counts `fillStagedStats` filled, in the order of `stagedStats`' files. */
  stats: StoredStats[];
  offsets: number[];
}

/** The FileStats fields `fillStagedStats` fills (staged-stats.ts), with the maps as entries. */
type StoredStats = Omit<
  Pick<FileStats, FilledStat | "statuses" | "currencies">,
  "statuses" | "currencies"
> & {
  statuses: [string, { orders: number; counted: boolean }][];
  currencies: [string, number][];
};

const FILLED_STATS = [
  "kind",
  "rows",
  "merged",
  "mergedBy",
  "keptApart",
  "created",
  "orders",
  "excludedStatus",
  "afterAsOf",
  "otherCurrency",
  "duplicates",
] as const;
type FilledStat = (typeof FILLED_STATS)[number];

/** The tables a profile cache entry holds: the build's, and the warnings once it added its own. */
const PROFILE_CACHE_TABLES: readonly string[] = [...Object.values(TABLES), STAGE_WARNINGS];

/** Phones per INSERT of `stageUntextablePhones`. */
const UNTEXTABLE_BATCH = 1000;

export class SqlRun {
  /** The last build's counts (customers, buyers, identity passes). */
  built: ProfileBuildResult | undefined;
  /** The staged rejects and warnings of `stageRaw`, handed to the run's log after the build. */
  private replay: { rejects: RejectLog; files: readonly StagedFile[] } | undefined;
  /**
   * The profile cache of `stageRaw`: `hit`, the entry found for `key` with every column this run
   * reads (nothing was staged: the build is restored from it); else the build is stored there
   * once its per-file counts are in, with the columns of the entry found too (`more`: what
   * another command reads), so that runs of different commands share one entry.
   */
  private cached:
    | {
        cache: ProfileCache;
        key: string;
        hit?: { tables: ReadonlyMap<string, string>; meta: ProfileMeta };
        more?: readonly string[];
      }
    | undefined;
  /** The profile columns of the last build. */
  private builtColumns: readonly string[] = [];

  private constructor(
    private readonly target: SqlTarget,
    private readonly loader: StagingLoader & {
      close(): Promise<void>;
      writeAll(): Promise<void>;
    },
    /** The recorder to give the ingest, whose sinks it stages. */
    readonly source: StagingSource,
    private readonly options: SqlRunOptions,
    /** The event properties the plan filters on. */
    readonly eventProperties: readonly string[],
    /** The plan's profile fields and whether it sends texts (what the build depends on). */
    private readonly planned: { fields: readonly string[]; texts: boolean },
  ) {}

  /** Creates the staging tables on `target` for `plan`. */
  static async start(
    target: SqlTarget,
    plan: SegmentPlan,
    options: SqlRunOptions,
  ): Promise<SqlRun> {
    for (const sql of createStagingStatements(target.session.dialect))
      await target.session.run(sql);
    const loader = await target.loader();
    const names = new Set<string>();
    for (const spec of plan.aggregates)
      if (spec.source === "events") for (const p of spec.properties) names.add(p.name);
    return new SqlRun(target, loader, new StagingSource(loader, [...names]), options, [...names], {
      fields: plan.fields,
      texts: sendsTexts(plan),
    });
  }

  /**
   * Stages the inputs loaded into raw tables in SQL, with no TypeScript ingest (stage-people.ts,
   * stage-orders.ts; docs/design.md#engines), and hands their rejects and warnings to `rejects` in
   * the memory engine's order (stage-rejects.ts; with --strict, the first reject throws). `files`
   * are in reading order; `ctx` is the run's ingest context, which the orders' FileStats join.
   * `{ staged: false }`: the run needs the TypeScript path, and the staging tables are empty
   * again for it.
   */
  async stageRaw(
    files: readonly RawInput[],
    options: {
      ctx: IngestContext;
      rejects: RejectLog;
      strict: boolean;
      ordersFilter: PlanExpr | undefined;
      /**
       * Kinds whose staging a cache restores instead (duckdb/staged-cache.ts): `restore` adds their
       * rows once the tables exist; their files are not staged (their raw tables hold only their
       * rejected lines, for the replay). Restored orders have no FileStats in the outcome.
       */
      restored?: {
        kinds: ReadonlySet<InputKind>;
        /** `staging: false`: only the rejects, warnings and rejected lines (staged-cache.ts). */
        restore(options?: { staging: boolean }): Promise<void>;
      };
      /**
       * The profile cache of these files (duckdb/profile-cache.ts), and the fields the run's
       * readers need (`DataNeeds.fields`, as `evaluateInDatabase` is given them). When every
       * file is restored and it holds the build, nothing is staged: `evaluateInDatabase` restores
       * the build.
       */
      profiles?: { cache: ProfileCache; fields: readonly string[] };
    },
  ): Promise<{ staged: true; orders: FileStats[] } | { staged: false; reason: string }> {
    const { session } = this.target;
    const d = session.dialect;
    for (const sql of createStageRejectStatements(d)) await session.run(sql);
    const restored = options.restored;
    this.cached = undefined;
    if (options.profiles !== undefined) {
      const { cache } = options.profiles;
      const key = this.profileKey();
      this.cached = { cache, key };
      if (restored !== undefined && files.every((f) => restored.kinds.has(f.kind))) {
        const hit = await cache.lookup(key);
        const meta = hit === undefined ? undefined : (JSON.parse(hit.meta) as ProfileMeta);
        const has = new Set(meta?.columns ?? []);
        if (hit !== undefined && meta !== undefined) {
          if (this.columns(options.profiles.fields).every((c) => has.has(c))) {
            // The build was stored by a run that staged these files with no problem
            // (`currencyProblem`, `orderRejectProblem`): those checks passed.
            await restored.restore({ staging: false });
            this.cached.hit = { tables: hit.tables, meta };
            this.replay = { rejects: options.rejects, files };
            return { staged: true, orders: [] };
          }
          this.cached.more = meta.columns;
        }
      }
    }
    const fresh = (kind: InputKind) => restored?.kinds.has(kind) !== true;
    const people: PeopleFile[] = [];
    for (const f of files)
      if ((f.kind === "contacts" || f.kind === "events" || f.kind === "lists") && fresh(f.kind))
        people.push({ ...f, kind: f.kind, header: [...f.header] });
    const staged = await stagePeople(session, people, {
      ingest: options.ctx.options,
      eventProperties: this.eventProperties,
    });
    if (!staged.staged) return this.unstage(staged.reason);
    let stats: FileStats[] = [];
    if (fresh("orders")) {
      const orders = await stageOrders(
        session,
        files.filter((f) => f.kind === "orders"),
        { ctx: options.ctx, ordersFilter: options.ordersFilter, strict: options.strict },
      );
      if (!orders.staged) return this.unstage(orders.needsTypeScript);
      stats = orders.stats;
    }
    // After the staging of the other kinds, which recreates some shared tables.
    await restored?.restore();
    const currencies = await this.currencyProblem();
    if (currencies !== undefined) return this.unstage(currencies);
    const rejected = await this.orderRejectProblem();
    if (rejected !== undefined) return this.unstage(rejected);
    // The rejects and warnings are handed over once the profiles are built: one warning needs
    // identity (stage-consent.ts), and the replay keeps the memory engine's order.
    this.replay = { rejects: options.rejects, files };
    return { staged: true, orders: stats };
  }

  /**
   * Orders whose currencies may stop the run (read-inputs.ts `checkCurrencies`: several with no
   * `currency:`, or one `exchange_rates:` has no rate for): the TypeScript path counts the orders
   * by currency and says so exactly. Staged orders include those that do not count (excluded
   * status, after as_of), so this may send a run there that would pass: never the reverse.
   */
  private async currencyProblem(): Promise<string | undefined> {
    if (this.options.currency !== undefined) return undefined;
    const { session } = this.target;
    const d = session.dialect;
    const currency = d.identifier("currency");
    const rows = await session.rows(
      `SELECT DISTINCT ${currency} AS currency FROM ${d.identifier(STAGING.orders)} WHERE ${currency} IS NOT NULL AND ${currency} <> ''`,
    );
    const found = rows.map((r) => r.currency as string);
    const rates = this.options.exchangeRates;
    if (rates !== undefined)
      return found.some((c) => c !== rates.reporting && !rates.rates.has(c))
        ? "orders in a currency exchange_rates: has no rate for"
        : undefined;
    return found.length > 1 ? "orders in several currencies" : undefined;
  }

  /**
   * Fills the per-file counts of the staged `files` (staged-stats.ts), after `evaluateInDatabase`
   * built the profiles; the UTC offsets their timestamps carry.
   */
  async stagedStats(files: readonly StagedStatsFile[]): Promise<{ offsets: number[] }> {
    const cached = this.cached;
    const hit = cached?.hit;
    if (hit !== undefined) {
      if (hit.meta.stats.length !== files.length)
        throw new Error("the profile cache entry has other files (a bug: please report it)");
      for (const [i, f] of files.entries()) restoreStats(f.stats, hit.meta.stats[i]);
      return { offsets: hit.meta.offsets };
    }
    const filled = await fillStagedStats(this.target.session, files, {
      asOf: this.options.asOf,
      ...(this.options.currency === undefined ? {} : { currency: this.options.currency }),
    });
    if (cached !== undefined && this.built !== undefined) {
      const meta: ProfileMeta = {
        columns: [...this.builtColumns],
        built: this.built,
        stats: files.map((f) => storedStats(f.stats)),
        offsets: filled.offsets,
      };
      await cached.cache.save(cached.key, PROFILE_CACHE_TABLES, JSON.stringify(meta));
    }
    return filled;
  }

  /**
   * Everything but the staged rows and the columns built that changes what the build writes (the
   * profile cache's `key`; an entry's columns are in its meta, and serve any run that reads no
   * other): as_of, the RFM settings, the currency settings, and whether phones are checked for
   * texts.
   */
  private profileKey(): string {
    const o = this.options;
    return JSON.stringify({
      asOf: o.asOf,
      rfm: { fixed: o.rfm.fixed, map: o.rfm.map },
      currency: o.currency ?? null,
      exchangeRates:
        o.exchangeRates === undefined
          ? null
          : [o.exchangeRates.reporting, [...o.exchangeRates.rates].sort()],
      texts: this.planned.texts,
    });
  }

  /** The profile columns built for a run whose readers need `fields`. */
  private columns(fields: readonly string[]): string[] {
    return [...new Set([...this.planned.fields, ...storeFields(fields)])].sort();
  }

  /**
   * Orders the memory engine rejects once assembled (order-folding.ts: an order without a date on
   * any of its rows, a negative amount), which the staging does not reject: the TypeScript path
   * rejects them exactly. The amount test is wider than the rule (a refund above the order's
   * smallest total, any refund of an order priced by its lines, a negative total, price or
   * quantity), so it may send a run there that would pass: never the reverse.
   */
  private async orderRejectProblem(): Promise<string | undefined> {
    const { session } = this.target;
    const d = session.dialect;
    const q = (name: string) => d.identifier(name);
    const order = `COALESCE(${q("order_id")}, CAST(${q("seq")} AS ${d.textType}))`;
    const rows = await session.rows(
      `SELECT CASE WHEN COUNT(${q("day")}) = 0 THEN 'd' ELSE 'a' END AS why FROM ${q(STAGING.orders)} GROUP BY ${q("file")}, ${order} HAVING COUNT(${q("day")}) = 0 OR MIN(${q("total")}) < 0 OR MIN(${q("price")}) < 0 OR MIN(${q("quantity")}) < 0 OR MAX(${q("refunded")}) > COALESCE(MIN(${q("total")}), 0) ORDER BY 1 DESC LIMIT 1`,
    );
    const why = rows[0]?.why;
    if (why === undefined) return undefined;
    return why === "d"
      ? "an order without a date on any of its rows"
      : "an order whose amount may be negative";
  }

  /** Empties the staging tables after a staging that needs the TypeScript path. */
  private async unstage(reason: string): Promise<{ staged: false; reason: string }> {
    const { session } = this.target;
    const d = session.dialect;
    for (const { table } of STAGING_LAYOUT) await session.run(`DELETE FROM ${d.identifier(table)}`);
    for (const table of [STAGE_REJECTS, STAGE_WARNINGS, STAGE_ORDER_KEYS])
      await session.run(`DROP TABLE IF EXISTS ${d.identifier(table)}`);
    return { staged: false, reason };
  }

  /** Writes the rows staged so far (after each input). */
  async flush(): Promise<void> {
    await this.loader.flush();
  }

  /**
   * Forgets every staged row, before the memory engine reads the inputs again (read-inputs.ts,
   * docs/design.md#inputs identity): the staging is the last reading's.
   */
  async restage(): Promise<void> {
    await this.loader.writeAll();
    const { session } = this.target;
    for (const { table } of STAGING_LAYOUT)
      await session.run(`DELETE FROM ${session.dialect.identifier(table)}`);
    this.source.restartFiles();
  }

  /**
   * Profiles and segments, both from the database (no TypeScript ingest): the profile tables built
   * from the staged rows, the `Profiles` read back from them (sql-profiles-store.ts: what the
   * memory engine's would hold for readers needing `fields`, `DataNeeds.fields`), and every
   * segment of `plan` computed there. When a segment sends texts, the staged phones that cannot
   * receive them are marked first (as `prepareRun` marks the memory engine's): `landlines` counts
   * the customers with one. `index`: fill the store's id, email and phone indexes (explain KEY).
   */
  async evaluateInDatabase(
    plan: SegmentPlan,
    options: {
      only?: readonly string[];
      exclusive: boolean;
      fields: readonly string[];
      index?: boolean;
      /**
       * The command reads only counts: the profiles' (sql-profiles-store.ts `counts`), and each
       * segment's, counted in the database (the members have no arrays).
       */
      counts?: boolean;
    },
  ): Promise<{ profiles: Profiles; members: SegmentMembers[]; landlines: number }> {
    const { session } = this.target;
    await this.loader.close();
    const hit = this.cached?.hit;
    const columns = this.columns(options.fields);
    if (hit !== undefined) {
      const has = new Set(hit.meta.columns);
      if (!columns.every((c) => has.has(c)))
        throw new Error(
          "the profile cache was looked up for other fields (a bug: please report it)",
        );
      await this.restoreBuild(hit);
    } else {
      if (sendsTexts(plan)) await this.stageUntextablePhones();
      await this.build([...new Set([...columns, ...(this.cached?.more ?? [])])].sort());
    }
    const replay = this.replay;
    if (replay !== undefined) {
      this.replay = undefined;
      // Restored, the warnings table already has the build's.
      if (hit === undefined) {
        await stageConsentWarnings(session);
        await stageOrderKeyWarnings(session);
      }
      await replayStaged(session, replay.rejects, replay.files);
    }
    const profiles = await readSqlProfiles(session, {
      asOf: this.options.asOf,
      rfm: this.options.rfm,
      fields: options.fields,
      ...(options.index === undefined ? {} : { index: options.index }),
      ...(options.counts === undefined ? {} : { counts: options.counts }),
    });
    let landlines = 0;
    const cannotText = profiles.store.cannotText;
    for (let c = 0; c < profiles.size; c++) landlines += cannotText[c];
    const members = await this.members(plan, profiles.size, options);
    return { profiles, members, landlines };
  }

  /**
   * Every segment of `plan`, computed in the database from the staged rows: the same results as
   * `evaluateSegments` on `profiles` (the memory engine's, read in the same pass).
   */
  async evaluate(
    plan: SegmentPlan,
    profiles: Profiles,
    options: { only?: readonly string[]; exclusive: boolean },
  ): Promise<SegmentMembers[]> {
    this.source.untextable(profiles);
    await this.loader.close();
    await this.build(plan.fields);
    await this.checkCustomers(profiles);
    return this.members(plan, profiles.size, options);
  }

  /**
   * `audience explain` after `evaluateInDatabase`: the funnel counts of the segments `ids`
   * (compile.ts `compileFunnelSql`): the customers, and for each segment of `ids` the customers
   * passing its conditions in turn and its matched count.
   */
  async funnelCounts(
    plan: SegmentPlan,
    ids: readonly string[],
  ): Promise<{ customers: number; segments: { passing: number[]; matched: number }[] }> {
    const { session } = this.target;
    const [row] = await session.rows(compileFunnelSql(plan, session.dialect, ids));
    const count = (name: string) => Number(row[name]);
    const byId = new Map(plan.segments.map((s) => [s.id, s]));
    return {
      customers: count("customers"),
      segments: ids.map((id, j) => ({
        passing: funnelConditions((byId.get(id) as CompiledSegment).where).map((_, k) =>
          count(`s${j}_${k}`),
        ),
        matched: count(`m${j}`),
      })),
    };
  }

  /**
   * `audience explain KEY` after `evaluateInDatabase`: the plan's aggregates of `customer`
   * (compile.ts `compileCustomerAggregatesSql`), in the plan's order.
   */
  async customerAggregates(plan: SegmentPlan, customer: number): Promise<number[]> {
    if (plan.aggregates.length === 0) return [];
    const { session } = this.target;
    const [row] = await session.rows(compileCustomerAggregatesSql(plan, session.dialect, customer));
    return plan.aggregates.map((_, i) => Number(row[`a_${i}`]));
  }

  /**
   * The build of a profile cache entry: its tables as views of the stored ones (read in place,
   * not copied), its warnings in place of the staged ones, its counts.
   */
  private async restoreBuild(hit: {
    tables: ReadonlyMap<string, string>;
    meta: ProfileMeta;
  }): Promise<void> {
    const { session } = this.target;
    const d = session.dialect;
    const stored = (name: string) => {
      const table = hit.tables.get(name);
      if (table === undefined) throw new Error(`the profile cache entry has no ${name}`);
      return table;
    };
    for (const name of Object.values(TABLES)) {
      await session.run(`DROP TABLE IF EXISTS ${d.identifier(name)}`);
      await session.run(
        `CREATE OR REPLACE VIEW ${d.identifier(name)} AS SELECT * FROM ${stored(name)}`,
      );
    }
    await session.run(`DELETE FROM ${d.identifier(STAGE_WARNINGS)}`);
    await session.run(
      `INSERT INTO ${d.identifier(STAGE_WARNINGS)} SELECT * FROM ${stored(STAGE_WARNINGS)}`,
    );
    this.built = hit.meta.built;
  }

  /** Builds the profile tables with columns for `fields`. */
  private async build(fields: readonly string[]): Promise<void> {
    const { session } = this.target;
    this.builtColumns = fields;
    this.built = await buildProfileTables(
      session.dialect,
      { run: (sql) => session.run(sql), query: (sql) => session.rows(sql) },
      {
        asOf: this.options.asOf,
        fields,
        rfm: this.options.rfm,
        ...(this.options.currency === undefined ? {} : { currency: this.options.currency }),
        ...(this.options.exchangeRates === undefined
          ? {}
          : { exchangeRates: this.options.exchangeRates }),
      },
    );
  }

  /**
   * Stages the phones that cannot receive texts (phone-type.ts), of every phone staged: a
   * customer's phone is one of them, so the built `can_text` is the memory engine's
   * `markUntextablePhones`. The staged rows are all written (the loader is closed): the phones
   * go in by INSERT statements.
   */
  private async stageUntextablePhones(): Promise<void> {
    const { session } = this.target;
    const d = session.dialect;
    const phone = d.identifier("phone");
    const sources = STAGING_LAYOUT.filter(
      (t) => t.table !== STAGING.untextablePhones && t.columns.some((c) => c.name === "phone"),
    ).map((t) => `SELECT ${phone} FROM ${d.identifier(t.table)} WHERE ${phone} IS NOT NULL`);
    if (sources.length === 0) return;
    // The metadata with number types is loaded only for runs that send texts.
    const { default: metadata } = await import("libphonenumber-js/max/metadata");
    const types = new PhoneTypes(metadata);
    const untextable: string[] = [];
    await session.each(
      `SELECT DISTINCT x.${phone} FROM (${sources.join(" UNION ALL ")}) AS x ORDER BY x.${phone}`,
      (row) => {
        const value = row[0] as string;
        if (!types.canText(value)) untextable.push(value);
      },
    );
    const table = d.identifier(STAGING.untextablePhones);
    for (let start = 0; start < untextable.length; start += UNTEXTABLE_BATCH) {
      const batch = untextable.slice(start, start + UNTEXTABLE_BATCH);
      await session.run(
        `INSERT INTO ${table} (${phone}) VALUES ${batch.map((_, i) => `($${i + 1})`).join(", ")}`,
        batch,
      );
    }
  }

  /**
   * The members of each segment shown, read from the compiled statement's rows; with `counts`,
   * only how many there are (matched, reachable, assigned), counted in the database, with no
   * member arrays.
   */
  private async members(
    plan: SegmentPlan,
    size: number,
    options: { only?: readonly string[]; exclusive: boolean; counts?: boolean },
  ): Promise<SegmentMembers[]> {
    const { session } = this.target;
    const d = session.dialect;
    const sql = compileSegmentsSql(plan, d, {
      ...(options.only === undefined ? {} : { only: options.only }),
      exclusive: options.exclusive,
      rows: "flags",
    });
    if (options.counts === true) {
      const q = (name: string) => d.identifier(name);
      const counted = (flag: string) =>
        `CAST(SUM(CASE WHEN x.${q(flag)} THEN 1 ELSE 0 END) AS ${d.integerType})`;
      const rows = new SegmentRows(plan, 0, options);
      await session.each(
        `SELECT x.${q("segment")}, CAST(COUNT(*) AS ${d.integerType}), ${counted("reachable")}, ${counted("assigned")} FROM (${sql}) AS x GROUP BY x.${q("segment")}`,
        (row) => rows.addCounts(row[0] as string, Number(row[1]), Number(row[2]), Number(row[3])),
      );
      return rows.finish();
    }
    const rows = new SegmentRows(plan, size, options);
    await session.each(sql, (row) => rows.add(row[0] as string, Number(row[1]), row[2], row[3]));
    return rows.finish();
  }

  /**
   * The database's customers are the memory engine's, index for index: same number, same key.
   * Anything else would write the wrong people, so it stops the run.
   */
  private async checkCustomers(profiles: Profiles): Promise<void> {
    const { session } = this.target;
    const d = session.dialect;
    const store = profiles.store;
    let seen = 0;
    await session.each(
      `SELECT ${d.identifier("customer")}, ${d.identifier("customer_key")} FROM ${d.identifier("profiles")} ORDER BY ${d.identifier("customer")}`,
      (row) => {
        const c = Number(row[0]);
        if (c !== seen || row[1] !== store.key(c))
          throw new Error(
            `the SQL profiles differ from the memory engine's at customer ${seen} (a bug: please report it)`,
          );
        seen++;
      },
    );
    if (seen !== profiles.size)
      throw new Error(
        `the SQL profiles have ${seen} customers, the memory engine ${profiles.size} (a bug: please report it)`,
      );
  }

  /** Drops nothing the database keeps: the caller closes the session. */
  async close(): Promise<void> {
    await this.loader.close();
  }
}

function storedStats(stats: FileStats): StoredStats {
  const kept = Object.fromEntries(FILLED_STATS.map((k) => [k, stats[k]])) as Pick<
    FileStats,
    FilledStat
  >;
  return {
    ...kept,
    mergedBy: { ...stats.mergedBy },
    statuses: [...stats.statuses],
    currencies: [...stats.currencies],
  };
}

/** Sets the fields `fillStagedStats` fills from a profile cache entry's `storedStats`. */
function restoreStats(stats: FileStats, stored: StoredStats): void {
  if (stored.kind !== stats.kind)
    throw new Error("the profile cache entry has other files (a bug: please report it)");
  stats.rows = stored.rows;
  stats.merged = stored.merged;
  stats.mergedBy = { ...stored.mergedBy };
  stats.keptApart = stored.keptApart;
  stats.created = stored.created;
  stats.orders = stored.orders;
  stats.excludedStatus = stored.excludedStatus;
  stats.afterAsOf = stored.afterAsOf;
  stats.otherCurrency = stored.otherCurrency;
  stats.duplicates = stored.duplicates;
  stats.statuses = new Map(stored.statuses);
  stats.currencies = new Map(stored.currencies);
}
