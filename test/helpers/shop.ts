/**
 * Test helper: a small shop from CSV text → profiles and evaluated segments, through the same
 * pipeline as the CLI (`prepareRun`: plan, needs, sinks, evaluation), with the rows parsed in
 * memory and handed to `buildProfiles` (no file is written). Used by the model and segment tests.
 */
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { parseIsoDay } from "../../src/calendar.js";
import { ingestOptions } from "../../src/config/ingest-options.js";
import { loadConfigText } from "../../src/config/load-config.js";
import { resolveSettings } from "../../src/config/settings.js";
import { needsPredictions, PROFILE_FIELDS } from "../../src/dsl/env.js";
import type { Value } from "../../src/dsl/evaluator.js";
import { detectDelimiter } from "../../src/io/parse-csv.js";
import {
  buildProfiles,
  type BuiltProfiles,
  type RowTable,
} from "../../src/model/build-profiles.js";
import type { FileStats } from "../../src/model/ingest-context.js";
import type { InputKind } from "../../src/model/presets.js";
import { RejectLog } from "../../src/model/rejects.js";
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

/** The built profiles, with each input's counts as the CSV readers report them. */
export interface ShopData extends BuiltProfiles {
  inputs: { kind: InputKind; display: string; stats: FileStats }[];
}

export interface Shop {
  data: ShopData;
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
  // A folder that is never read: the settings name the inputs, the rows come from `files`.
  const dir = "/audience-shop";
  const lines: string[] = [];
  const tables: Partial<Record<InputKind, RowTable>> = {};
  for (const kind of ["contacts", "orders", "events", "lists", "key_map", "order_lines"] as const) {
    const text = files[kind];
    if (text === undefined) continue;
    lines.push(`${kind}: ${kind}.csv`);
    tables[kind] = rowTable(`${kind}.csv`, text);
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
    if (errors.length > 0) throw new Error(errors.map((d) => `${d.code}: ${d.message}`).join("; "));
  }
  const pipeline = prepareRun(parsed?.definitions ?? [], settings, asOf, {
    fields: DESCRIPTIVE,
  });
  const plan = parsed === undefined ? undefined : pipeline.plan;
  const fields = [...new Set([...DESCRIPTIVE, ...pipeline.plan.fields])];
  const { ordersFilter } = pipeline.needs;
  const built = buildProfiles({
    ...tables,
    options: ingestOptions(settings, asOf, pipeline.needs),
    rfm: settings.rfm,
    rejects: new RejectLog({ strict: settings.strict }),
    ...(ordersFilter === undefined ? {} : { ordersFilter }),
  });
  const data: ShopData = {
    ...built,
    inputs: built.stats.map((stats) => ({ kind: stats.kind, display: stats.file, stats })),
  };
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
}

/**
 * CSV text → the header and rows the CSV reader would hand over: csv-parse with the reader's
 * options (src/io/parse-csv.ts), each row with its first line in the file.
 */
export function rowTable(file: string, text: string): RowTable {
  const records = parse(text, {
    delimiter: detectDelimiter(text),
    record_delimiter: ["\r\n", "\n", "\r"],
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
  }) as unknown as { record: string[]; info: { lines: number; empty_lines: number } }[];
  if (records.length === 0) throw new Error(`${file} is empty: expected a header line and rows`);
  const [header, ...rows] = records;
  const lines: number[] = [];
  // As the reader counts: after the previous record and any empty lines; a quoted CRLF once.
  let previousEnd = header.info.lines;
  let previousEmpty = header.info.empty_lines;
  let correction = 0;
  for (const { record, info } of rows) {
    const start = previousEnd + 1 + info.empty_lines - previousEmpty;
    let end = info.lines - correction;
    if (end > start) {
      const crlf = record.reduce((n, field) => n + (field.split("\r\n").length - 1), 0);
      correction += crlf;
      end -= crlf;
    }
    lines.push(start);
    previousEnd = end;
    previousEmpty = info.empty_lines;
  }
  return { file, header: header.record, rows: rows.map((r) => r.record), lines };
}

/** The epoch day of a YYYY-MM-DD date, for readable expectations. */
export function day(text: string): number {
  const d = parseIsoDay(text);
  if (d === undefined) throw new Error(`bad date ${text}`);
  return d;
}
