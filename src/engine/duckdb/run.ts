/**
 * One run of `--engine duckdb` (docs/design.md#engines). The stages:
 *
 * 1. Reading: each CSV input is loaded into DuckDB by the loader (read.ts: `read_csv`, or the
 *    memory engine's parser for files DuckDB would read differently), which keeps every row's
 *    line number: all of them first (`load`) when the run stages them in SQL (../sql-run.ts
 *    `stageRaw`, with no TypeScript ingest), else each as it is read.
 * 2. Normalising, on the TypeScript path: the loaded rows go through the memory engine's ingest
 *    sinks (`ingestRawTable`) — the §1 rules, identity, rejects and warnings exactly as the
 *    memory engine applies them.
 *    While they run, the sinks hand every counted order, line and event to the ingest recorder,
 *    which writes them into the tables of src/sql/tables.ts (tables.ts here); `profiles` is
 *    written from the profiles they build.
 * 3. Segments: the plan compiled to one SQL statement (src/sql/compile.ts) runs in DuckDB and
 *    only the members, with their reachability and --exclusive assignment, come back, as the
 *    `SegmentMembers` the shared writer takes (files, hashing, guards and manifest unchanged).
 *
 * DuckDB runs in memory with `duckdb:` settings; it spills into a folder of its own under
 * `temp_directory`, removed when the run closes.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { RowSink } from "../../model/ingest-context.js";
import type { Profiles } from "../../model/profile.js";
import type { SegmentPlan } from "../../segments/definition.js";
import type { SegmentMembers } from "../../segments/evaluate.js";
import { compileSegmentsSql } from "../../sql/compile.js";
import { dialectFor } from "../../sql/dialect.js";
import { openDuckDb, type DuckDb, type DuckDbSettings } from "./open.js";
import { UserError } from "../../errors.js";
import {
  dropRawTable,
  loadCsvInput,
  readLikeMemoryEngine,
  type CsvInput,
  type RawTable,
} from "./read.js";
import { TableWriter } from "./tables.js";
import type { CacheKind } from "./cache.js";
import { StagedCache, stagingKey, type CachedKind, type RestoredFile } from "./staged-cache.js";
import type { IngestOptions } from "../../model/ingest-context.js";
import { SegmentRows } from "../segment-rows.js";
import type { SqlTarget } from "../sql-run.js";
import { duckDbSession } from "./session.js";
import { DuckDbStagingLoader } from "./staging-loader.js";

type CsvReadResult = RawTable["read"];
type CsvSource = Omit<CsvInput, "table" | "hash" | "tempDirectory">;

/** The CSV inputs of a run in raw tables (`DuckDbRun.load`). */
export interface LoadedInputs {
  /** The raw table of each input, in order, up to `failed` (of a restored one: its rejected lines). */
  tables: RestoredFile[];
  /** The loader's raw table of each input read from its file; undefined for a restored one. */
  raw: (RawTable | undefined)[];
  /** The kinds restored from the cache (staged-cache.ts), whose files were not read. */
  restored: CachedKind[];
  /** Each file's size and mtime when its load started (undefined: restored, or not found). */
  before: ({ size: number; mtimeMs: number } | undefined)[];
  /** The kinds looked up in the cache, with their keys (for `saveStaged`). */
  cached: readonly CacheKindFiles[];
  /** The first input whose load stopped on an error of the file: it is not loaded, nor are those after it. */
  failed?: number;
}

/** The files of one kind (indexes into the run's sources), and the key of their staging. */
interface CacheKindFiles {
  kind: CacheKind;
  files: number[];
  key: string;
}

/** What `load` needs to look the inputs up in the cache: the run's files by kind, its settings. */
export interface CacheRequest {
  kinds: readonly { kind: CacheKind; files: number[] }[];
  ingest: IngestOptions;
  /** The `delimiter:` setting, when given (a `;`, `,` or tab). */
  delimiter?: string;
  eventProperties: readonly string[];
}

export interface ReadOptions {
  hash: boolean;
  /** Hand the sink only the columns it reads (the others empty), as the memory engine's threads do. */
  project: boolean;
  onBytes?: (bytes: number) => void;
}

export class DuckDbRun {
  private tables = 0;
  private writer: TableWriter | undefined;
  private cache: StagedCache | undefined;

  private constructor(
    private readonly db: DuckDb,
    /** The writer's own connection. */
    private readonly tablesConnection: DuckDBConnection,
    /** This run's folder under temp_directory (spilling, transcoded files). */
    private readonly folder: string,
  ) {}

  static async open(settings: DuckDbSettings = {}): Promise<DuckDbRun> {
    const folder = await mkdtemp(join(settings.tempDirectory ?? tmpdir(), "audience-duckdb-"));
    let db: DuckDb | undefined;
    try {
      db = await openDuckDb({ ...settings, tempDirectory: folder });
      return new DuckDbRun(db, await db.instance.connect(), folder);
    } catch (error) {
      db?.close();
      await rm(folder, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * The recorder the ingest sinks write the counted rows through, with the tables of `plan`
   * created; `evaluate` then runs the plan on them.
   */
  async recorder(plan: SegmentPlan): Promise<TableWriter> {
    this.writer = await TableWriter.create(this.tablesConnection, plan);
    return this.writer;
  }

  /**
   * The database of the SQL run (../sql-run.ts) in this run's DuckDB: a session and the staging
   * appenders on the writer's connection (the loader streams rows on the other one meanwhile).
   */
  async sqlTarget(): Promise<SqlTarget> {
    const connection = this.tablesConnection;
    return {
      session: await duckDbSession(connection),
      loader: () => DuckDbStagingLoader.open(connection),
    };
  }

  /**
   * The cache of staged inputs in `folder` (staged-cache.ts), attached for this run; undefined when
   * another run holds it. `notice`: the one line said when it is rebuilt.
   */
  async openCache(
    folder: string,
    notice: (line: string) => void,
  ): Promise<StagedCache | undefined> {
    this.cache = await StagedCache.open(this.db.connection, folder, notice);
    return this.cache;
  }

  /**
   * Loads the CSV inputs into raw tables (read.ts), in order, up to the first whose load stops
   * on an error of the file (`failed`): that one and those after it are left for `read`, which
   * reads them as the memory engine does. The tables stay until `release`. With `cached`, the
   * files of each kind whose staging the cache holds (for that kind's key) are not read: their
   * entry is in `restored`, and `tables` has their header, read result and a raw table of their
   * rejected lines only.
   */
  async load(
    sources: readonly CsvSource[],
    options: {
      hash: boolean;
      onLoaded?: (index: number, raw: RestoredFile) => void;
      cache?: CacheRequest;
    },
  ): Promise<LoadedInputs> {
    const restoredFiles = new Map<number, RestoredFile>();
    const restored: CachedKind[] = [];
    const request = this.cache === undefined ? undefined : options.cache;
    const cached = (request?.kinds ?? []).map(({ kind, files }) => ({
      kind,
      files,
      key: stagingKey(kind, (request as CacheRequest).ingest, {
        ...(request?.delimiter === undefined ? {} : { delimiter: request.delimiter }),
        eventProperties: (request as CacheRequest).eventProperties,
      }),
    }));
    for (const k of cached) {
      const hit = await (this.cache as StagedCache).lookup(
        k.kind,
        k.files.map((i) => sources[i].path),
        k.key,
        () => `audience_input_${++this.tables}`,
      );
      if (hit === undefined) continue;
      restored.push(hit);
      for (const [j, i] of k.files.entries()) restoredFiles.set(i, hit.files[j]);
    }
    const tables: RestoredFile[] = [];
    const raw: (RawTable | undefined)[] = [];
    const before: ({ size: number; mtimeMs: number } | undefined)[] = [];
    for (const [index, source] of sources.entries()) {
      const hit = restoredFiles.get(index);
      if (hit !== undefined) {
        tables.push(hit);
        raw.push(undefined);
        before.push(undefined);
        options.onLoaded?.(index, hit);
        continue;
      }
      const table = `audience_input_${++this.tables}`;
      const seen = await stat(source.path).catch(() => undefined);
      try {
        const loaded = await loadCsvInput(this.db.connection, {
          ...source,
          table,
          hash: options.hash,
          tempDirectory: this.folder,
        });
        tables.push(loaded);
        raw.push(loaded);
        before.push(seen === undefined ? undefined : { size: seen.size, mtimeMs: seen.mtimeMs });
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        return { tables, raw, restored, before, cached, failed: index };
      }
      options.onLoaded?.(index, tables[index]);
    }
    return { tables, raw, restored, before, cached };
  }

  /**
   * Stores in the cache the staging of each kind looked up by `load` that it read from its files
   * (not restored), as the staging tables hold it now.
   */
  async saveStaged(sources: readonly CsvSource[], loaded: LoadedInputs): Promise<void> {
    const cache = this.cache;
    if (cache === undefined) return;
    for (const k of loaded.cached) {
      if (loaded.restored.some((r) => r.kind === k.kind)) continue;
      const before = k.files.map((i) => loaded.before[i]);
      if (before.some((b) => b === undefined)) continue;
      await cache.save(
        k.kind,
        k.files.map((i) => sources[i].path),
        before as { size: number; mtimeMs: number }[],
        k.key,
        k.files.map((i) => loaded.tables[i]),
      );
    }
  }

  /** Drops raw tables of `load` (those already dropped are skipped). */
  async release(tables: readonly Pick<RawTable, "table">[]): Promise<void> {
    for (const raw of tables) await dropRawTable(this.db.connection, raw.table);
  }

  /**
   * Feeds the rows of one CSV input to `sink`, in file order: from `loaded`, its raw table (then
   * dropped), or else loaded into DuckDB now.
   */
  async read(
    source: CsvSource,
    sink: RowSink,
    options: ReadOptions,
    loaded?: RawTable,
  ): Promise<CsvReadResult> {
    let raw = loaded;
    if (raw === undefined) {
      const loadedNow = await this.load([source], { hash: options.hash });
      // The memory engine streams: its sinks may stop the run on the header or on a row before
      // the place the load stopped at. Its own reading stops exactly where it does.
      raw = loadedNow.raw[0];
      if (raw === undefined) return readLikeMemoryEngine(source, sink, options.hash);
    }
    try {
      await ingestRawTable(this.db.connection, raw, sink, options.project);
    } finally {
      await dropRawTable(this.db.connection, raw.table);
    }
    options.onBytes?.(raw.read.bytes);
    return raw.read;
  }

  /**
   * Every segment of `plan` on `profiles` (read with this run's recorder), computed in DuckDB:
   * the same results as `evaluateSegments`.
   */
  async evaluate(
    plan: SegmentPlan,
    profiles: Profiles,
    options: { only?: readonly string[]; exclusive: boolean },
  ): Promise<SegmentMembers[]> {
    const writer = this.writer;
    if (writer === undefined) throw new Error("DuckDbRun.evaluate before recorder()");
    await writer.finish(profiles);
    const sql = compileSegmentsSql(plan, dialectFor("duckdb"), {
      ...(options.only === undefined ? {} : { only: options.only }),
      exclusive: options.exclusive,
      rows: "flags",
    });
    const size = profiles.size;
    const rows = new SegmentRows(plan, size, options);
    const result = await this.tablesConnection.stream(sql);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      const [segments, customers, reachable, assigned] = [0, 1, 2, 3].map((i) =>
        chunk.getColumnVector(i),
      );
      for (let r = 0; r < chunk.rowCount; r++)
        rows.add(
          segments.getItem(r) as string,
          customers.getItem(r) as number,
          reachable.getItem(r),
          assigned.getItem(r),
        );
    }
    return rows.finish();
  }

  async close(): Promise<void> {
    try {
      // Detached before the database closes: its last writes are checkpointed into the file.
      await this.cache?.close();
    } catch {
      // The cache is never a source of truth: a failed detach loses nothing but time.
    }
    try {
      this.tablesConnection.closeSync();
      this.db.close();
    } finally {
      await rm(this.folder, { recursive: true, force: true });
    }
  }
}

/**
 * The rows of a raw table (read.ts) into a row sink, in file order, as the memory engine's reader
 * hands them over: each row as long as it was in the file, with its first line number; with
 * `project`, the cells the sink does not read are left empty (and not read out of DuckDB).
 */
export async function ingestRawTable(
  connection: DuckDBConnection,
  raw: RawTable,
  sink: RowSink,
  project: boolean,
): Promise<void> {
  sink.header([...raw.header]);
  const width = raw.width;
  const wanted = project ? sink.columns?.() : undefined;
  const columns =
    wanted === undefined
      ? Array.from({ length: width }, (_, i) => i)
      : [...new Set(wanted)].filter((i) => i < width).sort((a, b) => a - b);
  // A row's length: its cells are never NULL, the padding after its last one always is.
  const length =
    width === 0
      ? "0"
      : Array.from({ length: width }, (_, i) => `CAST(c${i} IS NOT NULL AS INTEGER)`).join(" + ");
  const select = [
    "CAST(line AS INTEGER) AS line",
    `CAST(${length} AS INTEGER) AS width`,
    // chr(1) keeps a leading U+FEFF from the node-api's text decoding, which drops it.
    ...columns.map((i) => (raw.bomInside ? `chr(1) || c${i}` : `c${i}`)),
  ];
  const skip = raw.bomInside ? 1 : 0;
  const result = await connection.stream(
    `SELECT ${select.join(", ")} FROM ${raw.table} ORDER BY line`,
  );
  let rows = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const lines = chunk.getColumnVector(0);
    const widths = chunk.getColumnVector(1);
    const vectors = columns.map((_, k) => chunk.getColumnVector(k + 2));
    for (let r = 0; r < chunk.rowCount; r++) {
      const n = widths.getItem(r) as number;
      const fields = new Array<string>(n);
      if (wanted !== undefined) fields.fill("");
      for (let k = 0; k < columns.length; k++) {
        const i = columns[k];
        if (i >= n) break;
        const cell = vectors[k].getItem(r) as string;
        fields[i] = skip === 0 ? cell : cell.slice(skip);
      }
      sink.row(fields, lines.getItem(r) as number);
    }
    rows += chunk.rowCount;
  }
  // A stream that ended early would silently drop customers: never let it pass.
  if (rows !== raw.rows)
    throw new Error(`DuckDB handed back ${rows} of the ${raw.rows} rows of ${raw.table}`);
}
