import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  FOREIGN_STALE_MS,
  lockIsStale,
  lockOutput,
  parseLockRecord,
  type LockHolder,
  type ProcessProbe,
} from "./output-lock.js";

const self: LockHolder = { pid: 1, start: "500", host: "box", token: "mine" };
const alive = (start?: string) => (): ProcessProbe =>
  start === undefined ? { alive: true } : { alive: true, start };
const dead = (): ProcessProbe => ({ alive: false });

describe("parseLockRecord", () => {
  it("reads this version's record and the older plain PID", () => {
    expect(
      parseLockRecord('{"tool":"audience","pid":42,"start":"9","host":"box","token":"t"}'),
    ).toEqual({ pid: 42, start: "9", host: "box", token: "t" });
    expect(parseLockRecord("42\n")).toEqual({ pid: 42 });
  });

  it("refuses what is not a lock", () => {
    for (const text of ["", "abc", "{}", '{"pid":-1}', '{"pid":1.5}', "[1]", "null"])
      expect(parseLockRecord(text)).toBeUndefined();
  });
});

describe("lockIsStale", () => {
  it("our own PID with another token is a previous life of the PID (PID 1 in a container)", () => {
    expect(
      lockIsStale({ pid: 1, start: "500", host: "box", token: "old" }, self, alive("500"), 0),
    ).toBe(true);
    // The older plain-PID lock, too.
    expect(lockIsStale({ pid: 1 }, self, alive("500"), 0)).toBe(true);
  });

  it("a PID now used by a process that started at another time is a reused PID", () => {
    expect(
      lockIsStale({ pid: 7, start: "100", host: "box", token: "t" }, self, alive("300"), 0),
    ).toBe(true);
  });

  it("a live process with the recorded start time holds the lock", () => {
    expect(
      lockIsStale({ pid: 7, start: "100", host: "box", token: "t" }, self, alive("100"), 0),
    ).toBe(false);
    // Without /proc (no start time to compare), a live PID holds it.
    expect(lockIsStale({ pid: 7, start: "100", host: "box", token: "t" }, self, alive(), 0)).toBe(
      false,
    );
  });

  it("a process that is gone held a stale lock", () => {
    expect(lockIsStale({ pid: 7, start: "100", host: "box", token: "t" }, self, dead, 0)).toBe(
      true,
    );
    expect(lockIsStale({ pid: 7 }, self, dead, 0)).toBe(true);
  });

  it("on another host: stale only when untouched for 10 minutes (the holder touches it every 30 s)", () => {
    const foreign = { pid: 7, start: "100", host: "other", token: "t" };
    expect(lockIsStale(foreign, self, dead, FOREIGN_STALE_MS - 1)).toBe(false);
    expect(lockIsStale(foreign, self, dead, FOREIGN_STALE_MS + 1)).toBe(true);
    // Even with our own PID: that is another machine's process 1.
    expect(lockIsStale({ ...foreign, pid: 1 }, self, dead, 0)).toBe(false);
  });

  it("our own token is ours", () => {
    expect(lockIsStale({ pid: 1, host: "box", token: "mine" }, self, dead, 0)).toBe(false);
  });
});

describe("lockOutput", () => {
  it("takes over the lock of a dead build, with the temporary file that build left beside it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "audience-lock-"));
    try {
      // A process that has exited: its PID is gone.
      const deadPid = spawnSync(process.execPath, ["-e", ""]).pid as number;
      const token = "ab".repeat(16);
      const record = `${JSON.stringify({ tool: "audience", pid: deadPid, host: hostname(), token })}\n`;
      await writeFile(join(dir, ".out.lock"), record);
      await writeFile(join(dir, `.out.lock.${token}`), record);
      const lock = await lockOutput({ out: join(dir, "out"), display: "out" });
      expect(await readdir(dir)).toEqual([".out.lock"]);
      await lock.release();
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("takes over a dead build's lock when a build killed mid-takeover left its takeover folder", async () => {
    const dir = await mkdtemp(join(tmpdir(), "audience-lock-"));
    try {
      const deadPid = spawnSync(process.execPath, ["-e", ""]).pid as number;
      const record = `${JSON.stringify({ tool: "audience", pid: deadPid, host: hostname(), token: "cd".repeat(16) })}\n`;
      await writeFile(join(dir, ".out.lock"), record);
      // Left 15 s ago: stale 15 s from now, later than the old count of attempts lasted.
      const takeover = join(dir, ".out.lock.takeover");
      await mkdir(takeover);
      const then = new Date(Date.now() - 15_000);
      await utimes(takeover, then, then);
      const lock = await lockOutput({ out: join(dir, "out"), display: "out" });
      expect(await readdir(dir)).toEqual([".out.lock"]);
      await lock.release();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 45_000);

  it("removes the temporary lock file of a build killed before it linked its lock, and keeps a live build's", async () => {
    const dir = await mkdtemp(join(tmpdir(), "audience-lock-"));
    try {
      const deadPid = spawnSync(process.execPath, ["-e", ""]).pid as number;
      const deadToken = "cd".repeat(16);
      const liveToken = "ef".repeat(16);
      const record = (pid: number, token: string) =>
        `${JSON.stringify({ tool: "audience", pid, host: hostname(), token })}\n`;
      // No lock: the dead build never linked its temporary file into place.
      await writeFile(join(dir, `.out.lock.${deadToken}`), record(deadPid, deadToken));
      // A live build (this test's parent process) waiting to link its own.
      await writeFile(join(dir, `.out.lock.${liveToken}`), record(process.ppid, liveToken));
      // Not a lock's temporary file at all.
      await writeFile(join(dir, ".out.lock.notes"), "keep");
      const lock = await lockOutput({ out: join(dir, "out"), display: "out" });
      expect((await readdir(dir)).sort()).toEqual(
        [".out.lock", ".out.lock.notes", `.out.lock.${liveToken}`].sort(),
      );
      await lock.release();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
