/**
 * The lock beside OUT (`.OUT.lock`) that keeps two builds from writing at once.
 *
 * The lock file records who holds it: process id, the process's start time (field 22 of
 * /proc/<pid>/stat, where the system has it), host name and a random token. It is created whole
 * (written to a temporary file, then hard-linked into place, which fails when a lock exists), so
 * nobody ever reads a half-written lock.
 *
 * A lock is stale — its build died — when, on the same host, its process is gone, or its PID is
 * now ours (PID 1 again in a new container), or its PID belongs to a process that started at
 * another time (the PID was reused). On another host (a shared folder) the process cannot be
 * asked: the holder touches the lock every 30 s, and a lock untouched for 10 minutes is stale.
 *
 * Taking over a stale lock is atomic: only the holder of a second, short-lived lock
 * (`.OUT.lock.takeover`, a folder made with mkdir) may remove a stale lock, after reading it again;
 * then it links its own lock in place like any other build. Of any number of builds that find the
 * same stale lock, exactly one ends up holding the lock.
 */
import { randomBytes } from "node:crypto";
import {
  link,
  mkdir,
  readdir,
  readFile,
  rmdir,
  stat,
  unlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { UserError } from "../errors.js";
import { outputError } from "./output-transaction.js";
import { makeFolders } from "./folders.js";

export interface LockPaths {
  /** OUT (absolute). */
  out: string;
  display: string;
}

/** What a lock file says about its holder. */
export interface LockRecord {
  pid: number;
  /** Start time of the process in clock ticks since boot (Linux), when known. */
  start?: string;
  host?: string;
  token?: string;
}

/** What the system says about a process id now. */
export type ProcessProbe = { alive: false } | { alive: true; start?: string };

export interface LockHolder {
  pid: number;
  start?: string;
  host: string;
  token: string;
}

/** A lock untouched for this long, written on another host, is stale. */
export const FOREIGN_STALE_MS = 10 * 60_000;
const HEARTBEAT_MS = 30_000;
/** A takeover lock older than this was left by a build that died within a few milliseconds' work. */
const TAKEOVER_STALE_MS = 30_000;
/** An unreadable lock (of an older audience, still being written) younger than this is respected. */
const UNREADABLE_GRACE_MS = 10_000;

/** The token of a lock record, as `lockOutput` writes it (never a path). */
const TOKEN = /^[0-9a-f]{32}$/;

/** Reads a lock file's text: this version's JSON record, or the older `PID\n`. */
export function parseLockRecord(text: string): LockRecord | undefined {
  const plain = /^\s*(\d{1,10})\s*$/.exec(text);
  if (plain !== null) return { pid: Number(plain[1]) };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.pid !== "number" || !Number.isSafeInteger(v.pid) || v.pid <= 0) return undefined;
  const record: LockRecord = { pid: v.pid };
  if (typeof v.start === "string") record.start = v.start;
  if (typeof v.host === "string") record.host = v.host;
  if (typeof v.token === "string") record.token = v.token;
  return record;
}

/**
 * Whether a lock's build is dead. `ageMs` is the time since the lock was last touched; `probe`
 * asks the system about a process id on this host.
 */
export function lockIsStale(
  record: LockRecord,
  self: LockHolder,
  probe: (pid: number) => ProcessProbe,
  ageMs: number,
): boolean {
  if (record.token !== undefined && record.token === self.token) return false;
  if (record.host !== undefined && record.host !== self.host) return ageMs > FOREIGN_STALE_MS;
  // Our own PID with another token: a previous life of this PID (PID 1 in a container).
  if (record.pid === self.pid) return true;
  const now = probe(record.pid);
  if (!now.alive) return true;
  // Alive, but started at another time: the PID was reused by an unrelated process.
  return record.start !== undefined && now.start !== undefined && now.start !== record.start;
}

/** The start time of a process (clock ticks since boot), from /proc where the system has it. */
async function startTimeOf(pid: number): Promise<string | undefined | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count after the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return fields[19];
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // /proc exists but this process does not: it is gone.
    if (code === "ENOENT" && (await stat("/proc/self/stat").catch(() => undefined)) !== undefined)
      return null;
    return undefined;
  }
}

async function probeProcess(pid: number): Promise<ProcessProbe> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return { alive: false };
  }
  const start = await startTimeOf(pid);
  if (start === null) return { alive: false };
  return start === undefined ? { alive: true } : { alive: true, start };
}

export interface OutputLock {
  release(): Promise<void>;
}

/** The test hook of the fault tests: with AUDIENCE_TEST_PAUSE_AT=locked, wait once locked. */
async function pauseWhenLocked(): Promise<void> {
  if (process.env.AUDIENCE_TEST_PAUSE_AT !== "locked") return;
  const marker = process.env.AUDIENCE_TEST_PAUSE_MARKER;
  if (marker !== undefined) await writeFile(marker, "locked");
  await new Promise((resolve) => setTimeout(resolve, 120_000));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes the lock beside OUT. Another live build holding it is an error with a clear message; a
 * lock left by a build that died is taken over, atomically.
 */
export async function lockOutput(paths: LockPaths): Promise<OutputLock> {
  const parent = dirname(paths.out);
  const name = basename(paths.out);
  const lock = join(parent, `.${name}.lock`);
  const takeover = `${lock}.takeover`;
  try {
    await makeFolders(parent);
  } catch (error) {
    throw outputError(error, paths, "creating its parent folder");
  }
  const self: LockHolder = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(16).toString("hex"),
  };
  const start = await startTimeOf(process.pid);
  if (typeof start === "string") self.start = start;
  const mine = JSON.stringify({ tool: "audience", ...self, since: new Date().toISOString() });
  const temp = `${lock}.${self.token}`;
  try {
    await writeFile(temp, `${mine}\n`, { flag: "wx", mode: 0o644 });
  } catch (error) {
    throw outputError(error, paths, "taking the lock");
  }
  try {
    // Tries until a takeover folder left by a build that died mid-takeover has aged into stale
    // (a count of attempts gave up after about 10 s, before the 30 s that takes).
    const deadline = Date.now() + TAKEOVER_STALE_MS + 10_000;
    while (Date.now() < deadline) {
      try {
        await link(temp, lock);
        await unlink(temp).catch(() => undefined);
        await sweepDeadTemporaries(parent, basename(lock), self);
        return await held(lock, self.token);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST")
          throw outputError(error, paths, "taking the lock");
      }
      const seen = await readLock(lock);
      if (seen === undefined) continue; // released meanwhile: try again
      const record = parseLockRecord(seen.text);
      const stale =
        record === undefined
          ? seen.ageMs > UNREADABLE_GRACE_MS
          : await probeProcess(record.pid).then((now) =>
              lockIsStale(record, self, () => now, seen.ageMs),
            );
      if (!stale) throw lockedError(record, self, lock, paths);
      // Stale: remove it under the takeover lock, only if it is still the very lock judged stale.
      try {
        await mkdir(takeover);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST")
          throw outputError(error, paths, "taking the lock");
        const info = await stat(takeover).catch(() => undefined);
        if (info !== undefined && Date.now() - info.mtimeMs > TAKEOVER_STALE_MS)
          await rmdir(takeover).catch(() => undefined);
        await sleep(10 + Math.floor(Math.random() * 30));
        continue;
      }
      try {
        const again = await readLock(lock);
        if (again !== undefined && again.text === seen.text) {
          await unlink(lock);
          // A build killed between linking its lock and removing its temporary file left that
          // file too (`.OUT.lock.<token>`): it goes with the lock.
          if (record?.token !== undefined && TOKEN.test(record.token))
            await unlink(`${lock}.${record.token}`).catch(() => undefined);
        }
      } finally {
        await rmdir(takeover).catch(() => undefined);
      }
    }
    throw new UserError("OUTPUT_LOCKED", `could not take the lock on ${paths.display}`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * Removes the temporary lock files (`.OUT.lock.<token>`) of builds that died before linking
 * theirs into place: no lock refers to them, so no takeover removes them. Only the lock holder
 * sweeps, and only the files of dead builds: a live build still trying to link keeps its own.
 */
async function sweepDeadTemporaries(
  parent: string,
  lockName: string,
  self: LockHolder,
): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(`${lockName}.`) || !TOKEN.test(name.slice(lockName.length + 1))) continue;
    const path = join(parent, name);
    const seen = await readLock(path).catch(() => undefined);
    if (seen === undefined) continue;
    const record = parseLockRecord(seen.text);
    const stale =
      record === undefined
        ? seen.ageMs > UNREADABLE_GRACE_MS
        : await probeProcess(record.pid).then((now) =>
            lockIsStale(record, self, () => now, seen.ageMs),
          );
    if (stale) await unlink(path).catch(() => undefined);
  }
}

async function readLock(lock: string): Promise<{ text: string; ageMs: number } | undefined> {
  try {
    const info = await stat(lock);
    const text = await readFile(lock, "utf8");
    return { text, ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function held(lock: string, token: string): Promise<OutputLock> {
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(lock, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  await pauseWhenLocked();
  return {
    release: async () => {
      clearInterval(heartbeat);
      const now = await readLock(lock).catch(() => undefined);
      // Only our own lock is removed (a lock is never taken from a live build, but be sure).
      if (now !== undefined && parseLockRecord(now.text)?.token === token)
        await unlink(lock).catch(() => undefined);
    },
  };
}

function lockedError(
  record: LockRecord | undefined,
  self: LockHolder,
  lock: string,
  paths: LockPaths,
): UserError {
  const who =
    record === undefined
      ? "another audience build"
      : record.host !== undefined && record.host !== self.host
        ? `another audience build (process ${record.pid} on ${record.host})`
        : `another audience build (process ${record.pid})`;
  return new UserError("OUTPUT_LOCKED", `${who} is writing ${paths.display}`, {
    hint: `wait for it to finish; if no build is running, delete ${basename(lock)} in ${paths.display === "." ? "." : dirname(paths.display)}`,
  });
}
