/**
 * The staged rows of `--engine duckdb` kept between runs (docs/design.md#engines), in the load
 * cache (cache.ts): for each input kind, what the SQL staging (src/sql/stage-people.ts,
 * stage-orders.ts) made of its files — the kind's staging tables (staging.ts), its rows of the
 * reject, warning and offset tables (stage-rejects.ts), the raw rows of its rejected lines (for
 * `--rejects`) — and, as the entry's meta, each file's header, width and read result. A second
 * run on unchanged files restores them instead of reading and normalising the files again; the
 * headers are bound again by the real sinks (presets, `columns:`, header warnings: the same
 * FileStats as a first run), and everything after the staging (identity, profiles, counts,
 * segments) runs as on a first run.
 *
 * An entry's key is its files (cache.ts) and `stagingKey`: every setting that changes what the
 * staging of that kind writes, and the version of audience.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { IngestOptions } from "../../model/ingest-context.js";
import { STAGING } from "../../sql/staging.js";
import { STAGE_OFFSETS, STAGE_REJECTS, STAGE_WARNINGS } from "../../sql/stage-rejects.js";
import { STAGE_CONSENTS } from "../../sql/stage-consent.js";
import { VERSION } from "../../version.js";
import { CACHE_FORMAT, LoadCache, type CacheKind } from "./cache.js";
import type { RawTable } from "./read.js";

/** The staging tables each kind fills. */
const KIND_TABLES: Record<CacheKind, readonly string[]> = {
  contacts: [STAGING.contacts, STAGING.contactValues, STAGING.contactProps, STAGE_CONSENTS],
  orders: [STAGING.orders],
  events: [STAGING.events, STAGING.eventProperties],
  lists: [STAGING.lists],
};

/** The tables the staging of every kind adds rows to, by `kind` and `file`. */
const SHARED_TABLES: readonly string[] = [STAGE_REJECTS, STAGE_WARNINGS, STAGE_OFFSETS];

/** A cached file as the run takes it: a raw table holding only its rejected lines. */
export type RestoredFile = Pick<RawTable, "table" | "header" | "width" | "rows" | "read">;

interface Meta {
  files: Omit<RestoredFile, "table">[];
}

/**
 * The settings the staging of `kind` depends on, as one text: the ingest options it reads, the
 * delimiter setting, the event properties the plan stages, and the version.
 */
export function stagingKey(
  kind: CacheKind,
  ingest: IngestOptions,
  options: {
    /** The `delimiter:` setting, when given (a `;`, `,` or tab). */
    delimiter?: string;
    eventProperties: readonly string[];
  },
): string {
  return JSON.stringify({
    version: VERSION,
    format: CACHE_FORMAT,
    kind,
    asOf: ingest.asOf,
    timezone: ingest.timezone,
    defaultCountry: ingest.defaultCountry ?? null,
    dateOrder: ingest.dateOrder ?? null,
    decimal: ingest.decimal,
    preset: ingest.preset.name,
    detectPreset: ingest.detectPreset ?? false,
    columns: ingest.columns[kind] ?? null,
    delimiter: options.delimiter ?? null,
    ...(kind === "orders"
      ? {
          excludeStatus: ingest.excludeStatus ?? null,
          currency: ingest.currency ?? null,
          exchangeRates:
            ingest.exchangeRates === undefined
              ? null
              : [ingest.exchangeRates.reporting, [...ingest.exchangeRates.rates].sort()],
        }
      : {}),
    ...(kind === "contacts" ? { props: [...ingest.props].sort() } : {}),
    ...(kind === "events" ? { eventProperties: [...options.eventProperties].sort() } : {}),
  });
}

export class StagedCache {
  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly cache: LoadCache,
  ) {}

  /** The cache of `folder` on `connection`, or undefined when another run holds it. */
  static async open(
    connection: DuckDBConnection,
    folder: string,
    notice: (line: string) => void,
  ): Promise<StagedCache | undefined> {
    const cache = await LoadCache.attach(connection, folder, notice);
    return cache === undefined ? undefined : new StagedCache(connection, cache);
  }

  /**
   * The files of `kind`, when the cache holds their staging for `key`; `table(i)` names the raw
   * table file `i` (its index within the kind) is restored as. Nothing is restored yet: `restore`
   * does that, once the staging tables exist.
   */
  async lookup(
    kind: CacheKind,
    paths: readonly string[],
    key: string,
    table: (file: number) => string,
  ): Promise<CachedKind | undefined> {
    const hit = await this.cache.lookup(kind, paths, key);
    if (hit === undefined) return undefined;
    const meta = JSON.parse(hit.meta) as Meta;
    if (meta.files.length !== paths.length) return undefined;
    // An entry without every table this version stores (a cache of other code): a miss.
    const expected = [...KIND_TABLES[kind], ...SHARED_TABLES, ...paths.map((_, i) => `raw_${i}`)];
    if (expected.some((t) => !hit.tables.has(t))) return undefined;
    const files = meta.files.map((f, i): RestoredFile => ({
      ...f,
      table: table(i),
      read: { ...f.read, sha256: hit.sha256[i] },
    }));
    return new CachedKind(this.connection, kind, files, hit.tables);
  }

  /**
   * Stores the staging of `kind`'s files (`raws`, in order; `before`: each file's stat when its
   * load started) as written in the staging tables now. A file changed meanwhile is not stored.
   */
  async save(
    kind: CacheKind,
    paths: readonly string[],
    before: readonly { size: number; mtimeMs: number }[],
    key: string,
    raws: readonly RestoredFile[],
  ): Promise<void> {
    const sources = new Map<string, string>();
    for (const t of KIND_TABLES[kind]) sources.set(t, t);
    for (const t of SHARED_TABLES)
      sources.set(t, `(SELECT * FROM ${t} WHERE kind = '${kind}') AS s`);
    for (const [i, raw] of raws.entries())
      sources.set(
        `raw_${i}`,
        `(SELECT r.* FROM ${raw.table} AS r WHERE r.line IN (SELECT s.line FROM ${STAGE_REJECTS} AS s WHERE s.kind = '${kind}' AND s.file = ${i})) AS r`,
      );
    const meta: Meta = {
      files: raws.map(({ header, width, rows, read }) => {
        const { sha256: _, ...kept } = read;
        return { header, width, rows, read: kept };
      }),
    };
    await this.cache.store(
      kind,
      paths,
      before,
      key,
      [...sources.keys()],
      JSON.stringify(meta),
      (t) => sources.get(t) ?? t,
    );
  }

  async close(): Promise<void> {
    await this.cache.detach();
  }
}

/** A kind whose staging the cache holds. */
export class CachedKind {
  constructor(
    private readonly connection: DuckDBConnection,
    readonly kind: CacheKind,
    /** Its files, in order, as the run takes them. */
    readonly files: readonly RestoredFile[],
    private readonly tables: ReadonlyMap<string, string>,
  ) {}

  /**
   * Adds the stored rows to the staging, reject and warning tables (which must exist) and creates
   * each file's raw table of rejected lines.
   */
  async restore(): Promise<void> {
    const c = this.connection;
    const stored = (name: string) => {
      const table = this.tables.get(name);
      if (table === undefined) throw new Error(`the cache entry of ${this.kind} has no ${name}`);
      return table;
    };
    for (const t of [...KIND_TABLES[this.kind], ...SHARED_TABLES]) {
      // A table only the kind's own staging creates (stage_contact_consents) is created here.
      await c.run(`CREATE TABLE IF NOT EXISTS ${t} AS SELECT * FROM ${stored(t)} WHERE 1 = 0`);
      await c.run(`INSERT INTO ${t} SELECT * FROM ${stored(t)}`);
    }
    // A view, as the loader's raw tables are (read.ts dropRawTable removes it).
    for (const [i, f] of this.files.entries())
      await c.run(`CREATE OR REPLACE VIEW ${f.table} AS SELECT * FROM ${stored(`raw_${i}`)}`);
  }
}
