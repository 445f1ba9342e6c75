/**
 * What a command receives from `main.ts`: where to write, the environment, and the working
 * directory. Commands never touch `process` directly, so tests can run them in-process too.
 */
export interface CliContext {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether stderr is a terminal (spinner and colour are only for terminals). */
  stderrIsTTY: boolean;
  /** Whether stdout is a terminal (colour in reports). */
  stdoutIsTTY: boolean;
  /** The clock (ms since the epoch): a build reads it once; tests pass a fixed one. */
  now: () => number;
}
