/**
 * The staging source of the SQL run (src/engine/staging-source.ts) stages exactly the rows the
 * test recording of the memory engine stages (test/helpers/staging-capture.ts, which wraps the
 * sinks' prototypes independently): every fixture shop with a config, generated demo shops and
 * hostile identity shops, table by table, row by row, in the same pass over the inputs.
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../src/calendar.js";
import { resolveSettings } from "../src/config/settings.js";
import { DEMO_HEADERS, generateShop, type DemoFile } from "../src/demo/generate.js";
import { StagingSource, type StagedValue } from "../src/engine/staging-source.js";
import { readConfig } from "../src/io/read-config.js";
import { loadProfiles } from "../src/io/read-inputs.js";
import { loadSegmentFiles } from "../src/io/segment-files.js";
import { prepareRun } from "../src/segments/prepare-run.js";
import { STAGING, STAGING_LAYOUT } from "../src/sql/staging.js";
import { propertyNames } from "./helpers/duckdb-tables.js";
import { writeHostileShop } from "./helpers/hostile-shop.js";
import { captureStaging, forgetCaptured } from "./helpers/staging-capture.js";

const ROOT = resolve(import.meta.dirname, "..");
const FIXTURES = readdirSync(join(ROOT, "fixtures")).filter((name) =>
  existsSync(join(ROOT, "fixtures", name, "audience.yaml")),
);

/** Both stagings of the shop in `dir`, read once. */
async function stageBoth(dir: string) {
  const settings = resolveSettings(await readConfig(join(dir, "audience.yaml"), dir), {}, dir);
  const asOf = settings.asOf ?? (parseIsoDay("2026-06-30") as number);
  const loaded = await loadSegmentFiles(
    settings.segments.map((s) => s.path),
    dir,
  );
  const run = prepareRun(loaded.definitions, settings, asOf);
  const names = propertyNames(run.plan);
  const mine = new Map<string, StagedValue[][]>(STAGING_LAYOUT.map((t) => [t.table, []]));
  let flushes = 0;
  const loader = {
    append: (table: string, row: readonly StagedValue[]) => mine.get(table)?.push([...row]),
    flush: () => {
      flushes++;
      return Promise.resolve();
    },
  };
  const source = new StagingSource(loader, names);
  const { staged } = await captureStaging(
    () =>
      loadProfiles({
        settings,
        asOf,
        needs: run.needs,
        staging: {
          source,
          flush: loader.flush,
          restart: () => {
            for (const rows of mine.values()) rows.length = 0;
            source.restartFiles();
            forgetCaptured();
            return Promise.resolve();
          },
        },
      }),
    names,
  );
  return { mine, staged, flushes };
}

function expectSame(
  mine: Map<string, StagedValue[][]>,
  staged: Map<string, StagedValue[][]>,
  where: string,
) {
  for (const { table } of STAGING_LAYOUT) {
    if (table === STAGING.untextablePhones) continue;
    expect({ where, table, rows: mine.get(table) }).toEqual({
      where,
      table,
      rows: staged.get(table),
    });
  }
}

describe("the staging source stages what the memory engine's recording does", () => {
  it.each(FIXTURES)("fixtures/%s", async (name) => {
    const { mine, staged, flushes } = await stageBoth(join(ROOT, "fixtures", name));
    expect(flushes).toBeGreaterThan(0);
    expect(
      (mine.get(STAGING.orders) ?? []).length + (mine.get(STAGING.contacts) ?? []).length,
    ).toBeGreaterThan(0);
    expectSame(mine, staged, `fixtures/${name}`);
  });

  it.each([3, 17, 29])("generated demo shop seed %i", async (seed) => {
    const dir = await mkdtemp(join(tmpdir(), "audience-staging-"));
    try {
      const asOf = parseIsoDay("2026-06-30") as number;
      const batch = generateShop({ contacts: 150, seed, asOf });
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
        `contacts: contacts.csv\norders: orders.csv\nevents: events.csv\nlists: lists.csv\nsegments: ${join(ROOT, "segments")}\ntimezone: Europe/Paris\ndefault_country: FR\nas_of: 2026-06-30\n`,
      );
      const { mine, staged } = await stageBoth(dir);
      expectSame(mine, staged, `seed ${seed}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([501, 507, 523])("hostile identity shop seed %i", async (seed) => {
    const dir = await mkdtemp(join(tmpdir(), "audience-staging-"));
    try {
      await writeHostileShop(dir, seed, join(ROOT, "segments"));
      const { mine, staged } = await stageBoth(dir);
      expectSame(mine, staged, `hostile seed ${seed}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
