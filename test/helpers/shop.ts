/**
 * Test helper: a small shop from CSV text → profiles and evaluated segments, through the same
 * pipeline as the CLI (`prepareRun`: plan, needs, readers and sinks, evaluation). Used by the model and segment tests.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseIsoDay } from "../../src/calendar.js";
import { loadConfigText } from "../../src/config/load-config.js";
import { resolveSettings } from "../../src/config/settings.js";
import { needsPredictions, PROFILE_FIELDS } from "../../src/dsl/env.js";
import type { Value } from "../../src/dsl/evaluator.js";
import { loadProfiles, type LoadedData } from "../../src/io/read-inputs.js";
import { parseSegmentFile } from "../../src/segments/parse-segment-file.js";
import type { SegmentPlan } from "../../src/segments/definition.js";
import type { SegmentMembers } from "../../src/segments/evaluate.js";
import { prepareRun } from "../../src/segments/prepare-run.js";

/** Every profile field but the predictions, which need a shop big enough to fit (docs/design.md#predictions). */
const DESCRIPTIVE = [...PROFILE_FIELDS.keys()].filter((f) => !needsPredictions(f));

export interface ShopFiles {
  contacts?: string;
  orders?: string;
  events?: string;
  lists?: string;
  /** A normalised export's key map and order lines (docs/design.md#normalised-exports). */
  key_map?: string;
  order_lines?: string;
  /** Extra lines of audience.yaml (as_of defaults to 2026-06-30, timezone UTC). */
  config?: string;
  /** A segment file's text. */
  segments?: string;
  asOf?: string;
  strict?: boolean;
}

export interface Shop {
  data: LoadedData;
  /** Profile field values of the customer with this key (customer_id, else email, else phone). */
  profile(key: string): Record<string, Value>;
  keys(): string[];
  /** Segment id → sorted customer keys of its members (not reachability). */
  members: Map<string, string[]>;
  results: SegmentMembers[];
  /** The compiled segments, when the shop has segments. */
  plan?: SegmentPlan;
}

export async function loadShop(files: ShopFiles): Promise<Shop> {
  const dir = await mkdtemp(join(tmpdir(), "audience-shop-"));
  try {
    const lines: string[] = [];
    for (const kind of [
      "contacts",
      "orders",
      "events",
      "lists",
      "key_map",
      "order_lines",
    ] as const) {
      const text = files[kind];
      if (text === undefined) continue;
      await writeFile(join(dir, `${kind}.csv`), text);
      lines.push(`${kind}: ${kind}.csv`);
    }
    lines.push(`as_of: ${files.asOf ?? "2026-06-30"}`);
    if (files.config !== undefined) lines.push(files.config);
    const configText = lines.join("\n");
    const loaded = loadConfigText("audience.yaml", configText);
    const problems = loaded.diagnostics.filter((d) => d.severity === "error");
    if (problems.length > 0) throw new Error(problems.map((d) => d.message).join("; "));
    const settings = resolveSettings(
      {
        values: loaded.values,
        dir,
        file: { path: join(dir, "audience.yaml"), display: "audience.yaml" },
      },
      files.strict ? { strict: true } : {},
      dir,
    );
    const asOf = settings.asOf ?? (parseIsoDay("2026-06-30") as number);
    const parsed =
      files.segments === undefined
        ? undefined
        : parseSegmentFile({ file: "segments.yaml", text: files.segments });
    if (parsed !== undefined) {
      const errors = parsed.diagnostics.filter((d) => d.severity === "error");
      if (errors.length > 0)
        throw new Error(errors.map((d) => `${d.code}: ${d.message}`).join("; "));
    }
    const pipeline = prepareRun(parsed?.definitions ?? [], settings, asOf, {
      fields: DESCRIPTIVE,
    });
    const plan = parsed === undefined ? undefined : pipeline.plan;
    const fields = [...new Set([...DESCRIPTIVE, ...pipeline.plan.fields])];
    const data = await loadProfiles({ settings, asOf, needs: pipeline.needs });
    const { profiles } = data;
    const getters = fields.map((f) => [f, profiles.field(f)] as const);
    const index = new Map<string, number>();
    for (let c = 0; c < profiles.size; c++) index.set(profiles.store.key(c), c);
    const { results } = await pipeline.evaluate(profiles);
    const members = new Map<string, string[]>();
    for (const r of results) {
      const keys: string[] = [];
      for (let c = 0; c < profiles.size; c++)
        if (r.members[c] === 1) keys.push(profiles.store.key(c));
      members.set(r.segment.id, keys.sort());
    }
    return {
      data,
      results,
      ...(plan === undefined ? {} : { plan }),
      members,
      keys: () => [...index.keys()].sort(),
      profile(key) {
        const c = index.get(key);
        if (c === undefined) throw new Error(`no customer ${key}`);
        return Object.fromEntries(getters.map(([name, get]) => [name, get(c)]));
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The epoch day of a YYYY-MM-DD date, for readable expectations. */
export function day(text: string): number {
  const d = parseIsoDay(text);
  if (d === undefined) throw new Error(`bad date ${text}`);
  return d;
}
