/**
 * What `audience sql` prints (docs/design.md#engines): the compiled segment statement of
 * `compile.ts` for one dialect, preceded by a header of SQL comments that says what it reads (the
 * tables of `tables.ts`, each column with its type and meaning), which segments it holds, and
 * exactly what each result column is. A reviewer, a dbt model or a warehouse scheduler gets one
 * self-describing script; nothing in it depends on the machine that printed it but the version.
 */
import { formatDay } from "../calendar.js";
import { needsPredictions, PROFILE_FIELDS } from "../dsl/env.js";
import { UserError } from "../errors.js";
import type { OrderAggregateSpec } from "../dsl/plan.js";
import type { SegmentPlan } from "../segments/definition.js";
import { collectFields } from "../segments/plan-segments.js";
import { compileSegmentsSql, outputColumnNames, type OutputColumns } from "./compile.js";
import type { ScriptInput } from "./database-script.js";
import type { Dialect } from "./dialect.js";
import type { RecordedCheck } from "./record-session.js";
import {
  EVENT_COLUMNS,
  EVENT_PROPERTY_COLUMNS,
  ORDER_COLUMNS,
  ORDER_LINE_COLUMNS,
  profileColumns,
  profileFieldType,
  sqlType,
  TABLES,
  type ColumnSpec,
} from "./tables.js";

/** Every row carries these profile fields after the channel's identifiers (as the generic files do). */
export const NAME_COLUMNS: readonly string[] = ["customer_id", "first_name", "last_name"];

export interface ScriptOptions {
  /** `--only`: these segments are shown, with the ones they depend on computed. */
  only?: readonly string[];
  exclusive: boolean;
  /** `--hash`: the SHA-256 columns of the email and phone too (`OutputColumns.hashes`). */
  hash: boolean;
  /** The tool version, named in the first line. */
  version: string;
  /** The segment files the definitions come from, as given. */
  sources: readonly string[];
  /** The settings that decide which orders the loader puts in `orders` (absent: the presets'). */
  orders: { excludeStatus?: readonly string[]; ordersFilter?: string };
  /** Inputs in database tables: the statements reading them (database-script.ts). */
  database?: ScriptBody;
}

/** The statements before the segments statement, for inputs in database tables. */
export interface ScriptBody {
  statements: readonly string[];
  checks: readonly RecordedCheck[];
  inputs: readonly ScriptInput[];
  /** Identity passes written out. */
  passes: number;
}

/** The fields the statement needs in `profiles`: the plan's, and the names every row returns. */
export function scriptFields(plan: SegmentPlan): string[] {
  return [...new Set([...plan.fields, ...NAME_COLUMNS])];
}

/**
 * The script: header comments, then the statement and a `;`. Throws a located UserError naming the
 * first segment and field no SQL table holds (the prediction fields, fitted in TypeScript).
 */
export function renderSqlScript(plan: SegmentPlan, d: Dialect, options: ScriptOptions): string {
  for (const segment of plan.segments) {
    const fields = new Set<string>(segment.columns);
    collectFields(segment.where, fields);
    const predicted = [...fields].find((f) => needsPredictions(f));
    if (predicted === undefined) continue;
    const { file, line, column } = segment.location;
    throw new UserError(
      "SQL_NOT_EXPRESSIBLE",
      `${file}:${line}:${column}: segment "${segment.id}" reads ${predicted}, a prediction fitted in TypeScript (docs/design.md#predictions) that SQL cannot compute: audience sql cannot compile it (leave it out with --only)`,
    );
  }
  const columns: OutputColumns = {
    all: NAME_COLUMNS,
    bySegment: [...new Set(plan.segments.flatMap((s) => s.columns))],
    hashes: options.hash,
  };
  const statement = compileSegmentsSql(plan, d, {
    rows: "assigned",
    exclusive: options.exclusive,
    columns,
    ...(options.only === undefined ? {} : { only: options.only }),
  });
  const lines: string[] = [];
  const shown = plan.segments.filter(
    (s) => options.only === undefined || options.only.includes(s.id),
  );
  lines.push(
    `audience ${options.version} · dialect ${d.name} · as of ${formatDay(plan.asOf)} (every date window and days_since below is fixed to this day)`,
    `Segment files: ${options.sources.join(", ")}`,
    "",
    `Result: one row per member that \`audience build${options.exclusive ? " --exclusive" : ""}\` writes: reachable on the segment's channel with consent${options.exclusive ? "," : "."}`,
    ...(options.exclusive
      ? [
          "each customer only in the first segment (by priority, then appearance) that reaches them.",
        ]
      : []),
    "Ordered by segment (by priority, then appearance in the files), then customer.",
    ...resultColumnLines(columns, d),
    "Not done here, done by the writer of the files: the per-file dedupe of an email or phone shared by",
    "several customers, the CSV-injection quote of free text, the column names and the hashed names,",
    "zip and country of the upload profiles (--format), the rounding of numbers to the cent in extra columns.",
    "",
    "Segments:",
    ...shown.flatMap((s) => {
      const extra = [
        `channel ${s.channel}`,
        s.consent === "ignore" ? "consent ignored" : "",
        s.priority === undefined ? "" : `priority ${s.priority}`,
        s.columns.length === 0 ? "" : `columns ${s.columns.join(", ")}`,
      ].filter((x) => x !== "");
      return [
        `  ${s.id}${s.name === s.id ? "" : ` (${s.name})`}: ${extra.join(", ")}`,
        `    where: ${s.whereText}`,
        ...(s.exclude.length === 0 ? [] : [`    exclude: ${s.exclude.join(", ")}`]),
      ];
    }),
    ...dependencyLines(
      plan,
      shown.map((s) => s.id),
      options.only,
    ),
    "",
    ...(options.database === undefined
      ? [
          "Inputs are files: the script reads the normalised tables audience loads from them, not the files",
          "(docs/design.md#engines: the plain normalised shop the duckdb and postgres engines load):",
          ...tableLines(plan, d, options),
        ]
      : databaseLines(options.database)),
  );
  const header = lines.map((line) => (line === "" ? "--" : `-- ${commentSafe(line)}`)).join("\n");
  const body = (options.database?.statements ?? []).map((sql) => `${sql};\n`).join("");
  return `${header}\n${body}${statement};\n`;
}

/** The header of a script reading database tables: what it reads, computes, requires and refuses. */
function databaseLines(body: ScriptBody): string[] {
  return [
    "Reads the configured inputs (SPEC 11), as they are when the script runs:",
    ...body.inputs.map(
      (i) =>
        `  ${i.kind}: ${i.table === undefined ? `the query of ${i.kind}` : i.table} (${i.columns.length} columns; rows in order of ${i.orderBy.length === 0 ? (i.table === undefined ? "the query's result" : "the server's row order, no order_by: or primary key") : i.orderBy.join(", ")})`,
    ),
    "It is several statements: temporary tables only (each input as text cells, their staging with the",
    "cell rules, the order assembly, identity, profiles), then the one SELECT whose result is above.",
    "Run it in one session, as is: psql -v ON_ERROR_STOP=1 -f FILE, or in DuckDB (with the same tables),",
    "stopping at the first error; nothing else is written, nothing in the shop's schema is changed.",
    "",
    `Identity (which rows are one customer) is found by passes that each recompute every row's customer`,
    `from the previous pass's, until one changes nothing (docs/design.md#printed-script); no bound on the passes`,
    `follows from the config alone, so ${body.passes} are written out and a check stops the script when the`,
    "last one still changed a customer.",
    "",
    "What needs TypeScript on the data is not in this script, and never approximated: a check statement",
    'stops it (error "audience sql check N failed ...") when a row needs it; audience build --engine',
    "postgres computes it from the same tables. The checks:",
    ...body.checks.map((c, i) => `  ${i + 1}. ${c.message}`),
    "Refused before printing (exit 1): prediction fields, RFM scores on the buyers' quintiles (fix the cut",
    "points in audience.yaml), orders_filter:, key_map: / order_lines:, a mix of files and tables.",
  ];
}

/** With --only, the segments computed only because a shown one refers to them. */
function dependencyLines(
  plan: SegmentPlan,
  shown: readonly string[],
  only: readonly string[] | undefined,
): string[] {
  if (only === undefined) return [];
  const referenced = new Set<string>();
  const visit = (id: string) => {
    const segment = plan.segments.find((s) => s.id === id);
    for (const ref of segment?.references ?? []) {
      if (referenced.has(ref.id) || shown.includes(ref.id)) continue;
      referenced.add(ref.id);
      visit(ref.id);
    }
  };
  for (const id of shown) visit(id);
  return referenced.size === 0
    ? []
    : [`  computed for the ones above, not returned: ${[...referenced].join(", ")}`];
}

function resultColumnLines(columns: OutputColumns, d: Dialect): string[] {
  const rows: [name: string, type: string, meaning: string][] = [
    ["segment", d.textType, "the segment id"],
    ["customer", d.integerType, "profiles.customer (the loader's customer index)"],
    ["customer_key", d.textType, "customer_id, else the normalized email, else the E.164 phone"],
    [
      "email",
      d.textType,
      "for channels email, none, and any (with email consent unless consent: ignore); else NULL",
    ],
    [
      "phone",
      d.textType,
      "E.164, for channels sms, whatsapp, none, and any (a phone that can receive texts, with SMS consent); else NULL",
    ],
    ...(columns.hashes === true
      ? ([
          [
            "email_sha256",
            d.textType,
            "SHA-256 (hex) of email: the email key of meta and google-ads --hash",
          ],
          ["phone_sha256", d.textType, "SHA-256 (hex) of phone, E.164 with +: google-ads --hash"],
          ["phone_digits_sha256", d.textType, "SHA-256 (hex) of phone's digits, no +: meta --hash"],
        ] satisfies [string, string, string][])
      : []),
  ];
  for (const { field, name } of outputColumnNames(columns)) {
    const type = profileFieldType(field);
    const shownType =
      type === "integer" ? "DATE" : type === "text_list" ? d.textType : sqlType(d, type);
    const meaning = field.startsWith("props.")
      ? `the contacts' custom column ${field.slice("props.".length)}`
      : (PROFILE_FIELDS.get(field)?.description ?? "profile field");
    const rowsShown = columns.all.includes(field)
      ? "every row"
      : "rows of the segments listing it in columns:, else NULL";
    const format = type === "text_list" ? ", items joined by ', '" : "";
    rows.push([name, shownType, `${meaning} (${rowsShown}${format})`]);
  }
  const width = Math.max(...rows.map(([name]) => name.length));
  const typeWidth = Math.max(...rows.map(([, type]) => type.length));
  return rows.map(
    ([name, type, meaning]) => `  ${name.padEnd(width)}  ${type.padEnd(typeWidth)}  ${meaning}`,
  );
}

function usedTables(plan: SegmentPlan): Set<string> {
  const used = new Set<string>([TABLES.profiles]);
  for (const spec of plan.aggregates) {
    if (spec.source === "orders") {
      used.add(TABLES.orders);
      const o: OrderAggregateSpec = spec;
      if (o.product !== null || o.sku !== null || o.category !== null) used.add(TABLES.orderLines);
    } else {
      used.add(TABLES.events);
      if (spec.properties.length > 0) used.add(TABLES.eventProperties);
    }
  }
  return used;
}

function tableLines(plan: SegmentPlan, d: Dialect, options: ScriptOptions): string[] {
  const used = usedTables(plan);
  const excluded =
    options.orders.excludeStatus === undefined
      ? "the export preset's non-purchase statuses"
      : `statuses ${options.orders.excludeStatus.join(", ")}`;
  const filter =
    options.orders.ordersFilter === undefined
      ? ""
      : `, rows kept by orders_filter: ${options.orders.ordersFilter}`;
  const tables: [string, string, readonly ColumnSpec[]][] = [
    [
      TABLES.profiles,
      "one row per customer (one customer view), every profile field as of the as_of day above",
      profileColumns(scriptFields(plan)).map((c) => ({
        ...c,
        meaning:
          c.meaning === "profile field"
            ? (PROFILE_FIELDS.get(c.name)?.description ?? c.meaning)
            : c.meaning,
      })),
    ],
    [
      TABLES.orders,
      `one row per counted order, any date (not ${excluded}${filter}; amount not negative)`,
      ORDER_COLUMNS,
    ],
    [TABLES.orderLines, "the lines of the counted orders", ORDER_LINE_COLUMNS],
    [TABLES.events, "one row per event of a known customer", EVENT_COLUMNS],
    [
      TABLES.eventProperties,
      "an event's other columns, one row per non-empty cell",
      EVENT_PROPERTY_COLUMNS,
    ],
  ];
  const out: string[] = [];
  for (const [name, meaning, columns] of tables) {
    if (!used.has(name)) continue;
    out.push(`  ${d.tableName(name)}: ${meaning}`);
    const type = (c: ColumnSpec) => `${sqlType(d, c.type)}${c.nullable ? "" : " NOT NULL"}`;
    const width = Math.max(...columns.map((c) => c.name.length));
    const typeWidth = Math.max(...columns.map((c) => type(c).length));
    for (const c of columns)
      out.push(`    ${c.name.padEnd(width)}  ${type(c).padEnd(typeWidth)}  ${c.meaning}`);
  }
  out.push(
    "  Dates are integer epoch days (days since 1970-01-01) in the shop's time zone; texts are trimmed,",
    "  emails lowercased, phones E.164; lists are never NULL (empty when none).",
  );
  return out;
}

/** A header line as one comment line: no line break or control character inside. */
function commentSafe(line: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  return line.replace(/[\x00-\x1f\x7f\u2028\u2029]+/g, " ").trimEnd();
}
