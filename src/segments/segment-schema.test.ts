import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { toJsonSchema, type Schema } from "../yaml/schema.js";
import { PROFILE_FIELDS } from "../dsl/env.js";
import { CHANNELS, OUTPUT_FORMATS, SEGMENT_ID_PATTERN } from "./definition.js";
import {
  PERCENT_PATTERN,
  PROPS_COLUMN_PATTERN,
  SEGMENT_FILE_SCHEMA,
  SEGMENT_FILE_SCHEMA_TITLE,
} from "./segment-schema.js";

const COMMITTED = new URL("../../schemas/segments.schema.json", import.meta.url);

describe("schemas/segments.schema.json", () => {
  it("is what scripts/generate-schemas.mjs generates (run it after changing the schema)", () => {
    const generated = `${JSON.stringify(toJsonSchema(SEGMENT_FILE_SCHEMA, SEGMENT_FILE_SCHEMA_TITLE), null, 2)}\n`;
    expect(readFileSync(COMMITTED, "utf8")).toBe(generated);
  });
});

describe("SEGMENT_FILE_SCHEMA", () => {
  it("describes every field, for editors", () => {
    const undocumented: string[] = [];
    const walk = (schema: Schema, path: string) => {
      if (schema.description === undefined && schema.type !== "union") undocumented.push(path);
      if (schema.type === "object") {
        for (const [key, child] of Object.entries(schema.properties)) walk(child, `${path}.${key}`);
      } else if (schema.type === "map") walk(schema.values, `${path}.*`);
      else if (schema.type === "array") walk(schema.items, `${path}[]`);
      else if (schema.type === "union") {
        if (schema.description === undefined) undocumented.push(path);
      }
    };
    walk(SEGMENT_FILE_SCHEMA, "$");
    expect(undocumented).toEqual([]);
  });

  it("uses the id pattern, channels and formats of definition.ts", () => {
    const json = JSON.stringify(toJsonSchema(SEGMENT_FILE_SCHEMA));
    expect(json).toContain(JSON.stringify(SEGMENT_ID_PATTERN));
    expect(json).toContain(JSON.stringify(CHANNELS));
    expect(json).toContain(JSON.stringify(OUTPUT_FORMATS));
  });

  it("id pattern: lowercase names of 1–64 characters, no dots or slashes", () => {
    const id = new RegExp(SEGMENT_ID_PATTERN);
    for (const good of ["a", "win-back", "vip_2024", "0day", "a".repeat(64)]) {
      expect(id.test(good)).toBe(true);
    }
    for (const bad of ["", "-a", "_a", "Win", "a.b", "../x", "a/b", "a b", "a".repeat(65), "é"]) {
      expect(id.test(bad)).toBe(false);
    }
  });

  it("percent and props patterns", () => {
    const percent = new RegExp(PERCENT_PATTERN);
    expect(["40%", "0%", "12.5%", "1000%"].every((p) => percent.test(p))).toBe(true);
    expect(["40", "40 %", "-5%", ".5%", "5.%"].some((p) => percent.test(p))).toBe(false);
    const props = new RegExp(PROPS_COLUMN_PATTERN);
    expect(["props.size", "props.shoe_size", "props._x1"].every((p) => props.test(p))).toBe(true);
    expect(
      ["props.", "props.Size", "props.a-b", "size", "props.1a"].some((p) => props.test(p)),
    ).toBe(false);
    expect(PROFILE_FIELDS.has("last_product")).toBe(true);
  });
});
