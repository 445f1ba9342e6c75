/**
 * The normalisation SQL (src/sql/normalise.ts) against its TypeScript twins (src/model), value by
 * value, on the corpus of test/helpers/normalise-corpus.ts (over 1,000 values per rule): in an
 * in-memory DuckDB, and in a throwaway PostgreSQL server when its binaries are installed. Every
 * difference is a bug in one of them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDuckDbSession } from "../src/engine/duckdb/session.js";
import { buildMapping, mappedSql } from "../src/engine/mapping.js";
import { openPostgresSession } from "../src/engine/postgres/session.js";
import type { SqlSession } from "../src/engine/session.js";
import { DateParser, ZoneClock, type DateOrder } from "../src/model/dates.js";
import { cleanId } from "../src/model/ingest-context.js";
import { normalizeStatus } from "../src/model/order-assembly.js";
import {
  cleanCell,
  normalizeEmail,
  parseBoolean,
  parseNumber,
  splitMulti,
  stripApostrophe,
  type DecimalMark,
} from "../src/model/values.js";
import type { Dialect } from "../src/sql/dialect.js";
import { normaliseDialectFor } from "../src/sql/dialect.js";
import {
  cleanCellSql,
  cleanIdSql,
  dateOffsetSql,
  dateProblemSql,
  dateTimeSql,
  emailNeedsMappingSql,
  excludedStatusSql,
  normalizeEmailSql,
  orderStatusSql,
  parseBooleanSql,
  parseDateSql,
  parseNumberSql,
  splitMultiSql,
  statusNeedsMappingSql,
  stripApostropheSql,
} from "../src/sql/normalise.js";
import { normaliseCorpus, type CorpusRule } from "./helpers/normalise-corpus.js";
import { postgresBin, startPostgres, type TestPostgres } from "./helpers/postgres.js";

const COUNT = 1200;

interface Case {
  label: string;
  rule: CorpusRule;
  /** Mapping tables the SQL joins: name → (which rows, TypeScript twin). */
  mappings?: Record<
    string,
    { needs: (d: Dialect, v: string) => string; map: (raw: string) => string | undefined }
  >;
  sql: (d: Dialect, v: string) => string;
  ts: (raw: string) => unknown;
}

const statusOf = (raw: string) => {
  const cleaned = cleanCell(raw);
  return cleaned === undefined ? undefined : normalizeStatus(cleaned);
};
const EXCLUDED = ["cancelled", "Canceled", " REFUNDED", "voided", "wc-failed"];

const dateCases = (): Case[] => {
  const settings: [string, DateOrder | undefined, boolean][] = [
    ["UTC", undefined, true],
    ["UTC", "dmy", true],
    ["UTC", "mdy", false],
    ["Europe/Paris", "dmy", true],
    ["Europe/Paris", undefined, false],
    ["America/New_York", "mdy", true],
    ["Asia/Kathmandu", "dmy", true],
    ["Australia/Lord_Howe", "mdy", true],
    ["Pacific/Chatham", undefined, true],
    ["Asia/Kolkata", "dmy", false],
  ];
  return settings.flatMap(([timezone, dateOrder, rejectBefore1970]) => {
    const parser = () =>
      new DateParser({ clock: new ZoneClock(timezone), dateOrder, rejectBefore1970 });
    const options = { timezone, dateOrder, rejectBefore1970 };
    const label = `${timezone} ${dateOrder ?? "no date_order"}${rejectBefore1970 ? "" : " (before 1970 kept)"}`;
    const clock = new ZoneClock(timezone);
    const days = parser();
    const problems = parser();
    const times = parser();
    return [
      {
        label: `parseDateSql ${label}`,
        rule: "date" as const,
        sql: (d: Dialect, v: string) => parseDateSql(d, v, options),
        ts: (raw: string) => {
          const day = days.parse(raw);
          return Number.isNaN(day) ? null : day;
        },
      },
      {
        label: `dateProblemSql ${label}`,
        rule: "date" as const,
        sql: (d: Dialect, v: string) => dateProblemSql(d, v, options),
        ts: (raw: string) => {
          problems.parse(raw);
          return problems.problem ?? null;
        },
      },
      {
        label: `dateOffsetSql ${label}`,
        rule: "date" as const,
        sql: (d: Dialect, v: string) => dateOffsetSql(d, v, options),
        ts: (raw: string) => {
          const offsets = new Set<number>();
          new DateParser({ clock, dateOrder, rejectBefore1970, offsets }).parse(raw);
          return [...offsets][0] ?? null;
        },
      },
      // Order dates only (from 1970): before it, zones' local mean time has offsets in seconds,
      // which the TypeScript clock reads in whole minutes.
      ...(rejectBefore1970
        ? [
            {
              label: `dateTimeSql ${label}`,
              rule: "date" as const,
              sql: (d: Dialect, v: string) => dateTimeSql(d, v, options),
              ts: (raw: string) => {
                const day = times.parse(raw);
                return Number.isNaN(day) ? null : times.time;
              },
            },
          ]
        : []),
    ];
  });
};

const CASES: Case[] = [
  ...(["auto", ",", "."] as DecimalMark[]).map((decimal) => ({
    label: `parseNumberSql decimal ${decimal}`,
    rule: "number" as const,
    sql: (d: Dialect, v: string) => parseNumberSql(d, v, decimal),
    ts: (raw: string) => {
      const value = parseNumber(raw, decimal);
      return Number.isNaN(value) ? null : value;
    },
  })),
  {
    label: "parseBooleanSql",
    rule: "boolean",
    sql: parseBooleanSql,
    ts: (raw) => parseBoolean(raw) ?? null,
  },
  {
    label: "normalizeEmailSql (non-ASCII through a mapping table)",
    rule: "email",
    mappings: { email_map: { needs: emailNeedsMappingSql, map: normalizeEmail } },
    sql: (d, v) => normalizeEmailSql(d, v, mappedSql(d, "email_map", v)),
    ts: (raw) => normalizeEmail(raw) ?? null,
  },
  {
    label: "orderStatusSql (non-ASCII through a mapping table)",
    rule: "status",
    mappings: { status_map: { needs: statusNeedsMappingSql, map: statusOf } },
    sql: (d, v) => orderStatusSql(d, v, mappedSql(d, "status_map", v)),
    ts: (raw) => statusOf(raw) ?? null,
  },
  {
    label: "excludedStatusSql",
    rule: "status",
    mappings: { status_map: { needs: statusNeedsMappingSql, map: statusOf } },
    sql: (d, v) =>
      excludedStatusSql(d, orderStatusSql(d, v, mappedSql(d, "status_map", v)), EXCLUDED),
    ts: (raw) => new Set(EXCLUDED.map(normalizeStatus)).has(statusOf(raw) ?? ""),
  },
  { label: "cleanCellSql", rule: "cell", sql: cleanCellSql, ts: (raw) => cleanCell(raw) ?? null },
  { label: "cleanIdSql", rule: "cell", sql: cleanIdSql, ts: (raw) => cleanId(raw) ?? null },
  { label: "stripApostropheSql", rule: "cell", sql: stripApostropheSql, ts: stripApostrophe },
  { label: "splitMultiSql", rule: "multi", sql: splitMultiSql, ts: splitMulti },
  ...dateCases(),
];

const RULES = [...new Set(CASES.map((c) => c.rule))];
const CORPUS = new Map(RULES.map((rule) => [rule, normaliseCorpus(rule, COUNT)]));

/** Loads every rule's corpus into `corpus_<rule> (i, v)`. */
async function loadCorpus(session: SqlSession): Promise<void> {
  const d = session.dialect;
  const n = normaliseDialectFor(d.name);
  for (const [rule, values] of CORPUS) {
    await session.run(
      `CREATE TEMPORARY TABLE corpus_${rule} (i ${d.integerType}, v ${d.textType})`,
    );
    for (let start = 0; start < values.length; start += 400) {
      const params: (string | number)[] = [];
      const tuples = values.slice(start, start + 400).map((value, k) => {
        params.push(start + k, value);
        return `(${n.param(params.length - 1)}, ${n.param(params.length)})`;
      });
      await session.run(`INSERT INTO corpus_${rule} VALUES ${tuples.join(", ")}`, params);
    }
  }
}

const same = (a: unknown, b: unknown): boolean =>
  typeof a === "number" && typeof b === "number"
    ? Object.is(a, b)
    : JSON.stringify(a) === JSON.stringify(b);

/** The values where the SQL and TypeScript disagree, with both answers. */
async function differences(session: SqlSession, c: Case): Promise<string[]> {
  const d = session.dialect;
  for (const [table, mapping] of Object.entries(c.mappings ?? {}))
    await buildMapping(session, {
      table,
      source: `SELECT v FROM corpus_${c.rule} WHERE ${mapping.needs(d, "v")}`,
      map: mapping.map,
    });
  const rows = await session.rows(
    `SELECT i, ${c.sql(d, "v")} AS out FROM corpus_${c.rule} ORDER BY i`,
  );
  const values = CORPUS.get(c.rule) as string[];
  expect(rows.length).toBe(values.length);
  const found: string[] = [];
  const answers = new Map<string, number>();
  for (const row of rows) {
    const raw = values[row.i as number];
    const expected = c.ts(raw);
    const key =
      typeof expected === "boolean"
        ? String(expected)
        : expected === null
          ? "null"
          : typeof expected;
    answers.set(key, (answers.get(key) ?? 0) + 1);
    if (!same(row.out, expected))
      found.push(
        `${JSON.stringify(raw)}: ${d.name} ${JSON.stringify(row.out)}, TypeScript ${JSON.stringify(expected)}`,
      );
  }
  // The corpus exercises the rule: at least two kinds of answer (null or not; true and false), each
  // for five values or more.
  const common = [...answers.values()].filter((k) => k >= 5).length;
  if (c.label !== "stripApostropheSql" && c.label !== "splitMultiSql")
    expect(common, `${c.label}: ${JSON.stringify([...answers])}`).toBeGreaterThanOrEqual(2);
  return found;
}

it("the corpus has over 1,000 distinct values per rule", () => {
  for (const values of CORPUS.values()) expect(values.length).toBeGreaterThanOrEqual(1000);
});

describe("normalisation SQL in DuckDB = TypeScript", () => {
  let session: SqlSession;
  beforeAll(async () => {
    session = await openDuckDbSession();
    await loadCorpus(session);
  });
  afterAll(async () => {
    await session?.close();
  });
  it.each(CASES.map((c) => [c.label, c] as const))("%s", async (_label, c) => {
    expect((await differences(session, c)).slice(0, 12)).toEqual([]);
  });
});

const server = postgresBin();

describe.skipIf("missing" in server)(
  `normalisation SQL in PostgreSQL = TypeScript${"missing" in server ? ` — skipped: ${server.missing}` : ""}`,
  () => {
    let pgServer: TestPostgres;
    let session: SqlSession;
    beforeAll(async () => {
      pgServer = await startPostgres();
      session = await openPostgresSession(pgServer.url);
      await loadCorpus(session);
    }, 120_000);
    afterAll(async () => {
      await session?.close();
      await pgServer?.stop();
    });
    it.each(CASES.map((c) => [c.label, c] as const))("%s", async (_label, c) => {
      expect((await differences(session, c)).slice(0, 12)).toEqual([]);
    });
  },
);
