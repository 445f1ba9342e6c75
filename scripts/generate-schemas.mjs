#!/usr/bin/env node
/**
 * Writes the JSON Schemas shipped for editors (yaml-language-server), generated from the same
 * schemas the validators use. Run after `npm run build`:
 *
 *   node scripts/generate-schemas.mjs
 *
 * Tests (src/segments/segment-schema.test.ts, src/config/config-schema.test.ts) fail when a
 * committed schema differs from what this script would write.
 */
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { toJsonSchema } from "../dist/yaml/schema.js";
import { SEGMENT_FILE_SCHEMA, SEGMENT_FILE_SCHEMA_TITLE } from "../dist/segments/segment-schema.js";
import { CONFIG_SCHEMA, CONFIG_SCHEMA_TITLE } from "../dist/config/config-schema.js";

const root = new URL("../", import.meta.url);

export const SCHEMAS = [
  {
    path: "schemas/segments.schema.json",
    schema: SEGMENT_FILE_SCHEMA,
    title: SEGMENT_FILE_SCHEMA_TITLE,
  },
  {
    path: "schemas/audience.schema.json",
    schema: CONFIG_SCHEMA,
    title: CONFIG_SCHEMA_TITLE,
  },
];

/** The file text: 2-space JSON and a final newline. */
export function renderSchema(schema, title) {
  return `${JSON.stringify(toJsonSchema(schema, title), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { path, schema, title } of SCHEMAS) {
    await writeFile(new URL(path, root), renderSchema(schema, title));
    console.log(`wrote ${path}`);
  }
}
