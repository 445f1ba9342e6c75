/**
 * The SQL staging of contacts, events and lists (src/sql/stage-people.ts) against the memory
 * engine: every fixture shop with a config, hostile identity shops and generated demo shops are
 * read by the memory engine, which records the rows it accepted (test/helpers/staging-capture.ts)
 * and every reject and warning call of its sinks; the same files are loaded into DuckDB raw tables
 * (loadCsvInput), staged in SQL, and the rejects and warnings replayed into a RejectLog: the staging
 * rows and the calls (order, file, line, reason, detail, raw fields) must be identical.
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIsoDay } from "../src/calendar.js";
import { ingestOptions } from "../src/config/ingest-options.js";
import { resolveSettings } from "../src/config/settings.js";
import { writeDemoShop } from "./helpers/demo-shop.js";
import { loadCsvInput } from "../src/engine/duckdb/read.js";
import { openDuckDb } from "../src/engine/duckdb/open.js";
import { duckDbSession } from "../src/engine/duckdb/session.js";
import { openPostgresSession } from "../src/engine/postgres/session.js";
import type { SqlParam, SqlSession } from "../src/engine/session.js";
import { postgresBin, startPostgres, type TestPostgres } from "./helpers/postgres.js";
import { readConfig } from "../src/io/read-config.js";
import { loadProfiles } from "../src/io/read-inputs.js";
import { loadSegmentFiles } from "../src/io/segment-files.js";
import { PhoneTypes } from "../src/model/phone-type.js";
import { RejectLog } from "../src/model/rejects.js";
import { prepareRun } from "../src/segments/prepare-run.js";
import { stagePeople, stageUntextablePhones, type PeopleFile } from "../src/sql/stage-people.js";
import { createStageRejectStatements, replayStaged } from "../src/sql/stage-rejects.js";
import { stageConsentWarnings } from "../src/sql/stage-consent.js";
import { buildProfileTables } from "../src/sql/profiles-sql.js";
import { TABLES } from "../src/sql/tables.js";
import { createStagingStatements, STAGING, STAGING_LAYOUT } from "../src/sql/staging.js";
import { profileGetters, propertyNames } from "./helpers/duckdb-tables.js";
import { writeHostilePeople } from "./helpers/hostile-people.js";
import { writeHostileShop } from "./helpers/hostile-shop.js";
import {
  captureStaging,
  recordCalls,
  untextablePhones,
  type StagedValue,
} from "./helpers/staging-capture.js";

const ROOT = resolve(import.meta.dirname, "..");
const FIXTURES = readdirSync(join(ROOT, "fixtures")).filter((name) =>
  existsSync(join(ROOT, "fixtures", name, "audience.yaml")),
);
const PEOPLE = new Set(["contacts", "events", "lists"]);
const CONSENT_FIELDS = ["email_consent", "sms_consent", "whatsapp_consent"];

const plain = (v: unknown): unknown => (typeof v === "bigint" ? Number(v) : (v ?? null));

/** Rows in place order: by file, seq, then the rest as JSON (values of one row keep their pos). */
function sorted(rows: readonly (readonly unknown[])[]): unknown[][] {
  return rows
    .map((r) => r.map(plain))
    .sort(
      (a, b) =>
        Number(a[0]) - Number(b[0]) ||
        Number(a[1]) - Number(b[1]) ||
        (JSON.stringify(a) < JSON.stringify(b)
          ? -1
          : JSON.stringify(a) > JSON.stringify(b)
            ? 1
            : 0),
    );
}

interface Checked {
  staged: boolean;
  reason?: string;
  rows: number;
  calls: number;
  /** `file:line` of the memory engine's consent disagreement warnings. */
  disagreements?: string[];
}

const DISAGREE = "duplicate contact rows disagree on consent; kept no";

let metadata: ConstructorParameters<typeof PhoneTypes>[0] | undefined;

/**
 * A raw table of DuckDB copied into PostgreSQL (`line`, then the text cells), for the staging to
 * run there on the same rows.
 */
async function copyRaw(
  from: SqlSession,
  to: SqlSession,
  table: string,
  width: number,
): Promise<void> {
  const cells = Array.from({ length: width }, (_, i) => `c${i}`);
  await to.run(
    `CREATE TABLE "${table}" (line integer NOT NULL${cells.map((c) => `, "${c}" text`).join("")})`,
  );
  const rows = await from.rows(
    `SELECT line${cells.map((c) => `, "${c}"`).join("")} FROM "${table}" ORDER BY line`,
  );
  const names = ["line", ...cells];
  for (let start = 0; start < rows.length; start += 200) {
    const params: SqlParam[] = [];
    const tuples = rows.slice(start, start + 200).map(
      (row) =>
        `(${names
          .map((n) => {
            const v = row[n];
            params.push(typeof v === "bigint" ? Number(v) : ((v ?? null) as SqlParam));
            return `$${params.length}`;
          })
          .join(", ")})`,
    );
    await to.run(`INSERT INTO "${table}" VALUES ${tuples.join(", ")}`, params);
  }
}

let schemas = 0;

/** `postgres`: stage in PostgreSQL at that URL (in a schema of its own), not in DuckDB. */
async function checkShop(dir: string, postgres?: string, consents = false): Promise<Checked> {
  const source = await readConfig(join(dir, "audience.yaml"), dir);
  const settings = resolveSettings(source, {}, dir);
  const asOf = settings.asOf ?? (parseIsoDay("2026-06-30") as number);
  const loaded = await loadSegmentFiles(
    settings.segments.map((s) => s.path),
    dir,
  );
  const run = prepareRun(loaded.definitions, settings, asOf);
  const names = propertyNames(run.plan);
  const { result, calls } = await recordCalls(() =>
    captureStaging(() => loadProfiles({ settings, asOf, needs: run.needs }), names),
  );
  const { staged } = result;
  const data = result.result;
  const displays = new Set(data.inputs.filter((i) => PEOPLE.has(i.kind)).map((i) => i.display));
  const want = calls.filter((c) => displays.has(c[1] as string));

  const db = await openDuckDb({ threads: 1 });
  const duck = await duckDbSession(db.connection, () => db.close());
  const session = postgres === undefined ? duck : await openPostgresSession(postgres);
  try {
    if (postgres !== undefined) {
      const schema = `stage_${process.pid}_${++schemas}`;
      await session.run(`CREATE SCHEMA ${schema}`);
      await session.run(`SET search_path TO ${schema}`);
    }
    for (const sql of createStagingStatements(session.dialect)) await session.run(sql);
    for (const sql of createStageRejectStatements(session.dialect)) await session.run(sql);
    const files: PeopleFile[] = [];
    const perKind = new Map<string, number>();
    for (const [i, input] of data.inputs.entries()) {
      if (!PEOPLE.has(input.kind)) continue;
      const file = perKind.get(input.kind) ?? 0;
      perKind.set(input.kind, file + 1);
      const raw = await loadCsvInput(db.connection, {
        path: input.path,
        display: input.display,
        table: `raw_${i}`,
        ...(settings.delimiter === undefined ? {} : { delimiter: settings.delimiter }),
      });
      if (postgres !== undefined) await copyRaw(duck, session, raw.table, raw.width);
      files.push({
        kind: input.kind as PeopleFile["kind"],
        file,
        display: input.display,
        table: raw.table,
        width: raw.width,
        header: raw.header,
      });
    }
    const outcome = await stagePeople(session, files, {
      ingest: ingestOptions(settings, asOf, run.needs),
      eventProperties: names,
    });
    if (!outcome.staged) return { staged: false, reason: outcome.reason, rows: 0, calls: 0 };
    let rows = 0;
    for (const { table, columns } of STAGING_LAYOUT) {
      if (table === STAGING.orders || table === STAGING.untextablePhones) continue;
      const got = await session.rows(
        `SELECT ${columns.map((c) => `"${c.name}"`).join(", ")} FROM "${table}"`,
      );
      const mine = sorted(got.map((r) => columns.map((c) => r[c.name])));
      const theirs = sorted(staged.get(table) ?? []);
      expect({ table, rows: mine }).toEqual({ table, rows: theirs });
      rows += mine.length;
    }
    // The orders' staging from the memory engine (for the identity and the phones).
    const orders = staged.get(STAGING.orders) ?? [];
    const layout = STAGING_LAYOUT.find((t) => t.table === STAGING.orders);
    for (const row of orders) {
      await session.run(
        `INSERT INTO "${STAGING.orders}" VALUES (${row.map((_, i) => `$${i + 1}`).join(", ")})`,
        row as StagedValue[],
      );
    }
    expect(layout).toBeDefined();
    // The profile build keeps each contact row's customer: the consent warnings, then the replay.
    await buildProfileTables(
      session.dialect,
      { run: (sql) => session.run(sql), query: (sql) => session.rows(sql) },
      {
        asOf,
        fields: CONSENT_FIELDS,
        rfm: settings.rfm,
        ...(settings.currency === undefined ? {} : { currency: settings.currency }),
        ...(settings.exchangeRates === undefined ? {} : { exchangeRates: settings.exchangeRates }),
      },
    );
    await stageConsentWarnings(session);
    // The consents of the profiles are the memory engine's (not yet for a cell like `'yes`: the
    // staged value reads it cleaned, as yes; the memory engine as an unrecognised word, no).
    const getters = profileGetters(data.profiles, CONSENT_FIELDS);
    const shown = getters.map((g) => g.spec.name);
    const rowsOf = await session.rows(
      `SELECT ${shown.map((f) => `"${f}"`).join(", ")} FROM "${TABLES.profiles}" ORDER BY "customer"`,
    );
    const theirConsents = Array.from({ length: data.profiles.size }, (_, c) =>
      getters.map(({ get }) => plain(get(c))),
    );
    if (consents) expect(rowsOf.map((r) => shown.map((f) => plain(r[f])))).toEqual(theirConsents);
    // The replayed calls.
    const replayed = await recordCalls(() => replayStaged(session, new RejectLog(), files));
    // The RejectLog keeps rejects and warnings apart: each keeps its own order.
    for (const what of ["reject", "warn"])
      expect(replayed.calls.filter((c) => c[0] === what)).toEqual(
        want.filter((c) => c[0] === what),
      );
    metadata ??= (await import("libphonenumber-js/max/metadata")).default;
    const types = new PhoneTypes(metadata);
    await stageUntextablePhones(session, (p) => types.canText(p));
    const customerPhones = new Set<string>();
    for (let c = 0; c < data.profiles.store.size; c++) {
      const p = data.profiles.store.phone[c];
      if (p !== undefined) customerPhones.add(p);
    }
    const untextable = (await session.rows(`SELECT phone FROM "${STAGING.untextablePhones}"`))
      .map((r) => r.phone as string)
      .filter((p) => customerPhones.has(p))
      .sort();
    // The memory engine marks phones only on runs that send texts; its set is then the same.
    const theirs = untextablePhones(data.profiles).map((r) => r[0]);
    if (theirs.length > 0) expect(untextable).toEqual(theirs);
    const disagreements = want
      .filter((c) => c[0] === "warn" && c[3] === DISAGREE)
      .map((c) => `${String(c[1])}:${String(c[2])}`);
    return { staged: true, rows, calls: want.length, disagreements };
  } finally {
    if (session !== duck) await session.close();
    await duck.close();
  }
}

async function inTemp(
  write: (dir: string) => Promise<void>,
  postgres?: string,
  consents = false,
): Promise<Checked> {
  const dir = await mkdtemp(join(tmpdir(), "audience-stagepeople-"));
  try {
    await write(dir);
    return await checkShop(dir, postgres, consents);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("SQL staging of contacts, events and lists = memory engine (DuckDB)", () => {
  it.each(FIXTURES)("fixtures/%s", async (name) => {
    const checked = await checkShop(join(ROOT, "fixtures", name));
    expect(checked, name).toMatchObject({ staged: true });
  });

  it.each(Array.from({ length: 40 }, (_, i) => 500 + i))("hostile shop seed %i", async (seed) => {
    const checked = await inTemp((dir) => writeHostileShop(dir, seed, join(ROOT, "segments")));
    expect(checked).toMatchObject({ staged: true });
    expect(checked.rows).toBeGreaterThan(0);
  });

  it.each(Array.from({ length: 60 }, (_, i) => 700 + i))("hostile cells seed %i", async (seed) => {
    const checked = await inTemp((dir) => writeHostilePeople(dir, seed));
    expect(checked).toMatchObject({ staged: true });
    expect(checked.calls).toBeGreaterThan(0);
  });

  it.each(Array.from({ length: 12 }, (_, i) => 1000 + i))("demo shop seed %i", async (seed) => {
    const checked = await inTemp((dir) =>
      writeDemoShop(dir, {
        seed,
        contacts: 80 + (seed % 5) * 40,
        segments: join(ROOT, "segments"),
      }),
    );
    expect(checked).toMatchObject({ staged: true });
    expect(checked.rows).toBeGreaterThan(0);
  });
});

/** A shop of contacts files `contacts_1.csv`, `contacts_2.csv`… and one order. */
async function consentShop(files: readonly string[], postgres?: string): Promise<Checked> {
  return inTemp(
    async (dir) => {
      for (const [i, text] of files.entries())
        await writeFile(join(dir, `contacts_${i + 1}.csv`), text);
      await writeFile(
        join(dir, "orders.csv"),
        "order_id,email,created_at,total\n1,z@b.co,2026-01-01,1\n",
      );
      await writeFile(
        join(dir, "audience.yaml"),
        ['contacts: "contacts_*.csv"', "orders: orders.csv", "as_of: 2026-06-30", ""].join("\n"),
      );
    },
    postgres,
    true,
  );
}

const CONSENT_HEADER =
  "customer_id,email,phone,created_at,email_consent,sms_consent,whatsapp_consent";

/** Contacts files and the `file:line` of the disagreement warnings the memory engine raises. */
const CONSENT_CASES: [string, string[], string[]][] = [
  ["by id", [`${CONSENT_HEADER}\nc1,a@b.co,,,yes,,\nc1,other@b.co,,,no,,\n`], ["contacts_1.csv:3"]],
  ["by email", [`${CONSENT_HEADER}\n,a@b.co,,,,yes,\n,a@b.co,,,,no,\n`], ["contacts_1.csv:3"]],
  [
    "by phone",
    [`${CONSENT_HEADER}\n,,+33612345678,,,,yes\n,,+33612345678,,,,no\n`],
    ["contacts_1.csv:3"],
  ],
  // The email's customer keeps its first id: a row with another id and that email is not it.
  [
    "through an email, to the customer of its first id",
    [`${CONSENT_HEADER}\nc1,a@b.co,,,no,,\n,a@b.co,,,yes,,\nc2,a@b.co,,,yes,,\n`],
    ["contacts_1.csv:3"],
  ],
  [
    "across two contacts files (once per file)",
    [
      `${CONSENT_HEADER}\nc1,a@b.co,,,yes,,\nc1,,,,no,,\n`,
      `${CONSENT_HEADER}\nc1,,,,no,,\nc1,,,,yes,,\nc1,,,,yes,,\n`,
    ],
    ["contacts_1.csv:3", "contacts_2.csv:3"],
  ],
  [
    "a second file disagreeing with the first",
    [`${CONSENT_HEADER}\nc1,,,,yes,yes,\n`, `${CONSENT_HEADER}\nc2,,,,no,,\nc1,,,,yes,no,\n`],
    ["contacts_2.csv:3"],
  ],
  [
    "on the third row only",
    [`${CONSENT_HEADER}\n,a@b.co,,,yes,,\n,a@b.co,,,yes,,\n,a@b.co,,,no,,\n`],
    ["contacts_1.csv:4"],
  ],
  [
    "an unrecognised word and a disagreement in one row",
    [
      `${CONSENT_HEADER}\nc1,,,,yes,,yes\nc1,,,,maybe,perhaps,\nc2,,,,yes,yes,\nc2,,,,,maybe,no\nc3,,,,,,yes\nc3,,,,,,what\n`,
    ],
    ["contacts_1.csv:3", "contacts_1.csv:5", "contacts_1.csv:7"],
  ],
  [
    "a row dated after as_of does not count",
    [`${CONSENT_HEADER}\nc1,,,2026-01-01,yes,,\nc1,,,2026-12-01,no,,\nc1,,,,yes,,\n`],
    [],
  ],
  [
    "several disagreements of one customer: one warning",
    [`${CONSENT_HEADER}\nc1,,,,yes,no,yes\nc1,,,,no,yes,no\nc1,,,,yes,no,yes\nc1,,,,no,no,no\n`],
    ["contacts_1.csv:3"],
  ],
  [
    "a no first: every later yes disagrees, warned once",
    [`${CONSENT_HEADER}\nc1,,,,no,,\nc1,,,,no,,\nc1,,,,yes,,\nc2,,,,yes,,\nc2,,,,,yes,\n`],
    ["contacts_1.csv:4"],
  ],
  [
    "agreeing rows and empty cells",
    [`${CONSENT_HEADER}\nc1,,,,yes,,\nc1,,,,,no,\nc1,,,, YES ,no,\nc1,,,,true,,\n`],
    [],
  ],
];

describe("the consent disagreement warning, staged after identity = memory engine (DuckDB)", () => {
  it.each(CONSENT_CASES)("%s", async (_, files, expected) => {
    const checked = await consentShop(files);
    expect(checked).toMatchObject({ staged: true, disagreements: expected });
  });
});

const server = postgresBin();

describe.skipIf("missing" in server)(
  "the consent disagreement warning, staged after identity = memory engine (PostgreSQL)",
  () => {
    let pgServer: TestPostgres;
    beforeAll(async () => {
      pgServer = await startPostgres();
    }, 60_000);
    afterAll(async () => {
      await pgServer.stop();
    });

    it.each(CONSENT_CASES)("%s", async (_, files, expected) => {
      const checked = await consentShop(files, pgServer.url);
      expect(checked).toMatchObject({ staged: true, disagreements: expected });
    });

    // Shops whose contact rows sharing a key disagree on a consent (they took the TypeScript path).
    it.each(["people", "demo"])("fixtures/%s", async (name) => {
      const checked = await checkShop(join(ROOT, "fixtures", name), pgServer.url);
      expect(checked).toMatchObject({ staged: true });
    });
  },
);

/** Stages a contacts file and an events file written in a temporary folder; the outcome. */
async function stageOnly(
  contacts: string,
  events: string,
  config: Partial<{ dateOrder: "dmy"; columns: Record<string, unknown> }> = {},
) {
  const dir = await mkdtemp(join(tmpdir(), "audience-stagepeople-"));
  const db = await openDuckDb({ threads: 1 });
  const session = await duckDbSession(db.connection, () => db.close());
  try {
    await writeFile(join(dir, "contacts.csv"), contacts);
    await writeFile(join(dir, "events.csv"), events);
    await writeFile(
      join(dir, "orders.csv"),
      "order_id,email,created_at,total\n1,a@b.co,2026-01-01,1\n",
    );
    await writeFile(
      join(dir, "audience.yaml"),
      [
        "contacts: contacts.csv",
        "orders: orders.csv",
        "events: events.csv",
        "as_of: 2026-06-30",
        ...(config.dateOrder === undefined ? [] : [`date_order: ${config.dateOrder}`]),
        ...(config.columns === undefined ? [] : [`columns: ${JSON.stringify(config.columns)}`]),
        "",
      ].join("\n"),
    );
    const settings = resolveSettings(await readConfig(join(dir, "audience.yaml"), dir), {}, dir);
    const asOf = settings.asOf as number;
    const run = prepareRun([], settings, asOf);
    for (const sql of createStagingStatements(session.dialect)) await session.run(sql);
    for (const sql of createStageRejectStatements(session.dialect)) await session.run(sql);
    const files: PeopleFile[] = [];
    for (const kind of ["contacts", "events"] as const) {
      const path = join(dir, `${kind}.csv`);
      const raw = await loadCsvInput(db.connection, { path, display: `${kind}.csv`, table: kind });
      files.push({
        kind,
        file: 0,
        display: `${kind}.csv`,
        table: kind,
        width: raw.width,
        header: raw.header,
      });
    }
    const outcome = await stagePeople(session, files, {
      ingest: ingestOptions(settings, asOf, run.needs),
      eventProperties: [],
    });
    const [written] = await session.rows(
      `SELECT (SELECT COUNT(*) FROM "${STAGING.contacts}") + (SELECT COUNT(*) FROM "${STAGING.events}") + (SELECT COUNT(*) FROM stage_warnings) + (SELECT COUNT(*) FROM stage_rejects) AS n`,
    );
    return { outcome, written: Number(written?.n) };
  } finally {
    await session.close();
    await rm(dir, { recursive: true, force: true });
  }
}

describe("what the SQL staging leaves to the TypeScript path", () => {
  const events = "email,type,occurred_at\na@b.co,click,2026-01-01\n";

  it("a day/month date without date_order (the memory engine stops there)", async () => {
    const contacts = "email,created_at\na@b.co,2026-01-01\nb@b.co,05/01/2026\n";
    expect(await stageOnly(contacts, events)).toEqual({
      outcome: {
        staged: false,
        reason: "contacts.csv:3: a date in ambiguous day/month order stops the memory engine",
      },
      written: 0,
    });
    const ambiguousEvent = "email,type,occurred_at\na@b.co,click,03/04/2026\n";
    expect((await stageOnly("email\na@b.co\n", ambiguousEvent)).outcome).toEqual({
      staged: false,
      reason: "events.csv:2: a date in ambiguous day/month order stops the memory engine",
    });
    // With date_order, the same files are staged.
    expect((await stageOnly(contacts, ambiguousEvent, { dateOrder: "dmy" })).outcome).toEqual({
      staged: true,
    });
  });

  it("a detail cut inside characters beyond the BMP", async () => {
    const consent = `email,email_consent\na@b.co,${"🙂".repeat(20)}\n`;
    expect((await stageOnly(consent, events)).outcome).toEqual({
      staged: false,
      reason: "contacts.csv:2: a detail holds characters beyond the BMP",
    });
    // Rejected rows' cells are never cut: a row without a key is staged as usual.
    expect((await stageOnly(`email,email_consent\n,${"🙂".repeat(20)}\n`, events)).outcome).toEqual(
      { staged: true },
    );
  });
});
