/**
 * Segment tests (docs/design.md#explain-and-tests): each `*.test.yaml` file's synthetic customers become profiles (from
 * rows in memory, through the same sinks as the CSV readers), the segments under test are
 * evaluated as of the file's as_of, and each expectation is compared with the exact set of test
 * customers that match. A failure is a diagnostic at the expectation's line, with the explanation
 * of every customer that differs.
 *
 * `validate` runs the same checks without evaluating (`evaluate: false`).
 */
import path from "node:path";
import { ingestOptions } from "../config/ingest-options.js";
import { loadConfigText } from "../config/load-config.js";
import { resolveSettings } from "../config/settings.js";
import type { Diagnostic } from "../errors.js";
import type { ErrorCode } from "../codes.js";
import { SourceFile, SourceLocation } from "../source-file.js";
import { loadSegmentFiles, loadTestFiles } from "../io/segment-files.js";
import { buildProfiles } from "../model/build-profiles.js";
import { RejectLog } from "../model/rejects.js";
import { renderSegmentExplanation } from "../report/explain.js";
import { createTheme } from "../report/theme.js";
import { evaluateSegments } from "../segments/evaluate.js";
import { errorAt } from "../segments/graph.js";
import { explainCustomer } from "../segments/explain.js";
import { parseTestFile, type SegmentTestFile } from "../segments/parse-test-file.js";
import { planSegments } from "../segments/plan-segments.js";
import { didYouMean } from "../suggest.js";
import { ordersFilterNeeds } from "../segments/prepare-run.js";

export interface TestFileResult {
  file: string;
  expectations: number;
  failed: number;
  customers: number;
}

export interface SegmentTestRun {
  files: TestFileResult[];
  /** Problems in the test files (and the segment files they use), and failed expectations. */
  diagnostics: Diagnostic[];
}

/** Customers per differing expectation whose explanation is printed; the rest are counted. */
const MAX_EXPLAINED = 5;

export async function runSegmentTests(
  paths: readonly string[],
  cwd: string,
  options: { evaluate: boolean; ignoreOtherFiles?: boolean },
): Promise<SegmentTestRun> {
  const loaded = await loadTestFiles(paths, cwd, { ignoreOtherFiles: options.ignoreOtherFiles });
  const diagnostics = [...loaded.diagnostics];
  const files: TestFileResult[] = [];
  for (const file of loaded.files) {
    const result = await runTestFile(file.absolute, file.display, file.text, cwd, options);
    diagnostics.push(...result.diagnostics);
    if (result.summary !== undefined) files.push(result.summary);
  }
  return { files, diagnostics };
}

async function runTestFile(
  absolute: string,
  display: string,
  text: string,
  cwd: string,
  options: { evaluate: boolean },
): Promise<{ summary?: TestFileResult; diagnostics: Diagnostic[] }> {
  const parsed = parseTestFile({ file: display, text });
  if (parsed.test === undefined) return { diagnostics: parsed.diagnostics };
  const test = parsed.test;
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  const fileStart = SourceLocation.fileStart(new SourceFile(display, text));
  const at = (location: SourceLocation, code: ErrorCode, message: string, hint?: string) =>
    diagnostics.push(errorAt(location, code, message, hint));

  // settings: as in audience.yaml; its problems are shown at `settings:`.
  const dir = path.dirname(absolute);
  const config = loadConfigText(display, test.settingsText ?? "");
  for (const d of config.diagnostics.filter((x) => x.severity === "error")) {
    at(test.settingsLocation ?? fileStart, d.code, `settings: ${d.message}`, d.hint);
  }

  const segments = await loadSegmentFiles(
    test.segments.map((p) => path.resolve(dir, p)),
    cwd,
  );
  const segmentErrors = segments.diagnostics.filter((d) => d.severity === "error");
  diagnostics.push(...segmentErrors);
  const ids = segments.definitions.map((d) => d.id);
  for (const expectation of test.expectations) {
    if (!ids.includes(expectation.segment) && segmentErrors.length === 0) {
      at(
        expectation.location,
        "UNKNOWN_SEGMENT",
        `no segment "${expectation.segment.slice(0, 64)}" in ${test.segments.join(", ")}${didYouMean(expectation.segment, ids)}`,
      );
    }
  }
  if (diagnostics.length > 0 || !options.evaluate) {
    return {
      ...(diagnostics.length > 0 ? {} : { summary: summaryOf(test, 0) }),
      diagnostics,
    };
  }

  const settings = resolveSettings(
    { values: config.values, dir, file: { path: absolute, display } },
    {},
    dir,
  );
  const plan = planSegments(segments.definitions, test.asOf);
  const needs = {
    aggregates: plan.aggregates,
    fields: plan.fields,
    ...ordersFilterNeeds(settings, test.asOf),
  };
  // A test customer's row that the readers would skip is a mistake in the test: say where.
  const rejects = new RejectLog({
    listener: (record) => {
      const table = test.tables[kindOfFile(record.file)];
      const location = table?.locations[record.line - 1] ?? fileStart;
      at(location, "TEST_ROW_SKIPPED", `this row is skipped by the readers: ${record.reason}`);
    },
  });
  const tables = Object.fromEntries(
    Object.entries(test.tables).map(([kind, table]) => [
      kind,
      { file: `${kind}`, header: table.header, rows: table.rows },
    ]),
  );
  const { profiles } = buildProfiles({
    ...tables,
    options: ingestOptions(settings, test.asOf, needs),
    rfm: settings.rfm,
    rejects,
    ...(needs.ordersFilter === undefined ? {} : { ordersFilter: needs.ordersFilter }),
  });
  if (diagnostics.length > 0) return { diagnostics };

  const results = evaluateSegments(plan, profiles);
  const byId = new Map(results.map((r) => [r.segment.id, r]));
  const index = new Map<string, number>();
  for (let c = 0; c < profiles.size; c++) index.set(profiles.store.key(c), c);
  const theme = createTheme(false);
  let failed = 0;
  for (const expectation of test.expectations) {
    const result = byId.get(expectation.segment);
    if (result === undefined) continue;
    const actual = test.customers.filter((id) => {
      const c = index.get(id);
      return c !== undefined && result.members[c] === 1;
    });
    const unexpected = actual.filter((id) => !expectation.customers.includes(id));
    const missing = expectation.customers.filter((id) => !actual.includes(id));
    if (unexpected.length === 0 && missing.length === 0) continue;
    failed++;
    const explained = [...unexpected, ...missing].slice(0, MAX_EXPLAINED).map((id) => {
      const c = index.get(id);
      const verdict = unexpected.includes(id)
        ? "matches, not expected"
        : "expected, does not match";
      if (c === undefined)
        return `${id}: ${verdict} (no rows: the test gives it no contact, order, event or list)`;
      const explanation = explainCustomer(plan, profiles, results, c, {
        ids: [expectation.segment],
        exclusive: false,
      });
      const [segment] = explanation.segments;
      return `${id}: ${verdict}\n${renderSegmentExplanation(segment, theme, "  ")}`;
    });
    const more = unexpected.length + missing.length - explained.length;
    if (more > 0) explained.push(`… and ${more} more`);
    at(
      expectation.location,
      "TEST_FAILED",
      `${expectation.segment}: expected [${expectation.customers.join(", ")}], matched [${actual.join(", ")}]`,
      explained.join("\n"),
    );
  }
  return { summary: summaryOf(test, failed), diagnostics };
}

function summaryOf(test: SegmentTestFile, failed: number): TestFileResult {
  return {
    file: test.file,
    expectations: test.expectations.length,
    failed,
    customers: test.customers.length,
  };
}

function kindOfFile(file: string): "contacts" | "orders" | "events" | "lists" {
  return file as "contacts" | "orders" | "events" | "lists";
}
