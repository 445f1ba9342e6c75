import { describe, expect, it } from "vitest";
import { shareFiles } from "./read-csv.js";

describe("shareFiles", () => {
  it("gives the biggest file a thread of its own and the others, in order, the second", () => {
    // contacts, orders, events, lists
    expect(shareFiles([128, 506, 77, 23])).toEqual([[1], [0, 2, 3]]);
    expect(shareFiles([900, 10])).toEqual([[0], [1]]);
  });

  it("uses one thread for one file, none for none, and the first of equal sizes", () => {
    expect(shareFiles([42])).toEqual([[0]]);
    expect(shareFiles([])).toEqual([]);
    expect(shareFiles([0, 0, 0])).toEqual([[0], [1, 2]]);
  });
});
