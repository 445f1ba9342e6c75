/**
 * All-or-nothing output (SPEC §7). A build writes every file into a new folder beside OUT
 * (`.OUT.build-…`), `manifest.json` last, syncs them to disk, and only then swaps it into place.
 *
 * OUT itself is a symbolic link to the current build folder. Replacing a symbolic link with
 * rename(2) is atomic, so whoever looks at OUT — an upload script, a person, a crash — sees either
 * the previous complete set or the new complete set, never a mix, never nothing. Files of segments
 * that no longer exist disappear in the same swap. A lock file beside OUT keeps two builds from
 * writing at once.
 */
import { createHash, randomBytes } from "node:crypto";
import { constants as fsConstants, createWriteStream } from "node:fs";
import {
  link,
  lstat,
  mkdir,
  open,
  readFile,
  readdir,
  readlink,
  rename,
  rm,
  symlink,
  unlink,
  writeFile,
} from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { makeFolders } from "./folders.js";

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
function outputError(error: unknown, paths: OutputPaths, doing: string): UserError {
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

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface OutputLock {
  release(): Promise<void>;
}

/**
 * Takes the lock beside OUT. Another live build holding it is an error with a clear message; a
 * lock left by a build that died is taken over.
 */
export async function lockOutput(paths: OutputPaths): Promise<OutputLock> {
  const { lock, parent } = siblings(paths.out);
  try {
    await makeFolders(parent);
  } catch (error) {
    throw outputError(error, paths, "creating its parent folder");
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(
        lock,
        fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY,
        0o644,
      );
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return {
        release: async () => {
          await rm(lock, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST")
        throw outputError(error, paths, "taking the lock");
      const holder = Number.parseInt(await readFile(lock, "utf8").catch(() => ""), 10);
      if (Number.isInteger(holder) && holder > 0 && processAlive(holder)) {
        throw new UserError(
          "OUTPUT_LOCKED",
          `another audience build (process ${holder}) is writing ${paths.display}`,
          {
            hint: `wait for it to finish; if no build is running, delete ${basename(lock)} in ${paths.display === "." ? "." : dirname(paths.display)}`,
          },
        );
      }
      await rm(lock, { force: true });
    }
  }
  throw new UserError("OUTPUT_LOCKED", `could not take the lock on ${paths.display}`);
}

export interface PreviousOutput {
  /** The folder OUT resolves to, when it exists. */
  folder?: string;
  manifest?: unknown;
}

/** What OUT holds now: its folder and its manifest (for max_change and --only carry-over). */
export async function readPreviousOutput(paths: OutputPaths): Promise<PreviousOutput> {
  let info;
  try {
    info = await lstat(paths.out);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw outputError(error, paths, "reading it");
  }
  let folder: string;
  if (info.isSymbolicLink()) {
    folder = resolve(dirname(paths.out), await readlink(paths.out));
  } else if (info.isDirectory()) {
    folder = paths.out;
  } else {
    throw new UserError("OUTPUT_IS_A_FILE", `--out ${paths.display} is a file, not a folder`, {
      hint: "choose a folder for the audience files",
    });
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(join(folder, "manifest.json"), "utf8"));
  } catch {
    manifest = undefined;
  }
  if (!info.isSymbolicLink()) {
    const entries = await readdir(folder).catch(() => [] as string[]);
    if (entries.length > 0 && manifest === undefined) {
      throw new UserError(
        "OUTPUT_NOT_AUDIENCE",
        `--out ${paths.display} is a folder with other files in it (no manifest.json of audience)`,
        { hint: "audience replaces the whole output folder: choose an empty or new folder" },
      );
    }
  }
  return { folder, manifest };
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
      await writeFile(join(this.folder, name), await readFile(from), { flag: "wx" });
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
      if (entry.startsWith(buildPrefix) && entry !== current) {
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
