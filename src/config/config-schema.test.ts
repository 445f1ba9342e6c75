import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIG_SCHEMA, CONFIG_SCHEMA_TITLE } from "./config-schema.js";
import { toJsonSchema, type Schema } from "../yaml/schema.js";

const COMMITTED = new URL("../../schemas/audience.schema.json", import.meta.url);

describe("schemas/audience.schema.json", () => {
  it("is what scripts/generate-schemas.mjs generates (run `npm run schemas` after changing the schema)", () => {
    const generated = `${JSON.stringify(toJsonSchema(CONFIG_SCHEMA, CONFIG_SCHEMA_TITLE), null, 2)}\n`;
    expect(readFileSync(COMMITTED, "utf8")).toBe(generated);
  });

  it("describes every key, for editors", () => {
    const undocumented: string[] = [];
    const walk = (schema: Schema, path: string, parentDocumented: boolean) => {
      if (schema.description === undefined && !parentDocumented) undocumented.push(path);
      if (schema.type === "object") {
        for (const [key, child] of Object.entries(schema.properties))
          walk(child, `${path}.${key}`, false);
      }
    };
    walk(CONFIG_SCHEMA, "$", false);
    expect(undocumented).toEqual([]);
  });
});
