/**
 * The layering rules of eslint.config.js fire (docs/design.md#layers): the core never imports
 * config, io, cli or report; report never imports cli. Each snippet is linted as if it were the
 * named file, with the repository's own config.
 */
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./helpers/run-cli.js";

const eslint = new ESLint({ cwd: REPO_ROOT });

interface LayeringException {
  files: string[];
  allowed: string[];
}
// The config is plain JavaScript, without type declarations.
const configUrl = new URL("../eslint.config.js", import.meta.url).href;
const { LAYERING_EXCEPTIONS } = (await import(configUrl)) as {
  LAYERING_EXCEPTIONS: LayeringException[];
};

/** The `no-restricted-imports` messages ESLint reports for `code` as the file `filePath`. */
async function layeringErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages
    .filter((message) => message.ruleId === "no-restricted-imports")
    .map((message) => message.message);
}

const snippet = (from: string): string =>
  `import { value } from "${from}";\n\nexport const copy = value;\n`;

describe("layering lint", () => {
  it.each([
    ["src/model/x.ts", "../config/settings.js"],
    ["src/dsl/x.ts", "../io/csv-threads.js"],
    ["src/segments/x.ts", "../cli/context.js"],
    ["src/rfm/x.ts", "../report/table.js"],
    ["src/predict/x.ts", "../config/load-config.js"],
    ["src/engine/sql/x.ts", "../../io/csv-threads.js"],
    ["src/calendar.ts", "./config/settings.js"],
  ])("fails %s importing %s", async (file, from) => {
    const errors = await layeringErrors(file, snippet(from));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/The core .* never imports config, io, cli or report/);
  });

  it.each([
    ["src/model/x.ts", "../dsl/types.js"],
    ["src/model/x.ts", "../calendar.js"],
    ["src/rfm/x.ts", "./settings.js"],
    ["src/segments/x.ts", "../model/profile.js"],
    ["src/dsl/x.ts", "yaml"],
    // A test next to the core may wire it to the edge.
    ["src/model/x.test.ts", "../config/settings.js"],
    // The edge imports the core, and other edge folders.
    ["src/config/x.ts", "../model/dates.js"],
    ["src/io/x.ts", "../report/table.js"],
    ["src/cli/x.ts", "../report/theme.js"],
  ])("lets %s import %s", async (file, from) => {
    expect(await layeringErrors(file, snippet(from))).toEqual([]);
  });

  it("fails report, config and io importing the CLI", async () => {
    for (const file of ["src/report/x.ts", "src/config/x.ts", "src/io/x.ts"]) {
      const errors = await layeringErrors(file, snippet("../cli/context.js"));
      expect(errors, file).toHaveLength(1);
      expect(errors[0], file).toMatch(/never import/);
    }
  });

  it("lets each known exception import only the module it names", async () => {
    for (const { files, allowed } of LAYERING_EXCEPTIONS) {
      for (const file of files) {
        for (const path of allowed)
          expect(await layeringErrors(file, snippet(`../${path}`)), file).toEqual([]);
        expect(await layeringErrors(file, snippet("../io/csv-threads.js")), file).toHaveLength(1);
      }
    }
  });
});
