/**
 * A CSV parsing thread (see csv-threads.ts). It parses its share of the run's input files one after
 * the other and sends their rows to the main thread in packed batches (packed-rows.ts). Every
 * message names its file. Batches not yet acknowledged by the main thread hold at most
 * MAX_AHEAD_CHARS characters, so memory stays bounded.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { ErrorCode } from "../codes.js";
import { UserError } from "../errors.js";
import { parseCsv, type CsvReadOptions, type CsvReadResult, type CsvSource } from "./parse-csv.js";
import { BATCH_ROWS, RowPacker, type PackedRows } from "./packed-rows.js";

export interface WorkerRequest {
  /** The files this thread parses, in order, and their numbers among the run's files. */
  sources: CsvSource[];
  files: number[];
  hash: boolean;
  maxRecordSize?: number;
}

export type WorkerMessage =
  | { type: "header"; file: number; fields: string[] }
  | ({ type: "batch"; file: number; bytes: number } & PackedRows)
  | { type: "end"; file: number; result: CsvReadResult }
  | {
      type: "error";
      file: number;
      user: boolean;
      code?: ErrorCode;
      message: string;
      hint?: string;
      stack?: string;
    };

/**
 * How far a thread may read ahead of the main thread, in characters of rows not yet acknowledged.
 * A thread whose file the main thread has not reached yet parses up to this much in advance, on
 * the CPU time the others leave: it bounds memory, and is most of what the second thread gains.
 */
const MAX_AHEAD_CHARS = 16 * 1024 * 1024;

async function run(port: NonNullable<typeof parentPort>, request: WorkerRequest): Promise<void> {
  // The characters of each batch sent and not yet acknowledged (acks come in the order sent).
  const sent: number[] = [];
  let ahead = 0;
  let wake: (() => void) | undefined;
  port.on("message", (message: { type: string }) => {
    if (message.type === "ack") {
      ahead -= sent.shift() ?? 0;
      wake?.();
      wake = undefined;
    }
  });

  for (let at = 0; at < request.sources.length; at++) {
    const file = request.files[at];
    let bytes = 0;
    const packer = new RowPacker();
    const flush = () => {
      if (packer.rows === 0) return;
      const chars = packer.chars;
      const message: WorkerMessage = { type: "batch", file, bytes, ...packer.take() };
      port.postMessage(message, [
        message.fieldEnds.buffer,
        message.rowEnds.buffer,
        message.lines.buffer,
      ] as ArrayBuffer[]);
      sent.push(chars);
      ahead += chars;
    };
    const options: CsvReadOptions = {
      hash: request.hash,
      ...(request.maxRecordSize === undefined ? {} : { maxRecordSize: request.maxRecordSize }),
      onBytes: (n) => {
        bytes = n;
      },
      beforeChunk: () => {
        flush();
        if (ahead < MAX_AHEAD_CHARS) return undefined;
        return new Promise<void>((resolve) => {
          wake = resolve;
        });
      },
    };
    try {
      const result = await parseCsv(
        request.sources[at],
        {
          header(header) {
            port.postMessage({ type: "header", file, fields: header } satisfies WorkerMessage);
          },
          row(row, line) {
            packer.add(row, line);
            if (packer.rows >= BATCH_ROWS) flush();
          },
        },
        options,
      );
      flush();
      port.postMessage({ type: "end", file, result } satisfies WorkerMessage);
    } catch (error) {
      const message: WorkerMessage =
        error instanceof UserError
          ? {
              type: "error",
              file,
              user: true,
              code: error.code,
              message: error.message,
              ...(error.hint === undefined ? {} : { hint: error.hint }),
            }
          : {
              type: "error",
              file,
              user: false,
              message: error instanceof Error ? error.message : String(error),
              ...(error instanceof Error && error.stack !== undefined
                ? { stack: error.stack }
                : {}),
            };
      port.postMessage(message);
      return;
    }
  }
}

if (parentPort !== null) {
  const port = parentPort;
  void run(port, workerData as WorkerRequest);
}
