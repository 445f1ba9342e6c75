/**
 * Contacts, events and lists from their raw tables (engine/duckdb/read.ts: `line`, `c0` … text
 * cells) to the staging tables of staging.ts, in SQL (docs/design.md#engines): the rows the memory
 * engine's sinks (model/ingest-contacts.ts, model/ingest-events.ts) accept, with their cells
 * normalised by the twins of normalise.ts, and the rejects and warnings those sinks raise, same
 * reasons, details and lines, in the tables of stage-rejects.ts.
 *
 * Only the per-row work is SQL. Each header is bound in TypeScript by the sinks themselves (preset,
 * `columns:`, custom columns, and their errors word for word); phones (with the row's country) and
 * non-ASCII emails are normalised by the TypeScript functions on the distinct raw strings and come
 * back as mapping tables (engine/mapping.ts), as do the parts of a full name (`Name` → first and
 * last name, `namePart`).
 *
 * One warning depends on identity: "duplicate contact rows disagree on consent; kept no", raised
 * at the row whose consent contradicts what the same customer's earlier rows said. Which rows are
 * one customer is identity, which staging does not decide (profiles-sql.ts does, from every
 * input): the staging writes each contact row's consent values into `stage_contact_consents`, and
 * stage-consent.ts `stageConsentWarnings` adds the warnings after the profile build.
 *
 * What SQL cannot reproduce exactly is detected and reported as `{ staged: false, reason }`,
 * before anything is written, for the run to take the TypeScript path: a date that the memory
 * engine would stop the run on (ambiguous day/month order), and a detail cut at 30 or 40 UTF-16
 * units where characters outside the BMP make the cut differ from SQL's code points.
 */
import { ContactsSink } from "../model/ingest-contacts.js";
import { EventsSink, ListsSink } from "../model/ingest-events.js";
import {
  emptyStats,
  IngestContext,
  missingKeyReason,
  readKeys,
  type FileStats,
  type IngestOptions,
  type RowKeys,
} from "../model/ingest-context.js";
import { namePart, type ColumnBinding } from "../model/columns.js";
import { CANONICAL_COLUMNS } from "../model/presets.js";
import { RejectLog } from "../model/rejects.js";
import { FALSE_WORDS, normalizeEmail, TRUE_WORDS } from "../model/values.js";
import type { SqlSession } from "../engine/session.js";
import { buildMapping, mappedSql } from "../engine/mapping.js";
import { normaliseDialectFor, type Dialect, type NormaliseDialect } from "./dialect.js";
import {
  cleanCellSql,
  cleanIdSql,
  dateOffsetSql,
  dateProblemSql,
  emailNeedsMappingSql,
  JS_SPACE,
  normalizeEmailSql,
  parseBooleanSql,
  parseDateSql,
  parseNumberSql,
  splitMultiSql,
  type DateSqlOptions,
} from "./normalise.js";
import { STAGING } from "./staging.js";
import { STAGE_OFFSETS, STAGE_REJECTS, STAGE_WARNINGS, type StagedFile } from "./stage-rejects.js";
import { createStageConsentStatements, STAGE_CONSENTS } from "./stage-consent.js";

export type PeopleKind = "contacts" | "events" | "lists";

/** A contacts, events or lists file loaded into its raw table. */
export interface PeopleFile extends StagedFile {
  kind: PeopleKind;
  /** The header as the reader gave it (read.ts `RawTable.header`). */
  header: string[];
  /**
   * The run's FileStats of the file: its header's values (preset, detected, header warnings)
   * are set as its sink sets them; its row counts are staged-stats.ts's `fillStagedStats`.
   */
  stats?: FileStats;
}

export interface StagePeopleOptions {
  ingest: IngestOptions;
  /** The event columns the plan filters on (staged into `stage_event_properties`). */
  eventProperties: readonly string[];
}

export type StageOutcome = { staged: true } | { staged: false; reason: string };

/** Where a call sits among a row's calls (stage-rejects.ts `seq` = row × 16 + this). */
const CALL = {
  email: 0,
  phone: 1,
  date: 2,
  consent: 3,
} as const;
const PER_ROW = 16;

const CONSENTS = ["email_consent", "sms_consent", "whatsapp_consent"] as const;

interface Ctx {
  s: SqlSession;
  d: Dialect;
  n: NormaliseDialect;
  o: StagePeopleOptions;
}

const q = (c: Ctx, name: string) => c.d.identifier(name);

function trimSql(c: Ctx, text: string): string {
  return c.n.trimChars(text, JS_SPACE);
}

function blank(c: Ctx, text: string): string {
  return `(${text} IS NULL OR ${trimSql(c, text)} = '')`;
}

/** A part of a full-name column (`Name` → first name), read by `namePart` through a mapping table. */
interface NamePart {
  table: string;
  index: number;
  part: "first" | "last";
}

/**
 * A cell reader (model/columns.ts `cellReader`) as SQL over the raw row `r`: the first non-empty
 * source, its constant, or its name part (`namePart` in TypeScript, a mapping table here: the parts
 * needed are added to `parts`).
 */
function cellSql(
  c: Ctx,
  binding: ColumnBinding | undefined,
  parts: NamePart[],
  file: number,
): string {
  if (binding === undefined) return `CAST(NULL AS ${c.d.textType})`;
  const cellOf = (index: number) => `r.${q(c, `c${index}`)}`;
  const sources = binding.sources;
  const first = sources[0];
  if (sources.length === 1 && first.value === undefined && first.part === undefined)
    return `NULLIF(${cellOf(first.index)}, '')`;
  const whens = sources.map((s) => {
    const cell = cellOf(s.index);
    const given = `NOT ${blank(c, cell)}`;
    if (s.part === undefined)
      return `WHEN ${given} THEN ${s.value === undefined ? cell : c.d.string(s.value)}`;
    const table = `${TEMP}part_${file}_${s.index}_${s.part}`;
    if (!parts.some((p) => p.table === table)) parts.push({ table, index: s.index, part: s.part });
    const value = mappedSql(c.d, table, cell);
    return `WHEN ${given} AND ${value} IS NOT NULL THEN ${value}`;
  });
  return `CASE ${whens.join(" ")} END`;
}

/**
 * `parseBooleanSql` with a fast path: an absent or empty cell is false, and a cell that is one of
 * the words as written (`yes`, `no`…) is that word's value, as parseBoolean reads it (trimmed and
 * lower-cased, it is itself).
 */
function booleanSql(c: Ctx, text: string): string {
  const list = (words: ReadonlySet<string>) => [...words].map((w) => c.d.string(w)).join(", ");
  // The full rule inside a lambda (bindAs), where DuckDB's common subexpression elimination
  // cannot hoist it out of the CASE and compute it for every row.
  return `CASE WHEN ${text} IS NULL OR ${text} = '' THEN FALSE WHEN ${text} IN (${list(TRUE_WORDS)}) THEN TRUE WHEN ${text} IN (${list(FALSE_WORDS)}) THEN FALSE ELSE ${c.n.bindAs(text, "bool_cell", parseBooleanSql(c.d, "bool_cell"))} END`;
}

/**
 * `parseDateSql` with fast paths in DuckDB: a cell `YYYY-MM-DD`, or with a time `HH:MM:SS` and no
 * zone, of a year from 1970 on, is its calendar day; `YYYY-MM-DDTHH:MM:SSZ` is the day of that
 * instant in the time zone — when DuckDB reads it as a date (a day that does not exist is left to
 * the full rule, which names the problem).
 */
function daySql(c: Ctx, text: string, dates: DateSqlOptions): string {
  const full = parseDateSql(c.d, text, dates);
  if (c.d.name !== "duckdb") return full;
  const date = `TRY_CAST(SUBSTR(${text}, 1, 10) AS DATE)`;
  const time = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]";
  // An instant in UTC (`…T…Z`), dated in the time zone; from 1971 on, so never before 1970 there.
  const instant = `TRY_CAST(REPLACE(SUBSTR(${text}, 1, 19), 'T', ' ') AS TIMESTAMP)`;
  const zoned = c.n.zonedDay(`epoch(${instant})`, dates.timezone);
  return `CASE WHEN regexp_full_match(${text}, '(19[7-9][0-9]|2[0-9]{3})-[0-9]{2}-[0-9]{2}( ${time})?') AND ${date} IS NOT NULL THEN CAST(date_diff('day', DATE '1970-01-01', ${date}) AS BIGINT) WHEN regexp_full_match(${text}, '(197[1-9]|19[89][0-9]|2[0-9]{3})-[0-9]{2}-[0-9]{2}T${time}Z') AND ${instant} IS NOT NULL THEN CAST(${zoned} AS BIGINT) ELSE ${full} END`;
}

/** The text of `text` cut at `length` characters, as JavaScript's `slice(0, length)` of a BMP text. */
function cut(c: Ctx, text: string, length: number): string {
  return `SUBSTR(${text}, 1, ${length})`;
}

/** Whether `text` holds a character outside the BMP (two UTF-16 units in JavaScript). */
function beyondBmp(c: Ctx, text: string): string {
  return c.d.name === "postgres"
    ? `(${text} ~ '[\\U00010000-\\U0010FFFF]')`
    : `regexp_matches(${text}, '[\\x{10000}-\\x{10FFFF}]')`;
}

const TEMP = "sp_";

async function drop(c: Ctx, table: string): Promise<void> {
  await c.s.run(`DROP TABLE IF EXISTS ${q(c, table)}`);
}

/** The phone key of a row: the phone cell and the row's country, in one text (`phoneKeyParts`). */
function phoneKeySql(c: Ctx, phone: string, country: string | undefined): string {
  const countryText = country === undefined ? "''" : `COALESCE(${country}, '')`;
  return `CASE WHEN NOT ${blank(c, phone)} THEN CAST(${c.n.charLength(phone)} AS ${c.d.textType}) || ':' || ${phone} || ${countryText} END`;
}

/** `phoneKeySql` back into the phone and the country (undefined when empty). */
function phoneKeyParts(key: string): [string, string | undefined] {
  const colon = key.indexOf(":");
  const length = Number(key.slice(0, colon));
  const points = Array.from(key.slice(colon + 1));
  const country = points.slice(length).join("");
  return [points.slice(0, length).join(""), country === "" ? undefined : country];
}

/** The mapped phone of a row: its E.164, or `!` and the warning of a phone left out. */
function phoneMapping(keys: RowKeys): string | undefined {
  if (keys.phone !== undefined) return keys.phone;
  return `!${keys.phoneWarning ?? ""}`;
}

interface Bound {
  file: PeopleFile;
  cells: Record<string, string>;
  /** Contacts: custom columns, name → cell SQL. */
  props: [string, string][];
  /** Events: the plan's properties, name → raw column index. */
  properties: [string, number][];
  parts: NamePart[];
}

/** Binds every file's header through its sink (which throws its errors on a header). */
function bindFiles(c: Ctx, files: readonly PeopleFile[]): Bound[] {
  const ctx = new IngestContext(c.o.ingest, new RejectLog());
  const out: Bound[] = [];
  for (const [i, file] of files.entries()) {
    const parts: NamePart[] = [];
    const sink =
      file.kind === "contacts"
        ? new ContactsSink(ctx, file.display)
        : file.kind === "events"
          ? new EventsSink(ctx, file.display)
          : new ListsSink(ctx, file.display);
    sink.header(file.header);
    const { bound } = ctx.bindFile(
      file.kind,
      file.display,
      file.header,
      file.stats ?? emptyStats(file.kind, file.display),
    );
    const cells: Record<string, string> = {};
    for (const name of CANONICAL_COLUMNS[file.kind])
      cells[name] = cellSql(c, bound.bindings.get(name), parts, i);
    const props: [string, string][] = [];
    const properties: [string, number][] = [];
    if (file.kind === "contacts") {
      // As ContactsSink.header: bound custom columns first, then extra columns, each once.
      const wanted = new Set(c.o.ingest.props);
      const canonical = new Set<string>(CANONICAL_COLUMNS.contacts);
      for (const [name, binding] of bound.bindings) {
        if (canonical.has(name) || !wanted.has(name)) continue;
        props.push([name, cellSql(c, binding, parts, i)]);
      }
      for (const extra of bound.extras) {
        if (!wanted.has(extra.name) || props.some(([name]) => name === extra.name)) continue;
        props.push([
          extra.name,
          cellSql(
            c,
            { canonical: extra.name, sources: [{ index: extra.index, header: extra.header }] },
            parts,
            i,
          ),
        ]);
      }
    }
    if (file.kind === "events") {
      // As EventsSink.header: extra columns, then bound columns that are not canonical.
      const columns = new Map<string, number>();
      const canonical = new Set<string>(CANONICAL_COLUMNS.events);
      for (const extra of bound.extras) columns.set(extra.name, extra.index);
      for (const [name, binding] of bound.bindings)
        if (!canonical.has(name)) columns.set(name, binding.sources[0].index);
      for (const name of c.o.eventProperties) {
        const index = columns.get(name);
        if (index !== undefined) properties.push([name, index]);
      }
    }
    out.push({ file, cells, props, properties, parts });
  }
  return out;
}

/**
 * Stages the rows of `files` (contacts, events and lists files, each with its index within its
 * input) into the staging tables and the reject tables, which must exist (staging.ts
 * `createStagingStatements`, stage-rejects.ts `createStageRejectStatements`). Throws the errors
 * the sinks throw on a header. On `{ staged: false }` nothing was written. Called once per run with
 * every contacts, events and lists file: it also (re)creates `stage_contact_consents`, which
 * stage-consent.ts `stageConsentWarnings` turns into warnings after the profile build.
 */
export async function stagePeople(
  session: SqlSession,
  files: readonly PeopleFile[],
  options: StagePeopleOptions,
): Promise<StageOutcome> {
  const d = session.dialect;
  const c: Ctx = { s: session, d, n: normaliseDialectFor(d.name), o: options };
  const bound = bindFiles(c, files);
  const steps: string[] = [];
  try {
    for (const b of bound) {
      for (const part of b.parts) {
        const cell = `r.${q(c, `c${part.index}`)}`;
        await buildMapping(session, {
          table: part.table,
          source: `SELECT ${cell} FROM ${q(c, b.file.table)} AS r WHERE NOT ${blank(c, cell)}`,
          map: (text) => namePart(text, part.part),
        });
      }
    }
    // Every file's step table first (cells normalised once), checked before anything is written.
    for (const [i, b] of bound.entries()) {
      const step = `${TEMP}step_${i}`;
      steps.push(step);
      const problem = await stepTable(c, b, step, i);
      if (problem !== undefined) return { staged: false, reason: problem };
    }
    for (const sql of createStageConsentStatements(d)) await session.run(sql);
    for (const [i, b] of bound.entries()) await writeFile(c, b, steps[i]);
    return { staged: true };
  } finally {
    for (const step of steps) await drop(c, step);
    for (const part of bound.flatMap((b) => b.parts)) await drop(c, part.table);
    for (const [i] of bound.entries())
      for (const table of [`phone_${i}`, `email_${i}`]) await drop(c, `${TEMP}${table}`);
  }
}

/** Keys of a row as SQL columns of the step table, with the mapping tables they join. */
async function keyColumns(
  c: Ctx,
  b: Bound,
  index: number,
  raw: string,
): Promise<{ columns: string[]; joins: string[] }> {
  const cells = b.cells;
  const country = b.file.kind === "contacts" ? cells.country : undefined;
  const phoneTable = `${TEMP}phone_${index}`;
  const emailTable = `${TEMP}email_${index}`;
  const phones = c.o.ingest;
  const ctx = new IngestContext(phones, new RejectLog());
  await buildMapping(c.s, {
    table: phoneTable,
    source: `SELECT ${phoneKeySql(c, cells.phone, country)} FROM ${raw} AS r`,
    map: (key) => {
      const [phone, rawCountry] = phoneKeyParts(key);
      return phoneMapping(readKeys(ctx.phones, undefined, undefined, phone, rawCountry));
    },
  });
  await buildMapping(c.s, {
    table: emailTable,
    source: `SELECT ${cells.email} FROM ${raw} AS r WHERE ${emailNeedsMappingSql(c.d, cells.email)}`,
    map: normalizeEmail,
  });
  return {
    columns: [
      `${cleanIdSql(c.d, cells.customer_id)} AS id`,
      `${normalizeEmailSql(c.d, cells.email, "me.value")} AS email`,
      `NOT ${blank(c, cells.email)} AS email_given`,
      `pm.value AS phone_mapped`,
    ],
    joins: [
      `LEFT JOIN ${q(c, phoneTable)} AS pm ON pm.raw = ${phoneKeySql(c, cells.phone, country)}`,
      `LEFT JOIN ${q(c, emailTable)} AS me ON me.raw = ${cells.email}`,
    ],
  };
}

/**
 * The step table of one file: a row per raw row with `seq`, `line`, the normalised cells, and
 * whether the sink rejects it (`reject`, `detail`); returns why SQL cannot stage the file exactly.
 */
async function stepTable(c: Ctx, b: Bound, name: string, i: number): Promise<string | undefined> {
  const step = q(c, name);
  const raw = q(c, b.file.table);
  const cells = b.cells;
  const o = c.o.ingest;
  const { columns, joins } = await keyColumns(c, b, i, raw);
  // Each row's place: numbered on the line alone, joined back (a window ordered by line over the
  // raw table would sort every cell with it).
  const line = q(c, "line");
  const places = `SELECT y.${line}, ROW_NUMBER() OVER (ORDER BY y.${line}) AS seq FROM ${raw} AS y`;
  const numbered = `(SELECT x.*, n.seq FROM ${raw} AS x JOIN (${places}) AS n ON n.${line} = x.${line})`;
  const extra: string[] = [];
  if (b.file.kind === "contacts") {
    const created = cleanCellSql(c.d, cells.created_at);
    const dates = {
      timezone: o.timezone,
      ...(o.dateOrder === undefined ? {} : { dateOrder: o.dateOrder }),
      rejectBefore1970: false,
    };
    extra.push(
      `${created} AS created`,
      ...["first_name", "last_name", "country", "city", "zip", "acquisition_channel"].map(
        (name) => `${cleanCellSql(c.d, cells[name])} AS ${q(c, name)}`,
      ),
      ...CONSENTS.map((name) => `${cells[name]} AS ${q(c, `${name}_raw`)}`),
      `${cells.tags} AS tags`,
      `${cells.lists} AS lists`,
      ...b.props.map(([, sql], p) => `${cleanCellSql(c.d, sql)} AS ${q(c, `prop_${p}`)}`),
    );
    await c.s.run(
      `CREATE TEMP TABLE ${step} AS SELECT r.seq, r.${q(c, "line")} AS line, ${[...columns, ...extra].join(", ")} FROM ${numbered} AS r ${joins.join(" ")}`,
    );
    await derive(c, name, [
      `${daySql(c, "t.created", dates)} AS day`,
      ...CONSENTS.map(
        (name, k) => `${booleanSql(c, `t.${q(c, `${name}_raw`)}`)} AS ${q(c, `consent_${k}`)}`,
      ),
      // The cleaned cells, once: the next step reads each up to nine times in its CASEs.
      ...CONSENTS.map(
        (name, k) =>
          `${cleanCellSql(c.d, `t.${q(c, `${name}_raw`)}`)} AS ${q(c, `consent_${k}_clean`)}`,
      ),
    ]);
    await derive(c, name, [
      `CASE WHEN t.day IS NULL AND t.created IS NOT NULL THEN ${dateProblemSql(c.d, "t.created", dates)} END AS date_problem`,
      ...CONSENTS.flatMap((name, k) => {
        const rawCell = `t.${q(c, `${name}_raw`)}`;
        const cleaned = `t.${q(c, `consent_${k}_clean`)}`;
        const read = `t.${q(c, `consent_${k}`)}`;
        // parseBoolean(cleanCell(cell)) for the staged value, parseBoolean(cell) for the warning.
        return [
          `CASE WHEN ${cleaned} IS NULL THEN NULL WHEN ${cleaned} = ${rawCell} THEN COALESCE(${read}, FALSE) ELSE COALESCE(${booleanSql(c, cleaned)}, FALSE) END AS ${q(c, name)}`,
          `CASE WHEN NOT ${blank(c, rawCell)} THEN COALESCE(${read}, FALSE) END AS ${q(c, `${name}_v`)}`,
          `(NOT ${blank(c, rawCell)} AND ${read} IS NULL) AS ${q(c, `${name}_bad`)}`,
        ];
      }),
    ]);
    await keyDecision(c, name);
    const consentBad = CONSENTS.map(
      (name) =>
        `(${q(c, `${name}_bad`)} AND ${beyondBmp(c, cut(c, trimSql(c, q(c, `${name}_raw`)), 30))})`,
    ).join(" OR ");
    const found = await c.s.rows(
      `SELECT line, CASE WHEN date_problem = 'ambiguous day/month order' THEN 'a' ELSE 'u' END AS why FROM ${step} WHERE reject IS NULL AND (date_problem = 'ambiguous day/month order' OR (date_problem IS NOT NULL AND ${beyondBmp(c, cut(c, "created", 40))}) OR ((day IS NULL OR day <= ${c.d.integer(o.asOf)}) AND (${consentBad}))) ORDER BY line LIMIT 1`,
    );
    return undecided(b, found);
  }
  if (b.file.kind === "events") {
    const dates = {
      timezone: o.timezone,
      ...(o.dateOrder === undefined ? {} : { dateOrder: o.dateOrder }),
      rejectBefore1970: true,
    };
    extra.push(
      `${cleanCellSql(c.d, cells.type)} AS type`,
      `${cells.occurred_at} AS occurred`,
      ...b.properties.map(([, col], p) => `r.${q(c, `c${col}`)} AS ${q(c, `property_${p}`)}`),
    );
    await c.s.run(
      `CREATE TEMP TABLE ${step} AS SELECT r.seq, r.${q(c, "line")} AS line, ${[...columns, ...extra].join(", ")} FROM ${numbered} AS r ${joins.join(" ")}`,
    );
    await derive(c, name, [`${daySql(c, "t.occurred", dates)} AS day`]);
    await derive(c, name, [
      `CASE WHEN t.day IS NULL AND NOT ${blank(c, "t.occurred")} THEN ${dateProblemSql(c.d, "t.occurred", dates)} END AS date_problem`,
    ]);
    await keyDecision(
      c,
      name,
      [
        [`type IS NULL`, `'empty event type'`, "NULL"],
        [blank(c, "occurred"), `'empty occurred_at'`, "NULL"],
        [
          `date_problem IS NOT NULL`,
          `date_problem || ' in occurred_at'`,
          cut(c, trimSql(c, "occurred"), 40),
        ],
      ],
      `day <= ${c.d.integer(o.asOf)}`,
    );
    const found = await c.s.rows(
      `SELECT line, CASE WHEN date_problem = 'ambiguous day/month order' THEN 'a' ELSE 'u' END AS why FROM ${step} WHERE type IS NOT NULL AND NOT ${blank(c, "occurred")} AND (date_problem = 'ambiguous day/month order' OR (date_problem IS NOT NULL AND ${beyondBmp(c, cut(c, trimSql(c, "occurred"), 40))})) ORDER BY line LIMIT 1`,
    );
    return undecided(b, found);
  }
  extra.push(`${cleanCellSql(c.d, cells.list)} AS list`);
  await c.s.run(
    `CREATE TEMP TABLE ${step} AS SELECT r.seq, r.${q(c, "line")} AS line, ${[...columns, ...extra].join(", ")} FROM ${numbered} AS r ${joins.join(" ")}`,
  );
  await keyDecision(c, name, [[`list IS NULL`, `'empty list name'`, "NULL"]]);
  return undefined;
}

function undecided(b: Bound, found: { line?: unknown; why?: unknown }[]): string | undefined {
  const [row] = found;
  if (row === undefined) return undefined;
  return row.why === "a"
    ? `${b.file.display}:${String(row.line)}: a date in ambiguous day/month order stops the memory engine`
    : `${b.file.display}:${String(row.line)}: a detail holds characters beyond the BMP`;
}

/** Adds computed columns to a step table (`t` its row). */
async function derive(c: Ctx, step: string, columns: string[]): Promise<void> {
  const next = q(c, `${step}_d`);
  await c.s.run(
    `CREATE TEMP TABLE ${next} AS SELECT t.*, ${columns.join(", ")} FROM ${q(c, step)} AS t`,
  );
  await c.s.run(`DROP TABLE ${q(c, step)}`);
  await c.s.run(`ALTER TABLE ${next} RENAME TO ${q(c, step)}`);
}

/**
 * The row's phone, its warning, and the sink's reject decision: the `before` checks in order
 * (condition, reason, detail), then the missing key — only where `keyed` holds (events after
 * as_of are left out before their keys are read).
 */
async function keyDecision(
  c: Ctx,
  step: string,
  before: [string, string, string][] = [],
  keyed = "TRUE",
): Promise<void> {
  await derive(c, step, [
    `CASE WHEN SUBSTR(t.phone_mapped, 1, 1) = '+' THEN t.phone_mapped END AS phone`,
    `CASE WHEN SUBSTR(t.phone_mapped, 1, 1) = '!' THEN SUBSTR(t.phone_mapped, 2) END AS phone_warning`,
  ]);
  const bad = `(t.email_given AND t.email IS NULL) OR t.phone_warning IS NOT NULL`;
  const noKey = `t.id IS NULL AND t.email IS NULL AND t.phone IS NULL`;
  const reason = (invalid: boolean) =>
    c.d.string(
      missingKeyReason({
        id: undefined,
        email: undefined,
        phone: undefined,
        badEmail: invalid,
        badPhone: false,
      }),
    );
  const keyReason = `CASE WHEN ${bad} THEN ${reason(true)} ELSE ${reason(false)} END`;
  const reject = [
    ...before.map(([when, reason]) => `WHEN ${when} THEN ${reason}`),
    `WHEN (${keyed}) AND ${noKey} THEN ${keyReason}`,
  ];
  const detail = before.map(([when, , detail]) => `WHEN ${when} THEN ${detail}`);
  await derive(c, step, [
    `CASE ${reject.join(" ")} END AS reject`,
    detail.length === 0
      ? `CAST(NULL AS ${c.d.textType}) AS detail`
      : `CASE ${detail.join(" ")} END AS detail`,
  ]);
}

/** Writes one file's staging rows, rejects and warnings from its step table. */
async function writeFile(c: Ctx, b: Bound, stepName: string): Promise<void> {
  const step = q(c, stepName);
  const f = b.file;
  const file = c.d.integer(f.file);
  const kind = c.d.string(f.kind);
  const ok = `s.reject IS NULL`;
  const at = (call: number) => `s.seq * ${PER_ROW} + ${call}`;
  const warn = async (where: string, call: string, reason: string, detail = "NULL") =>
    c.s.run(
      `INSERT INTO ${q(c, STAGE_WARNINGS)} SELECT ${kind}, ${file}, s.line, ${call}, ${reason}, ${detail} FROM ${step} AS s WHERE ${ok} AND ${where}`,
    );
  await c.s.run(
    `INSERT INTO ${q(c, STAGE_REJECTS)} SELECT ${kind}, ${file}, s.line, ${at(0)}, s.reject, s.detail FROM ${step} AS s WHERE s.reject IS NOT NULL`,
  );
  const keys = `s.id, s.email, s.phone`;
  // The offsets of the dates the sink parses: contacts' created_at once the row has a key, events'
  // occurred_at once the type is there (the reject for a missing key comes after it).
  const offsets = async (cell: string, where: string, rejectBefore1970: boolean) => {
    const o = c.o.ingest;
    const dates = {
      timezone: o.timezone,
      ...(o.dateOrder === undefined ? {} : { dateOrder: o.dateOrder }),
      rejectBefore1970,
    };
    await c.s.run(
      `INSERT INTO ${q(c, STAGE_OFFSETS)} SELECT DISTINCT ${kind}, ${file}, x.minutes FROM (SELECT ${dateOffsetSql(c.d, cell, dates)} AS minutes FROM ${step} AS s WHERE ${where}) AS x WHERE x.minutes IS NOT NULL`,
    );
  };
  if (f.kind === "contacts") await offsets("s.created", `${ok} AND s.created IS NOT NULL`, false);
  if (f.kind === "events")
    await offsets("s.occurred", `s.type IS NOT NULL AND NOT ${blank(c, "s.occurred")}`, true);
  if (f.kind === "contacts") {
    await warn(`s.email_given AND s.email IS NULL`, at(CALL.email), `'invalid email left out'`);
    await warn(`s.phone_warning IS NOT NULL`, at(CALL.phone), `s.phone_warning`);
    await warn(
      `s.date_problem IS NOT NULL`,
      at(CALL.date),
      `s.date_problem || ' in created_at, signup date left empty'`,
      cut(c, "s.created", 40),
    );
    const counts = `(s.day IS NULL OR s.day <= ${c.d.integer(c.o.ingest.asOf)})`;
    for (const [k, name] of CONSENTS.entries()) {
      await warn(
        `${counts} AND s.${q(c, `${name}_bad`)}`,
        at(CALL.consent + 2 * k),
        c.d.string(`unrecognised ${name} value, read as no`),
        cut(c, trimSql(c, `s.${q(c, `${name}_raw`)}`), 30),
      );
    }
    // The values the memory engine compares (parseBoolean of the cell), for stage-consent.ts.
    const values = CONSENTS.map((n) => `s.${q(c, `${n}_v`)}`);
    await c.s.run(
      `INSERT INTO ${q(c, STAGE_CONSENTS)} SELECT ${file}, s.seq, s.line, ${values.join(", ")} FROM ${step} AS s WHERE ${ok} AND ${counts} AND (${values.map((v) => `${v} IS NOT NULL`).join(" OR ")})`,
    );
    await c.s.run(
      `INSERT INTO ${q(c, STAGING.contacts)} SELECT ${file}, s.seq, ${keys}, s.first_name, s.last_name, s.country, s.city, s.zip, s.acquisition_channel, s.day, ${CONSENTS.map((n) => `s.${q(c, n)}`).join(", ")} FROM ${step} AS s WHERE ${ok} ORDER BY s.seq`,
    );
    for (const [kindName, column] of [
      ["tag", "tags"],
      ["list", "lists"],
    ] as const) {
      const list = `${splitMultiSql(c.d, `s.${column}`)}`;
      const values =
        c.d.name === "postgres"
          ? `SELECT s.seq, u.n - 1 AS pos, u.value FROM ${step} AS s CROSS JOIN LATERAL unnest(${list}) WITH ORDINALITY AS u(value, n) WHERE ${ok}`
          : `SELECT v.seq, UNNEST(range(len(v.l))) AS pos, UNNEST(v.l) AS value FROM (SELECT s.seq, ${list} AS l FROM ${step} AS s WHERE ${ok} AND s.${column} IS NOT NULL) AS v`;
      await c.s.run(
        `INSERT INTO ${q(c, STAGING.contactValues)} SELECT ${file}, w.seq, ${c.d.string(kindName)}, w.pos, w.value FROM (${values}) AS w ORDER BY w.seq, w.pos`,
      );
    }
    for (const [p, [name]] of b.props.entries()) {
      const value = `s.${q(c, `prop_${p}`)}`;
      await c.s.run(
        `INSERT INTO ${q(c, STAGING.contactProps)} SELECT ${file}, s.seq, ${c.d.string(name)}, ${value} FROM ${step} AS s WHERE ${ok} AND ${value} IS NOT NULL ORDER BY s.seq`,
      );
    }
    return;
  }
  if (f.kind === "events") {
    await c.s.run(
      `INSERT INTO ${q(c, STAGING.events)} SELECT ${file}, s.seq, ${keys}, s.type, s.day FROM ${step} AS s WHERE ${ok} ORDER BY s.seq`,
    );
    for (const [p, [name]] of b.properties.entries()) {
      const cell = `s.${q(c, `property_${p}`)}`;
      await c.s.run(
        `INSERT INTO ${q(c, STAGING.eventProperties)} SELECT ${file}, s.seq, ${c.d.string(name)}, ${cell}, ${parseNumberSql(c.d, trimSql(c, cell), c.o.ingest.decimal)}, ${booleanSql(c, cell)} FROM ${step} AS s WHERE ${ok} AND ${cell} IS NOT NULL ORDER BY s.seq`,
      );
    }
    return;
  }
  await c.s.run(
    `INSERT INTO ${q(c, STAGING.lists)} SELECT ${file}, s.seq, ${keys}, s.list FROM ${step} AS s WHERE ${ok} ORDER BY s.seq`,
  );
}

/**
 * `stage_untextable_phones`: of the E.164 phones staged (contacts, orders, events, lists), those
 * that cannot receive texts (`canText`: model/phone-type.ts `PhoneTypes.canText`).
 */
export async function stageUntextablePhones(
  session: SqlSession,
  canText: (e164: string) => boolean,
): Promise<number> {
  const d = session.dialect;
  const phone = d.identifier("phone");
  const sources = [STAGING.contacts, STAGING.orders, STAGING.events, STAGING.lists].map(
    (t) => `SELECT ${phone} FROM ${d.identifier(t)} WHERE ${phone} IS NOT NULL`,
  );
  const rows = await session.rows(
    `SELECT DISTINCT u.${phone} AS phone FROM (${sources.join(" UNION ALL ")}) AS u`,
  );
  const untextable = rows.map((r) => r.phone as string).filter((p) => !canText(p));
  await session.appendTexts(STAGING.untextablePhones, [untextable]);
  return untextable.length;
}
