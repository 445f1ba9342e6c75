/**
 * Runs the BUILT command line (`bin/audience.js`, which imports dist/) as a user would: a separate
 * Node process, never through a shell, with colour off unless the test asks for it.
 * Build first (`npm run build`, or `npm test`, which builds).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = fileURLToPath(new URL("../../bin/audience.js", import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Working directory (default: the repository root). */
  cwd?: string;
  /** Added to a minimal environment: PATH, HOME, TZ=UTC, NO_COLOR=1. */
  env?: Record<string, string>;
  /** Written to the process's stdin, which is then closed. */
  input?: string;
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        TZ: "UTC",
        NO_COLOR: "1",
        ...opts.env,
      },
      stdio: ["pipe", "pipe", "pipe"],
      shell: false,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      resolve({
        code: code ?? (signal === null ? -1 : 128),
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      });
    });
    child.stdin.on("error", () => {
      // The CLI may exit without reading its input; that is not the test's concern.
    });
    child.stdin.end(opts.input ?? "");
  });
}
