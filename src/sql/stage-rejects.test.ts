import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDuckDbSession } from "../engine/duckdb/session.js";
import type { SqlSession } from "../engine/session.js";
import { RejectLog, type RejectRecord } from "../model/rejects.js";
import {
  createStageRejectStatements,
  replayStaged,
  STAGE_REJECTS,
  STAGE_WARNINGS,
  type StagedFile,
} from "./stage-rejects.js";

let session: SqlSession;

beforeEach(async () => {
  session = await openDuckDbSession({ threads: 1 });
  for (const sql of createStageRejectStatements(session.dialect)) await session.run(sql);
  // Two raw tables as read.ts makes them: `line`, then text cells, NULL after a short row's end.
  await session.run(`CREATE TABLE raw_c (line BIGINT, c0 VARCHAR, c1 VARCHAR, c2 VARCHAR)`);
  await session.run(
    `INSERT INTO raw_c VALUES (2, 'a', '', 'x'), (3, 'b', NULL, NULL), (5, '\ufeffc', 'd', '')`,
  );
  await session.run(`CREATE TABLE raw_e (line BIGINT, c0 VARCHAR)`);
  await session.run(`INSERT INTO raw_e VALUES (2, 'e')`);
});

afterEach(async () => {
  await session.close();
});

const FILES: StagedFile[] = [
  // Given out of order: the replay orders files as the memory engine reads them.
  { kind: "events", file: 0, display: "events.csv", table: "raw_e", width: 1 },
  { kind: "contacts", file: 1, display: "c2.csv", table: "raw_c", width: 3 },
  { kind: "contacts", file: 0, display: "c1.csv", table: "raw_c", width: 3 },
];

async function insert(table: string, rows: unknown[][]): Promise<void> {
  for (const row of rows)
    await session.run(`INSERT INTO ${table} VALUES (?, ?, ?, ?, ?, ?)`, row as never);
}

describe("replayStaged", () => {
  it("hands rejects and warnings to the log in the memory engine's order, with raw fields", async () => {
    await insert(STAGE_REJECTS, [
      ["events", 0, 2, 32, "empty event type", null],
      ["contacts", 0, 5, 80, "no customer key (customer_id, email or phone)", null],
      ["contacts", 0, 3, 48, "not a date in occurred_at", "someday"],
      ["contacts", 1, 2, 32, "no customer key (customer_id, email or phone)", null],
    ]);
    await insert(STAGE_WARNINGS, [
      ["contacts", 0, 3, 51, "unrecognised sms_consent value, read as no", "maybe"],
      ["contacts", 0, 3, 49, "invalid email left out", null],
      ["contacts", 0, 2, 33, "invalid phone left out", null],
      ["events", 0, 2, 32, "a warning of another file", "x@example.com"],
    ]);
    const records: RejectRecord[] = [];
    const log = new RejectLog({ listener: (r) => records.push(r) });
    await replayStaged(session, log, FILES);
    expect(records).toEqual([
      { file: "c1.csv", line: 3, reason: "not a date in occurred_at (someday)", fields: ["b"] },
      {
        file: "c1.csv",
        line: 5,
        reason: "no customer key (customer_id, email or phone)",
        fields: ["\ufeffc", "d", ""],
      },
      {
        file: "c2.csv",
        line: 2,
        reason: "no customer key (customer_id, email or phone)",
        fields: ["a", "", "x"],
      },
      { file: "events.csv", line: 2, reason: "empty event type", fields: ["e"] },
    ]);
    expect(log.warningExamples).toEqual([
      { file: "c1.csv", line: 2, reason: "invalid phone left out" },
      { file: "c1.csv", line: 3, reason: "invalid email left out" },
      { file: "c1.csv", line: 3, reason: "unrecognised sms_consent value, read as no (maybe)" },
      {
        file: "events.csv",
        line: 2,
        reason: "a warning of another file (value hidden: it may be personal data)",
      },
    ]);
    expect(log.rejectedByFile()).toEqual({
      "c1.csv": {
        "no customer key (customer_id, email or phone)": 1,
        "not a date in occurred_at": 1,
      },
      "c2.csv": { "no customer key (customer_id, email or phone)": 1 },
      "events.csv": { "empty event type": 1 },
    });
    expect(log.warningCount("c1.csv")).toBe(3);
  });

  it("ties within a file go by line, then reason", async () => {
    await insert(STAGE_WARNINGS, [
      ["contacts", 0, 5, 7, "b", null],
      ["contacts", 0, 3, 7, "z", null],
      ["contacts", 0, 3, 7, "a", null],
    ]);
    const log = new RejectLog();
    await replayStaged(session, log, FILES);
    expect(log.warningExamples.map((e) => `${e.line} ${e.reason}`)).toEqual(["3 a", "3 z", "5 b"]);
  });

  it("stops at the first reject with --strict, as the memory engine does", async () => {
    await insert(STAGE_REJECTS, [
      ["contacts", 1, 2, 32, "second file", null],
      ["contacts", 0, 5, 80, "first file, later row", null],
      ["contacts", 0, 3, 48, "first file", "2024-02-30"],
    ]);
    const log = new RejectLog({ strict: true });
    await expect(replayStaged(session, log, FILES)).rejects.toMatchObject({
      code: "BAD_ROW",
      message: "c1.csv:3: first file (2024-02-30)",
    });
  });

  it("replays nothing for files without rows in the tables", async () => {
    const log = new RejectLog();
    await replayStaged(session, log, FILES);
    expect(log.rejectedCount() + log.warningCount()).toBe(0);
  });
});
