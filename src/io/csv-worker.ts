/**
 * The CSV parsing thread (see read-csv.ts). It parses the run's input files one after the other
 * and sends their rows to the main thread in packed batches (packed-rows.ts). Every message names
 * its file. At most MAX_IN_FLIGHT batches wait for the main thread's `ack`, so memory stays
 * bounded.
 */
import { parentPort, workerData } from "node:worker_threads";
import { UserError } from "../errors.js";
import { parseCsv, type CsvReadOptions, type CsvReadResult, type CsvSource } from "./csv-reader.js";
import { BATCH_ROWS, RowPacker, type PackedRows } from "./packed-rows.js";

export interface WorkerRequest {
  sources: CsvSource[];
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
      code?: string;
      message: string;
      hint?: string;
      stack?: string;
    };

const MAX_IN_FLIGHT = 8;

async function run(port: NonNullable<typeof parentPort>, request: WorkerRequest): Promise<void> {
  let inFlight = 0;
  let wake: (() => void) | undefined;
  port.on("message", (message: { type: string }) => {
    if (message.type === "ack") {
      inFlight--;
      wake?.();
      wake = undefined;
    }
  });

  for (let file = 0; file < request.sources.length; file++) {
    let bytes = 0;
    const packer = new RowPacker();
    const flush = () => {
      if (packer.rows === 0) return;
      const message: WorkerMessage = { type: "batch", file, bytes, ...packer.take() };
      port.postMessage(message, [
        message.fieldEnds.buffer,
        message.rowEnds.buffer,
        message.lines.buffer,
      ] as ArrayBuffer[]);
      inFlight++;
    };
    const options: CsvReadOptions = {
      hash: request.hash,
      ...(request.maxRecordSize === undefined ? {} : { maxRecordSize: request.maxRecordSize }),
      onBytes: (n) => {
        bytes = n;
      },
      beforeChunk: () => {
        flush();
        if (inFlight < MAX_IN_FLIGHT) return undefined;
        return new Promise<void>((resolve) => {
          wake = resolve;
        });
      },
    };
    try {
      const result = await parseCsv(
        request.sources[file],
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
