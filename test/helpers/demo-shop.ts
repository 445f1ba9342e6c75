/**
 * Test helper: a seeded demo shop (`generateShop`, the generator of `audience demo`) written as
 * CSV files with an audience.yaml into `dir`. The time zone varies with the seed (UTC, Paris,
 * New York), so that the shops cover the date rules in more than one zone.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DEMO_HEADERS, generateShop, type DemoFile } from "../../src/demo/generate.js";
import { parseIsoDay } from "../../src/calendar.js";

export interface DemoShopOptions {
  seed: number;
  contacts: number;
  /** The inputs audience.yaml names (every file is written); default all four. */
  inputs?: readonly DemoFile[];
  /** The segments folder audience.yaml names, if any. */
  segments?: string;
  /** Every fourth seed (seed % 4 === 1) gets other recency thresholds. */
  rfmVariant?: boolean;
}

const quote = (v: string) => (/[",\n\r;]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

export async function writeDemoShop(dir: string, options: DemoShopOptions): Promise<void> {
  const { seed, contacts } = options;
  const batch = generateShop({ contacts, seed, asOf: parseIsoDay("2026-06-30") as number });
  for (const file of Object.keys(DEMO_HEADERS) as DemoFile[]) {
    const rows = [DEMO_HEADERS[file] as readonly string[], ...batch[file]];
    await writeFile(join(dir, `${file}.csv`), rows.map((r) => r.map(quote).join(",")).join("\n"));
  }
  const inputs = options.inputs ?? (["contacts", "orders", "events", "lists"] as const);
  const tz = ["UTC", "Europe/Paris", "America/New_York"][seed % 3];
  await writeFile(
    join(dir, "audience.yaml"),
    [
      ...inputs.map((file) => `${file}: ${file}.csv`),
      ...(options.segments === undefined ? [] : [`segments: ${options.segments}`]),
      `timezone: ${tz}`,
      "default_country: FR",
      "as_of: 2026-06-30",
      ...(options.rfmVariant === true && seed % 4 === 1
        ? ["rfm: { recency: [30, 90, 180, 365] }"]
        : []),
      "",
    ].join("\n"),
  );
}
