/**
 * The pull-request workflow of docs/github-actions.md stays true: the copy in the document is the
 * example file, it runs validate, test and plan, and each command passes on this repository (plan
 * with the demo shop as the sample and HEAD as the base branch).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

const DOC = join(REPO_ROOT, "docs/github-actions.md");
const WORKFLOW = join(REPO_ROOT, "docs/examples/segments-pull-request.yml");

interface Workflow {
  on: { pull_request: { paths: string[] } };
  permissions: Record<string, string>;
  jobs: Record<
    string,
    { steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] }
  >;
}

/** Splits a command line on spaces, keeping "quoted" words whole (no shell involved). */
function words(command: string): string[] {
  return (command.match(/"[^"]*"|\S+/g) ?? []).map((w) => w.replace(/^"|"$/g, ""));
}

describe("docs/github-actions.md: the pull-request workflow", () => {
  it("is shown as it is in docs/examples/segments-pull-request.yml", async () => {
    const doc = await readFile(DOC, "utf8");
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).toContain(await readFile(WORKFLOW, "utf8"));
  });

  // plan reads the base from git: a copy of the sources without its history cannot run it.
  const inGit = existsSync(join(REPO_ROOT, ".git"));
  it.skipIf(!inGit)(
    "runs validate, test and plan, and each passes on this repository (needs a git checkout)",
    async () => {
      const workflow = parse(await readFile(WORKFLOW, "utf8")) as Workflow;
      expect(workflow.on.pull_request.paths).toContain("segments/**");
      expect(workflow.permissions).toEqual({ contents: "read" });
      const { steps } = workflow.jobs.segments;
      expect(steps[0]).toEqual({ uses: "actions/checkout@v4", with: { "fetch-depth": 0 } });
      const runs = steps.flatMap((s) => (s.run === undefined ? [] : [s.run]));
      expect(runs.map((r) => words(r).slice(0, 3).join(" "))).toEqual([
        "npm ci",
        "npx audience validate",
        "npx audience test",
        "npx audience plan",
      ]);
      for (const command of runs.slice(1, 3)) {
        const run = await runCli(words(command).slice(2));
        expect([command, run.code, run.stderr]).toEqual([command, 0, ""]);
        expect(run.stdout).toMatch(/✔ .*\n$/);
      }
      const plan = words(runs[3]);
      expect(plan.slice(-2)).toEqual([">>", "$GITHUB_STEP_SUMMARY"]);
      const args = plan
        .slice(2, -2)
        .map((w) =>
          w === "data/sample/audience.yaml"
            ? "fixtures/demo/audience.yaml"
            : w.replace("origin/${{ github.base_ref }}", "HEAD"),
        );
      const run = await runCli([...args, "-q"]);
      expect([run.code, run.stderr]).toEqual([0, ""]);
      expect(run.stdout.split("\n")[0]).toBe("### audience plan");
      expect(run.stdout).toMatch(/^\| `repeat-lapsed` \| (unchanged|changed|added) \| /m);
    },
    60_000,
  );
});
