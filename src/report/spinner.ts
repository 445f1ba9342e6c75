/**
 * Progress on stderr while reading: rows read and MB/s (rows/s for a table). Only on a terminal, and never with
 * --quiet, --json or NO_COLOR, so logs and pipes stay clean.
 */
import ora, { type Ora } from "ora";
import type { Progress } from "../io/read-inputs.js";
import { formatInteger } from "./table.js";

export interface ProgressReporter {
  update(progress: Progress): void;
  stop(): void;
}

const SILENT: ProgressReporter = { update: () => undefined, stop: () => undefined };

/** Where the spinner draws: stderr, whether it is a terminal, and the environment. */
export interface ProgressStream {
  stream: NodeJS.WritableStream;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

/** The spinner's line: a file's rows and MB/s; a table's rows and rows/s (it has no bytes). */
export function progressText(progress: Progress, seconds: number): string {
  if (progress.table === true)
    return `Reading ${progress.file} · ${formatInteger(progress.rows)} rows · ${formatInteger(Math.round(progress.rows / seconds))} rows/s`;
  const mbPerSecond = progress.bytes / 1_000_000 / seconds;
  return `Reading ${progress.file} · ${formatInteger(progress.rows)} rows · ${mbPerSecond.toFixed(1)} MB/s`;
}

export function createProgress(
  target: ProgressStream,
  options: { quiet: boolean; json: boolean },
  now: () => number,
): ProgressReporter {
  const noColor = target.env.NO_COLOR !== undefined && target.env.NO_COLOR !== "";
  if (!target.isTTY || options.quiet || options.json || noColor || target.env.TERM === "dumb")
    return SILENT;
  const spinner: Ora = ora({
    stream: target.stream as NodeJS.WriteStream,
    text: "Reading…",
    discardStdin: false,
    isEnabled: true,
  }).start();
  let file = "";
  let started = now();
  let lastDraw = 0;
  return {
    update(progress) {
      if (progress.file !== file) {
        file = progress.file;
        started = now();
      }
      const t = now();
      if (t - lastDraw < 100) return;
      lastDraw = t;
      const seconds = Math.max(0.001, (t - started) / 1000);
      spinner.text = progressText(progress, seconds);
    },
    stop() {
      spinner.stop();
    },
  };
}
