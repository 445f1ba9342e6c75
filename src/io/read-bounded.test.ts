import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileAtMost } from "./read-bounded.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "audience-bounded-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readFileAtMost", () => {
  it("reads a file up to the limit, and says when it is larger", async () => {
    const path = join(dir, "ten.txt");
    await writeFile(path, "0123456789");
    expect((await readFileAtMost(path, 10))?.toString()).toBe("0123456789");
    expect(await readFileAtMost(path, 9)).toBeUndefined();
  });

  it("reads an empty file", async () => {
    const path = join(dir, "empty.txt");
    await writeFile(path, "");
    expect((await readFileAtMost(path, 10))?.length).toBe(0);
  });

  it.runIf(process.platform !== "win32")("stops an endless device at the limit", async () => {
    expect(await readFileAtMost("/dev/zero", 100_000)).toBeUndefined();
  });

  it("rejects with the system error when the file cannot be read", async () => {
    await expect(readFileAtMost(join(dir, "missing.txt"), 10)).rejects.toMatchObject({
      code: "ENOENT",
    });
  });
});
