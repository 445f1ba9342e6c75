/**
 * `SqlRun.evaluateInDatabase` (src/engine/sql-run.ts): profiles and segments both from DuckDB.
 * For the demo fixture and generated demo shops, what the CLI prints and writes from its Profiles
 * and members — every segment's file in all six formats (hashed too where the format hashes),
 * the counts, the landlines, the RFM and channel reports — is byte for byte the memory engine's.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../src/calendar.js";
import { resolveSettings, type Settings } from "../src/config/settings.js";
import { DEMO_HEADERS, generateShop, type DemoFile } from "../src/demo/generate.js";
import { duckDbSession } from "../src/engine/duckdb/session.js";
import { DuckDbStagingLoader } from "../src/engine/duckdb/staging-loader.js";
import { SqlRun } from "../src/engine/sql-run.js";
import { readConfig } from "../src/io/read-config.js";
import { loadProfiles } from "../src/io/read-inputs.js";
import { loadSegmentFiles } from "../src/io/segment-files.js";
import { buildChannelReport } from "../src/model/channels.js";
import type { Profiles } from "../src/model/profile.js";
import { buildRfmReport } from "../src/rfm/report.js";
import { OUTPUT_FORMATS } from "../src/segments/definition.js";
import type { SegmentMembers } from "../src/segments/evaluate.js";
import { OUTPUT_PROFILES } from "../src/segments/output-profiles.js";
import { customersByKey, rowShape, segmentLines } from "../src/segments/output-rows.js";
import { prepareRun } from "../src/segments/prepare-run.js";

const ROOT = resolve(import.meta.dirname, "..");

interface Outcome {
  profiles: Profiles;
  results: SegmentMembers[];
  landlines: number;
}

async function shopAt(dir: string) {
  const settings = resolveSettings(await readConfig(join(dir, "audience.yaml"), dir), {}, dir);
  const asOf = settings.asOf ?? (parseIsoDay("2026-06-30") as number);
  const loaded = await loadSegmentFiles(
    settings.segments.map((s) => s.path),
    dir,
  );
  return { settings, asOf, definitions: loaded.definitions };
}

type Shop = Awaited<ReturnType<typeof shopAt>>;

async function memoryRun(shop: Shop, exclusive: boolean): Promise<Outcome> {
  const settings: Settings = { ...shop.settings, exclusive };
  const run = prepareRun(shop.definitions, settings, shop.asOf);
  const { profiles } = await loadProfiles({ settings, asOf: shop.asOf, needs: run.needs });
  const { results, landlines } = await run.evaluate(profiles);
  return { profiles, results, landlines };
}

async function databaseRun(shop: Shop, exclusive: boolean): Promise<Outcome> {
  const settings: Settings = { ...shop.settings, exclusive };
  const run = prepareRun(shop.definitions, settings, shop.asOf);
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const connection = await instance.connect();
  try {
    const sql = await SqlRun.start(
      {
        session: await duckDbSession(connection),
        loader: () => DuckDbStagingLoader.open(connection),
      },
      run.plan,
      {
        asOf: shop.asOf,
        rfm: settings.rfm,
        ...(settings.currency === undefined ? {} : { currency: settings.currency }),
        ...(settings.exchangeRates === undefined ? {} : { exchangeRates: settings.exchangeRates }),
      },
    );
    // The TypeScript ingest only fills the staging tables here; its profiles are not used.
    await loadProfiles({
      settings,
      asOf: shop.asOf,
      needs: run.needs,
      staging: { source: sql.source, flush: () => sql.flush(), restart: () => sql.restage() },
    });
    const { profiles, members, landlines } = await sql.evaluateInDatabase(run.plan, {
      exclusive,
      fields: run.needs.fields,
    });
    await sql.close();
    return { profiles, results: members, landlines };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Every segment's file in every format (and hashed where the format hashes), as lines. */
function files(outcome: Outcome): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const order = customersByKey(outcome.profiles);
  for (const result of outcome.results) {
    for (const format of OUTPUT_FORMATS) {
      for (const hash of OUTPUT_PROFILES[format].hashable ? [false, true] : [false]) {
        const shape = rowShape(outcome.profiles, result.segment, format, hash, new Map());
        out[`${result.segment.id}.${format}${hash ? ".hashed" : ""}`] = [
          ...segmentLines(outcome.profiles, result, shape, order, () => {}),
        ];
      }
    }
  }
  return out;
}

function counts(outcome: Outcome) {
  return {
    customers: outcome.profiles.size,
    buyers: outcome.profiles.buyers,
    landlines: outcome.landlines,
    segments: outcome.results.map((r) => ({
      id: r.segment.id,
      matched: r.matched,
      reachable: r.reachableCount,
      assigned: r.assignedCount,
    })),
  };
}

async function expectSameOutputs(shop: Shop, where: string, landlines: boolean): Promise<void> {
  for (const exclusive of [false, true]) {
    const want = await memoryRun(shop, exclusive);
    const got = await databaseRun(shop, exclusive);
    expect({ where, exclusive, ...counts(got) }).toEqual({ where, exclusive, ...counts(want) });
    // The untextable phones are marked (the whatsapp segment sends texts).
    if (landlines) expect(want.landlines).toBeGreaterThan(0);
    const a = files(want);
    const b = files(got);
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const name of Object.keys(a))
      expect({ where, exclusive, name, text: b[name].join("\n") }).toEqual({
        where,
        exclusive,
        name,
        text: a[name].join("\n"),
      });
    const s = shop.settings.rfm;
    const fixed = {
      recency: s.fixed.recency !== undefined,
      frequency: s.fixed.frequency !== undefined,
      monetary: s.fixed.monetary !== undefined,
    };
    expect(buildRfmReport(got.profiles, s.map, fixed)).toEqual(
      buildRfmReport(want.profiles, s.map, fixed),
    );
    expect(buildChannelReport(got.profiles)).toEqual(buildChannelReport(want.profiles));
  }
}

describe("profiles and segments from DuckDB: the memory engine's outputs", () => {
  it("fixtures/demo", async () => {
    const shop = await shopAt(join(ROOT, "fixtures", "demo"));
    await expectSameOutputs(shop, "fixtures/demo", false);
  });

  it.each([3001, 3002, 3003])("generated shop seed %i", async (seed) => {
    const dir = await mkdtemp(join(tmpdir(), "audience-sqlrun-db-"));
    try {
      const asOf = parseIsoDay("2026-06-30") as number;
      const batch = generateShop({ contacts: 300, seed, asOf });
      // Every fifth phone a Paris landline (some shared), which cannot receive texts.
      const phone = DEMO_HEADERS.contacts.indexOf("phone");
      batch.contacts.forEach((row, i) => {
        if (row[phone] !== "" && i % 5 === 0)
          row[phone] = `01 42 68 ${String(10 + (i % 40))} ${String(10 + ((i * 7) % 89))}`;
      });
      for (const file of Object.keys(DEMO_HEADERS) as DemoFile[]) {
        const rows = [DEMO_HEADERS[file] as readonly string[], ...batch[file]];
        await writeFile(
          join(dir, `${file}.csv`),
          rows
            .map((r) =>
              r.map((v) => (/[",\n\r;]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(","),
            )
            .join("\n"),
        );
      }
      await writeFile(
        join(dir, "audience.yaml"),
        [
          "contacts: contacts.csv",
          "orders: orders.csv",
          "events: events.csv",
          "lists: lists.csv",
          `segments: ${join(ROOT, "segments")}`,
          `timezone: ${["UTC", "Europe/Paris", "America/New_York"][seed % 3]}`,
          "default_country: FR",
          "as_of: 2026-06-30",
          "",
        ].join("\n"),
      );
      await expectSameOutputs(await shopAt(dir), `seed ${seed}`, true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
