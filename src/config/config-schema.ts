/**
 * The schema of `audience.yaml` (docs/design.md#configuration). The validator and the shipped JSON Schema
 * (schemas/audience.schema.json) both come from this object.
 */
import { DEFAULT_HISTORY_KEEP, MAX_HISTORY_KEEP } from "../io/history.js";
import { OUTPUT_FORMATS } from "../segments/definition.js";
import { INPUT_KINDS, PRESET_NAMES } from "../model/presets.js";
import type { ArraySchema, ObjectSchema, StringSchema, UnionSchema } from "../yaml/schema.js";

const path = (description: string) =>
  ({ type: "string", format: "path", minLength: 1, description }) as const satisfies StringSchema;

const paths = (description: string) =>
  ({
    type: "union",
    anyOf: [
      path("a file, or a name pattern such as orders_export*.csv"),
      {
        type: "array",
        items: path("a file, or a name pattern such as orders_export*.csv"),
        minItems: 1,
      },
    ],
    description: `${description}; several files (a list, or a pattern) are read in name order`,
  }) as const satisfies UnionSchema;

/** `{ table: NAME }` or `{ query: "SELECT …" }`: an input read from `database:` (docs/design.md#table-inputs). */
const tableInput = {
  type: "object",
  description: "a table (or a query) in the database of `database:`, instead of files",
  properties: {
    table: {
      type: "string",
      minLength: 1,
      description: "a table or view, as name or schema.name (exact spelling, not folded)",
    },
    query: {
      type: "string",
      minLength: 1,
      description: "a SELECT whose result is read as the input's rows",
    },
    order_by: {
      type: "union",
      anyOf: [
        { type: "string", minLength: 1 },
        { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 },
      ],
      description:
        "the columns that order a table's rows (default: its primary key); ties between rows are broken in this order",
    },
  },
} as const satisfies ObjectSchema;

const input = (description: string) =>
  ({
    type: "union",
    anyOf: [...paths(description).anyOf, tableInput],
    description: `${paths(description).description}; or { table: NAME } / { query: "SELECT …" } in \`database:\``,
  }) as const satisfies UnionSchema;

const columnSource = {
  type: "union",
  anyOf: [
    { type: "string", minLength: 1, description: "a header of the file" },
    {
      type: "array",
      items: { type: "string", minLength: 1 },
      minItems: 1,
      description: "headers tried in order, per row: the first non-empty cell wins",
    },
  ],
} as const satisfies UnionSchema;

const cutPoints = (what: string) =>
  ({
    type: "array",
    items: { type: "number" },
    minItems: 4,
    maxItems: 4,
    description: `four ascending thresholds for ${what} instead of the quintiles of your buyers`,
  }) as const satisfies ArraySchema;

export const CONFIG_SCHEMA_TITLE = "audience configuration (audience.yaml)";

export const CONFIG_SCHEMA = {
  type: "object",
  description: "audience configuration: where the exports are and how to read them",
  properties: {
    contacts: input("customers/contacts export (CSV, or .csv.gz); optional"),
    orders: input("orders export (CSV, or .csv.gz), one row per order or per line item; required"),
    events: input("events file (customer, type, occurred_at, properties); optional"),
    lists: input("list memberships (list, customer); optional"),
    database: {
      type: "string",
      minLength: 1,
      description:
        "the PostgreSQL database of table inputs: a postgres:// URL, or env:NAME to read it from an environment variable (--database overrides)",
    },
    key_map: paths(
      "a normalised export's key map (from: the orders' customer key, to: the person's key), such as Olist's customers file; optional",
    ),
    order_lines: paths(
      "a normalised export's order lines (order_id, price, quantity, freight): the orders' amounts, such as Olist's order items; optional",
    ),
    include_shipping: {
      type: "boolean",
      description: "whether the freight of order_lines counts in an order's amount (default true)",
    },
    preset: {
      type: "string",
      enum: PRESET_NAMES,
      description: `column names of a known export: ${PRESET_NAMES.join(", ")}; absent: recognised from each file's header`,
    },
    columns: {
      type: "map",
      keys: INPUT_KINDS,
      keyName: "file kind",
      description: "canonical column → header in your file, per file kind",
      values: {
        type: "map",
        keyName: "column",
        keyPattern: "^[a-z][a-z0-9_]*$",
        values: columnSource,
      },
    },
    delimiter: {
      type: "string",
      enum: [",", ";", "tab", "\t"],
      description: "field delimiter of every input; detected from the header line when absent",
    },
    decimal: {
      type: "string",
      enum: [".", ","],
      description: 'decimal mark of amounts; removes the ambiguity of "1,234"',
    },
    segments: {
      type: "union",
      anyOf: [
        path("a segment file or folder"),
        { type: "array", items: path("a segment file or folder"), minItems: 1 },
      ],
      description: "segment files or folders (default: segments/)",
    },
    out: path("output folder of `audience build` (default: out/)"),
    format: {
      type: "string",
      enum: OUTPUT_FORMATS,
      description: "output profile of the audience files (default: generic)",
    },
    timezone: {
      type: "string",
      format: "timezone",
      minLength: 1,
      description: "IANA time zone in which timestamps become calendar dates (default: UTC)",
    },
    default_country: {
      type: "string",
      pattern: "^[A-Za-z]{2}$",
      patternName: "a two-letter country code such as FR",
      description: "country of phone numbers written without an international prefix",
    },
    date_order: {
      type: "string",
      enum: ["dmy", "mdy"],
      description:
        "how to read numeric dates like 03/04/2024: day first (dmy) or month first (mdy)",
    },
    orders_filter: {
      type: "string",
      format: "expression",
      minLength: 1,
      description:
        'expression over each raw order row; rows where it is false are left out, e.g. quantity > 0 and not starts_with(order_id, "C")',
    },
    exclude_status: {
      type: "array",
      items: { type: "string", minLength: 1 },
      description:
        "order statuses that do not count (default: the non-purchase statuses of the file's platform, see the README)",
    },
    currency: {
      type: "string",
      pattern: "^[A-Za-z]{3}$",
      patternName: "a three-letter currency code such as EUR",
      description:
        "count only the orders in this currency (orders in several currencies stop the run otherwise)",
    },
    exchange_rates: {
      type: "map",
      keyName: "currency code",
      keyPattern: "^[A-Za-z]{3}$",
      description:
        "value of one unit of each currency in reporting_currency, e.g. { USD: 0.92, MXN: 0.05 }",
      values: { type: "number", minimum: 0 },
    },
    reporting_currency: {
      type: "string",
      pattern: "^[A-Za-z]{3}$",
      patternName: "a three-letter currency code such as EUR",
      description: "the currency exchange_rates convert into; amounts are reported in it",
    },
    rfm: {
      type: "object",
      description: "RFM scoring",
      properties: {
        bins: {
          type: "number",
          integer: true,
          minimum: 5,
          maximum: 5,
          description: "number of scores per dimension (the named map needs 5)",
        },
        recency: cutPoints("recency (days since the last order)"),
        frequency: cutPoints("frequency (orders)"),
        monetary: cutPoints("monetary value (total spent)"),
        segments: {
          type: "map",
          keyName: "segment name",
          keyPattern: "^[a-z][a-z0-9_]*$",
          description:
            'named RFM segments: name → R-then-F patterns such as "5[4-5]"; must name each of the 25 cells once',
          values: {
            type: "array",
            minItems: 1,
            items: { type: "string", minLength: 2 },
          },
        },
      },
    },
    as_of: {
      type: "string",
      format: "date",
      pattern: "^\\d{4}-\\d{2}-\\d{2}$",
      patternName: "a date YYYY-MM-DD",
      description: "compute everything as of this date (default: today in `timezone`)",
    },
    hash: {
      type: "boolean",
      description: "hash identifiers (SHA-256) in meta and google-ads files",
    },
    exclusive: {
      type: "boolean",
      description: "write each customer only to the first segment (by priority) that reaches them",
    },
    strict: { type: "boolean", description: "stop at the first bad row instead of skipping it" },
    engine: {
      type: "string",
      minLength: 1,
      description:
        "where the run happens: memory (default, the streaming TypeScript engine), duckdb (embedded DuckDB, for large exports) or postgres (profiles and segments in the PostgreSQL server of database:)",
    },
    duckdb: {
      type: "object",
      description: "settings of engine: duckdb",
      properties: {
        memory_limit: {
          type: "string",
          pattern: "^\\s*\\d+(\\.\\d+)?\\s*([KkMmGgTt]i?[Bb]|[Bb]|%)\\s*$",
          patternName: "a size such as 4GB, 512MB or 80%",
          description:
            "most memory DuckDB uses before it spills to temp_directory, e.g. 4GB or 80% (of this machine's memory); default: DuckDB's (80%)",
        },
        threads: {
          type: "number",
          integer: true,
          minimum: 1,
          description: "threads DuckDB runs on (default: one per core)",
        },
        temp_directory: path(
          "folder under which DuckDB spills when the data outgrow memory_limit (default: the system's temporary folder); each run uses its own subfolder, removed after",
        ),
      },
    },
    cache: path(
      "folder where engine duckdb keeps the loaded exports between runs, so that a second run on unchanged files skips reading them (default: .audience-cache beside audience.yaml; --no-cache bypasses it)",
    ),
    history: {
      type: "object",
      description: "the history of builds kept in the output folder (history.jsonl)",
      properties: {
        keep: {
          type: "number",
          integer: true,
          minimum: 1,
          maximum: MAX_HISTORY_KEEP,
          description: `how many of the latest builds the history keeps (default ${DEFAULT_HISTORY_KEEP})`,
        },
      },
    },
  },
} as const satisfies ObjectSchema;
