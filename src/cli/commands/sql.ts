/**
 * `audience sql --dialect duckdb|postgres|bigquery|snowflake` (docs/design.md#engines): prints the
 * segments compiled to one SQL statement over the tables of `src/sql/tables.ts`, with a header
 * saying what it reads and returns, for review, a dbt model or a scheduler in the warehouse. Reads
 * no data: only the config and the segment files — and, when the inputs are database tables, each
 * one's columns and order, for a script that reads those tables (sql/database-script.ts).
 */
import { Option } from "commander";
import type { BuildFlags } from "../../config/settings.js";
import { UsageError, UserError } from "../../errors.js";
import { loadSegmentFiles } from "../../io/segment-files.js";
import { closureOf } from "../../segments/evaluate.js";
import { planSegments } from "../../segments/plan-segments.js";
import { DIALECT_NAMES, dialectFor, type DialectName } from "../../sql/dialect.js";
import { renderSqlScript, scriptFields, type ScriptBody } from "../../sql/script.js";
import {
  databaseScript,
  IDENTITY_PASSES,
  refuseRfmQuintiles,
  type ScriptInput,
} from "../../sql/database-script.js";
import type { Dialect } from "../../sql/dialect.js";
import type { Settings } from "../../config/settings.js";
import type { EpochDay } from "../../calendar.js";
import type { CliContext } from "../context.js";
import { ingestOptions } from "../../config/ingest-options.js";
import { tableLabel, type TableSource } from "../../config/table-input.js";
import type { InputKind } from "../../model/presets.js";
import { READ_ORDER } from "../../model/input-sinks.js";
import type { SegmentPlan } from "../../segments/definition.js";
import { IDENTITY_FIELDS, ordersFilterNeeds } from "../../segments/prepare-run.js";
import { didYouMean } from "../../suggest.js";
import { VERSION } from "../../version.js";
import type { CommandSpec } from "../command-spec.js";
import { dataFlagsOf, loadSettings, segmentOptions } from "../options.js";
import { checkOnly, requireDefinitions } from "../segment-run.js";

export interface SqlOptions {
  /** `--hash`: the SHA-256 columns too. */
  hash: boolean;
  /** `--config`, `--segments`, `--only`, `--as-of`, `--timezone`, `--exclusive`, `--strict`. */
  data: BuildFlags;
  dialect: DialectName;
}

export const sqlCommand: CommandSpec<SqlOptions> = {
  name: "sql",
  description:
    "print the segments as one SQL statement (one row per member written) for DuckDB, PostgreSQL, BigQuery or Snowflake",
  options: () => [
    new Option(
      "--dialect <name>",
      `SQL dialect: ${DIALECT_NAMES.join(", ")}`,
    ).makeOptionMandatory(),
    new Option(
      "--exclusive",
      "each customer only in the first segment (by priority) that reaches them",
    ),
    new Option(
      "--hash",
      "also the SHA-256 of each row's email and phone, as meta and google-ads --hash upload them",
    ),
    new Option("-c, --config <file>", "config file (default: ./audience.yaml when present)"),
    new Option(
      "--as-of <date>",
      "compute as of this date, YYYY-MM-DD (default: the config's as_of, else today in the time zone)",
    ),
    new Option("--timezone <zone>", "IANA time zone of calendar dates (default: UTC)"),
    new Option("--strict", "warnings in the segment files are errors"),
    ...segmentOptions(),
  ],
  helpAfter: `
With files as inputs, the statement reads the normalised tables profiles, orders, order_lines,
events and event_properties (the header lists their columns). With { table: } / { query: } inputs
(duckdb and postgres), the script reads those tables and computes everything in SQL; its header
says what it refuses (phones, non-ASCII emails…: what needs TypeScript on the data). duckdb and
postgres output is run by audience's tests; bigquery and snowflake output is checked by parsing.

Examples:
  $ audience sql --dialect postgres --config shop/audience.yaml > audiences.sql
  $ audience sql --dialect bigquery --only win-back,vip --as-of 2026-06-30`,
  parse: (values) => ({
    data: dataFlagsOf(values, ["exclusive"]),
    dialect: parseDialect(String(values.dialect)),
    hash: values.hash === true,
  }),
  async run({ data, dialect, hash }, context) {
    const { settings, asOf } = await loadSettings(data, context);
    const loaded = await loadSegmentFiles(
      settings.segments.map((s) => s.path),
      context.cwd,
    );
    requireDefinitions(loaded, settings, settings.segments.map((s) => s.display).join(", "));
    checkOnly(
      settings,
      loaded.definitions.map((d) => d.id),
    );
    let plan = planSegments(loaded.definitions, asOf);
    if (settings.only !== undefined) {
      // Only the shown segments and what they depend on: the others' fields are not read.
      const wanted = closureOf(plan, settings.only);
      plan = planSegments(
        loaded.definitions.filter((d) => wanted.has(d.id)),
        asOf,
      );
    }
    const d = dialectFor(dialect);
    const database =
      Object.keys(settings.tables).length === 0
        ? undefined
        : await databaseBody(settings, plan, asOf, d, context);
    context.stdout.write(
      renderSqlScript(plan, d, {
        ...(database === undefined ? {} : { database }),
        ...(settings.only === undefined ? {} : { only: settings.only }),
        exclusive: settings.exclusive,
        hash,
        version: VERSION,
        sources: settings.segments.map((s) => s.display),
        orders: {
          ...(settings.excludeStatus === undefined
            ? {}
            : { excludeStatus: settings.excludeStatus }),
          ...(settings.ordersFilter === undefined
            ? {}
            : { ordersFilter: settings.ordersFilter.text }),
        },
      }),
    );
    return 0;
  },
};

/**
 * The statements reading the configured tables (sql/database-script.ts): each input's columns and
 * row order are read from the database (no row is), the rest is refused or recorded.
 */
async function databaseBody(
  settings: Settings,
  plan: SegmentPlan,
  asOf: EpochDay,
  d: Dialect,
  context: CliContext,
): Promise<ScriptBody> {
  const kinds = Object.keys(settings.tables) as InputKind[];
  for (const [kind, files] of Object.entries(settings.inputs))
    if ((files ?? []).length > 0 && !kinds.includes(kind as InputKind))
      throw new UserError(
        "SQL_NOT_EXPRESSIBLE",
        `${files?.[0]?.display ?? kind}: ${kind} is a file, the other inputs are tables: a printed script reads tables only`,
        {
          hint: `load it into a table and give ${kind}: { table: NAME }, or give every input as a file`,
        },
      );
  for (const kind of kinds) {
    if (STAGED.has(kind)) continue;
    const at = settings.tables[kind]?.at;
    throw new UserError(
      "SQL_NOT_EXPRESSIBLE",
      `${at === undefined ? "" : `${at.file}:${at.line}:${at.column}: `}${kind}: a normalised export (key_map:, order_lines:) is staged in TypeScript: audience sql cannot print a script reading it`,
      { hint: "audience build --engine postgres reads it" },
    );
  }
  if (d.name !== "duckdb" && d.name !== "postgres") {
    const at = settings.tables[kinds[0]]?.at;
    throw new UserError(
      "SQL_NOT_EXPRESSIBLE",
      `${at === undefined ? "" : `${at.file}:${at.line}:${at.column}: `}${kinds[0]} is read from a table: audience sql reads tables in the duckdb and postgres dialects only (the SQL staging of raw rows is written for the two engines that run it, and has no ${d.name} form)`,
      {
        hint: `print --dialect postgres or duckdb, or give the inputs as files for a ${d.name} statement over the normalised tables`,
      },
    );
  }
  refuseRfmQuintiles(plan, settings.rfm);
  const needs = {
    aggregates: plan.aggregates,
    fields: [...new Set([...scriptFields(plan), ...IDENTITY_FIELDS])],
    ...ordersFilterNeeds(settings, asOf),
  };
  const first = kinds[0];
  const tables = await import("../../io/read-tables.js");
  const target = tables.databaseTarget(settings.database, context.env, {
    kind: first,
    source: settings.tables[first] as TableSource,
  });
  const session = await tables.TableSession.open(target);
  const inputs: ScriptInput[] = [];
  try {
    for (const kind of READ_ORDER) {
      const source = settings.tables[kind];
      if (source === undefined) continue;
      const label =
        source.table === undefined ? `query (${kind})` : `table ${tableLabel(source.table)}`;
      const described = await session.describe(kind, source, label);
      inputs.push({
        kind,
        label,
        at: source.at,
        ...(source.table === undefined ? {} : { table: tableLabel(source.table) }),
        ...(source.query === undefined ? {} : { query: source.query }),
        ...described,
      });
    }
  } finally {
    await session.close();
  }
  const names = new Set<string>();
  for (const spec of plan.aggregates)
    if (spec.source === "events") for (const p of spec.properties) names.add(p.name);
  const body = await databaseScript(d, inputs, {
    ingest: ingestOptions(settings, asOf, needs),
    ordersFilter: needs.ordersFilter,
    strict: settings.strict,
    fields: scriptFields(plan),
    eventProperties: [...names],
    rfm: settings.rfm,
    ...(settings.currency === undefined ? {} : { currency: settings.currency }),
    ...(settings.exchangeRates === undefined ? {} : { exchangeRates: settings.exchangeRates }),
  });
  return { ...body, inputs, passes: IDENTITY_PASSES };
}

/** The inputs the printed script stages in SQL. */
const STAGED: ReadonlySet<InputKind> = new Set(["contacts", "orders", "events", "lists"]);

function parseDialect(value: string): DialectName {
  const dialect = DIALECT_NAMES.find((d) => d === value);
  if (dialect === undefined) {
    throw new UsageError(
      "BAD_OPTION",
      `--dialect must be ${DIALECT_NAMES.join(", ")}; found "${value.slice(0, 40)}"${didYouMean(value, DIALECT_NAMES)}`,
    );
  }
  return dialect;
}
