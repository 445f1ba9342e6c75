/**
 * A SQL session that runs nothing (docs/design.md#printed-script): the statements the SQL staging
 * (stage-people.ts, stage-orders.ts) and the profile builder (profiles-sql.ts) send are recorded,
 * in order, as the body of the script `audience sql` prints for inputs in database tables. Those
 * builders also ask the database questions whose answer steers them; with no data, the recorder
 * answers as the data should be and records a CHECK statement that stops the script, with its
 * message, when the data is otherwise:
 *
 * - a mapping table (engine/mapping.ts: phones by libphonenumber, non-ASCII emails, statuses and
 *   currencies, the parts of a full name) would be filled in TypeScript: the check fails when
 *   any raw value needs it, and the table stays empty;
 * - a staging question that sends a run to the TypeScript path (an ambiguous date, contact rows
 *   disagreeing on consent, Shopify Name aliases…): the check fails when it would have;
 * - the identity passes (profiles-sql.ts) loop until a pass changes nothing: `passes` passes are
 *   written out, and the check fails when the last one still changed a customer.
 *
 * A check is `CREATE TEMPORARY TABLE … AS SELECT CAST(<message or NULL> AS INTEGER)`: nothing
 * when the data is as required, else the cast of the message fails, in PostgreSQL and DuckDB
 * alike, and the error shows it. Every table is temporary; a DROP of a table the script did not
 * create is left out (it could only name one of the shop's own tables).
 */
import type { SqlParam, SqlRow, SqlSession } from "../engine/session.js";
import type { Dialect } from "./dialect.js";
import type { SqlSession as ProfileSession } from "./profiles-sql.js";

/** Why a mapping table is filled in TypeScript, by its name (engine/mapping.ts `MappingSpec.table`). */
const MAPPINGS: [RegExp, string][] = [
  [
    /phone/,
    "a phone cell: phones are normalised to E.164 by libphonenumber (TypeScript); leave the phone column out of the input (a query: without it)",
  ],
  [/email/, "an email with non-ASCII characters: its Unicode lower-casing is TypeScript's"],
  [/status/, "an order status with non-ASCII characters: its Unicode lower-casing is TypeScript's"],
  [/currenc/, "a currency with non-ASCII characters: its Unicode upper-casing is TypeScript's"],
  [
    /part|first|last/,
    "a full-name cell split into first and last name: namePart is TypeScript's; map first_name and last_name to columns of their own",
  ],
];

/** engine/mapping.ts buildMapping's question: the distinct raw strings of `source`. */
const MAPPING_QUERY =
  /^SELECT DISTINCT s\.raw FROM \(SELECT q\.\* FROM \((.*)\) AS q\) AS s\(raw\) WHERE s\.raw IS NOT NULL$/s;

export interface RecordedCheck {
  /** The check's message, as the failing script shows it. */
  message: string;
}

export class RecordingSession implements SqlSession {
  readonly statements: string[] = [];
  readonly checks: RecordedCheck[] = [];
  /**
   * What the statements are staging now, named in the checks' messages; several: the files of
   * stage-people.ts, in order (its work tables are named by the file's index).
   */
  context: string | readonly string[] = "the inputs";
  private readonly created = new Set<string>();
  private lastCreated = "";
  private identityPass = 0;

  constructor(
    readonly dialect: Dialect,
    /** Identity passes written out. */
    readonly passes: number,
    /** `--strict`: a rejected row stops the script too. */
    private readonly strict: boolean,
  ) {}

  /** The profile builder's view of the recorder. */
  profileSession(): ProfileSession {
    return { run: (sql) => this.run(sql), query: async (sql) => this.rows(sql) };
  }

  async run(sql: string, params: readonly SqlParam[] = []): Promise<void> {
    await Promise.resolve();
    if (params.length > 0)
      throw new Error("a statement with bound values cannot be printed (a bug: please report it)");
    this.record(sql);
  }

  async rows(sql: string, params: readonly SqlParam[] = []): Promise<SqlRow[]> {
    await Promise.resolve();
    if (params.length > 0)
      throw new Error("a query with bound values cannot be printed (a bug: please report it)");
    return this.answer(sql.trim());
  }

  async each(
    sql: string,
    onRow: (row: readonly unknown[]) => void,
    params: readonly SqlParam[] = [],
  ): Promise<void> {
    for (const row of await this.rows(sql, params)) onRow(Object.values(row));
  }

  /**
   * Rows handed over by TypeScript (engine/mapping.ts): none when printing, since every mapping
   * question is answered with no raw values (the check stops the script instead).
   */
  async appendTexts(
    table: string,
    columns: readonly (readonly (string | null)[])[],
  ): Promise<void> {
    await Promise.resolve();
    if (columns.some((c) => c.length > 0))
      throw new Error(
        `rows computed in TypeScript for ${table} cannot be printed (a bug: please report it)`,
      );
  }

  async close(): Promise<void> {}

  private record(sql: string): void {
    const text = sql.trim();
    const create = /^CREATE (?:TEMP |TEMPORARY )?TABLE (IF NOT EXISTS )?(.+?)[ (]/s.exec(text);
    if (create !== null) {
      const name = plainName(create[2]);
      if (create[1] !== undefined && this.created.has(name)) return;
      this.created.add(name);
      this.lastCreated = name;
      this.statements.push(
        text.replace(
          /^CREATE (?:TEMP |TEMPORARY )?TABLE (?:IF NOT EXISTS )?/,
          "CREATE TEMPORARY TABLE ",
        ),
      );
      return;
    }
    const drop = /^DROP TABLE (?:IF EXISTS )?(\S+)$/.exec(text);
    if (drop !== null) {
      const name = plainName(drop[1]);
      if (!this.created.delete(name)) return;
      // The table is the script's own: no IF EXISTS (which not every parser reads).
      this.statements.push(`DROP TABLE ${drop[1]}`);
      return;
    }
    const rename = /^ALTER TABLE (\S+) RENAME TO (\S+)$/.exec(text);
    if (rename !== null) {
      this.created.delete(plainName(rename[1]));
      this.created.add(plainName(rename[2]));
    }
    this.statements.push(text);
  }

  /** The answer the builders get, and the check recorded for it. */
  private answer(sql: string): SqlRow[] {
    // engine/mapping.ts buildMapping: the distinct raw strings of the mapping table just created.
    const mapping = MAPPING_QUERY.exec(sql);
    if (mapping !== null) {
      // No column feeds it (stage-orders.ts: no full-name column): nothing to check.
      if (/^SELECT CAST\(NULL AS \w+\)$/.test(mapping[1])) return [];
      const why = MAPPINGS.find(([pattern]) => pattern.test(this.lastCreated))?.[1];
      // The source's one column named by a UNION's first branch (`AS s(raw)` is not BigQuery's).
      const d = this.dialect;
      const source = `SELECT CAST(NULL AS ${d.textType}) AS raw FROM (SELECT 1 AS one) AS z WHERE FALSE UNION ALL ${mapping[1]}`;
      this.check(
        `SELECT s.raw FROM (${source}) AS s WHERE s.raw IS NOT NULL`,
        "TRUE",
        why ?? `a value the table ${this.lastCreated} maps in TypeScript`,
      );
      return [];
    }
    // stage-orders.ts buildPhones: the phones to normalise with readKeys.
    if (/^SELECT DISTINCT k_phone AS phone/.test(sql)) {
      this.check(sql, "TRUE", MAPPINGS[0][1]);
      return [];
    }
    // profiles-sql.ts: the identity loop.
    if (/^SELECT CAST\(COUNT\(\*\) AS \w+\) AS changed FROM aud_next/.test(sql)) {
      this.identityPass++;
      if (this.identityPass < this.passes) return [{ changed: 1 }];
      this.check(
        sql,
        "x.changed > 0",
        `identity (who is one customer) did not settle in the ${this.passes} passes written out: the data links customers through longer chains of shared ids, emails and phones`,
      );
      return [{ changed: 0 }];
    }
    // profiles-sql.ts: counts reported back (the RFM cut points are refused before, see
    // database-script.ts), and stage-orders.ts's counts of what it wrote.
    if (/^SELECT CAST\(COUNT\(\*\) AS \w+\) AS n FROM aud_profile/.test(sql)) return [{ n: 0 }];
    if (/AS customers, CAST\(SUM/.test(sql)) return [{ customers: 0, buyers: 0 }];
    if (/^SELECT file, count\(\*\) AS n FROM .* GROUP BY file$/s.test(sql)) return [];
    if (/^SELECT count\(\*\) AS n FROM \(SELECT 1 FROM \S+ AS r LEFT JOIN /s.test(sql))
      return [{ n: 0 }];
    if (/^SELECT count\(\*\) AS n FROM \(SELECT 1 FROM audience_so_rejects\) AS x$/.test(sql)) {
      if (this.strict) this.check(sql, "x.n > 0", "--strict with a rejected row");
      return [{ n: 0 }];
    }
    // stage-orders.ts: a reject detail beyond U+FFFF only changes the reject's text.
    if (/FROM audience_so_rejects WHERE detail IS NOT NULL AND /.test(sql)) return [{ n: 0 }];
    // stage-orders.ts: a count that sends the run to the TypeScript path when not 0.
    if (/^SELECT count\(\*\) AS n FROM \(/.test(sql)) {
      this.check(sql, "x.n > 0", orderQuestion(sql));
      return [{ n: 0 }];
    }
    // stage-people.ts: the first row SQL cannot stage exactly, and contradicting consents.
    // stage-people.ts: the first row SQL cannot stage exactly. Only a date in ambiguous day/month
    // order changes what the run does (it stops there); a detail beyond the BMP and contradicting
    // consents change a reject's or a warning's text, which the script does not return.
    if (/^SELECT line, CASE WHEN date_problem = 'ambiguous day\/month order'/.test(sql)) {
      // Every such row, not the first one (which may be another case).
      this.check(
        sql.replace(/ ORDER BY line LIMIT 1$/, ""),
        "x.why = 'a'",
        "a date in ambiguous day/month order, which stops audience build (set date_order:)",
      );
      return [];
    }
    if (/ AS any FROM /.test(sql)) return [{ any: 0 }];
    throw new Error(
      `audience sql cannot print a script asking: ${sql.slice(0, 120)} (a bug: please report it)`,
    );
  }

  /** The input a check is about: by the index in the name of the work table it reads. */
  private contextOf(sql: string): string {
    if (typeof this.context === "string") return this.context;
    const index = /sp_(?:phone|email|part|step)_(\d+)/.exec(`${this.lastCreated} ${sql}`)?.[1];
    return this.context[Number(index)] ?? this.context.join(", ");
  }

  /** A statement that fails, showing `message`, when a row of `sql` meets `when`. */
  check(sql: string, when: string, message: string): void {
    const d = this.dialect;
    const n = this.checks.length + 1;
    const context = this.contextOf(sql);
    const text = `audience sql check ${n} failed in ${context}: ${message}; run audience build --engine postgres instead (rows: `;
    this.checks.push({ message: `${context}: ${message}` });
    this.statements.push(
      `CREATE TEMPORARY TABLE ${d.identifier(`aud_check_${n}`)} AS SELECT CAST(CASE WHEN COUNT(*) > 0 THEN ${d.string(text)} || CAST(COUNT(*) AS ${d.textType}) || ')' END AS ${d.integerType}) AS ok FROM (${sql}) AS x WHERE ${when}`,
    );
  }
}

/** What a count of stage-orders.ts asks (its reason to leave a run to TypeScript), by its text. */
const ORDER_QUESTIONS: [RegExp, string][] = [
  [
    /'ambiguous day\/month order'/,
    "a date in ambiguous day/month order, which stops audience build (set date_order:)",
  ],
  [/WHERE by_alias AND primaries > 1/, "a Shopify order Name shared by orders with different ids"],
  [
    /SELECT DISTINCT file, order_id, alias_id FROM/,
    "a Shopify order whose rows carry different Names",
  ],
  [
    /pos - prev_pos - 1 >= /,
    "rows of one order far apart in the file (audience build closes an order 255 other orders later)",
  ],
  [
    /WHERE by_alias AND \(opener IS NULL OR opener >= seq\)/,
    "a Shopify line row before its order has a buyer",
  ],
  [
    /ON f\.file = o\.file AND f\.order_id = o\.order_id AND f\.seq = o\.opener/,
    "a row of an order with other buyer identifiers than its first row (order_id already used by another customer?)",
  ],
];

function orderQuestion(sql: string): string {
  return (
    ORDER_QUESTIONS.find(([pattern]) => pattern.test(sql))?.[1] ??
    "order rows the SQL staging leaves to TypeScript"
  );
}

/** `"name"`, `` `name` `` or `name` → name. */
function plainName(quoted: string): string {
  return quoted.replace(/^["`]|["`]$/g, "").replace(/""/g, '"');
}
