import { describe, expect, it } from "vitest";
import { shareFiles } from "./csv-threads.js";

describe("shareFiles", () => {
  it("gives the files to two threads in turn", () => {
    // contacts, orders, events, lists
    expect(shareFiles(4)).toEqual([
      [0, 2],
      [1, 3],
    ]);
    expect(shareFiles(3)).toEqual([[0, 2], [1]]);
    expect(shareFiles(2)).toEqual([[0], [1]]);
  });

  it("uses one thread for one file and none for none", () => {
    expect(shareFiles(1)).toEqual([[0]]);
    expect(shareFiles(0)).toEqual([]);
  });
});
