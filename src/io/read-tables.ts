/**
 * Reads the inputs given as `{ table: NAME }` or `{ query: "SELECT …" }` (docs/design.md#table-inputs) from
 * PostgreSQL with `pg`, loaded only by runs that have such inputs (read-inputs.ts imports this
 * module when it needs it). All the tables of a run are read in ONE transaction, `REPEATABLE READ
 * READ ONLY`, so they are one snapshot of the shop and nothing is ever written. Rows come by
 * cursor, 5,000 at a time, as text (pg-values.ts makes typed columns canonical), and go through
 * the same sinks as CSV rows: a table's column names are its header, `columns:` maps them, and
 * every §1 rule applies. A row's "line" in messages is its position in the order read (1 = the
 * first row), as a CSV line is its line in the file.
 *
 * Every failure of the server or the network is one line (UserError), never a stack trace, and
 * the URL is only ever shown without its password.
 */
import pg from "pg";
import type { ErrorCode } from "../codes.js";
import { UserError } from "../errors.js";
import type { RowSink } from "../model/ingest-context.js";
import type { DecimalMark } from "../model/values.js";
import { suggest } from "../suggest.js";
import {
  tableLabel,
  type InputAt,
  type TableName,
  type TableSource,
} from "../config/table-input.js";
import { cellConverter, type CellConverter } from "./pg-values.js";

const BATCH = 5000;
const CURSOR = "audience_rows";

export interface DatabaseTarget {
  url: string;
  /** The URL without its password, for messages and the manifest. */
  shown: string;
}

const where = (at: InputAt): string =>
  `${at.file}${at.line === undefined ? "" : `:${at.line}${at.column === undefined ? "" : `:${at.column}`}`}`;

/** The URL of `database:` / `--database` (env:NAME read from the environment), checked. */
export function databaseTarget(
  setting: { given: string; from: "--database" | "database:" } | undefined,
  env: Readonly<Record<string, string | undefined>>,
  first: { kind: string; source: TableSource },
): DatabaseTarget {
  if (setting === undefined) {
    throw new UserError(
      "NO_DATABASE",
      `${where(first.source.at)}: ${first.kind} is read from a database, but no database is given`,
      {
        hint: "set database: postgres://user@host:5432/shop (or database: env:NAME) in audience.yaml, or pass --database URL",
      },
    );
  }
  let url = setting.given.trim();
  let from = setting.from;
  if (url.startsWith("env:")) {
    const name = url.slice("env:".length).trim();
    const value = env[name];
    if (value === undefined || value.trim() === "") {
      throw new UserError(
        "NO_DATABASE",
        `${from} env:${name}: the environment variable ${name} is not set`,
      );
    }
    url = value.trim();
    from = `${from} env:${name}` as typeof from;
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !["postgres:", "postgresql:"].includes(parsed.protocol)) {
    // The text is not shown: a malformed URL may still hold a password.
    throw new UserError(
      "BAD_DATABASE_URL",
      `${from} is not a PostgreSQL URL: expected postgres://user:password@host:5432/database`,
    );
  }
  return { url, shown: withoutPassword(parsed) };
}

/** The URL with no password (neither `user:password@` nor `?password=`). */
export function withoutPassword(url: URL): string {
  const copy = new URL(url.href);
  copy.password = "";
  copy.searchParams.delete("password");
  return copy.href;
}

/** Cells come back as the server's text: no type parser of `pg` runs. */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value };

/** `"shop"."orders"`: an identifier as written, quotes doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

interface PgLikeError {
  code?: string;
  message?: string;
}

/** One line for a failure of the server or the connection. `input` places errors of one input. */
export function databaseError(
  error: unknown,
  target: DatabaseTarget,
  input?: { kind: string; at: InputAt; what: string },
): UserError {
  const e = (typeof error === "object" && error !== null ? error : {}) as PgLikeError;
  const text = (e.message ?? String(error)).replace(/\s+/g, " ").trim();
  const code = e.code ?? "";
  const db = `database ${target.shown}`;
  const located = (message: string, errorCode: ErrorCode) =>
    input === undefined
      ? new UserError(errorCode, `${db}: ${message}`)
      : new UserError(
          errorCode,
          `${where(input.at)}: ${input.kind} (${input.what}): ${message}`,
          {},
        );
  switch (code) {
    case "ECONNREFUSED":
      return new UserError(
        "DATABASE_UNREACHABLE",
        `cannot connect to ${db}: connection refused (is the server running on that host and port?)`,
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new UserError("DATABASE_UNREACHABLE", `cannot connect to ${db}: host not found`);
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new UserError("DATABASE_UNREACHABLE", `cannot connect to ${db}: no answer (${code})`);
    case "ECONNRESET":
    case "EPIPE":
      return new UserError("DATABASE_DISCONNECTED", `${db} closed the connection (${code})`);
    case "28P01":
    case "28000":
      return new UserError("DATABASE_AUTH", `cannot log in to ${db}: ${text}`);
    case "3D000":
      return new UserError("DATABASE_NOT_FOUND", `cannot connect to ${db}: ${text}`);
    case "42501":
      return located(`${text} (the database user may not read it)`, "DATABASE_PERMISSION");
    case "57014":
      return located(
        /statement timeout/i.test(text)
          ? "the server stopped the query: statement timeout (statement_timeout of the database user)"
          : "the server cancelled the query (pg_cancel_backend, or an administrator)",
        "DATABASE_CANCELLED",
      );
    case "57P01":
    case "57P02":
    case "57P03":
      return new UserError("DATABASE_DISCONNECTED", `${db}: the server ended the session: ${text}`);
    case "42601":
    case "42P01":
    case "42703":
    case "42883":
    case "42804":
      return located(text, "DATABASE_QUERY");
    default:
      break;
  }
  if (/client password must be a string|password authentication/i.test(text))
    return new UserError(
      "DATABASE_AUTH",
      `cannot log in to ${db}: the server asks for a password and the URL has none`,
    );
  if (/timeout expired/i.test(text))
    return new UserError("DATABASE_UNREACHABLE", `cannot connect to ${db}: no answer in time`);
  if (/Connection terminated/i.test(text))
    return new UserError("DATABASE_DISCONNECTED", `${db} closed the connection`);
  if (/^[0-9A-Z]{5}$/.test(code)) return located(`${text} (SQLSTATE ${code})`, "DATABASE_ERROR");
  return new UserError("DATABASE_ERROR", `${db}: ${text}`);
}

export interface TableRead {
  rows: number;
  /** Neither order_by nor a primary key: the server's row order decides ties. */
  unordered: boolean;
}

/** Codes of the sinks' header errors, located at the input's key in audience.yaml. */
const HEADER_ERRORS = new Set(["MISSING_COLUMN", "MAPPED_COLUMN_MISSING"]);

/** One connection, one read-only transaction: `open`, `read` each input, then `close`. */
export class TableSession {
  private constructor(
    private readonly client: pg.Client,
    readonly target: DatabaseTarget,
  ) {}

  static async open(target: DatabaseTarget): Promise<TableSession> {
    const client = new pg.Client({
      connectionString: target.url,
      application_name: "audience",
      connectionTimeoutMillis: 30_000,
      types: TEXT_TYPES,
    });
    // A connection lost between queries is reported by the next query, not as an 'error' event.
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      await client.query("SET LOCAL TimeZone = 'UTC'");
      await client.query("SET LOCAL DateStyle = 'ISO, YMD'");
    } catch (error) {
      await client.end().catch(() => undefined);
      throw databaseError(error, target);
    }
    return new TableSession(client, target);
  }

  /** Reads one input into `sink`; `label` names it in messages (`table shop.orders`). */
  async read(
    kind: string,
    source: TableSource,
    label: string,
    sink: RowSink,
    options: { decimal: DecimalMark; project: boolean; onRows?: (rows: number) => void },
  ): Promise<TableRead> {
    const input = { kind, at: source.at, what: label };
    try {
      let select: string;
      let unordered = false;
      if (source.table !== undefined) {
        const oid = await this.findTable(kind, source.table, source.at);
        const columns = await this.columnsOf(oid);
        const order = source.orderBy ?? (await this.primaryKey(oid));
        for (const column of order) {
          if (columns.includes(column)) continue;
          const close = suggest(column, columns);
          throw new UserError(
            "MISSING_COLUMN",
            `${where(source.at)}: ${kind}.order_by names the column "${column}", which ${label} does not have${close === undefined ? "" : ` (did you mean "${close}"?)`}`,
            { hint: `columns: ${columns.join(", ")}` },
          );
        }
        unordered = order.length === 0;
        select = `SELECT * FROM ${qualified(source.table)}${order.length === 0 ? "" : ` ORDER BY ${order.map(quoteIdent).join(", ")}`}`;
      } else {
        select = (source.query ?? "").trim().replace(/;+\s*$/, "");
      }
      await this.client.query(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${select}`);
      let rows = 0;
      let converters: CellConverter[] | undefined;
      let wanted: Uint8Array | undefined;
      for (;;) {
        const batch = await this.client.query<unknown[]>({
          text: `FETCH ${BATCH} FROM ${CURSOR}`,
          rowMode: "array",
        });
        if (converters === undefined) {
          converters = batch.fields.map((f) => cellConverter(f.dataTypeID, options.decimal));
          header(
            sink,
            batch.fields.map((f) => f.name),
            source.at,
          );
          const read = options.project ? sink.columns?.() : undefined;
          if (read !== undefined) {
            wanted = new Uint8Array(converters.length);
            for (const c of read) wanted[c] = 1;
          }
        }
        const convert = converters;
        for (const row of batch.rows) {
          const fields = row.map((value, i) =>
            wanted === undefined || wanted[i] === 1 ? convert[i](value as string | null) : "",
          );
          sink.row(fields, ++rows);
        }
        options.onRows?.(rows);
        if (batch.rows.length < BATCH) break;
      }
      await this.client.query(`CLOSE ${CURSOR}`);
      return { rows, unordered };
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw databaseError(error, this.target, input);
    }
  }

  /**
   * The columns of one input (names and type OIDs) and the columns its rows are read in order of
   * (order_by:, else the primary key; none for a query), without reading a row: what `audience
   * sql` needs to print a script reading it (sql/database-script.ts).
   */
  async describe(
    kind: string,
    source: TableSource,
    label: string,
  ): Promise<{ columns: { name: string; type: number }[]; orderBy: string[] }> {
    const input = { kind, at: source.at, what: label };
    try {
      let select = (source.query ?? "").trim().replace(/;+\s*$/, "");
      let orderBy: string[] = [];
      if (source.table !== undefined) {
        const oid = await this.findTable(kind, source.table, source.at);
        const columns = await this.columnsOf(oid);
        orderBy = source.orderBy ?? (await this.primaryKey(oid));
        const missing = orderBy.find((c) => !columns.includes(c));
        if (missing !== undefined)
          throw new UserError(
            "MISSING_COLUMN",
            `${where(source.at)}: ${kind}.order_by names the column "${missing}", which ${label} does not have`,
            { hint: `columns: ${columns.join(", ")}` },
          );
        select = `SELECT * FROM ${qualified(source.table)}`;
      }
      const result = await this.client.query<unknown[]>({
        text: `SELECT * FROM (${select}) AS q LIMIT 0`,
        rowMode: "array",
      });
      return {
        columns: result.fields.map((f) => ({ name: f.name, type: f.dataTypeID })),
        orderBy,
      };
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw databaseError(error, this.target, input);
    }
  }

  /** Ends the transaction (it wrote nothing) and the connection. */
  async close(): Promise<void> {
    await this.client.query("COMMIT").catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }

  private async findTable(kind: string, name: TableName, at: InputAt): Promise<number> {
    const found = await this.client.query<{ oid: string }>(
      `SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relname = $1 AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
         AND (n.nspname = $2 OR ($2 IS NULL AND pg_table_is_visible(c.oid)))`,
      [name.name, name.schema ?? null],
    );
    if (found.rows.length > 0) return Number(found.rows[0].oid);
    const all = await this.client.query<{ schema: string; name: string; visible: string }>(
      `SELECT n.nspname AS schema, c.relname AS name, pg_table_is_visible(c.oid)::text AS visible
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
         AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
       ORDER BY 1, 2`,
    );
    const names = all.rows.map((r) => (r.visible === "true" ? r.name : `${r.schema}.${r.name}`));
    const close = suggest(tableLabel(name), [
      ...names,
      ...all.rows.map((r) => `${r.schema}.${r.name}`),
    ]);
    throw new UserError(
      "MISSING_TABLE",
      `${where(at)}: ${kind}: there is no table ${tableLabel(name)} in ${this.target.shown}${close === undefined ? "" : ` (did you mean "${close}"?)`}`,
      {
        hint:
          names.length === 0
            ? "the database has no tables this user can see"
            : `tables: ${names.slice(0, 20).join(", ")}${names.length > 20 ? ", …" : ""}`,
      },
    );
  }

  private async columnsOf(oid: number): Promise<string[]> {
    const result = await this.client.query<{ name: string }>(
      `SELECT attname AS name FROM pg_attribute
       WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      [oid],
    );
    return result.rows.map((r) => r.name);
  }

  private async primaryKey(oid: number): Promise<string[]> {
    const result = await this.client.query<{ name: string }>(
      `SELECT a.attname AS name FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])
       WHERE i.indrelid = $1 AND i.indisprimary
       ORDER BY array_position(i.indkey::int2[], a.attnum)`,
      [oid],
    );
    return result.rows.map((r) => r.name);
  }
}

function qualified(name: TableName): string {
  return name.schema === undefined
    ? quoteIdent(name.name)
    : `${quoteIdent(name.schema)}.${quoteIdent(name.name)}`;
}

/** The sink's header, with a missing column reported at the input's key in audience.yaml. */
function header(sink: RowSink, names: string[], at: InputAt): void {
  try {
    sink.header(names);
  } catch (error) {
    if (error instanceof UserError && HEADER_ERRORS.has(error.code))
      throw new UserError(error.code, `${where(at)}: ${error.message}`, {
        ...(error.hint === undefined ? {} : { hint: error.hint }),
      });
    throw error;
  }
}
