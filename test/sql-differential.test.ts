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
import type { SegmentPlan } from "../src/segments/definition.js";
import { evaluateSegments, type SegmentMembers } from "../src/segments/evaluate.js";
import { planSegments } from "../src/segments/plan-segments.js";
import { compileSegmentsSql } from "../src/sql/compile.js";
import { dialectFor } from "../src/sql/dialect.js";
import type { Profiles } from "../src/model/profile.js";
import {
  captureIngest,
  loadTables,
  runSegmentsSql,
  type CapturedRows,
} from "./helpers/duckdb-tables.js";

const ROOT = resolve(import.meta.dirname, "..");
const FIXTURES = readdirSync(join(ROOT, "fixtures")).filter((name) =>
  existsSync(join(ROOT, "fixtures", name, "audience.yaml")),
);

export function propertyNames(plan: SegmentPlan): string[] {
  const names = new Set<string>();
  for (const spec of plan.aggregates)
    if (spec.source === "events") for (const p of spec.properties) names.add(p.name);
  return [...names];
}

export function indexes(flags: Uint8Array): number[] {
  const out: number[] = [];
  for (let c = 0; c < flags.length; c++) if (flags[c] === 1) out.push(c);
  return out;
}

/**
 * Compares the memory engine's results for `plan` with the compiled SQL's, in three modes; returns
 * the number of segment comparisons made. Differences fail with the segment's id.
 */
export async function compareEngines(
  plan: SegmentPlan,
  profiles: Profiles,
  rows: CapturedRows,
): Promise<number> {
  const tables = await loadTables(profiles, plan.fields, rows);
  const d = dialectFor("duckdb");
  let compared = 0;
  try {
    const byMode = async (
      mode: "members" | "assigned",
      exclusive: boolean,
      pick: (r: SegmentMembers) => Uint8Array,
    ) => {
      const memory = evaluateSegments(plan, profiles, { exclusive });
      const sql = compileSegmentsSql(plan, d, { rows: mode, exclusive });
      const got = await runSegmentsSql(tables.connection, sql);
      for (const r of memory) {
        const expected = indexes(pick(r));
        expect({
          segment: r.segment.id,
          mode,
          exclusive,
          members: got.get(r.segment.id) ?? [],
        }).toEqual({
          segment: r.segment.id,
          mode,
          exclusive,
          members: expected,
        });
        compared++;
      }
    };
    await byMode("members", false, (r) => r.members);
    await byMode("assigned", false, (r) => r.reachable);
    await byMode("assigned", true, (r) => r.assigned);
  } finally {
    tables.close();
  }
  return compared;
}

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
