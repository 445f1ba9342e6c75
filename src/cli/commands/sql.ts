/**
 * `audience sql --dialect duckdb|postgres|bigquery|snowflake` (docs/design.md#engines): prints the
 * segments compiled to one SQL statement over the tables of `src/sql/tables.ts`, with a header
 * saying what it reads and returns, for review, a dbt model or a scheduler in the warehouse. Reads
 * no data: only the config and the segment files.
 */
import { Option } from "commander";
import type { BuildFlags } from "../../config/settings.js";
import { UsageError } from "../../errors.js";
import { loadSegmentFiles } from "../../io/segment-files.js";
import { closureOf } from "../../segments/evaluate.js";
import { planSegments } from "../../segments/plan-segments.js";
import { DIALECT_NAMES, dialectFor, type DialectName } from "../../sql/dialect.js";
import { renderSqlScript } from "../../sql/script.js";
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
The statement reads the tables profiles, orders, order_lines, events and event_properties (the
header of the output lists their columns). duckdb and postgres output is run by audience's tests;
bigquery and snowflake output is checked by parsing, not executed.

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
    context.stdout.write(
      renderSqlScript(plan, dialectFor(dialect), {
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
