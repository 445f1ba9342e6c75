/**
 * segments/predictive/ (the opt-in library of prediction segments) on the demo shop
 * (fixtures/demo/, 592 repeat buyers): every written customer meets the segment's rule, read back
 * from the output columns, and the counts agree with `audience predict`'s own numbers.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/run-cli.js";

const CONFIG = "fixtures/demo/audience.yaml";
let out: string;
let counts: Record<string, { matched: number; reachable: number }>;

beforeAll(async () => {
  out = join(await mkdtemp(join(tmpdir(), "audience-predictive-")), "out");
  const run = await runCli([
    "build",
    "--config",
    CONFIG,
    "--segments",
    "segments/predictive/",
    "--out",
    out,
    "--json",
    "--quiet",
  ]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  const summary = JSON.parse(run.stdout) as {
    segments: { id: string; matched: number; reachable: number }[];
  };
  counts = Object.fromEntries(summary.segments.map((s) => [s.id, s]));
});

afterAll(async () => {
  await rm(join(out, ".."), { recursive: true, force: true });
});

async function rows(id: string): Promise<Record<string, string>[]> {
  return parse(await readFile(join(out, `${id}.csv`), "utf8"), { columns: true }) as Record<
    string,
    string
  >[];
}

describe("segments/predictive/", () => {
  it("validates: 3 segments in 1 file", async () => {
    const run = await runCli(["validate", "segments/predictive/"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("3 segments in 1 file, no problems");
  });

  it("valuable-likely-lost writes top spenders with P(alive) below 0.5", async () => {
    const written = await rows("valuable-likely-lost");
    expect(written.length).toBe(counts["valuable-likely-lost"].reachable);
    expect(written.length).toBeGreaterThan(10);
    for (const row of written) expect(Number(row.p_alive)).toBeLessThanOrEqual(0.5);
    // The same customers `audience predict` counts among the valuable ones likely lost (it does
    // not require 2+ orders, but P(alive) < 1 already implies a repeat purchase).
    const predict = await runCli(["predict", "--config", CONFIG, "--json", "--quiet"]);
    const report = JSON.parse(predict.stdout) as { valuable: { likely_lost: number } };
    expect(counts["valuable-likely-lost"].matched).toBe(report.valuable.likely_lost);
  });

  it("likely-to-buy-soon writes active customers, with their expected spend", async () => {
    const written = await rows("likely-to-buy-soon");
    expect(written.length).toBeGreaterThan(10);
    for (const row of written) {
      expect(Number(row.p_alive)).toBeGreaterThanOrEqual(0.8);
      expect(Number(row.predicted_spend)).toBeGreaterThan(0);
    }
  });

  it("high-future-value writes customers whose expected spend makes 300 reachable", async () => {
    const written = await rows("high-future-value");
    expect(written.length).toBe(counts["high-future-value"].reachable);
    expect(written.length).toBeGreaterThan(10);
    for (const row of written) expect(Number(row.predicted_spend)).toBeGreaterThan(0);
  });
});
