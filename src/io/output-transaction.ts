/**
 * All-or-nothing output (docs/design.md#outputs). A build writes every file into a new folder beside OUT
 * (`.OUT.build-…`), `manifest.json` last, syncs them to disk, and only then swaps it into place.
 *
 * OUT itself is a symbolic link to the current build folder. Replacing a symbolic link with
 * rename(2) is atomic, so whoever looks at OUT — an upload script, a person, a crash — sees either
 * the previous complete set or the new complete set, never a mix, never nothing. Files of segments
 * that no longer exist disappear in the same swap. A lock file beside OUT keeps two builds from
 * writing at once.
 */
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import {
  link,
  mkdir,
  open,
  readFile,
  readdir,
  rename,
  rm,
  symlink,
  unlink,
  writeFile,
} from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { UserError } from "../errors.js";
import { inspectOutput, OUTPUT_MARKER, ownershipOf, writeOutputMarker } from "./output-guard.js";
import type { PreviousManifest } from "./previous-manifest.js";

export interface OutputPaths {
  /** OUT as given (absolute). */
  out: string;
  display: string;
}

function siblings(out: string) {
  const parent = dirname(out);
  const name = basename(out);
  return {
    parent,
    name,
    lock: join(parent, `.${name}.lock`),
    buildPrefix: `.${name}.build-`,
    legacy: join(parent, `.${name}.previous-${process.pid}`),
  };
}

/** Turns file-system failures on OUT into messages a user can act on. */
export function outputError(error: unknown, paths: OutputPaths, doing: string): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return new UserError(
        "OUTPUT_NOT_WRITABLE",
        `cannot write ${paths.display}: permission denied (${doing})`,
        {
          hint: "choose another --out, or fix the folder's permissions",
        },
      );
    case "ENOSPC":
      return new UserError(
        "OUTPUT_DISK_FULL",
        `cannot write ${paths.display}: no space left on the device`,
      );
    case "ENOTDIR":
      return new UserError(
        "OUTPUT_NOT_A_FOLDER",
        `cannot write ${paths.display}: a parent of it is a file`,
      );
    default:
      return new UserError(
        "OUTPUT_FAILED",
        `cannot write ${paths.display} (${doing}: ${code ?? String(error)})`,
      );
  }
}

/**
 * Test hook for the fault tests (test/faults.e2e.test.ts): with AUDIENCE_TEST_PAUSE_AT=<step>,
 * the build writes AUDIENCE_TEST_PAUSE_MARKER and waits at that step so that the test can kill it
 * exactly there. Inert unless the variable is set.
 */
async function pauseForTest(
  step: "file-written" | "before-history" | "before-manifest" | "before-swap" | "after-swap",
): Promise<void> {
  if (process.env.AUDIENCE_TEST_PAUSE_AT !== step) return;
  const marker = process.env.AUDIENCE_TEST_PAUSE_MARKER;
  if (marker !== undefined) await writeFile(marker, step);
  await new Promise((resolve) => setTimeout(resolve, 120_000));
}

export interface PreviousOutput {
  /** The folder OUT resolves to, when it exists. */
  folder?: string;
  /** Its manifest, checked (src/io/previous-manifest.ts). */
  manifest?: PreviousManifest;
}

/**
 * What OUT holds now: its folder and its manifest (for max_change and --only carry-over). Anything
 * audience did not write is refused (src/io/output-guard.ts).
 */
export async function readPreviousOutput(paths: OutputPaths): Promise<PreviousOutput> {
  try {
    const now = await inspectOutput(paths);
    return now === "missing" ? {} : now;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw outputError(error, paths, "reading it");
  }
}

/** A build folder being written; nothing is visible at OUT until `commit`. */
export class OutputBuild {
  readonly folder: string;
  private readonly paths: OutputPaths;

  private constructor(paths: OutputPaths, folder: string) {
    this.paths = paths;
    this.folder = folder;
  }

  static async start(paths: OutputPaths, stamp: string): Promise<OutputBuild> {
    const { parent, buildPrefix } = siblings(paths.out);
    const folder = join(
      parent,
      `${buildPrefix}${stamp}-${process.pid}-${randomBytes(3).toString("hex")}`,
    );
    try {
      await mkdir(folder);
      await writeOutputMarker(folder);
    } catch (error) {
      throw outputError(error, paths, "creating the build folder");
    }
    return new OutputBuild(paths, folder);
  }

  /**
   * Writes one file from lines, with backpressure, and syncs it to disk; returns the SHA-256 of
   * the bytes written (for the manifest).
   */
  async writeLines(name: string, lines: Iterable<string>): Promise<string> {
    const path = join(this.folder, name);
    const hash = createHash("sha256");
    try {
      const stream = createWriteStream(path, { flags: "wx" });
      const done = new Promise<void>((resolveDone, reject) => {
        stream.on("error", reject);
        stream.on("close", resolveDone);
      });
      let failed: unknown;
      stream.on("error", (error) => {
        failed = error;
      });
      // Lines are gathered into chunks of about 1 MB, each encoded once for the hash and the file.
      let buffer = "";
      const flush = async () => {
        const bytes = Buffer.from(buffer, "utf8");
        buffer = "";
        hash.update(bytes);
        if (!stream.write(bytes)) await new Promise<void>((r) => stream.once("drain", () => r()));
        if (failed !== undefined) throw failed;
      };
      for (const line of lines) {
        buffer += line;
        if (buffer.length >= 1 << 20) await flush();
      }
      const bytes = Buffer.from(buffer, "utf8");
      hash.update(bytes);
      stream.end(bytes);
      await done;
      await syncPath(path);
      await pauseForTest("file-written");
      return hash.digest("hex");
    } catch (error) {
      throw outputError(error, this.paths, `writing ${name}`);
    }
  }

  async writeText(name: string, text: string): Promise<void> {
    if (name === "manifest.json") await pauseForTest("before-manifest");
    if (name === "history.jsonl") await pauseForTest("before-history");
    try {
      await writeFile(join(this.folder, name), text, { flag: "wx" });
      await syncPath(join(this.folder, name));
    } catch (error) {
      throw outputError(error, this.paths, `writing ${name}`);
    }
  }

  /** Reuses a file of the previous build (a hard link, or a copy across devices). */
  async carryOver(from: string, name: string): Promise<void> {
    try {
      await link(from, join(this.folder, name));
    } catch {
      let bytes: Buffer;
      try {
        bytes = await readFile(from);
      } catch {
        throw new UserError(
          "OUTPUT_PREVIOUS_MISSING",
          `${this.paths.display}/${name} is missing, but the previous manifest.json lists it: it cannot be kept with --only`,
          { hint: "build every segment once (without --only)" },
        );
      }
      try {
        await writeFile(join(this.folder, name), bytes, { flag: "wx" });
      } catch (error) {
        throw outputError(error, this.paths, `writing ${name}`);
      }
    }
  }

  /** Makes the build visible at OUT in one atomic step, then removes older build folders. */
  async commit(previous: PreviousOutput): Promise<void> {
    const { parent, name, legacy, buildPrefix } = siblings(this.paths.out);
    try {
      await syncPath(this.folder);
      const target = process.platform === "win32" ? this.folder : basename(this.folder);
      const tempLink = join(
        parent,
        `.${name}.link-${process.pid}-${randomBytes(3).toString("hex")}`,
      );
      await symlink(target, tempLink, process.platform === "win32" ? "junction" : "dir");
      await pauseForTest("before-swap");
      let migrated = false;
      if (previous.folder !== undefined && previous.folder === this.paths.out) {
        // OUT is still a plain folder (first build with this layout): move it aside first.
        await rename(this.paths.out, legacy);
        migrated = true;
      }
      await rename(tempLink, this.paths.out);
      await syncPath(parent);
      if (migrated) await rm(legacy, { recursive: true, force: true });
    } catch (error) {
      throw outputError(error, this.paths, "swapping in the new files");
    }
    await pauseForTest("after-swap");
    // Older builds (the one just replaced, and any left by builds that died) go away.
    const entries = await readdir(parent).catch(() => [] as string[]);
    const current = basename(this.folder);
    for (const entry of entries) {
      if (
        entry.startsWith(buildPrefix) &&
        entry !== current &&
        (await leftoverOfAudience(join(parent, entry)))
      ) {
        await rm(join(parent, entry), { recursive: true, force: true });
      }
      if (entry.startsWith(`.${name}.link-`))
        await unlink(join(parent, entry)).catch(() => undefined);
    }
  }

  async abort(): Promise<void> {
    await rm(this.folder, { recursive: true, force: true });
  }
}

/** A build folder beside OUT that audience wrote (complete or left by a build that died). */
async function leftoverOfAudience(folder: string): Promise<boolean> {
  try {
    const entries = await readdir(folder);
    if (entries.length === 0 || entries.includes(OUTPUT_MARKER)) return true;
    return (await ownershipOf(folder, folder)).kind === "audience";
  } catch {
    return false;
  }
}

export async function syncPath(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, "r");
    await handle.sync();
  } catch (error) {
    // Some file systems cannot fsync a folder; the rename is still atomic there.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EINVAL" && code !== "EPERM" && code !== "EBADF") throw error;
  } finally {
    await handle?.close();
  }
}
