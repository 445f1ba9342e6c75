import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PROFILE_FIELD_TABLE } from "./fields.js";

const README = new URL("../../README.md", import.meta.url);

/** The profile fields the README's `where` table names (adding a field to the table fails this until it is documented). */
function readmeFields(): string[] {
  const text = readFileSync(README, "utf8");
  const start = text.indexOf("`where` is an expression over the customer profile:");
  expect(start).toBeGreaterThan(0);
  const lines = text.slice(start).split("\n");
  const first = lines.findIndex((line) => line.startsWith("|"));
  const end = lines.findIndex((line, i) => i > first && !line.startsWith("|"));
  const table = lines.slice(first, end);
  return table
    .slice(2)
    .flatMap((row) => [...row.matchAll(/`([a-z][a-z0-9_]*)`/g)].map((m) => m[1]))
    .filter((name) => name !== "prospects");
}

describe("the README's field list", () => {
  it("names every profile field of the table once, grouped by theme, and nothing else", () => {
    const named = readmeFields();
    expect(new Set(named).size).toBe(named.length);
    expect([...named].sort()).toEqual(Object.keys(PROFILE_FIELD_TABLE).sort());
  });
});
