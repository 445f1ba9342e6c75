/**
 * The cache of loaded inputs for `--engine duckdb` (docs/design.md#engines): the normalised
 * tables of each input kind (contacts, orders, events, lists) are kept in a DuckDB database file,
 * `load.duckdb` in the cache folder (`.audience-cache/` beside the config, or `cache:`), so that a
 * second run on unchanged exports skips reading and normalising them.
 *
 * An entry is keyed by its input's files (path, size, mtime, sha256) and by a text that names
 * every setting that changes loading (the caller's `settings`). A file whose size and mtime are
 * those recorded is taken as unchanged without being read again (as git's index does); any other
 * file is hashed, and an unchanged hash is still a hit. A file that changes while it is loaded is
 * not stored. One entry per kind: storing replaces the kind's previous tables, so the cache holds
 * no more than the inputs do.
 *
 * The cache is never a source of truth: a file that is not a DuckDB database, or one that audience
 * did not write, is rebuilt with a one-line notice; a cache held by another run is not used (one
 * notice). The folder is audience's own: created with a CACHEDIR.TAG and a `.gitignore`, private to
 * the user (0700), and a non-empty folder without the tag is refused rather than written into.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { UserError } from "../../errors.js";
import { sqlString } from "./open.js";

/** Bumped whenever what is stored changes shape: an older cache is then rebuilt. */
export const CACHE_FORMAT = "audience-load-cache 2";
export const CACHE_FILE = "load.duckdb";
const TAG = "CACHEDIR.TAG";
const TAG_TEXT =
  "Signature: 8a477f597d28d172789f06886806bc55\n" +
  "# This file is a cache directory tag created by audience (https://bford.info/cachedir/).\n" +
  "# The folder holds the loaded exports of --engine duckdb; deleting it changes nothing but time.\n";

/** The schema the cache file is attached as. */
const DB = "audience_cache";

export type CacheKind = "contacts" | "orders" | "events" | "lists";

interface FileKey {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

interface Entry {
  settings: string;
  files: FileKey[];
  tables: string[];
  meta: string;
}

export interface CacheHit {
  /** What the caller stored beside the tables (its replay data), as it gave it. */
  meta: string;
  /** Table name as stored → the qualified name to read it from. */
  tables: Map<string, string>;
  /** Each file's SHA-256, as recorded (the files are those). */
  sha256: string[];
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export class LoadCache {
  /** sha256 of the files hashed during this run, by path and the stat they were hashed at. */
  private readonly hashed = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

  private constructor(
    private readonly connection: DuckDBConnection,
    readonly file: string,
  ) {}

  /**
   * Attaches the cache of `folder` to `connection`, creating or rebuilding it as needed; undefined
   * (after a notice) when another run holds it.
   */
  static async attach(
    connection: DuckDBConnection,
    folder: string,
    notice: (line: string) => void,
  ): Promise<LoadCache | undefined> {
    await claimFolder(folder);
    const file = join(folder, CACHE_FILE);
    const existed = await stat(file).then(
      () => true,
      () => false,
    );
    if (existed) {
      const first = await tryAttach(connection, file);
      // Another run reading or writing it: this one reads the exports itself, as without a
      // cache (no notice: two runs at once are normal, and give the same results).
      if (first === "busy") return undefined;
      const problem = first === "ok" ? await formatProblem(connection) : first.problem;
      if (problem === undefined) return new LoadCache(connection, file);
      notice(`cache ${file} ${problem}; it is rebuilt`);
      if (first === "ok") await connection.run(`DETACH ${DB}`);
      await rm(file, { force: true });
      await rm(`${file}.wal`, { force: true });
    }
    const fresh = await tryAttach(connection, file);
    if (fresh === "busy") return undefined;
    if (fresh !== "ok") {
      notice(`cache ${file} ${fresh.problem}; this run reads the exports itself`);
      return undefined;
    }
    await connection.run(`CREATE TABLE ${DB}.format (format VARCHAR)`);
    await connection.run(`INSERT INTO ${DB}.format VALUES (${sqlString(CACHE_FORMAT)})`);
    await connection.run(
      `CREATE TABLE ${DB}.entries (kind VARCHAR PRIMARY KEY, settings VARCHAR, files VARCHAR, tables VARCHAR, meta VARCHAR)`,
    );
    await connection.run(`CHECKPOINT ${DB}`);
    return new LoadCache(connection, file);
  }

  /** The stored tables of `kind` when its files and settings are those recorded. */
  async lookup(
    kind: CacheKind,
    paths: readonly string[],
    settings: string,
  ): Promise<CacheHit | undefined> {
    const entry = await this.entry(kind);
    if (entry?.settings !== settings || entry.files.length !== paths.length) return undefined;
    for (let i = 0; i < paths.length; i++) {
      const recorded = entry.files[i];
      if (recorded.path !== paths[i]) return undefined;
      const now = await stat(paths[i]);
      if (now.size !== recorded.size) return undefined;
      if (now.mtimeMs === recorded.mtimeMs) continue;
      if ((await this.hash(paths[i])) !== recorded.sha256) return undefined;
    }
    return {
      meta: entry.meta,
      tables: new Map(entry.tables.map((t) => [t, `${DB}.${tableName(kind, t)}`])),
      sha256: entry.files.map((f) => f.sha256),
    };
  }

  /**
   * Stores `tables` (of the run's own database; `source` names the table each is copied from, by
   * default itself) as `kind`'s entry, replacing the previous one. `before` is each file's stat
   * when loading started: a file changed since is not stored.
   */
  async store(
    kind: CacheKind,
    paths: readonly string[],
    before: readonly { size: number; mtimeMs: number }[],
    settings: string,
    tables: readonly string[],
    meta: string,
    source: (table: string) => string = (table) => table,
  ): Promise<boolean> {
    const files: FileKey[] = [];
    for (let i = 0; i < paths.length; i++) {
      const now = await stat(paths[i]);
      if (now.size !== before[i].size || now.mtimeMs !== before[i].mtimeMs) return false;
      files.push({
        path: paths[i],
        size: now.size,
        mtimeMs: now.mtimeMs,
        sha256: await this.hash(paths[i]),
      });
    }
    const previous = await this.entry(kind);
    await this.connection.run("BEGIN TRANSACTION");
    try {
      for (const t of previous?.tables ?? [])
        await this.connection.run(`DROP TABLE IF EXISTS ${DB}.${tableName(kind, t)}`);
      await this.connection.run(`DELETE FROM ${DB}.entries WHERE kind = ${sqlString(kind)}`);
      for (const t of tables)
        await this.connection.run(
          `CREATE TABLE ${DB}.${tableName(kind, t)} AS SELECT * FROM ${source(t)}`,
        );
      await this.connection.run(
        `INSERT INTO ${DB}.entries VALUES (${[kind, settings, JSON.stringify(files), JSON.stringify(tables), meta].map(sqlString).join(", ")})`,
      );
      await this.connection.run("COMMIT");
    } catch (error) {
      await this.connection.run("ROLLBACK");
      throw error;
    }
    await this.connection.run(`CHECKPOINT ${DB}`);
    return true;
  }

  async detach(): Promise<void> {
    await this.connection.run(`DETACH ${DB}`);
  }

  private async entry(kind: CacheKind): Promise<Entry | undefined> {
    const reader = await this.connection.runAndReadAll(
      `SELECT settings, files, tables, meta FROM ${DB}.entries WHERE kind = ${sqlString(kind)}`,
    );
    const row = reader.getRows()[0];
    if (row === undefined) return undefined;
    const [settings, files, tables, meta] = row.map(String);
    return {
      settings,
      files: JSON.parse(files) as FileKey[],
      tables: JSON.parse(tables) as string[],
      meta,
    };
  }

  private async hash(path: string): Promise<string> {
    const now = await stat(path);
    const known = this.hashed.get(path);
    if (known?.size === now.size && known.mtimeMs === now.mtimeMs) return known.sha256;
    const sha256 = await sha256File(path);
    this.hashed.set(path, { size: now.size, mtimeMs: now.mtimeMs, sha256 });
    return sha256;
  }
}

function tableName(kind: CacheKind, table: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`not a cacheable table name: ${table}`);
  return `${kind}__${table}`;
}

/** Creates the cache folder, or checks that an existing one is audience's. */
async function claimFolder(folder: string): Promise<void> {
  let names: string[] | undefined;
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOTDIR") {
      throw new UserError("CACHE_NOT_A_FOLDER", `cache: ${folder} is a file, not a folder`, {
        hint: "set cache: in audience.yaml to a folder of its own, or run with --no-cache",
      });
    }
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (names !== undefined && names.length > 0) {
    const tag = names.includes(TAG)
      ? await readFile(join(folder, TAG), "utf8").catch(() => "")
      : "";
    if (!tag.startsWith(TAG_TEXT.slice(0, 44))) {
      throw new UserError(
        "CACHE_NOT_OURS",
        `cache: ${folder} already holds files that audience did not write (no ${TAG})`,
        { hint: "set cache: in audience.yaml to a folder of its own, or run with --no-cache" },
      );
    }
    return;
  }
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o700);
  await writeFile(join(folder, TAG), TAG_TEXT, { mode: 0o600 });
  await writeFile(join(folder, ".gitignore"), "*\n", { mode: 0o600 });
}

type Attached = "ok" | "busy" | { problem: string };

async function tryAttach(connection: DuckDBConnection, file: string): Promise<Attached> {
  try {
    await connection.run(`ATTACH ${sqlString(file)} AS ${DB}`);
    return "ok";
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/lock/i.test(message)) return "busy";
    return { problem: `is not a database audience can read (${message.split("\n")[0]})` };
  }
}

/** Why an attached cache is not one this version of audience wrote, or undefined. */
async function formatProblem(connection: DuckDBConnection): Promise<string | undefined> {
  try {
    const reader = await connection.runAndReadAll(`SELECT format FROM ${DB}.format`);
    const format = reader.getRows()[0]?.[0];
    if (format === CACHE_FORMAT) return undefined;
    return `was written by another version of audience (${String(format)})`;
  } catch {
    return "was not written by audience";
  }
}
