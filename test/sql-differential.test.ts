/**
 * The compiled segment SQL (src/sql) against the memory engine, on every fixture shop with a
 * config: the memory engine reads the shop and evaluates the plan; the same rows it counted fill
 * the tables of tables.ts in an in-memory DuckDB; the compiled statement must give each segment
 * exactly the memory engine's members, reachable members and --exclusive assignment.
 */
import { readdirSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveSettings } from "../src/config/settings.js";
import { IDENTITY_FIELDS } from "../src/cli/segment-run.js";
import { loadProfiles } from "../src/io/read-inputs.js";
import { readConfig } from "../src/io/read-config.js";
import { loadSegmentFiles } from "../src/io/segment-files.js";
import { markUntextablePhones, PhoneTypes } from "../src/model/phone-type.js";
import { planSegments } from "../src/segments/plan-segments.js";
import { captureIngest, compareEngines, propertyNames } from "./helpers/duckdb-tables.js";

const ROOT = resolve(import.meta.dirname, "..");
const FIXTURES = readdirSync(join(ROOT, "fixtures")).filter((name) =>
  existsSync(join(ROOT, "fixtures", name, "audience.yaml")),
);

describe("compiled segment SQL = memory engine, on every fixture shop", () => {
  it.each(FIXTURES)("fixtures/%s", async (name) => {
    const dir = join(ROOT, "fixtures", name);
    const source = await readConfig(join(dir, "audience.yaml"), dir);
    const settings = resolveSettings(source, {}, dir);
    const asOf = settings.asOf as number;
    const loaded = await loadSegmentFiles(
      settings.segments.map((s) => s.path),
      dir,
    );
    const plan = planSegments(loaded.definitions, asOf);
    const { result: data, rows } = await captureIngest(
      () =>
        loadProfiles({
          settings,
          asOf,
          needs: {
            aggregates: plan.aggregates,
            fields: [...new Set([...plan.fields, ...IDENTITY_FIELDS])],
          },
        }),
      propertyNames(plan),
    );
    const { default: metadata } = await import("libphonenumber-js/max/metadata");
    markUntextablePhones(data.profiles.store, new PhoneTypes(metadata));
    const compared = await compareEngines(plan, data.profiles, rows);
    expect(compared).toBe(plan.segments.length * 3);
  });
});
