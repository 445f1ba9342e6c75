/**
 * Every error and diagnostic code of audience, one registry per area (docs/design.md#diagnostics).
 * A code is a stable name that scripts and tests match on: it is added to, never renamed or given
 * a new meaning. The codes of the expression language live beside it, in `DSL_CODES`.
 * `src/codes.test.ts` checks that the registries do not overlap and that every code written in
 * `src/` is registered here.
 */
import { DSL_CODES } from "./dsl/errors.js";

/** Reading YAML and checking it against a schema (config, segment files, segment tests). */
export const YAML_CODES = {
  /** The YAML parser could not read the text. */
  YAML_SYNTAX: "YAML_SYNTAX",
  /** A warning of the YAML parser (kept as a warning). */
  YAML_WARNING: "YAML_WARNING",
  /** An alias (`*name`): refused, it can multiply a small file into a huge one. */
  YAML_ALIAS: "YAML_ALIAS",
  /** A tag (`!!binary`, `!custom`): only plain values are read. */
  YAML_TAG: "YAML_TAG",
  /** A key the schema does not know (with a suggestion). */
  UNKNOWN_KEY: "UNKNOWN_KEY",
  /** A required key is missing. */
  MISSING_KEY: "MISSING_KEY",
  /** The same key twice in one mapping. */
  DUPLICATE_KEY: "DUPLICATE_KEY",
  /** A key that is not a plain name. */
  SCHEMA_KEY: "SCHEMA_KEY",
  /** A value of the wrong YAML type. */
  SCHEMA_TYPE: "SCHEMA_TYPE",
  /** A value outside its allowed set. */
  SCHEMA_ENUM: "SCHEMA_ENUM",
  /** A text value that does not have the required form. */
  SCHEMA_PATTERN: "SCHEMA_PATTERN",
  /** A number or a list length out of range. */
  SCHEMA_RANGE: "SCHEMA_RANGE",
  /** An empty value where one is required. */
  SCHEMA_EMPTY: "SCHEMA_EMPTY",
  /** A map key (segment id, column name) that is not valid. */
  BAD_KEY: "BAD_KEY",
} as const;

/** `audience.yaml` and the settings it resolves to. */
export const CONFIG_CODES = {
  BAD_AS_OF: "BAD_AS_OF",
  BAD_COUNTRY: "BAD_COUNTRY",
  BAD_DATE: "BAD_DATE",
  BAD_FORMAT: "BAD_FORMAT",
  BAD_ONLY: "BAD_ONLY",
  BAD_PRESET: "BAD_PRESET",
  BAD_RATE: "BAD_RATE",
  BAD_TIMEZONE: "BAD_TIMEZONE",
  CURRENCY_AND_RATES: "CURRENCY_AND_RATES",
  NO_EXCHANGE_RATES: "NO_EXCHANGE_RATES",
  NO_REPORTING_CURRENCY: "NO_REPORTING_CURRENCY",
  /** RFM thresholds that do not increase. */
  RFM_CUTS_ORDER: "RFM_CUTS_ORDER",
  /** An RFM segment map that does not name every (R, F) cell once. */
  RFM_MAP: "RFM_MAP",
} as const;

/** Segment files, their definitions and the rules across them. */
export const SEGMENT_CODES = {
  /** A path given for segments that does not exist. */
  FILE_NOT_FOUND: "FILE_NOT_FOUND",
  FILE_UNREADABLE: "FILE_UNREADABLE",
  FILE_TOO_LARGE: "FILE_TOO_LARGE",
  NOT_UTF8: "NOT_UTF8",
  EMPTY_FILE: "EMPTY_FILE",
  /** A folder given for segments holds no .yaml file (a warning). */
  NO_SEGMENT_FILES: "NO_SEGMENT_FILES",
  /** No segment to run at all. */
  NO_SEGMENTS: "NO_SEGMENTS",
  DUPLICATE_ID: "DUPLICATE_ID",
  /** The same item twice in a list (`exclude:`, `columns:`). */
  DUPLICATE_ENTRY: "DUPLICATE_ENTRY",
  /** A reference (`exclude:`, `in_segment()`, a command's segment) to no segment. */
  UNKNOWN_SEGMENT: "UNKNOWN_SEGMENT",
  SEGMENT_CYCLE: "SEGMENT_CYCLE",
  UNKNOWN_COLUMN: "UNKNOWN_COLUMN",
  /** `columns:` on an output profile that takes its own columns only. */
  COLUMNS_NOT_ACCEPTED: "COLUMNS_NOT_ACCEPTED",
  /** An identifier column in `columns:` (it is always written). */
  IDENTIFIER_COLUMN: "IDENTIFIER_COLUMN",
  /** `guard.min` greater than `guard.max`. */
  GUARD_RANGE: "GUARD_RANGE",
  /** Several problems in the definitions: the summary of a `DiagnosticsError`. */
  INVALID_DEFINITIONS: "INVALID_DEFINITIONS",
  /** A guard stopped a build. */
  GUARD_TRIPPED: "GUARD_TRIPPED",
} as const;

/** Segment test files (`*.test.yaml`). */
export const TEST_CODES = {
  TEST_SCHEMA: "TEST_SCHEMA",
  TEST_FAILED: "TEST_FAILED",
  /** A test customer's row that the readers would skip. */
  TEST_ROW_SKIPPED: "TEST_ROW_SKIPPED",
  /** An expectation naming a customer the test does not define. */
  UNKNOWN_CUSTOMER: "UNKNOWN_CUSTOMER",
  NOT_A_TEST_FILE: "NOT_A_TEST_FILE",
  NO_TESTS: "NO_TESTS",
} as const;

/** The input exports: files, CSV, columns, rows. */
export const INPUT_CODES = {
  NOT_A_FILE: "NOT_A_FILE",
  NO_FILE_MATCHES: "NO_FILE_MATCHES",
  READ_ERROR: "READ_ERROR",
  BINARY_FILE: "BINARY_FILE",
  BAD_GZIP: "BAD_GZIP",
  CSV_SYNTAX: "CSV_SYNTAX",
  UNBALANCED_QUOTE: "UNBALANCED_QUOTE",
  RECORD_TOO_LARGE: "RECORD_TOO_LARGE",
  WRONG_DELIMITER: "WRONG_DELIMITER",
  /** A file given as one kind of export that is another (orders given as contacts). */
  WRONG_KIND: "WRONG_KIND",
  MISSING_COLUMN: "MISSING_COLUMN",
  /** A column named in `columns:` that the header does not have. */
  MAPPED_COLUMN_MISSING: "MAPPED_COLUMN_MISSING",
  /** An event property a segment filters on that the events file has no column for. */
  MISSING_EVENT_PROPERTY: "MISSING_EVENT_PROPERTY",
  AMBIGUOUS_DATE: "AMBIGUOUS_DATE",
  /** A row that cannot be used, under `--strict`. */
  BAD_ROW: "BAD_ROW",
  NO_ORDERS: "NO_ORDERS",
  MIXED_CURRENCIES: "MIXED_CURRENCIES",
  NO_EXCHANGE_RATE: "NO_EXCHANGE_RATE",
} as const;

/** What `build`, `report`, `history` and `demo` write. */
export const OUTPUT_CODES = {
  OUTPUT_DISK_FULL: "OUTPUT_DISK_FULL",
  OUTPUT_FAILED: "OUTPUT_FAILED",
  OUTPUT_IS_A_FILE: "OUTPUT_IS_A_FILE",
  OUTPUT_LOCKED: "OUTPUT_LOCKED",
  OUTPUT_MANIFEST_INVALID: "OUTPUT_MANIFEST_INVALID",
  OUTPUT_NEWER: "OUTPUT_NEWER",
  OUTPUT_NOT_AUDIENCE: "OUTPUT_NOT_AUDIENCE",
  OUTPUT_NOT_A_FOLDER: "OUTPUT_NOT_A_FOLDER",
  OUTPUT_NOT_OWN: "OUTPUT_NOT_OWN",
  OUTPUT_NOT_WRITABLE: "OUTPUT_NOT_WRITABLE",
  OUTPUT_PREVIOUS_MISSING: "OUTPUT_PREVIOUS_MISSING",
  HASH_CLEAR_IDENTIFIER: "HASH_CLEAR_IDENTIFIER",
  HASH_NOT_AVAILABLE: "HASH_NOT_AVAILABLE",
  HISTORY_TOO_LARGE: "HISTORY_TOO_LARGE",
  HISTORY_UNREADABLE: "HISTORY_UNREADABLE",
  NO_HISTORY: "NO_HISTORY",
  REJECTS_IN_OUTPUT: "REJECTS_IN_OUTPUT",
  REJECTS_IS_AN_INPUT: "REJECTS_IS_AN_INPUT",
  REJECTS_IS_A_FOLDER: "REJECTS_IS_A_FOLDER",
  REJECTS_UNWRITABLE: "REJECTS_UNWRITABLE",
  REPORT_IS_AN_INPUT: "REPORT_IS_AN_INPUT",
  REPORT_IS_A_FOLDER: "REPORT_IS_A_FOLDER",
  REPORT_NOT_WRITABLE: "REPORT_NOT_WRITABLE",
  DEMO_UNWRITABLE: "DEMO_UNWRITABLE",
} as const;

/** The command line. */
export const CLI_CODES = {
  /** A flag's value that is not valid. */
  BAD_OPTION: "BAD_OPTION",
  /** `--base` that is neither a path nor REVISION:PATH. */
  BAD_BASE: "BAD_BASE",
  GIT_BASE_UNREADABLE: "GIT_BASE_UNREADABLE",
  BAD_HOLDOUT: "BAD_HOLDOUT",
  BAD_HORIZON: "BAD_HORIZON",
  /** `explain KEY` that matches no customer. */
  NO_CUSTOMER: "NO_CUSTOMER",
} as const;

/** Predictions (BG/NBD, Gamma-Gamma). */
export const PREDICT_CODES = {
  PREDICTION_TOO_FEW_REPEAT_BUYERS: "PREDICTION_TOO_FEW_REPEAT_BUYERS",
  PREDICTION_NOT_CONVERGED: "PREDICTION_NOT_CONVERGED",
} as const;

/** Inputs read from a database (`{ table: NAME }`, `{ query: … }`, `database:`). */
export const DATABASE_CODES = {
  /** Table inputs with no `database:` nor `--database`. */
  NO_DATABASE: "NO_DATABASE",
  BAD_DATABASE_URL: "BAD_DATABASE_URL",
  BAD_TABLE_NAME: "BAD_TABLE_NAME",
  /** An input with both `table:` and `query:`, or neither. */
  TABLE_AND_QUERY: "TABLE_AND_QUERY",
  NO_TABLE: "NO_TABLE",
  ORDER_BY_WITH_QUERY: "ORDER_BY_WITH_QUERY",
  MISSING_TABLE: "MISSING_TABLE",
  DATABASE_UNREACHABLE: "DATABASE_UNREACHABLE",
  DATABASE_DISCONNECTED: "DATABASE_DISCONNECTED",
  DATABASE_AUTH: "DATABASE_AUTH",
  DATABASE_NOT_FOUND: "DATABASE_NOT_FOUND",
  DATABASE_PERMISSION: "DATABASE_PERMISSION",
  DATABASE_CANCELLED: "DATABASE_CANCELLED",
  DATABASE_QUERY: "DATABASE_QUERY",
  DATABASE_ERROR: "DATABASE_ERROR",
} as const;

/** The SQL engines. */
export const ENGINE_CODES = {
  DUCKDB_UNAVAILABLE: "DUCKDB_UNAVAILABLE",
  BAD_DUCKDB_SETTING: "BAD_DUCKDB_SETTING",
  /** `engine:` / `--engine` that is not an engine. */
  BAD_ENGINE: "BAD_ENGINE",
  /** `--engine duckdb` with inputs read from a database. */
  ENGINE_TABLE_INPUTS: "ENGINE_TABLE_INPUTS",
  /** `cache:` names a file. */
  CACHE_NOT_A_FOLDER: "CACHE_NOT_A_FOLDER",
  /** `cache:` names a folder holding files audience did not write. */
  CACHE_NOT_OURS: "CACHE_NOT_OURS",
  /** `engine: postgres` with a plan or inputs it does not run (prediction fields, a normalised export). */
  ENGINE_UNSUPPORTED: "ENGINE_UNSUPPORTED",
  /** `audience sql` on a plan that reads a field no SQL table holds (the predictions). */
  SQL_NOT_EXPRESSIBLE: "SQL_NOT_EXPRESSIBLE",
} as const;

/** The registries, by area, for the uniqueness test. */
export const CODE_REGISTRIES = {
  dsl: DSL_CODES,
  yaml: YAML_CODES,
  config: CONFIG_CODES,
  segments: SEGMENT_CODES,
  tests: TEST_CODES,
  inputs: INPUT_CODES,
  outputs: OUTPUT_CODES,
  cli: CLI_CODES,
  predict: PREDICT_CODES,
  engine: ENGINE_CODES,
  database: DATABASE_CODES,
} as const;

type Registries = typeof CODE_REGISTRIES;

/** Any registered code: what `UserError` and `Diagnostic` carry. */
export type ErrorCode = {
  [Area in keyof Registries]: keyof Registries[Area];
}[keyof Registries];
