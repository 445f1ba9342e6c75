/**
 * The SQL run of a segment plan, whatever the database (docs/design.md#engines): the staging
 * tables (src/sql/staging.ts) → identity and profiles in SQL (src/sql/profiles-sql.ts) → the
 * plan compiled to one statement (src/sql/compile.ts) → only the members, with their reachability
 * and --exclusive assignment, back as the `SegmentMembers` the shared writer takes.
 *
 * The staging tables are filled while the inputs are read, by the staging source
 * (staging-source.ts) the run hands out. The profiles the rest of the CLI reads (counts, RFM,
 * channels, the writer's columns and guards) are the memory engine's, read in the same pass: the
 * run checks that the database found the same customers (count and keys), so a member index is
 * the same customer on both sides.
 *
 * Plans that read prediction fields (fitted in TypeScript, src/predict) are not for this run:
 * `buildProfileTables` refuses them.
 */
import type { ExchangeRates } from "../model/ingest-context.js";
import type { Profiles } from "../model/profile.js";
import type { RfmSettings } from "../rfm/settings.js";
import type { SegmentPlan } from "../segments/definition.js";
import type { SegmentMembers } from "../segments/evaluate.js";
import { compileSegmentsSql } from "../sql/compile.js";
import { buildProfileTables, type ProfileBuildResult } from "../sql/profiles-sql.js";
import { createStagingStatements } from "../sql/staging.js";
import type { SqlSession } from "./session.js";
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
  loader(): Promise<StagingLoader & { close(): Promise<void> }>;
}

export class SqlRun {
  /** The last build's counts (customers, buyers, identity passes). */
  built: ProfileBuildResult | undefined;

  private constructor(
    private readonly target: SqlTarget,
    private readonly loader: StagingLoader & { close(): Promise<void> },
    /** The recorder to give the ingest, whose sinks it stages. */
    readonly source: StagingSource,
    private readonly options: SqlRunOptions,
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
    return new SqlRun(target, loader, new StagingSource(loader, [...names]), options);
  }

  /** Writes the rows staged so far (after each input). */
  async flush(): Promise<void> {
    await this.loader.flush();
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
    const { session } = this.target;
    const d = session.dialect;
    this.source.untextable(profiles);
    await this.loader.close();
    this.built = await buildProfileTables(
      d,
      { run: (sql) => session.run(sql), query: (sql) => session.rows(sql) },
      {
        asOf: this.options.asOf,
        fields: plan.fields,
        rfm: this.options.rfm,
        ...(this.options.currency === undefined ? {} : { currency: this.options.currency }),
        ...(this.options.exchangeRates === undefined
          ? {}
          : { exchangeRates: this.options.exchangeRates }),
      },
    );
    await this.checkCustomers(profiles);
    const sql = compileSegmentsSql(plan, d, {
      ...(options.only === undefined ? {} : { only: options.only }),
      exclusive: options.exclusive,
      rows: "flags",
    });
    const size = profiles.size;
    const shown = plan.segments.filter((s) =>
      options.only === undefined ? true : options.only.includes(s.id),
    );
    const results = new Map<string, SegmentMembers>(
      shown.map((segment) => [
        segment.id,
        {
          segment,
          members: new Uint8Array(size),
          matched: 0,
          reachable: new Uint8Array(size),
          reachableCount: 0,
          assigned: options.exclusive ? new Uint8Array(size) : new Uint8Array(0),
          assignedCount: 0,
        },
      ]),
    );
    let current: SegmentMembers | undefined;
    await session.each(sql, (row) => {
      const id = row[0] as string;
      if (current?.segment.id !== id) current = results.get(id);
      if (current === undefined) throw new Error(`the segments SQL returned segment ${id}`);
      const c = Number(row[1]);
      if (!(c >= 0 && c < size)) throw new Error(`the segments SQL returned customer ${c}`);
      current.members[c] = 1;
      current.matched++;
      if (row[2] === true) {
        current.reachable[c] = 1;
        current.reachableCount++;
      }
      if (options.exclusive && row[3] === true) {
        current.assigned[c] = 1;
        current.assignedCount++;
      }
    });
    return shown.map((segment) => {
      const r = results.get(segment.id) as SegmentMembers;
      if (!options.exclusive) {
        r.assigned = r.reachable;
        r.assignedCount = r.reachableCount;
      }
      return r;
    });
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
