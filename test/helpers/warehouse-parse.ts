/**
 * Test helper: a printed `audience sql` script for BigQuery or Snowflake (which the tests cannot
 * run), parsed statement by statement with node-sql-parser in that dialect. node-sql-parser 5.4
 * does not read a few constructs that are valid there; where it stops at one of them, the
 * construct is replaced by a stand-in it reads (the same statement without it) and the parse goes
 * on, so that the whole of every statement is read. A stop anywhere else is reported.
 *
 * The constructs (README "audience sql"):
 * - BigQuery: `CREATE TEMP FUNCTION` (the JavaScript function of the ordered sums, one statement,
 *   checked as text); the options of an aggregate, `ARRAY_AGG(v IGNORE NULLS ORDER BY k LIMIT 1)`.
 * - Snowflake: `ARRAY_AGG(v) WITHIN GROUP (ORDER BY k)`; a window frame ending `AND 1 PRECEDING`;
 *   the `ARRAY` type; lambdas (`TRANSFORM(l, x VARCHAR -> …)`, `REDUCE(a, 0, (acc, x) -> …)`).
 */
import nodeSqlParser from "node-sql-parser";

const { Parser } = nodeSqlParser;
const parser = new Parser();

export type WarehouseDialect = "bigquery" | "snowflake";

/** The index of the `)` closing the `(` at `open` (quotes skipped, backslash escapes read). */
function closing(sql: string, open: number): number {
  let depth = 0;
  let quoted = false;
  for (let i = open; i < sql.length; i++) {
    const ch = sql[i];
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === "'") quoted = false;
      continue;
    }
    if (ch === "'") quoted = true;
    else if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0) return i;
  }
  throw new Error(`unbalanced parentheses from ${open}`);
}

/** A construct the parser stops at, and the statement without it (undefined: not this one). */
type StandIn = [name: string, replace: (sql: string, at: number) => string | undefined];

const STAND_INS: Record<WarehouseDialect, StandIn[]> = {
  bigquery: [
    [
      "ARRAY_AGG(v IGNORE NULLS ORDER BY … LIMIT n)",
      (sql, at) => {
        if (!/^(IGNORE NULLS|ORDER BY) /.test(sql.slice(at))) return undefined;
        const start = sql.lastIndexOf("ARRAY_AGG(", at);
        if (start < 0) return undefined;
        const end = closing(sql, start + "ARRAY_AGG".length);
        return `${sql.slice(0, at).trimEnd()}${sql.slice(end)}`;
      },
    ],
  ],
  snowflake: [
    [
      "ARRAY_AGG(v) WITHIN GROUP (ORDER BY …)",
      (sql, at) => {
        const from = sql.slice(0, at).endsWith("WITHIN GROUP ") ? at - "WITHIN GROUP ".length : at;
        if (!sql.startsWith("WITHIN GROUP (", from)) return undefined;
        const end = closing(sql, from + "WITHIN GROUP ".length);
        return `${sql.slice(0, from).trimEnd()}${sql.slice(end + 1)}`;
      },
    ],
    [
      "ROWS BETWEEN UNBOUNDED PRECEDING AND n PRECEDING",
      (sql, at) => {
        const before = /AND \d+ $/.exec(sql.slice(0, at));
        if (before === null || !sql.startsWith("PRECEDING", at)) return undefined;
        return `${sql.slice(0, at - before[0].length)}AND CURRENT ROW${sql.slice(at + "PRECEDING".length)}`;
      },
    ],
    [
      "the ARRAY type",
      (sql, at) =>
        /^ARRAY\b/.test(sql.slice(at))
          ? `${sql.slice(0, at)}VARCHAR${sql.slice(at + "ARRAY".length)}`
          : undefined,
    ],
    [
      "a lambda (TRANSFORM, REDUCE)",
      (sql, at) => {
        const call = Math.max(sql.lastIndexOf("TRANSFORM(", at), sql.lastIndexOf("REDUCE(", at));
        if (call < 0 || !sql.slice(at, at + 40).includes("->")) return undefined;
        const open = sql.indexOf("(", call);
        const end = closing(sql, open);
        // The call replaced by its first argument (the list): the lambda is all that is left out.
        return `${sql.slice(0, call)}${sql.slice(open + 1, end).split(",")[0]}${sql.slice(end + 1)}`;
      },
    ],
  ],
};

export interface WarehouseParse {
  /** The statements of the script, header comments left out. */
  statements: string[];
  /** How many times the parser stopped at each known construct. */
  stops: Record<string, number>;
  /** Where it stopped at anything else: the text around the place. */
  unknown: string[];
}

/** The statements of a printed script (each ends with `;` and a line break), header left out. */
export function scriptStatements(script: string): string[] {
  const body = script
    .split("\n")
    .filter((line) => !line.startsWith("--"))
    .join("\n");
  return body.split(/;\n/).filter((s) => s.trim() !== "");
}

export function parseWarehouseScript(script: string, database: WarehouseDialect): WarehouseParse {
  const statements = scriptStatements(script);
  const stops: Record<string, number> = {};
  const unknown: string[] = [];
  const stopped = (name: string) => {
    stops[name] = (stops[name] ?? 0) + 1;
  };
  for (const statement of statements) {
    if (database === "bigquery" && statement.startsWith("CREATE TEMP FUNCTION ")) {
      stopped("CREATE TEMP FUNCTION");
      continue;
    }
    let sql = statement;
    for (;;) {
      let at: number | undefined;
      try {
        parser.astify(sql, { database });
        break;
      } catch (error) {
        at = (error as { location?: { start?: { offset?: number } } }).location?.start?.offset;
      }
      let replaced: string | undefined;
      for (const [name, replace] of STAND_INS[database]) {
        replaced = at === undefined ? undefined : replace(sql, at);
        if (replaced !== undefined) {
          stopped(name);
          break;
        }
      }
      if (replaced === undefined) {
        const place = at ?? 0;
        unknown.push(
          `${sql.slice(Math.max(0, place - 120), place)} <<HERE>> ${sql.slice(place, place + 60)}`,
        );
        break;
      }
      sql = replaced;
    }
  }
  return { statements, stops, unknown };
}
