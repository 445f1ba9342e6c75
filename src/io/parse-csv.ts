/**
 * Streams one CSV file (plain or gzip) into a row sink, with csv-parse: RFC 4180 quoting, CRLF/LF/CR
 * and mixed line endings, BOM, UTF-8/Windows-1252/UTF-16 (see decode.ts), delimiter detection among
 * `,` `;` tab. Rows are handed over one at a time with their line number; nothing is kept, so memory
 * does not grow with the file.
 */
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import { Readable } from "node:stream";
import { CsvError, parse, type Parser } from "csv-parse";
import { UserError } from "../errors.js";
import type { RowSink } from "../model/ingest-context.js";
import { ByteDecoder, type TextEncoding } from "./decode.js";

export type Delimiter = "," | ";" | "\t";

export interface CsvSource {
  /** Path to open. */
  path: string;
  /** The file as the user wrote it, for messages (`data/orders.csv`). */
  display: string;
  /** Forced delimiter; detected from the header line when absent. */
  delimiter?: Delimiter;
}

export interface CsvReadOptions {
  /**
   * Let the reading threads leave empty the columns the sink does not read (RowSink.columns).
   * Off when whole rows are needed (`--rejects` writes rejected rows as they were).
   */
  project?: boolean;
  /** Awaited before each chunk is parsed: lets a consumer hold the reader back (worker mode). */
  beforeChunk?: () => Promise<void> | undefined;
  /** Compute the SHA-256 of the file's bytes as stored (for the build manifest). */
  hash?: boolean;
  /** Called with the number of bytes read so far (for the spinner). */
  onBytes?: (bytes: number) => void;
  /** Longest record accepted, in characters; longer ones are almost always an unbalanced quote. */
  maxRecordSize?: number;
}

export interface CsvReadResult {
  rows: number;
  /** Bytes of the file as stored (compressed size for .gz). */
  bytes: number;
  sha256?: string;
  encoding: TextEncoding;
  /** Bytes that were not UTF-8 and were read as Windows-1252. */
  windows1252Bytes: number;
  delimiter: Delimiter;
  gzip: boolean;
}

const DEFAULT_MAX_RECORD = 4 * 1024 * 1024;
const CHUNK = 1 << 20;

/** Picks the delimiter that occurs most often (outside quotes) on the header line. */
export function detectDelimiter(text: string): Delimiter {
  const counts = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "\n" || c === "\r")) break;
    else if (!quoted && (c === "," || c === ";" || c === "\t")) counts[c]++;
  }
  if (counts[";"] > counts[","] && counts[";"] >= counts["\t"]) return ";";
  if (counts["\t"] > counts[","] && counts["\t"] > counts[";"]) return "\t";
  return ",";
}

interface OpenedSource {
  /** The file's bytes as stored, from the first. */
  chunks: AsyncIterable<Buffer>;
  /** The underlying stream, destroyed to stop reading early. */
  stream: Readable;
  gzip: boolean;
}

const DELIMITER_NAMES: Record<Delimiter, string> = { ",": '","', ";": '";"', "\t": "tab" };

/**
 * With `delimiter:` set, a header that stays one column but holds another delimiter means the
 * setting does not fit the file: say so, rather than report every required column as missing.
 */
function checkForcedDelimiter(header: readonly string[], source: CsvSource): void {
  if (header.length !== 1 || source.delimiter === undefined) return;
  let found: Delimiter | undefined;
  let most = 0;
  for (const candidate of [",", ";", "\t"] as const) {
    const count = header[0].split(candidate).length - 1;
    if (candidate !== source.delimiter && count > most) {
      found = candidate;
      most = count;
    }
  }
  if (found === undefined) return;
  throw new UserError(
    "WRONG_DELIMITER",
    `${source.display}:1: the header line is separated by ${DELIMITER_NAMES[found]}, not by ${DELIMITER_NAMES[source.delimiter]} (delimiter: in audience.yaml)`,
    {
      hint: `set delimiter: ${found === "\t" ? "tab" : `"${found}"`} in audience.yaml, or remove delimiter: to detect it from the header line`,
    },
  );
}

async function openSource(path: string, display: string): Promise<OpenedSource> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      throw new UserError("NOT_A_FILE", `${display} is a folder, not a CSV file`);
    }
  } catch (error) {
    throw fileError(error, display);
  }
  // The first bytes say whether the data is gzip. They come from the one stream that is then
  // parsed, never from a second open: a pipe (`--orders <(gunzip -c …)`, /dev/stdin) can be read
  // only once, and cannot seek.
  const stream = createReadStream(path, { highWaterMark: CHUNK });
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  try {
    while (headBytes < 2) {
      const next = await iterator.next();
      if (next.done === true) {
        ended = true;
        break;
      }
      head.push(next.value);
      headBytes += next.value.length;
    }
  } catch (error) {
    stream.destroy();
    throw fileError(error, display);
  }
  const first = Buffer.concat(head);
  async function* chunks(): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  return {
    chunks: chunks(),
    stream,
    gzip: first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b,
  };
}

/** A failure to open or read an input file, as a message about that file. */
function fileError(error: unknown, display: string): unknown {
  if (error instanceof UserError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return new UserError("FILE_NOT_FOUND", `${display}: no such file`, {
        hint: "paths in audience.yaml are relative to the folder of audience.yaml",
      });
    case "EISDIR":
      return new UserError("NOT_A_FILE", `${display} is a folder, not a CSV file`);
    case "EACCES":
    case "EPERM":
      return new UserError("FILE_UNREADABLE", `${display}: permission denied`);
    default:
      return new UserError("FILE_UNREADABLE", `${display}: cannot be read (${code ?? "error"})`);
  }
}

/**
 * Parses `source` into `sink` on this thread. User mistakes (missing file, not CSV, unbalanced
 * quote, corrupt gzip) become `UserError`s naming the file and line. `readCsv` (csv-read.ts) runs
 * this in a worker thread when it can.
 */
export async function parseCsv(
  source: CsvSource,
  sink: RowSink,
  options: CsvReadOptions = {},
): Promise<CsvReadResult> {
  const { chunks, stream, gzip } = await openSource(source.path, source.display);
  const hash: Hash | undefined = options.hash ? createHash("sha256") : undefined;
  let bytes = 0;
  const countRaw = (chunk: Buffer) => {
    bytes += chunk.length;
    hash?.update(chunk);
    options.onBytes?.(bytes);
  };
  let text: AsyncIterable<Buffer>;
  if (gzip) {
    // The raw bytes are counted and hashed as they enter gunzip.
    const raw = Readable.from(chunks, { objectMode: false });
    raw.on("data", countRaw);
    const gunzip = createGunzip();
    raw.on("error", (error) => gunzip.destroy(error));
    text = raw.pipe(gunzip);
  } else {
    text = (async function* () {
      for await (const chunk of chunks) {
        countRaw(chunk as Buffer);
        yield chunk as Buffer;
      }
    })();
  }

  const decoder = new ByteDecoder(source.display);
  let parser: Parser | undefined;
  let delimiter: Delimiter = source.delimiter ?? ",";
  let failure: unknown;
  let headerSeen = false;
  let rows = 0;
  let previousEnd = 0;
  let previousEmpty = 0;
  let lineCorrection = 0;

  const createParser = (first: Buffer): Parser => {
    delimiter =
      source.delimiter ??
      detectDelimiter(first.toString("utf8", 0, Math.min(first.length, 1 << 16)));
    const p = parse({
      delimiter,
      record_delimiter: ["\r\n", "\n", "\r"],
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      max_record_size: options.maxRecordSize ?? DEFAULT_MAX_RECORD,
    });
    p.on("data", (record: string[]) => {
      if (failure !== undefined) return;
      const info = p.info;
      const empty = info.empty_lines - previousEmpty;
      const start = previousEnd + 1 + empty;
      let end = info.lines - lineCorrection;
      if (end > start) {
        // A multi-line record: csv-parse counts a quoted CRLF as two lines; count it once.
        let crlf = 0;
        for (const field of record) {
          let at = field.indexOf("\r\n");
          while (at >= 0) {
            crlf++;
            at = field.indexOf("\r\n", at + 2);
          }
        }
        lineCorrection += crlf;
        end -= crlf;
      }
      previousEnd = end;
      previousEmpty = info.empty_lines;
      try {
        if (!headerSeen) {
          headerSeen = true;
          if (source.delimiter !== undefined) checkForcedDelimiter(record, source);
          sink.header(record);
        } else {
          rows++;
          sink.row(record, start);
        }
      } catch (error) {
        failure = error;
        stream.destroy();
      }
    });
    return p;
  };

  const write = (p: Parser, chunk: Buffer): Promise<void> | undefined => {
    if (chunk.length === 0) return undefined;
    if (p.write(chunk)) return undefined;
    return new Promise((resolve) => p.once("drain", resolve));
  };

  const parsed = new Promise<void>((resolve, reject) => {
    const attach = (p: Parser) => {
      p.on("error", reject);
      p.on("end", resolve);
    };
    (async () => {
      try {
        for await (const chunk of text) {
          if (failure !== undefined) break;
          const wait = options.beforeChunk?.();
          if (wait !== undefined) await wait;
          const decoded = decoder.decode(chunk);
          if (parser === undefined) {
            if (decoded.length === 0) continue;
            parser = createParser(decoded);
            attach(parser);
          }
          await write(parser, decoded);
        }
        if (failure !== undefined) {
          resolve();
          return;
        }
        const rest = decoder.end();
        if (parser === undefined) {
          if (rest.length === 0) {
            resolve();
            return;
          }
          parser = createParser(rest);
          attach(parser);
        }
        if (rest.length > 0) await write(parser, rest);
        parser.end();
      } catch (error) {
        reject(error);
      }
    })();
  });

  try {
    await parsed;
  } catch (error) {
    if (failure === undefined) throw translateError(error, source.display, previousEnd, gzip);
  }
  if (failure !== undefined) throw failure;
  if (!headerSeen) {
    throw new UserError(
      "EMPTY_FILE",
      `${source.display} is empty: expected a header line and rows`,
    );
  }
  return {
    rows,
    bytes,
    ...(hash === undefined ? {} : { sha256: hash.digest("hex") }),
    encoding: decoder.encoding ?? "utf-8",
    windows1252Bytes: decoder.windows1252Bytes,
    delimiter,
    gzip,
  };
}

function translateError(
  error: unknown,
  file: string,
  lastGoodLine: number,
  gzip: boolean,
): unknown {
  if (error instanceof UserError) return error;
  const line = lastGoodLine + 1;
  if (error instanceof CsvError) {
    switch (error.code) {
      case "CSV_QUOTE_NOT_CLOSED":
        return new UserError(
          "UNBALANCED_QUOTE",
          `${file}:${line}: a quoted field opens here and never closes`,
          {
            hint: 'a `"` inside a value must be doubled (`""`) or the value quoted',
          },
        );
      case "CSV_MAX_RECORD_SIZE":
        return new UserError(
          "RECORD_TOO_LARGE",
          `${file}:${line}: a row longer than 4 MB — most likely an unbalanced quote on this line`,
        );
      default:
        return new UserError("CSV_SYNTAX", `${file}:${line}: not valid CSV (${error.code})`);
    }
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (gzip && typeof code === "string" && code.startsWith("Z_")) {
    return new UserError("BAD_GZIP", `${file}: the gzip data is corrupt or truncated (${code})`);
  }
  // A system error while reading (EIO, EISDIR, …) is about the file, not a bug.
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return fileError(error, file);
  return error;
}
