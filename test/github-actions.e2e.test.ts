/**
 * The GitHub Actions documentation stays true: the example workflow is valid YAML that runs
 * `audience validate --format github` on pull requests, the copy shown in docs/github-actions.md is
 * the file itself, and the annotations shown there are exactly what the CLI prints for the example
 * pull request (fixtures/bad/pull-request/).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

const DOC = join(REPO_ROOT, "docs/github-actions.md");
const WORKFLOW = join(REPO_ROOT, "docs/examples/validate-segments.yml");

interface Workflow {
  on: { pull_request: { paths: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, { steps: { uses?: string; run?: string }[] }>;
}

/** The body of the first fenced block of `language` in the document. */
function fencedBlock(markdown: string, language: string): string {
  const match = new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(markdown);
  expect(match).not.toBeNull();
  return match?.[1] ?? "";
}

describe("docs/github-actions.md", () => {
  it("shows the example workflow as it is in docs/examples/validate-segments.yml", async () => {
    const doc = await readFile(DOC, "utf8");
    expect(fencedBlock(doc, "yaml")).toBe(await readFile(WORKFLOW, "utf8"));
  });

  it("the example workflow validates segment files on pull requests with GitHub annotations", async () => {
    const workflow = parse(await readFile(WORKFLOW, "utf8")) as Workflow;
    expect(workflow.on.pull_request.paths).toContain("segments/**");
    expect(workflow.permissions).toEqual({ contents: "read" });
    const runs = workflow.jobs.validate.steps.flatMap((s) => (s.run === undefined ? [] : [s.run]));
    expect(runs).toEqual(["npm ci", "npx audience validate --format github"]);
    // The same command on this repository's own segment library passes.
    const args = runs[1].split(" ").slice(2);
    const run = await runCli(args);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).toMatch(/^✔ \d+ segments in \d+ files, no problems\n$/);
  });

  it("shows exactly the annotations and exit code the CLI gives for the example pull request", async () => {
    const block = fencedBlock(await readFile(DOC, "utf8"), "console").split("\n");
    const [command, ...rest] = block;
    expect(command).toBe("$ npx audience validate --format github");
    const exitAt = rest.indexOf("$ echo $?");
    const output = rest.slice(0, exitAt).join("\n") + "\n";
    const exitCode = Number(rest[exitAt + 1]);
    const run = await runCli(command.split(" ").slice(3), {
      cwd: join(REPO_ROOT, "fixtures/bad/pull-request"),
    });
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: exitCode,
      stdout: output,
      stderr: "",
    });
  });
});
