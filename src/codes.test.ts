import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { CODE_REGISTRIES } from "./codes.js";

const SRC = new URL(".", import.meta.url).pathname;

/** Upper-case names in the sources that are not audience's codes: other libraries' vocabularies. */
const NOT_CODES = new Set([
  // yaml's scalar styles and one of its error codes.
  "BLOCK_FOLDED",
  "BLOCK_LITERAL",
  "QUOTE_DOUBLE",
  "QUOTE_SINGLE",
  "BLOCK_AS_IMPLICIT_KEY",
  // csv-parse's error codes, mapped to ours.
  "CSV_QUOTE_NOT_CLOSED",
  "CSV_MAX_RECORD_SIZE",
  // libphonenumber's number types.
  "FIXED_LINE",
  "PERSONAL_NUMBER",
  "PREMIUM_RATE",
  "SHARED_COST",
  "TOLL_FREE",
  // An environment variable.
  "NO_COLOR",
  // Node's network error codes (a database connection), mapped to ours.
  "EAI_AGAIN",
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("code registries", () => {
  const all = Object.entries(CODE_REGISTRIES).flatMap(([area, codes]) =>
    Object.entries(codes).map(([key, value]) => ({ area, key, value: value as string })),
  );

  it("name each code by itself, once across all areas", () => {
    expect(all.filter(({ key, value }) => key !== value)).toEqual([]);
    const areas = new Map<string, string[]>();
    for (const { area, value } of all) areas.set(value, [...(areas.get(value) ?? []), area]);
    expect([...areas].filter(([, where]) => where.length > 1)).toEqual([]);
  });

  it("hold every code written in src/", () => {
    const registered = new Set(all.map(({ value }) => value));
    const unregistered: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const text = readFileSync(file, "utf8");
      for (const [, name] of text.matchAll(/["']([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)["']/g)) {
        if (!registered.has(name) && !NOT_CODES.has(name)) {
          unregistered.push(`${relative(SRC, file)}: ${name}`);
        }
      }
    }
    expect(unregistered).toEqual([]);
  });

  it("are all used somewhere in src/ (no stale entry)", () => {
    const text = sourceFiles(SRC)
      .filter((file) => !file.endsWith("codes.ts") && !file.endsWith("dsl/errors.ts"))
      .map((file) => readFileSync(file, "utf8"))
      .join("\n");
    const unused = all.filter(({ value }) => !text.includes(`"${value}"`)).map((c) => c.value);
    expect(unused).toEqual([]);
  });
});
