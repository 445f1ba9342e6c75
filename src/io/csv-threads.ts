/**
 * Reading a run's CSV files. Parsing (csv-parse) is most of the cost of a run, so when the
 * compiled worker is there (the built CLI) worker threads parse the files while the main thread
 * turns rows into customers. With several files, two threads take them in turn: while the main
 * thread takes in the contacts from one, the other already parses the orders; while it takes in
 * the orders, the first parses the events ahead, on the CPU time the others leave. Rows still
 * reach the main thread file by file, in order, so results do not depend on which thread is
 * faster. Unit tests, which run the TypeScript sources, parse on the
 * main thread. Both paths run the same parser (parse-csv.ts).
 *
 * Memory stays bounded: each thread waits when the rows it sent and the main thread has not
 * acknowledged pass a limit (csv-worker.ts).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { UserError } from "../errors.js";
import { parseCsv, type CsvReadOptions, type CsvReadResult, type CsvSource } from "./parse-csv.js";
import type { RowSink } from "../model/ingest-context.js";
import type { WorkerMessage, WorkerRequest } from "./csv-worker.js";
import { unpackRows } from "./packed-rows.js";

const WORKER = new URL("./csv-worker.js", import.meta.url);
const workerAvailable = existsSync(fileURLToPath(WORKER));

interface Consumer {
  index: number;
  sink: RowSink;
  /** The columns the sink reads, once its header is read (undefined: all). */
  wanted: Uint8Array | undefined;
  onBytes: ((bytes: number) => void) | undefined;
  resolve: (result: CsvReadResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Which thread parses which files: the files in turn, so that while the main thread takes in one
 * file the other thread is already parsing the next (one thread for a single file).
 */
export function shareFiles(count: number): number[][] {
  const threads: number[][] = [];
  for (let file = 0; file < count; file++) (threads[file % 2] ??= []).push(file);
  return threads;
}

export class CsvReaders {
  private readonly sources: CsvSource[];
  private readonly options: CsvReadOptions;
  private readonly workers: Worker[] = [];
  /** The thread that parses each file. */
  private readonly workerOf: Worker[] = [];
  /** Messages of files the main thread has not reached yet, by file. */
  private readonly waiting = new Map<number, WorkerMessage[]>();
  /** Files whose last message (end or error) has arrived. */
  private readonly finished = new Set<number>();
  private consumer: Consumer | undefined;
  private failure: unknown;
  private next = 0;
  private closed = false;

  constructor(sources: CsvSource[], options: CsvReadOptions) {
    this.sources = sources;
    this.options = options;
    if (!workerAvailable || process.env.AUDIENCE_READER === "inline" || sources.length === 0)
      return;
    for (const files of shareFiles(sources.length)) {
      const request: WorkerRequest = {
        sources: files.map((f) => sources[f]),
        files,
        hash: options.hash ?? false,
        ...(options.maxRecordSize === undefined ? {} : { maxRecordSize: options.maxRecordSize }),
      };
      const worker = new Worker(WORKER, { workerData: request });
      worker.on("message", (message: WorkerMessage) => this.receive(message));
      worker.on("error", (error) => this.fail(error));
      worker.on("exit", (code) => {
        if (!this.closed && files.some((f) => !this.finished.has(f))) {
          this.fail(new Error(`a CSV reader thread stopped unexpectedly (exit ${code})`));
        }
      });
      this.workers.push(worker);
      for (const f of files) this.workerOf[f] = worker;
    }
  }

  /** Reads file `index` (files must be read in order) into `sink`. */
  read(index: number, sink: RowSink, onBytes?: (bytes: number) => void): Promise<CsvReadResult> {
    if (index !== this.next)
      throw new Error(`CSV files read out of order: ${index} before ${this.next}`);
    this.next++;
    if (this.workers.length === 0) {
      return parseCsv(this.sources[index], sink, {
        ...this.options,
        ...(onBytes === undefined ? {} : { onBytes }),
      });
    }
    return new Promise<CsvReadResult>((resolve, reject) => {
      if (this.failure !== undefined) {
        reject(this.failure);
        return;
      }
      this.consumer = { index, sink, wanted: undefined, onBytes, resolve, reject };
      const queued = this.waiting.get(index) ?? [];
      this.waiting.delete(index);
      for (const message of queued) {
        if (this.consumer === undefined) break;
        this.deliver(message);
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.next = this.sources.length;
    this.consumer = undefined;
    this.waiting.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private receive(message: WorkerMessage): void {
    if (message.type === "end" || message.type === "error") this.finished.add(message.file);
    if (this.closed) return;
    if (this.consumer !== undefined && message.file === this.consumer.index) {
      this.deliver(message);
      return;
    }
    let queue = this.waiting.get(message.file);
    if (queue === undefined) {
      queue = [];
      this.waiting.set(message.file, queue);
    }
    queue.push(message);
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    const consumer = this.consumer;
    this.consumer = undefined;
    consumer?.reject(error);
  }

  private deliver(message: WorkerMessage): void {
    const consumer = this.consumer;
    if (consumer === undefined) return;
    try {
      switch (message.type) {
        case "header": {
          consumer.sink.header(message.fields);
          const columns = this.options.project === true ? consumer.sink.columns?.() : undefined;
          if (columns !== undefined) {
            // Rows are as long as the header, or longer (extra cells are never read).
            consumer.wanted = new Uint8Array(message.fields.length);
            for (const column of columns) consumer.wanted[column] = 1;
          }
          break;
        }
        case "batch": {
          unpackRows(message, (fields, line) => consumer.sink.row(fields, line), consumer.wanted);
          consumer.onBytes?.(message.bytes);
          this.workerOf[message.file].postMessage({ type: "ack" });
          break;
        }
        case "end":
          this.consumer = undefined;
          consumer.resolve(message.result);
          break;
        case "error":
          if (message.user) {
            this.fail(
              new UserError(
                message.code ?? "READ_ERROR",
                message.message,
                message.hint === undefined ? {} : { hint: message.hint },
              ),
            );
          } else {
            const error = new Error(message.message);
            if (message.stack !== undefined) error.stack = message.stack;
            this.fail(error);
          }
          break;
        default: {
          const never: never = message;
          return never;
        }
      }
    } catch (error) {
      this.fail(error);
    }
  }
}

/** Reads one file (tests and small uses): the same parser, on this thread or a worker. */
export async function readCsv(
  source: CsvSource,
  sink: RowSink,
  options: CsvReadOptions = {},
): Promise<CsvReadResult> {
  const readers = new CsvReaders([source], options);
  try {
    return await readers.read(0, sink, options.onBytes);
  } finally {
    await readers.close();
  }
}
