/**
 * Opening embedded DuckDB for `--engine duckdb` (docs/design.md#engines). `@duckdb/node-api` ships a native
 * binary per platform, so it is loaded here only, on demand (`await import`): the memory engine
 * and `validate` never load it, and a machine without bindings still runs everything else. A
 * failure to load becomes a UserError that says so.
 */
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { totalmem } from "node:os";
import { UserError } from "../../errors.js";

/** The `duckdb:` settings of audience.yaml (docs/design.md#engines). */
export interface DuckDbSettings {
  /** DuckDB's own syntax: `4GB`, `512MB`, `80%`. */
  memoryLimit?: string;
  threads?: number;
  /** Where DuckDB spills when the data outgrow `memoryLimit`. */
  tempDirectory?: string;
}

export interface DuckDb {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  close(): void;
}

type NodeApi = typeof import("@duckdb/node-api");

let loaded: Promise<NodeApi> | undefined;

/** The module, loaded once; `importer` is for tests that simulate a machine without bindings. */
export function loadNodeApi(importer: () => Promise<NodeApi> = defaultImporter): Promise<NodeApi> {
  if (importer !== defaultImporter) return importer().catch(cannotLoad);
  loaded ??= importer().catch((error: unknown) => {
    loaded = undefined;
    return cannotLoad(error);
  });
  return loaded;
}

function defaultImporter(): Promise<NodeApi> {
  return import("@duckdb/node-api");
}

function cannotLoad(error: unknown): never {
  const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
  throw new UserError(
    "DUCKDB_UNAVAILABLE",
    `--engine duckdb: DuckDB cannot load on this machine (${detail}); the memory engine still works`,
    {
      hint: `leave out --engine duckdb (or set engine: memory) to run with the memory engine; DuckDB needs the @duckdb/node-bindings package of this platform (${process.platform}-${process.arch})`,
      cause: error,
    },
  );
}

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const MEMORY_LIMIT = /^\s*\d+(?:\.\d+)?\s*(?:[KMGT]i?B|B|%)\s*$/i;

/**
 * `memory_limit` as DuckDB reads it: a share of this machine's memory (`80%`, which DuckDB's
 * `SET` does not take) becomes bytes; a size stays as written.
 */
export function memoryLimitSql(limit: string, machine: number = totalmem()): string {
  const text = limit.trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (percent === null) return text;
  return `${Math.max(1, Math.floor((machine * Number(percent[1])) / 100))}B`;
}

/**
 * An in-memory DuckDB database with the settings applied (`SET`), and one connection. The
 * settings are checked here so that a typo is a clear message rather than a DuckDB error.
 */
export async function openDuckDb(
  settings: DuckDbSettings = {},
  importer?: () => Promise<NodeApi>,
): Promise<DuckDb> {
  if (settings.memoryLimit !== undefined && !MEMORY_LIMIT.test(settings.memoryLimit)) {
    throw new UserError(
      "BAD_DUCKDB_SETTING",
      `duckdb.memory_limit: ${JSON.stringify(settings.memoryLimit)} is not a size`,
      { hint: "write a size such as 4GB, 512MB or 80%" },
    );
  }
  if (
    settings.threads !== undefined &&
    (!Number.isInteger(settings.threads) || settings.threads < 1)
  ) {
    throw new UserError(
      "BAD_DUCKDB_SETTING",
      `duckdb.threads: ${String(settings.threads)} is not a whole number of threads (1 or more)`,
    );
  }
  const api = await loadNodeApi(importer);
  const instance = await api.DuckDBInstance.create(":memory:");
  let connection: DuckDBConnection | undefined;
  try {
    connection = await instance.connect();
    // The loader relies on the file order of rows (line numbers): never give it up.
    await connection.run("SET preserve_insertion_order = true");
    if (settings.memoryLimit !== undefined) {
      await connection.run(`SET memory_limit = ${sqlString(memoryLimitSql(settings.memoryLimit))}`);
    }
    if (settings.threads !== undefined) {
      await connection.run(`SET threads = ${settings.threads}`);
    }
    if (settings.tempDirectory !== undefined) {
      await connection.run(`SET temp_directory = ${sqlString(settings.tempDirectory)}`);
    }
  } catch (error) {
    connection?.closeSync();
    instance.closeSync();
    throw new UserError(
      "BAD_DUCKDB_SETTING",
      `duckdb: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
      { cause: error },
    );
  }
  const opened = connection;
  return {
    instance,
    connection: opened,
    close() {
      opened.closeSync();
      instance.closeSync();
    },
  };
}
