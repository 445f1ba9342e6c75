/**
 * Finds and reads `audience.yaml`: the `--config` file, else `./audience.yaml` when present.
 */
import { readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { loadConfigText } from "../config/load-config.js";
import { displayPath, type ConfigSource } from "../config/settings.js";
import { DiagnosticsError, UserError, type Diagnostic } from "../errors.js";

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
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory())
      throw new UserError("NOT_A_FILE", `${display} is a folder, not a config file`);
    size = info.size;
  } catch (error) {
    if (error instanceof UserError) throw error;
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      if (explicit === undefined) return { diagnostics: [] };
      throw new UserError("FILE_NOT_FOUND", `${display}: no such config file`);
    }
    throw new UserError("FILE_UNREADABLE", `${display}: cannot be read`);
  }
  if (size > MAX_CONFIG_BYTES) {
    throw new UserError("FILE_TOO_LARGE", `${display} is larger than 1 MB: not a config file`);
  }
  const text = await readFile(path, "utf8");
  const loaded = loadConfigText(display, text);
  return {
    source: { values: loaded.values, dir: dirname(path), file: { path, display } },
    diagnostics: loaded.diagnostics,
  };
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
