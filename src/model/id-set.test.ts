import { describe, expect, it } from "vitest";
import { OrderIdSet } from "./id-set.js";

describe("OrderIdSet", () => {
  it("tells the file that last closed an id, -1 for an id never closed", () => {
    const set = new OrderIdSet();
    expect(set.fileOf("1001")).toBe(-1);
    set.add("1001", 0);
    set.add("#1002", 0);
    expect([set.fileOf("1001"), set.fileOf("#1002"), set.fileOf("1002"), set.fileOf("")]).toEqual([
      0, 0, -1, -1,
    ]);
    // The same order closed again in a later file (an overlapping download): retagged, one id.
    set.add("1001", 1);
    expect([set.fileOf("1001"), set.size]).toEqual([1, 2]);
  });

  it("keeps every id and its file through growth, and past 255 and 65,535 files", () => {
    const set = new OrderIdSet();
    const ids = 200_000;
    for (let i = 0; i < ids; i++) set.add(String(100_000 + i), i % 7);
    set.add("late", 300);
    set.add("later", 70_000);
    expect(set.size).toBe(ids + 2);
    let wrong = 0;
    for (let i = 0; i < ids; i++) if (set.fileOf(String(100_000 + i)) !== i % 7) wrong++;
    expect(wrong).toBe(0);
    for (let i = 0; i < 1000; i++) if (set.fileOf(String(900_000 + i)) !== -1) wrong++;
    expect([wrong, set.fileOf("late"), set.fileOf("later")]).toEqual([0, 300, 70_000]);
  });

  it("grows with distinct ids only, at most four slots for three ids", () => {
    const set = new OrderIdSet();
    for (let round = 0; round < 5; round++) for (let i = 0; i < 10_000; i++) set.add(`A-${i}`, 0);
    expect(set.size).toBe(10_000);
    expect(set.slots).toBeLessThanOrEqual(32_768);
    expect(set.size * 4).toBeLessThanOrEqual(set.slots * 3);
  });
});
