/**
 * Reading a run's CSV files. Parsing (csv-parse) is most of the cost of a run, so when the
 * compiled worker is there (the built CLI) one worker thread parses every input file in turn, on
 * the second core, while the main thread turns rows into customers — and it starts on the next
 * file while the main thread finishes the current one. Unit tests, which run the TypeScript
 * sources, parse on the main thread. Both paths run the same parser (csv-reader.ts).
 *
 * Memory stays bounded: at most a few batches of rows are waiting at any time; the worker waits
 * for the main thread to acknowledge them.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { UserError } from "../errors.js";
import {
  parseCsv,
  type CsvReadOptions,
  type CsvReadResult,
  type CsvSource,
  type RowSink,
} from "./csv-reader.js";
import type { WorkerMessage, WorkerRequest } from "./csv-worker.js";
import { unpackRows } from "./packed-rows.js";

const WORKER = new URL("./csv-worker.js", import.meta.url);
const workerAvailable = existsSync(fileURLToPath(WORKER));

interface Consumer {
  index: number;
  sink: RowSink;
  onBytes: ((bytes: number) => void) | undefined;
  resolve: (result: CsvReadResult) => void;
  reject: (error: unknown) => void;
}

export class CsvReaders {
  private readonly sources: CsvSource[];
  private readonly options: CsvReadOptions;
  private readonly worker: Worker | undefined;
  /** Messages of files the main thread has not reached yet. */
  private readonly waiting: WorkerMessage[] = [];
  private consumer: Consumer | undefined;
  private failure: unknown;
  private next = 0;

  constructor(sources: CsvSource[], options: CsvReadOptions) {
    this.sources = sources;
    this.options = options;
    if (!workerAvailable || process.env.AUDIENCE_READER === "inline" || sources.length === 0)
      return;
    const request: WorkerRequest = {
      sources,
      hash: options.hash ?? false,
      ...(options.maxRecordSize === undefined ? {} : { maxRecordSize: options.maxRecordSize }),
    };
    this.worker = new Worker(WORKER, { workerData: request });
    this.worker.on("message", (message: WorkerMessage) => this.receive(message));
    this.worker.on("error", (error) => this.fail(error));
    this.worker.on("exit", (code) => {
      if (this.next < this.sources.length || this.consumer !== undefined) {
        this.fail(new Error(`the CSV reader thread stopped unexpectedly (exit ${code})`));
      }
    });
  }

  /** Reads file `index` (files must be read in order) into `sink`. */
  read(index: number, sink: RowSink, onBytes?: (bytes: number) => void): Promise<CsvReadResult> {
    if (index !== this.next)
      throw new Error(`CSV files read out of order: ${index} before ${this.next}`);
    this.next++;
    if (this.worker === undefined) {
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
      this.consumer = { index, sink, onBytes, resolve, reject };
      while (this.consumer !== undefined && this.waiting.length > 0) {
        const message = this.waiting.shift() as WorkerMessage;
        this.deliver(message);
      }
    });
  }

  async close(): Promise<void> {
    this.next = this.sources.length;
    this.consumer = undefined;
    await this.worker?.terminate();
  }

  private receive(message: WorkerMessage): void {
    if (
      this.consumer !== undefined &&
      message.file === this.consumer.index &&
      this.waiting.length === 0
    ) {
      this.deliver(message);
    } else {
      this.waiting.push(message);
    }
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
    if (consumer === undefined || message.file !== consumer.index) {
      this.waiting.unshift(message);
      return;
    }
    try {
      switch (message.type) {
        case "header":
          consumer.sink.header(message.fields);
          break;
        case "batch": {
          unpackRows(message, (fields, line) => consumer.sink.row(fields, line));
          consumer.onBytes?.(message.bytes);
          this.worker?.postMessage({ type: "ack" });
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
