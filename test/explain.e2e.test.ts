/**
 * `audience explain` end to end on the demo shop, and its agreement with the build: for every
 * customer of fixtures/demo and every library segment, the explanation (computed by the same
 * functions the command calls) says matched / written exactly when the build does.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliContext } from "../src/cli/context.js";
import { loadSettings } from "../src/cli/options.js";
import { runSegments } from "../src/cli/segment-run.js";
import { explainCustomer } from "../src/segments/explain.js";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

const CONFIG = "fixtures/demo/audience.yaml";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-explain-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function quietContext(): CliContext {
  return {
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    env: { NO_COLOR: "1" },
    cwd: REPO_ROOT,
    stderrIsTTY: false,
    stdoutIsTTY: false,
    now: () => Date.now(),
  };
}

async function demoRun(exclusive: boolean) {
  const context = quietContext();
  const prepared = await loadSettings({ config: CONFIG, quiet: true, exclusive }, context);
  return runSegments(prepared, context);
}

describe("explain agrees with the build", () => {
  for (const exclusive of [false, true]) {
    it(`for every demo customer and every library segment${exclusive ? " (--exclusive)" : ""}`, async () => {
      const run = await demoRun(exclusive);
      const { profiles } = run.data;
      expect(profiles.size).toBeGreaterThan(2000);
      expect(run.results.length).toBe(run.plan.segments.length);
      const written = new Map<string, number>();
      let checked = 0;
      for (let c = 0; c < profiles.size; c++) {
        const explanation = explainCustomer(run.plan, profiles, run.results, c, { exclusive });
        for (const [i, segment] of explanation.segments.entries()) {
          const result = run.results[i];
          expect(segment.id).toBe(result.segment.id);
          // The trace's own answer, minus exclusions, is the build's membership.
          const traced = segment.where.result === true && segment.excludedBy.length === 0;
          if (traced !== (result.members[c] === 1) || segment.matched !== traced) {
            throw new Error(`${segment.id}: customer ${explanation.key} disagrees`);
          }
          expect(segment.reachable).toBe(result.reachable[c] === 1);
          expect(segment.written).toBe(result.assigned[c] === 1);
          expect(segment.reason === null).toBe(segment.written);
          if (segment.written) written.set(segment.id, (written.get(segment.id) ?? 0) + 1);
          checked++;
        }
      }
      expect(checked).toBe(profiles.size * run.plan.segments.length);

      // And the written counts are those of `audience build` (its manifest).
      const out = join(work, exclusive ? "out-exclusive" : "out");
      const build = await runCli([
        "build",
        "--config",
        CONFIG,
        "--out",
        out,
        "-q",
        ...(exclusive ? ["--exclusive"] : []),
      ]);
      expect(build.code).toBe(0);
      const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as {
        segments: { id: string; written: number }[];
      };
      for (const segment of manifest.segments) {
        expect([segment.id, written.get(segment.id) ?? 0]).toEqual([segment.id, segment.written]);
      }
      expect(manifest.segments.some((s) => s.written > 0)).toBe(true);
    }, 120_000);
  }
});

describe("audience explain", () => {
  it("prints the value of every sub-expression for one customer", async () => {
    const run = await runCli([
      "explain",
      "C100002",
      "--config",
      CONFIG,
      "--segment",
      "second-order-recent,web-only-buyers",
      "-q",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Customer C100002 as of 2026-06-30");
    expect(run.stdout).toContain("second-order-recent (email): written");
    expect(run.stdout).toContain("✔ orders_count = 2 → true (2)");
    expect(run.stdout).toContain("✔ days_since_last_order < 30 → true (27)");
    expect(run.stdout).toContain(
      'orders(channel: "web") = 1 (orders up to 2026-06-30, channel "web")',
    );
    expect(run.stdout).not.toContain("rfm-vip");
  });

  it("finds the customer by email and by phone as written in the data", async () => {
    const byId = await runCli(["explain", "C100002", "--config", CONFIG, "--json", "-q"]);
    const byEmail = await runCli([
      "explain",
      " Lina.Boyer2@example.net",
      "--config",
      CONFIG,
      "--json",
      "-q",
    ]);
    const byPhone = await runCli(["explain", "06 39 98 00 02", "--config", CONFIG, "--json", "-q"]);
    expect(byId.code).toBe(0);
    expect(byEmail.stdout).toBe(byId.stdout);
    expect(byPhone.stdout).toBe(byId.stdout);
    const json = JSON.parse(byId.stdout) as {
      customer: { key: string; fields: Record<string, string> };
      segments: {
        id: string;
        matched: boolean;
        written: boolean;
        reason: string | null;
        terms: { text: string; value: string; result?: boolean }[];
      }[];
    };
    expect(json.customer.key).toBe("C100002");
    const second = json.segments.find((s) => s.id === "second-order-recent");
    expect(second).toMatchObject({ matched: true, written: true, reason: null });
    expect(second?.terms[1]).toMatchObject({
      text: "orders_count = 2",
      value: "true",
      result: true,
    });
  });

  it("says only that no customer matched for an unknown key", async () => {
    const run = await runCli(["explain", "nobody@example.com", "--config", CONFIG, "-q"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("no customer matched this key");
    expect(run.stderr).not.toContain("example");
    expect(run.stderr).not.toContain("C1000");
  });

  it("shows the per-condition funnel without a key", async () => {
    const run = await runCli(["explain", "--segment", "repeat-lapsed", "--config", CONFIG, "-q"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/all customers\s+2,\d{3}\s+100\.0%/);
    expect(run.stdout).toMatch(/orders_count >= 2\s+\d/);
    expect(run.stdout).toMatch(/and days_since_last_order >= 90\s+\d/);
  });

  it("count --explain: the funnel ends at the matched count", async () => {
    const run = await runCli([
      "count",
      "--config",
      CONFIG,
      "--only",
      "repeat-lapsed",
      "--explain",
      "--json",
      "-q",
    ]);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as {
      segments: { id: string; matched: number }[];
      funnels: {
        id: string;
        customers: number;
        steps: { condition: string; passing: number }[];
        matched: number;
      }[];
    };
    const [funnel] = json.funnels;
    expect(funnel.steps.map((s) => s.condition)).toEqual([
      "orders_count >= 2",
      "days_since_last_order >= 90",
    ]);
    expect(funnel.steps[0].passing).toBeGreaterThanOrEqual(funnel.steps[1].passing);
    expect(funnel.steps[1].passing).toBe(json.segments[0].matched);
    expect(funnel.matched).toBe(json.segments[0].matched);
  });
});
