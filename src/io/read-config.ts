/**
 * Finds and reads `audience.yaml`: the `--config` file, else `./audience.yaml` when present.
 */
import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { loadConfigText } from "../config/load-config.js";
import { displayPath, type ConfigSource } from "../config/settings.js";
import { DiagnosticsError, UserError, type Diagnostic } from "../errors.js";
import { decodeTextFile } from "./decode.js";
import { readFileAtMost } from "./read-bounded.js";

export const DEFAULT_CONFIG = "audience.yaml";
const MAX_CONFIG_BYTES = 1024 * 1024;

export interface ConfigRead {
  source?: ConfigSource;
  diagnostics: Diagnostic[];
}

/** Reads and checks the config file; problems inside it come back as diagnostics. */
export async function loadConfigFile(
  explicit: string | undefined,
  cwd: string,
): Promise<ConfigRead> {
  const path = resolve(cwd, explicit ?? DEFAULT_CONFIG);
  const display = displayPath(path, cwd);
  try {
    const info = await stat(path);
    if (info.isDirectory())
      throw new UserError("NOT_A_FILE", `${display} is a folder, not a config file`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && explicit === undefined)
      return { diagnostics: [] };
    throw configFileError(error, display);
  }
  let bytes: Buffer | undefined;
  try {
    bytes = await readFileAtMost(path, MAX_CONFIG_BYTES);
  } catch (error) {
    throw configFileError(error, display);
  }
  if (bytes === undefined) {
    throw new UserError("FILE_TOO_LARGE", `${display} is larger than 1 MB: not a config file`);
  }
  const text = decodeTextFile(bytes);
  if (text === undefined) {
    // Printing it would put stray bytes on the terminal, in code frames.
    throw new UserError("NOT_UTF8", `${display} is not UTF-8 text: expected a YAML config file`, {
      hint: "save audience.yaml as UTF-8, or check the --config path",
    });
  }
  const loaded = loadConfigText(display, text);
  return {
    source: { values: loaded.values, dir: dirname(path), file: { path, display } },
    diagnostics: loaded.diagnostics,
  };
}

function configFileError(error: unknown, display: string): UserError {
  if (error instanceof UserError) return error;
  switch ((error as NodeJS.ErrnoException).code) {
    case "ENOENT":
    case "ENOTDIR":
      return new UserError("FILE_NOT_FOUND", `${display}: no such config file`);
    case "EISDIR":
      return new UserError("NOT_A_FILE", `${display} is a folder, not a config file`);
    case "EACCES":
    case "EPERM":
      return new UserError("FILE_UNREADABLE", `${display}: permission denied`);
    default:
      return new UserError(
        "FILE_UNREADABLE",
        `${display}: cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      );
  }
}

/** The config for a data command: a config with errors stops the run (exit 1). */
export async function readConfig(
  explicit: string | undefined,
  cwd: string,
): Promise<ConfigSource | undefined> {
  const read = await loadConfigFile(explicit, cwd);
  const errors = read.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    const file = read.source?.file.display ?? explicit ?? DEFAULT_CONFIG;
    throw new DiagnosticsError(
      read.diagnostics,
      `${file} has ${errors.length} error${errors.length === 1 ? "" : "s"}`,
    );
  }
  return read.source;
}
