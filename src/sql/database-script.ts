/**
 * The body of `audience sql` for inputs in database tables (`{ table: }`, `{ query: }`,
 * docs/design.md#printed-script): statements that read the configured tables and compute, in
 * SQL, what `audience build --engine postgres` computes — the rows of each input as text cells,
 * their staging (stage-people.ts, stage-orders.ts), identity and profiles (profiles-sql.ts) —
 * into temporary tables, for the compiled segments statement to read. The builders are the
 * engines' own, their statements recorded instead of run (record-session.ts).
 *
 * What needs TypeScript on the data is refused, never approximated: before printing, what the
 * config alone shows (RFM quintiles, `orders_filter:`, a CSV input, a normalised export); in the
 * script, by its checks, what only the rows show (a phone cell, a non-ASCII email…).
 */
import { UserError } from "../errors.js";
import type { IngestOptions } from "../model/ingest-context.js";
import type { DecimalMark } from "../model/values.js";
import { IngestContext } from "../model/ingest-context.js";
import type { InputKind } from "../model/presets.js";
import { RejectLog } from "../model/rejects.js";
import type { PlanExpr } from "../dsl/plan.js";
import type { RfmDimension } from "../rfm/compute.js";
import type { RfmSettings } from "../rfm/settings.js";
import type { SegmentPlan } from "../segments/definition.js";
import { collectFields } from "../segments/plan-segments.js";
import type { ExchangeRates } from "../model/ingest-context.js";
import type { Dialect } from "./dialect.js";
import { buildProfileTables } from "./profiles-sql.js";
import { RecordingSession, type RecordedCheck } from "./record-session.js";
import { createStageRejectStatements, STAGE_REJECTS } from "./stage-rejects.js";
import { stagePeople, type PeopleFile } from "./stage-people.js";
import { stageOrders } from "./stage-orders.js";
import { createStagingStatements } from "./staging.js";
import type { Place } from "../source-file.js";

/** Identity passes written out (profiles-sql.ts loops until one changes nothing). */
export const IDENTITY_PASSES = 12;

/** PostgreSQL type OIDs read as typed (io/pg-values.ts). */
const OID = {
  bool: 16,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
} as const;

export interface ScriptInput {
  kind: InputKind;
  /** `table shop.customers` or `the query of contacts`. */
  label: string;
  /** The input's key in audience.yaml. */
  at: Pick<Place, "file" | "line" | "column">;
  /** `{ table: }`: the name as configured; else the query. */
  table?: string;
  query?: string;
  /** The columns its rows are numbered by (order_by:, else the primary key; none: as read). */
  orderBy: readonly string[];
  /** Its columns, with their PostgreSQL type OIDs. */
  columns: readonly { name: string; type: number }[];
}

export interface DatabaseScriptOptions {
  ingest: IngestOptions;
  ordersFilter: PlanExpr | undefined;
  strict: boolean;
  fields: readonly string[];
  eventProperties: readonly string[];
  rfm: RfmSettings;
  currency?: string;
  exchangeRates?: ExchangeRates;
}

export interface DatabaseScript {
  statements: string[];
  checks: RecordedCheck[];
}

const PEOPLE = new Set<InputKind>(["contacts", "events", "lists"]);

/** The raw table of an input: `line`, then its columns as the text cells the readers see. */
function rawTable(d: Dialect, input: ScriptInput, decimal: DecimalMark): string {
  const source =
    input.table !== undefined
      ? d.tableName(input.table)
      : `(${(input.query ?? "").trim().replace(/;+\s*$/, "")})`;
  const order =
    input.orderBy.length === 0
      ? ""
      : `ORDER BY ${input.orderBy.map((c) => `x.${d.identifier(c)}`).join(", ")}`;
  const text = (v: string) => `CAST(${v} AS ${d.textType})`;
  const cells = input.columns.map((c, i) => {
    const v = `x.${d.identifier(c.name)}`;
    let cell: string;
    switch (c.type) {
      case OID.bool:
        cell = `CASE WHEN ${v} THEN 'true' WHEN NOT ${v} THEN 'false' END`;
        break;
      case OID.timestamptz:
        cell = `REPLACE(${text(`${v} AT TIME ZONE 'UTC'`)}, ' ', 'T') || 'Z'`;
        break;
      case OID.timestamp:
        cell = `REPLACE(${text(v)}, ' ', 'T')`;
        break;
      case OID.numeric:
        cell = decimal === "," ? `REPLACE(${text(v)}, '.', ',')` : text(v);
        break;
      default:
        cell = text(v);
    }
    return `COALESCE(${cell}, '') AS ${d.identifier(`c${i}`)}`;
  });
  return `CREATE TEMPORARY TABLE ${d.identifier(rawName(input.kind))} AS SELECT CAST(ROW_NUMBER() OVER (${order}) AS ${d.integerType}) AS ${d.identifier("line")}, ${cells.join(", ")} FROM ${source} AS x`;
}

const rawName = (kind: InputKind) => `aud_raw_${kind}`;

/** The statements and checks of the script's body, up to the tables of tables.ts. */
export async function databaseScript(
  d: Dialect,
  inputs: readonly ScriptInput[],
  options: DatabaseScriptOptions,
): Promise<DatabaseScript> {
  const rec = new RecordingSession(d, IDENTITY_PASSES, options.strict);
  for (const input of inputs) await rec.run(rawTable(d, input, options.ingest.decimal));
  for (const sql of createStagingStatements(d)) await rec.run(sql);
  for (const sql of createStageRejectStatements(d)) await rec.run(sql);
  const file = (input: ScriptInput) => ({
    file: 0,
    display: input.label,
    table: rawName(input.kind),
    width: input.columns.length,
    header: input.columns.map((c) => c.name),
  });
  const people: PeopleFile[] = inputs
    .filter((i) => PEOPLE.has(i.kind))
    .map((i) => ({ ...file(i), kind: i.kind as PeopleFile["kind"] }));
  const located = (input: ScriptInput | undefined, message: string) =>
    new UserError(
      "SQL_NOT_EXPRESSIBLE",
      `${input === undefined ? "" : `${input.at.file}:${input.at.line}:${input.at.column}: `}${message}`,
      { hint: "audience build --engine postgres computes it from the same tables" },
    );
  if (people.length > 0) {
    rec.context = people.map((p) => `${p.kind} (${p.display})`);
    const outcome = await stagePeople(rec, people, {
      ingest: options.ingest,
      eventProperties: options.eventProperties,
    });
    if (!outcome.staged)
      throw located(undefined, `audience sql cannot print this script: ${outcome.reason}`);
  }
  const orders = inputs.find((i) => i.kind === "orders");
  if (orders !== undefined) {
    rec.context = `orders (${orders.label})`;
    const outcome = await stageOrders(rec, [file(orders)], {
      ctx: new IngestContext(options.ingest, new RejectLog()),
      ordersFilter: options.ordersFilter,
      strict: options.strict,
    });
    if (!outcome.staged)
      throw located(
        orders,
        `orders: audience sql cannot print this script: ${outcome.needsTypeScript} needs TypeScript`,
      );
  }
  if (options.strict) {
    rec.context = "the inputs";
    rec.check(
      `SELECT 1 FROM ${d.identifier(STAGE_REJECTS)}`,
      "TRUE",
      "--strict with a rejected row",
    );
  }
  rec.context = "identity and profiles";
  await buildProfileTables(d, rec.profileSession(), {
    asOf: options.ingest.asOf,
    fields: options.fields,
    rfm: options.rfm,
    ...(options.currency === undefined ? {} : { currency: options.currency }),
    ...(options.exchangeRates === undefined ? {} : { exchangeRates: options.exchangeRates }),
  });
  return { statements: rec.statements, checks: rec.checks };
}

/** The RFM dimensions a field's value depends on (src/rfm). */
const RFM_DIMENSIONS: Record<string, readonly RfmDimension[]> = {
  rfm_r: ["recency"],
  rfm_f: ["frequency"],
  rfm_m: ["monetary"],
  rfm_score: ["recency", "frequency", "monetary"],
  rfm_segment: ["recency", "frequency"],
};

/**
 * Throws a located error at the first segment reading an RFM score whose cut points are the
 * buyers' quintiles: profiles-sql.ts interpolates them in TypeScript from order statistics the
 * database returns (with the collapse fallback), which a printed script cannot ask for. Cut
 * points fixed in audience.yaml (`rfm: { recency: [...] }`) are SQL.
 */
export function refuseRfmQuintiles(plan: SegmentPlan, rfm: RfmSettings): void {
  for (const segment of plan.segments) {
    const fields = new Set<string>(segment.columns);
    collectFields(segment.where, fields);
    for (const field of fields) {
      const open = (RFM_DIMENSIONS[field] ?? []).filter((dim) => rfm.fixed[dim] === undefined);
      if (open.length === 0) continue;
      const { file, line, column } = segment.location;
      throw new UserError(
        "SQL_NOT_EXPRESSIBLE",
        `${file}:${line}:${column}: segment "${segment.id}" reads ${field}, scored on the buyers' ${open.join(", ")} quintiles, which audience computes in TypeScript from the data: a printed script cannot hold them`,
        {
          hint: `fix the cut points in audience.yaml (rfm: { ${open[0]}: [a, b, c, d] }), leave the segment out with --only, or run audience build --engine postgres`,
        },
      );
    }
  }
}
