/**
 * Reading one CSV input into DuckDB (`--engine duckdb`, docs/design.md#engines): a raw table of text cells with
 * each row's source line, holding exactly the rows, cells and line numbers the memory engine's
 * reader (io/parse-csv.ts) hands to its sinks.
 *
 * One streaming pass in TypeScript first reads the bytes through the memory engine's decoder
 * (decode.ts): it gives the encoding, the hash, and whether the file is regular — UTF-8, no empty
 * line, no lone CR. A regular file is read by DuckDB's `read_csv` itself, with options fixed from
 * what the memory engine decides (delimiter from the header line, `"` quote and escape, every
 * column VARCHAR, no sniffing); line numbers follow from the line breaks inside quoted cells. Any
 * row DuckDB reads differently from csv-parse (more cells than the header, a stray quote, a line
 * over DuckDB's limit) is a reject there, and the file is then read like an irregular one: parsed
 * by the memory engine's own parser into a temporary UTF-8 file (line number, cells), streamed,
 * which DuckDB then loads. Either way the errors that stop a run (no such file, binary data, an
 * unbalanced quote, corrupt gzip, a header that does not fit `delimiter:`) are the memory engine's
 * own, word for word.
 */
import { createHash } from "node:crypto";
import { closeSync, createReadStream, openSync, writeSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { parse as parseSync } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import type { DuckDBConnection } from "@duckdb/node-api";
import { UserError } from "../../errors.js";
import {
  detectDelimiter,
  parseCsv,
  type CsvReadResult,
  type CsvSource,
  type Delimiter,
} from "../../io/parse-csv.js";
import type { RowSink } from "../../model/ingest-context.js";
import { ByteDecoder } from "../../io/decode.js";
import { sqlString } from "./open.js";

export interface CsvInput extends CsvSource {
  /** Name of the table to create (replaced if it exists). */
  table: string;
  /** Compute the SHA-256 of the file's bytes as stored (for the build manifest). */
  hash?: boolean;
  /** Folder for the temporary UTF-8 copy of an irregular file (default: the system's). */
  tempDirectory?: string;
}

/** How the rows reached DuckDB. */
export type LoadPath = "read_csv" | "transcoded";

export interface RawTable {
  /**
   * The raw table (a view; `dropRawTable` removes it and its storage): `line BIGINT` (the row's
   * first line in the file, 1 = header) then `c0`, `c1`, … VARCHAR, one per cell. A row shorter
   * than `width` has NULL after its last cell; an empty cell is `''`. `ORDER BY line` is file
   * order.
   */
  table: string;
  header: string[];
  /** Number of cell columns: the header's length, or the longest row's. */
  width: number;
  rows: number;
  read: CsvReadResult;
  path: LoadPath;
  /** Why the file was not read by `read_csv` directly (for diagnostics), if it was not. */
  transcodedBecause?: string;
  /**
   * Whether a cell may begin with U+FEFF (the text holds a byte order mark after its start): the
   * node-api's text decoding drops it from the start of a value, so such cells are read prefixed.
   */
  bomInside: boolean;
}

const CHUNK = 1 << 20;
/** The longest physical line DuckDB accepts here; the memory engine accepts 4 MB records. */
const MAX_LINE = 4 * 1024 * 1024 + 64;

function cellColumn(index: number): string {
  return `c${index}`;
}

/** A row of the raw table as the fields the memory engine's reader gave (NULL padding removed). */
export function rowFields(cells: readonly (string | null)[]): string[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1] === null) end--;
  const out: string[] = [];
  for (let i = 0; i < end; i++) out.push(cells[i] ?? "");
  return out;
}

interface Scan {
  bytes: number;
  gzip: boolean;
  sha256?: string;
  encoding: CsvReadResult["encoding"];
  windows1252Bytes: number;
  delimiter: Delimiter;
  /** Why `read_csv` cannot take the file as it is, or undefined. */
  irregular?: string;
  /** The first decoded chunk, as csv-parse would see it first (the header line is in it). */
  head: Buffer;
  /** Whether `head` is the whole text. */
  headIsAll: boolean;
}

/**
 * The memory engine's own reading of `source` into `sink` (its parser and decoder, on this
 * thread): for a file whose load stopped with an error, so that the run stops with the error the
 * memory engine gives first — which may come from a sink, on the header or on a row before the
 * place the load stopped at.
 */
export function readLikeMemoryEngine(
  source: CsvSource,
  sink: RowSink,
  hash: boolean,
): Promise<CsvReadResult> {
  return parseCsv(source, sink, hash ? { hash: true } : {});
}

/** Reads `input` into a new table `input.table` of `connection`. */
export async function loadCsvInput(
  connection: DuckDBConnection,
  input: CsvInput,
): Promise<RawTable> {
  const info = await stat(input.path).catch(() => undefined);
  // A missing file, a folder, a pipe (read once, never reopened): the memory engine's reader, with
  // its messages.
  if (info === undefined || !info.isFile()) {
    return readTranscoded(connection, input, "not a regular file");
  }
  const scan = await scanFile(input);
  let header: string[] | undefined;
  if (scan.irregular === undefined) {
    // The header as the memory engine reads it; this also raises its errors about the header
    // line (empty file, a `delimiter:` that does not fit) word for word.
    header = quickHeader(input, scan) ?? (await readHeader(input));
    const direct = await readDirect(connection, input, scan, header);
    if (direct.ok) return direct.table;
    scan.irregular = direct.reason;
  }
  return readTranscoded(connection, input, scan.irregular);
}

/**
 * The header from the first decoded chunk of the scan, parsed with the memory engine's options,
 * when that is certain: no `delimiter:` to check, and the record ends inside the chunk.
 */
function quickHeader(input: CsvInput, scan: Scan): string[] | undefined {
  if (input.delimiter !== undefined || scan.head.length === 0) return undefined;
  try {
    const records = parseSync(scan.head, {
      delimiter: scan.delimiter,
      record_delimiter: ["\r\n", "\n", "\r"],
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      to: 1,
      info: true,
    }) as unknown as { record: string[]; info: { bytes: number } }[];
    const first = records[0];
    if (first === undefined) return undefined;
    if (!scan.headIsAll && first.info.bytes >= scan.head.length) return undefined;
    return first.record;
  } catch {
    return undefined;
  }
}

class HeaderRead extends Error {
  constructor(readonly fields: string[]) {
    super("header read");
  }
}

async function readHeader(source: CsvSource): Promise<string[]> {
  try {
    await parseCsv(source, {
      header(fields) {
        throw new HeaderRead(fields);
      },
      row() {},
    });
  } catch (error) {
    if (error instanceof HeaderRead) return error.fields;
    throw error;
  }
  throw new UserError("EMPTY_FILE", `${source.display} is empty: expected a header line and rows`);
}

/** The memory engine's decoding pass over the file, with the checks that pick the load path. */
async function scanFile(input: CsvInput): Promise<Scan> {
  const hash = input.hash === true ? createHash("sha256") : undefined;
  let bytes = 0;
  let gzip = false;
  const stream = createReadStream(input.path, { highWaterMark: CHUNK });
  const counted = (async function* () {
    for await (const chunk of stream) {
      const buffer = chunk as Buffer;
      if (bytes === 0) gzip = buffer.length >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
      bytes += buffer.length;
      hash?.update(buffer);
      yield buffer;
    }
  })();
  const opened = await counted.next();
  const first = opened.done === true ? Buffer.alloc(0) : opened.value;
  async function* all(): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    yield* counted;
  }
  let text: AsyncIterable<Buffer> = all();
  if (gzip) {
    const gunzip = createGunzip();
    const raw = Readable.from(all(), { objectMode: false });
    raw.on("error", (error) => gunzip.destroy(error));
    text = raw.pipe(gunzip);
  }
  const decoder = new ByteDecoder(input.display);
  let delimiter: Delimiter | undefined = input.delimiter;
  let irregular: string | undefined;
  let previous = -1;
  let tail: Buffer = Buffer.alloc(0);
  let firstChunk = true;
  let started = false;
  let head: Buffer = Buffer.alloc(0);
  let afterHead = 0;
  const look = (decoded: Buffer) => {
    if (decoded.length === 0) return;
    if (started) afterHead += decoded.length;
    if (!started) {
      started = true;
      head = decoded;
      delimiter ??= detectDelimiter(decoded.toString("utf8", 0, Math.min(decoded.length, 1 << 16)));
      if (decoded[0] === 0x0a || decoded[0] === 0x0d) irregular ??= "an empty first line";
    }
    if (irregular !== undefined) return;
    irregular = lineBreakProblem(decoded, previous) ?? bomProblem(decoded, tail, firstChunk);
    previous = decoded[decoded.length - 1];
    tail = decoded.subarray(Math.max(0, decoded.length - 2));
    firstChunk = false;
  };
  try {
    for await (const chunk of text) look(decoder.decode(chunk as Buffer));
    look(decoder.end());
  } catch (error) {
    // Corrupt gzip, binary data, a read error: the memory engine's parser says it its way.
    if (error instanceof UserError) throw error;
    await parseCsv(input, { header() {}, row() {} });
    throw error;
  }
  if (previous === 0x0d) irregular ??= "a lone carriage return";
  const encoding = decoder.encoding ?? "utf-8";
  if (encoding !== "utf-8") irregular ??= `${encoding} text`;
  return {
    bytes,
    gzip,
    ...(hash === undefined ? {} : { sha256: hash.digest("hex") }),
    encoding,
    windows1252Bytes: decoder.windows1252Bytes,
    delimiter: delimiter ?? ",",
    ...(irregular === undefined ? {} : { irregular }),
    head,
    headIsAll: afterHead === 0,
  };
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * A byte order mark after the start of the text: read_csv drops it from the cell, csv-parse keeps
 * it (a `\uFEFF` pasted into a name). Checked with the last two bytes of the previous chunk.
 */
function bomProblem(chunk: Buffer, tail: Buffer, first: boolean): string | undefined {
  const joined = tail.length === 0 ? chunk : Buffer.concat([tail, chunk]);
  const at = joined.indexOf(BOM, first ? 1 : 0);
  return at >= 0 ? BOM_INSIDE : undefined;
}

const BOM_INSIDE = "a byte order mark inside the text";

const LF = Buffer.from("\n\n");
const CR = Buffer.from("\r\r");
const LFCR = Buffer.from("\n\r");

/**
 * Line breaks `read_csv` and csv-parse may count differently: an empty line (skipped by both,
 * but invisible in DuckDB's rows), a lone CR. Checked on the decoded bytes, with the last byte of
 * the previous chunk.
 */
function lineBreakProblem(chunk: Buffer, previous: number): string | undefined {
  if (previous === 0x0a && (chunk[0] === 0x0a || chunk[0] === 0x0d)) return "an empty line";
  if (previous === 0x0d && chunk[0] === 0x0d) return "an empty line";
  if (previous === 0x0d && chunk[0] !== 0x0a) return "a lone carriage return";
  if (chunk.indexOf(LF) >= 0 || chunk.indexOf(CR) >= 0 || chunk.indexOf(LFCR) >= 0)
    return "an empty line";
  let at = chunk.indexOf(0x0d);
  while (at >= 0 && at < chunk.length - 1) {
    if (chunk[at + 1] !== 0x0a) return "a lone carriage return";
    at = chunk.indexOf(0x0d, at + 2);
  }
  return undefined;
}

function columnsSql(width: number): string {
  const columns: string[] = [];
  for (let i = 0; i < width; i++) columns.push(`${sqlString(cellColumn(i))}: 'VARCHAR'`);
  return `{${columns.join(", ")}}`;
}

function delimiterSql(delimiter: Delimiter): string {
  return delimiter === "\t" ? "'\\t'" : sqlString(delimiter);
}

type DirectResult = { ok: true; table: RawTable } | { ok: false; reason: string };

let loads = 0;

async function readDirect(
  connection: DuckDBConnection,
  input: CsvInput,
  scan: Scan,
  header: string[],
): Promise<DirectResult> {
  const width = header.length;
  const stored = cellsTable(input.table);
  const rejects = `audience_rejects_${process.pid}_${++loads}`;
  // One column more than the header: read_csv leaves out empty cells beyond the declared
  // columns silently (`a,b,,` read as `a,b`), so a row longer than the header shows as a value
  // (or '') in the extra column, and the file is then transcoded.
  const options = (parallel: boolean) =>
    [
      `columns = ${columnsSql(width + 1)}`,
      "header = false",
      "auto_detect = false",
      `delim = ${delimiterSql(scan.delimiter)}`,
      "quote = '\"'",
      "escape = '\"'",
      // An unquoted empty cell is '' (as in csv-parse); NULL is kept for cells a short row lacks.
      "nullstr = '\n'",
      "allow_quoted_nulls = false",
      "null_padding = true",
      "strict_mode = true",
      `max_line_size = ${MAX_LINE}`,
      `compression = ${scan.gzip ? "'gzip'" : "'none'"}`,
      "store_rejects = true",
      `rejects_table = ${sqlString(`${rejects}_errors`)}`,
      `rejects_scan = ${sqlString(`${rejects}_scans`)}`,
      `parallel = ${parallel}`,
    ].join(", ");
  // The header is row 0: the table's rowid is then the row's index in the file.
  const load = (parallel: boolean) =>
    connection.run(
      `CREATE OR REPLACE TABLE ${stored} AS SELECT * FROM read_csv(${sqlString(input.path)}, ${options(parallel)})`,
    );
  const dropRejects = async () => {
    await connection.run(`DROP TABLE IF EXISTS ${rejects}_errors`);
    await connection.run(`DROP TABLE IF EXISTS ${rejects}_scans`);
  };
  const fail = async (reason: string): Promise<DirectResult> => {
    await dropRawTable(connection, input.table);
    return { ok: false, reason };
  };
  try {
    try {
      await load(true);
    } catch (error) {
      // The parallel reader cannot pad short rows when cells hold line breaks: read on one thread.
      if (!(error instanceof Error && /null_padding/.test(error.message))) throw error;
      await load(false);
    }
  } catch (error) {
    await dropRejects();
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return fail(`read_csv: ${message}`);
  }
  try {
    const rejected = await connection.runAndReadAll(
      `SELECT error_type FROM ${rejects}_errors ORDER BY byte_position LIMIT 1`,
    );
    const kind = rejected.getRows()[0]?.[0];
    if (kind !== undefined) return await fail(`read_csv: ${String(kind)}`);
  } finally {
    await dropRejects();
  }
  const longer = await scalar(
    connection,
    `SELECT count(*) FROM ${stored} WHERE ${cellColumn(width)} IS NOT NULL`,
  );
  if (longer > 0) return fail("read_csv: a row with more cells than the header");
  // The first row is the header: it must be the one the memory engine read.
  const first = await connection.runAndReadAll(`SELECT * FROM ${stored} WHERE rowid = 0`);
  const firstRow = first.getRows()[0]?.map((v) => (v === null ? null : String(v))) ?? [];
  if (JSON.stringify(rowFields(firstRow)) !== JSON.stringify(header)) {
    return fail("read_csv read another header line");
  }
  const cells = Array.from({ length: width }, (_, i) => cellColumn(i));
  // Row k (0 = header) starts on line 1 + k + the line breaks inside the cells of the rows before
  // it. Rows with line breaks are few: their running sum is a small table, joined ASOF.
  const breaksTable = `${stored}_breaks`;
  const breaks = cells
    .map((c) => `coalesce(length(${c}) - length(replace(${c}, chr(10), '')), 0)`)
    .join(" + ");
  const holds = cells.map((c) => `contains(${c}, chr(10))`).join(" OR ");
  await connection.run(
    `CREATE OR REPLACE TABLE ${breaksTable} AS SELECT ordinal, sum(n) OVER (ORDER BY ordinal) AS before FROM (SELECT rowid AS ordinal, ${breaks} AS n FROM ${stored} WHERE ${holds})`,
  );
  const anyBreak = await scalar(connection, `SELECT count(*) FROM ${breaksTable}`);
  const list = cells.map((c) => `s.${c}`).join(", ");
  if (anyBreak === 0) {
    await connection.run(`DROP TABLE ${breaksTable}`);
    await connection.run(
      `CREATE OR REPLACE VIEW ${input.table} AS SELECT CAST(s.rowid + 1 AS BIGINT) AS line, ${list} FROM ${stored} s WHERE s.rowid > 0`,
    );
  } else {
    await connection.run(
      `CREATE OR REPLACE VIEW ${input.table} AS SELECT CAST(s.rowid + 1 + coalesce(b.before, 0) AS BIGINT) AS line, ${list} FROM ${stored} s ASOF LEFT JOIN ${breaksTable} b ON s.rowid > b.ordinal WHERE s.rowid > 0`,
    );
  }
  const rows = (await scalar(connection, `SELECT count(*) FROM ${stored}`)) - 1;
  return {
    ok: true,
    table: {
      table: input.table,
      header,
      width,
      rows,
      read: readResult(scan, rows),
      path: "read_csv",
      bomInside: false,
    },
  };
}

/** Where the cells of raw table `table` are stored (`table` itself is a view with `line`). */
function cellsTable(table: string): string {
  return `${table}_cells`;
}

/** Drops raw table `table` (the view and what it reads). */
export async function dropRawTable(connection: DuckDBConnection, table: string): Promise<void> {
  await connection.run(`DROP VIEW IF EXISTS ${table}`);
  await connection.run(`DROP TABLE IF EXISTS ${cellsTable(table)}_breaks`);
  await connection.run(`DROP TABLE IF EXISTS ${cellsTable(table)}`);
}

async function scalar(connection: DuckDBConnection, sql: string): Promise<number> {
  const result = await connection.runAndReadAll(sql);
  return Number(result.getRows()[0]?.[0] ?? 0);
}

function readResult(scan: Scan, rows: number): CsvReadResult {
  return {
    rows,
    bytes: scan.bytes,
    ...(scan.sha256 === undefined ? {} : { sha256: scan.sha256 }),
    encoding: scan.encoding,
    windows1252Bytes: scan.windows1252Bytes,
    delimiter: scan.delimiter,
    gzip: scan.gzip,
  };
}

/** Buffered synchronous writes: the parser hands rows over synchronously, memory stays bounded. */
class FileWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;

  constructor(path: string) {
    this.fd = openSync(path, "w");
  }

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= CHUNK) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    writeSync(this.fd, this.parts.join(""));
    this.parts = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * The memory engine's parser (and decoder) writes the rows into a temporary UTF-8 CSV file
 * (`line`, then the cells), which DuckDB loads.
 */
async function readTranscoded(
  connection: DuckDBConnection,
  input: CsvInput,
  because: string,
): Promise<RawTable> {
  const folder = await mkdtemp(join(input.tempDirectory ?? tmpdir(), "audience-duckdb-"));
  const file = join(folder, "rows.csv");
  try {
    const writer = new FileWriter(file);
    let header: string[] = [];
    let width = 0;
    let result: CsvReadResult;
    try {
      result = await parseCsv(
        input,
        {
          header(fields) {
            header = fields;
            width = fields.length;
          },
          row(fields, line) {
            if (fields.length > width) width = fields.length;
            writer.write(stringify([[String(line), ...fields]], { record_delimiter: "\n" }));
          },
        },
        input.hash === true ? { hash: true } : {},
      );
    } finally {
      writer.close();
    }
    const cells = Array.from({ length: width }, (_, i) => cellColumn(i));
    const stored = cellsTable(input.table);
    await dropRawTable(connection, input.table);
    if (result.rows === 0) {
      const columns = ["line BIGINT", ...cells.map((c) => `${c} VARCHAR`)];
      await connection.run(`CREATE TABLE ${stored} (${columns.join(", ")})`);
    } else {
      const columns = [`'line': 'BIGINT'`, ...cells.map((c) => `${sqlString(c)}: 'VARCHAR'`)];
      await connection.run(
        `CREATE TABLE ${stored} AS SELECT * FROM read_csv(${sqlString(file)}, columns = {${columns.join(", ")}}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', new_line = '\\n', nullstr = '\n', allow_quoted_nulls = false, null_padding = true, strict_mode = true, max_line_size = ${MAX_LINE * 4}, parallel = false)`,
      );
    }
    await connection.run(`CREATE VIEW ${input.table} AS SELECT * FROM ${stored}`);
    return {
      table: input.table,
      header,
      width,
      rows: result.rows,
      read: result,
      path: "transcoded",
      transcodedBecause: because,
      bomInside: because === BOM_INSIDE,
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
