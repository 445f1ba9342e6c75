/**
 * The differential check of the DuckDB reader (src/engine/duckdb/read.ts) against the memory
 * engine's: one file read both ways, with everything a later stage can see — the header, every
 * row's cells and line, the read result, the errors that stop a run, and the skipped rows the
 * memory engine's ingest reports when fed each reader's rows (reasons, counts, `file:line`
 * examples, `--rejects` records, `--strict`).
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { PRESETS, type InputKind } from "../../src/model/presets.js";
import { UserError } from "../../src/errors.js";
import { dropRawTable, loadCsvInput, type LoadPath } from "../../src/engine/duckdb/read.js";
import { ingestRawTable } from "../../src/engine/duckdb/run.js";
import { parseCsv, type CsvReadResult, type Delimiter } from "../../src/io/parse-csv.js";
import { IngestContext } from "../../src/model/ingest-context.js";
import { sinkFor } from "../../src/model/input-sinks.js";
import { RejectLog, type RejectRecord } from "../../src/model/rejects.js";
import { day } from "./shop.js";

interface ReadRow {
  line: number;
  fields: string[];
}

export interface ReadOutcome {
  header?: string[];
  rows?: ReadRow[];
  result?: CsvReadResult;
  error?: { code: string; message: string; hint: string | undefined };
}

function failure(error: unknown): ReadOutcome {
  if (error instanceof UserError) {
    return { error: { code: error.code, message: error.message, hint: error.hint } };
  }
  throw error;
}

export async function memoryRead(
  path: string,
  display: string,
  delimiter?: Delimiter,
): Promise<ReadOutcome> {
  const header: string[][] = [];
  const rows: ReadRow[] = [];
  try {
    const result = await parseCsv(
      { path, display, ...(delimiter === undefined ? {} : { delimiter }) },
      {
        header: (fields) => header.push(fields),
        row: (fields, line) => rows.push({ line, fields }),
      },
      { hash: true },
    );
    return { header: header[0], rows, result };
  } catch (error) {
    return failure(error);
  }
}

let tables = 0;

export async function duckdbRead(
  connection: DuckDBConnection,
  path: string,
  display: string,
  delimiter?: Delimiter,
): Promise<ReadOutcome & { path?: LoadPath }> {
  const table = `raw_${++tables}`;
  try {
    const raw = await loadCsvInput(connection, {
      path,
      display,
      table,
      hash: true,
      ...(delimiter === undefined ? {} : { delimiter }),
    });
    // The rows as the DuckDB engine hands them to its sinks (whole rows, as with --rejects).
    const rows: ReadRow[] = [];
    await ingestRawTable(
      connection,
      raw,
      {
        header() {},
        row: (fields, line) => rows.push({ line, fields }),
        columns: () => [],
      },
      false,
    );
    await dropRawTable(connection, table);
    return { header: raw.header, rows, result: raw.read, path: raw.path };
  } catch (error) {
    return failure(error);
  }
}

/** The input kind a file name suggests (`contacts.csv`, `orders_export.csv`…), else orders. */
export function kindOf(file: string): InputKind {
  const name = file.toLowerCase().slice(file.lastIndexOf("/") + 1);
  for (const kind of ["contacts", "events", "lists"] as const) if (name.includes(kind)) return kind;
  if (name.includes("customer")) return "contacts";
  return "orders";
}

export interface IngestOutcome {
  error?: { code: string; message: string };
  rejected: Record<string, Record<string, number>>;
  examples: RejectLog["examples"];
  warnings: Record<string, Record<string, number>>;
  records: RejectRecord[];
}

/** The memory engine's ingest of one reader's rows: what it skips and how it says so. */
export function ingest(
  outcome: ReadOutcome,
  file: string,
  kind: InputKind,
  strict: boolean,
): IngestOutcome {
  const records: RejectRecord[] = [];
  const rejects = new RejectLog({ strict, listener: (r) => records.push(r) });
  const ctx = new IngestContext(
    {
      asOf: day("2026-06-30"),
      timezone: "UTC",
      decimal: "auto",
      preset: PRESETS.generic,
      detectPreset: true,
      columns: {},
      aggregates: [],
      props: [],
      products: false,
      categories: false,
    },
    rejects,
  );
  let error: IngestOutcome["error"];
  try {
    const sink = sinkFor(ctx, kind, file, undefined);
    sink.header(outcome.header ?? []);
    for (const row of outcome.rows ?? []) sink.row(row.fields, row.line);
    sink.finish?.();
  } catch (caught) {
    if (!(caught instanceof UserError)) throw caught;
    error = { code: caught.code, message: caught.message };
  }
  return {
    ...(error === undefined ? {} : { error }),
    rejected: rejects.rejectedByFile(),
    examples: rejects.examples,
    warnings: rejects.warningsByFile(),
    records,
  };
}
