import { describe, expect, it } from "vitest";
import { BATCH_ROWS, RowPacker, unpackRows } from "./packed-rows.js";

function roundTrip(packer: RowPacker): [string[], number][] {
  const out: [string[], number][] = [];
  unpackRows(packer.take(), (fields, line) => out.push([fields, line]));
  return out;
}

describe("packed rows", () => {
  it("give back every row with its fields and line, whatever their count and content", () => {
    const rows: [string[], number][] = [
      [["1001", "marie@example.com", "", "Crème, 50 ml", ""], 2],
      [[""], 3],
      [["a"], 5],
      [["Zoé", "🙂 emoji", 'quote " inside', "line\nbreak", "x".repeat(5000)], 6],
      [[], 9],
      [Array.from({ length: 40 }, (_, i) => `c${i}`), 10],
    ];
    const packer = new RowPacker();
    for (const [fields, line] of rows) packer.add(fields, line);
    expect(packer.rows).toBe(rows.length);
    expect(roundTrip(packer)).toEqual(rows);
  });

  it("start afresh after each batch, and grow past the usual number of fields", () => {
    const packer = new RowPacker();
    const wide = Array.from({ length: 100 }, (_, i) => String(i));
    for (let r = 0; r < BATCH_ROWS; r++) packer.add(wide, r + 2);
    const first = roundTrip(packer);
    expect(first).toHaveLength(BATCH_ROWS);
    expect(first[BATCH_ROWS - 1]).toEqual([wide, BATCH_ROWS + 1]);
    expect(packer.rows).toBe(0);
    packer.add(["only"], 7);
    expect(roundTrip(packer)).toEqual([[["only"], 7]]);
  });

  it("copy out only the wanted fields, the others empty, whatever the row's length", () => {
    const packer = new RowPacker();
    packer.add(["a", "b", "c"], 2);
    packer.add(["d"], 3);
    packer.add(["e", "f", "g", "h"], 4);
    const out: string[][] = [];
    unpackRows(packer.take(), (fields) => out.push(fields), Uint8Array.of(1, 0, 1));
    expect(out).toEqual([["a", "", "c"], ["d"], ["e", "", "g", ""]]);
  });

  it("survive the structured clone between threads", () => {
    const packer = new RowPacker();
    packer.add(["x", "yz"], 2);
    packer.add(["", "é"], 3);
    const packed = structuredClone(packer.take());
    const out: string[][] = [];
    unpackRows(packed, (fields) => out.push(fields));
    expect(out).toEqual([
      ["x", "yz"],
      ["", "é"],
    ]);
  });
});
