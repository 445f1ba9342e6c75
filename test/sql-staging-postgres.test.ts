/**
 * The SQL staging of table inputs in the server (src/io/pg-stage-tables.ts) against the TypeScript
 * path, on a real throwaway PostgreSQL server (test/helpers/postgres.ts): every fixture shop with a
 * config and seeded demo shops, loaded as text tables and as typed tables
 * (test/helpers/pg-shop-tables.ts), are read once by `loadProfiles` — TableSession rows through the
 * memory engine's sinks into the production staging source — and once staged in the server. The
 * staging tables must hold the same rows; the rejects and warnings replayed from the server's
 * tables must be the sinks' own calls (order, file, line, reason, detail, raw fields), and the
 * orders' FileStats the same — or the staging must say why the run takes the TypeScript path and
 * leave the staging tables empty.
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIsoDay } from "../src/calendar.js";
import { ingestOptions } from "../src/config/ingest-options.js";
import { resolveSettings, type Settings } from "../src/config/settings.js";
import { openPostgresWork } from "../src/io/pg-work.js";
import { loadRawTables, stageTableInputs, type TableInput } from "../src/io/pg-stage-tables.js";
import { tableDisplay, type TableSource } from "../src/config/table-input.js";
import { UserError } from "../src/errors.js";
import { IngestContext, type IngestOptions } from "../src/model/ingest-context.js";
import { PRESETS, type InputKind } from "../src/model/presets.js";
import type { DecimalMark } from "../src/model/values.js";
import { sinkFor } from "../src/model/input-sinks.js";
import { readConfig } from "../src/io/read-config.js";
import { loadProfiles } from "../src/io/read-inputs.js";
import { TableSession } from "../src/io/read-tables.js";
import { loadSegmentFiles } from "../src/io/segment-files.js";
import { READ_ORDER } from "../src/model/input-sinks.js";
import { RejectLog } from "../src/model/rejects.js";
import { prepareRun } from "../src/segments/prepare-run.js";
import { replayStaged } from "../src/sql/stage-rejects.js";
import { stageConsentWarnings } from "../src/sql/stage-consent.js";
import { buildProfileTables } from "../src/sql/profiles-sql.js";
import { createStagingStatements, STAGING, STAGING_LAYOUT } from "../src/sql/staging.js";
import { writeDemoShop } from "./helpers/demo-shop.js";
import { propertyNames } from "./helpers/duckdb-tables.js";
import {
  createCastsFunction,
  loadShopTables,
  shopConfig,
  type ShopTables,
} from "./helpers/pg-shop-tables.js";
import { postgresBin, startPostgres, type TestPostgres } from "./helpers/postgres.js";
import { captureStaging, recordCalls } from "./helpers/staging-capture.js";
import { writeHostilePeople } from "./helpers/hostile-people.js";
import { writeHostileShop } from "./helpers/hostile-shop.js";

const ROOT = resolve(import.meta.dirname, "..");
/** Fixture shops read from files in the repository (cdnow reads the shared data folder). */
const FIXTURES = readdirSync(join(ROOT, "fixtures")).filter(
  (name) => name !== "cdnow" && existsSync(join(ROOT, "fixtures", name, "audience.yaml")),
);
const DEMO_SEEDS = [1000, 1001, 1002, 1003, 1005, 1006];
const HOSTILE_SHOPS = Array.from({ length: 8 }, (_, i) => 500 + i);
const HOSTILE_CELLS = Array.from({ length: 40 }, (_, i) => 700 + i);
/** The profile fields whose build keeps each contact row's customer (stage-consent.ts). */
const CONSENT_FIELDS = ["email_consent", "sms_consent", "whatsapp_consent"];
/** What the staging may leave to the TypeScript path on generated shops, and why. */
const FALLBACKS = [
  "a row of an order with other buyer identifiers than its first row (order_id already used by another customer?)",
];
/** Order-level rejects: the profile builder's to decide, not the staging's. */
const ORDER_LEVEL = new Set([
  "order without a date (created_at empty on all its rows)",
  "negative order amount",
]);

function failure(error: unknown): { code: string; message: string; hint: string | undefined } {
  if (error instanceof UserError)
    return { code: error.code, message: error.message, hint: error.hint };
  throw error;
}

const plain = (v: unknown): unknown =>
  typeof v === "bigint" ? Number(v) : Object.is(v, -0) ? 0 : (v ?? null);

function sorted(rows: readonly (readonly unknown[])[]): unknown[][] {
  const json = (r: unknown[]) => JSON.stringify(r);
  return rows
    .map((r) => r.map(plain))
    .sort(
      (a, b) =>
        Number(a[0]) - Number(b[0]) ||
        Number(a[1]) - Number(b[1]) ||
        (json(a) < json(b) ? -1 : json(a) > json(b) ? 1 : 0),
    );
}

const server = postgresBin();

interface Checked {
  staged: boolean;
  reason?: string;
  rows: number;
  calls: number;
}

describe.skipIf("missing" in server)(
  "SQL staging of table inputs in PostgreSQL = TypeScript path",
  () => {
    let pgServer: TestPostgres;
    let admin: pg.Client;
    let work: string;
    const env = (): Record<string, string> => ({ AUDIENCE_TEST_DATABASE: pgServer.url });

    beforeAll(async () => {
      pgServer = await startPostgres();
      work = await mkdtemp(join(tmpdir(), "audience-pgstage-"));
      admin = new pg.Client({ connectionString: pgServer.url });
      await admin.connect();
      await createCastsFunction(admin);
    }, 300_000);

    afterAll(async () => {
      await admin?.end();
      await pgServer?.stop();
      if (work !== undefined) await rm(work, { recursive: true, force: true });
    });

    async function settingsOf(file: string, dir: string): Promise<Settings> {
      const settings = resolveSettings(await readConfig(file, dir), {}, dir);
      // --rejects: the TypeScript path hands the sinks every cell (no projection), as the raw tables do.
      return { ...settings, rejects: { path: join(dir, "rejects.csv"), display: "rejects.csv" } };
    }

    async function check(file: string): Promise<Checked> {
      const dir = work;
      const settings = await settingsOf(file, dir);
      const asOf = settings.asOf ?? (parseIsoDay("2026-06-30") as number);
      const loaded = await loadSegmentFiles(
        settings.segments.map((s) => s.path),
        dir,
      );
      const run = prepareRun(loaded.definitions, settings, asOf);
      const names = propertyNames(run.plan);
      const { result, calls } = await recordCalls(() =>
        captureStaging(
          (staging) => loadProfiles({ settings, asOf, needs: run.needs, env: env(), staging }),
          names,
        ),
      );
      const data = result.result;
      const displays = new Map(data.inputs.map((i) => [i.display, i.kind]));
      const want = calls.filter((c) => {
        const kind = displays.get(c[1] as string);
        if (kind === undefined) return false;
        if (kind !== "orders") return true;
        return c[0] === "reject" && !ORDER_LEVEL.has(c[3] as string);
      });

      const target = { url: pgServer.url, shown: "test" };
      const tables = await TableSession.open(target);
      const pgWork = await openPostgresWork(target);
      const s = pgWork.session;
      try {
        for (const sql of createStagingStatements(s.dialect)) await s.run(sql);
        const inputs: TableInput[] = READ_ORDER.flatMap((kind) => {
          const table = settings.tables[kind];
          return table === undefined ? [] : [{ kind, table }];
        });
        const outcome = await stageTableInputs(pgWork, tables, inputs, {
          ingest: ingestOptions(settings, asOf, run.needs),
          eventProperties: names,
          ordersFilter: run.needs.ordersFilter,
          strict: settings.strict,
        });
        if (!outcome.staged) {
          for (const { table } of STAGING_LAYOUT) {
            const [n] = await s.rows(`SELECT count(*) AS n FROM "${table}"`);
            expect({ table, rows: Number(n?.n) }).toEqual({ table, rows: 0 });
          }
          return { staged: false, reason: outcome.needsTypeScript, rows: 0, calls: 0 };
        }
        let rows = 0;
        for (const { table, columns } of STAGING_LAYOUT) {
          if (table === STAGING.untextablePhones) continue;
          const got = await s.rows(
            `SELECT ${columns.map((c) => `"${c.name}"`).join(", ")} FROM "${table}"`,
          );
          const mine = sorted(got.map((r) => columns.map((c) => r[c.name])));
          const theirs = sorted(result.staged.get(table) ?? []);
          expect({ table, rows: mine }).toEqual({ table, rows: theirs });
          rows += mine.length;
        }
        // The profile build keeps each contact row's customer: the consent warnings, then the
        // replay (as SqlRun.evaluateInDatabase does).
        await buildProfileTables(
          s.dialect,
          { run: (sql) => s.run(sql), query: (sql) => s.rows(sql) },
          {
            asOf,
            fields: CONSENT_FIELDS,
            rfm: settings.rfm,
            ...(settings.currency === undefined ? {} : { currency: settings.currency }),
            ...(settings.exchangeRates === undefined
              ? {}
              : { exchangeRates: settings.exchangeRates }),
          },
        );
        await stageConsentWarnings(s);
        const replayed = await recordCalls(() => replayStaged(s, new RejectLog(), outcome.files));
        for (const what of ["reject", "warn"])
          expect(replayed.calls.filter((c) => c[0] === what)).toEqual(
            want.filter((c) => c[0] === what),
          );
        // The inputs' rows, and the orders' FileStats as the sink counts them.
        expect(outcome.inputs.map((i) => [i.kind, i.display, i.rows])).toEqual(
          data.inputs.map((i) => [i.kind, i.display, i.read.rows]),
        );
        const stats = (list: typeof outcome.ordersStats) =>
          list.map((x) => [x.file, x.rows, x.preset, x.detected, x.hasAmount, x.warnings]);
        expect(stats(outcome.ordersStats)).toEqual(
          stats(data.inputs.filter((i) => i.kind === "orders").map((i) => i.stats)),
        );
        return { staged: true, rows, calls: want.length };
      } finally {
        await pgWork.close();
        await tables.close();
      }
    }

    const loadedShops = new Map<string, ShopTables>();
    async function shop(key: string, dir: string): Promise<ShopTables> {
      let found = loadedShops.get(key);
      if (found === undefined) {
        found = await loadShopTables(admin, dir, key.replace(/[^a-z0-9]/g, "_"));
        loadedShops.set(key, found);
      }
      return found;
    }

    /** A generated shop (written once into a folder of its own), loaded once. */
    async function generated(
      key: string,
      write: (dir: string) => Promise<void>,
    ): Promise<ShopTables> {
      const dir = join(work, key);
      if (!loadedShops.has(key)) {
        await mkdir(dir, { recursive: true });
        await write(dir);
      }
      return shop(key, dir);
    }

    describe.each(["text", "typed"] as const)("%s tables", (variant) => {
      it.each(FIXTURES)("fixtures/%s", async (name) => {
        const tables = await shop(`fx_${name}`, join(ROOT, "fixtures", name));
        const checked = await check(await shopConfig(tables, variant, work));
        // build, demo and people hold duplicate contact rows that disagree on consent: staged
        // too, the warnings added after the profile build (stage-consent.ts).
        expect(checked, name).toMatchObject({ staged: true });
        if (variant === "typed" && name === "demo")
          expect(Object.keys(tables.types).sort()).toEqual(
            expect.arrayContaining(["bigint", "numeric", "text"]),
          );
      });

      it.each(DEMO_SEEDS)("demo shop seed %i", async (seed) => {
        const tables = await generated(`demo_${seed}`, (dir) =>
          writeDemoShop(dir, {
            seed,
            contacts: 80 + (seed % 5) * 40,
            segments: join(ROOT, "segments"),
          }),
        );
        const checked = await check(await shopConfig(tables, variant, work));
        expect(checked).toMatchObject({ staged: true });
        expect(checked.rows).toBeGreaterThan(0);
      });

      const hostile = async (seed: number) => {
        const tables = await generated(`hostile_${seed}`, (dir) =>
          writeHostileShop(dir, seed, join(ROOT, "segments")),
        );
        const checked = await check(await shopConfig(tables, variant, work));
        if (!checked.staged) expect(FALLBACKS).toContain(checked.reason);
      };
      it.each(HOSTILE_SHOPS)("hostile identity shop seed %i", hostile);

      it.each(HOSTILE_CELLS)("hostile cells seed %i", async (seed) => {
        const tables = await generated(`cells_${seed}`, (dir) => writeHostilePeople(dir, seed));
        const checked = await check(await shopConfig(tables, variant, work));
        if (!checked.staged) expect(FALLBACKS).toContain(checked.reason);
      });
    });

    describe("raw tables: the rows and cells TableSession.read hands the sinks", () => {
      beforeAll(async () => {
        await admin.query(`CREATE SCHEMA rt;
          CREATE TABLE rt.cells (id integer PRIMARY KEY, email text, c char(4), i inet, f float8,
            r real, m money, n numeric(12, 3), b boolean, d date, ts timestamp, tz timestamptz,
            arr text[], j jsonb, iv interval, by bytea, u uuid, big bigint, sm smallint);
          INSERT INTO rt.cells VALUES
            (1, 'a@b.co', 'ab', '192.168.1.5', 0.1, 1.1, 12.5, -1234.5, true, '2024-05-01',
             '2024-05-01 23:59:59.25', '2024-05-01 22:20:30.5+02', '{"x,y",NULL}', '{"k": [1]}',
             '1 day 02:00:00', '\\x01ff', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 9007199254740993, -3),
            (2, '', NULL, NULL, 'NaN', '-Infinity', NULL, 'NaN', false, '0044-03-15 BC',
             'infinity', '-infinity', '{}', 'null', NULL, '', NULL, NULL, NULL),
            (3, E'line\nbreak 😀 ünï', 'abcd', '::1', 1e300, NULL, -0.5, 0, NULL, NULL,
             '1969-12-31 00:00:00', '1900-01-01 00:00:00+00', NULL, NULL, '-1 mons', NULL, NULL, 0, 0);
          CREATE TABLE rt.loose (email text, n integer);
          INSERT INTO rt.loose VALUES ('x@y.co', 2), ('z@y.co', 1), (NULL, NULL);`);
      });

      const at = { file: "audience.yaml", line: 3, column: 1 };
      const sources: [string, TableSource][] = [
        ["a table by its primary key", { table: { schema: "rt", name: "cells" }, at }],
        [
          "a table by order_by",
          { table: { schema: "rt", name: "cells" }, orderBy: ["n", "id"], at },
        ],
        ["a table without a key", { table: { schema: "rt", name: "loose" }, at }],
        [
          "a query: duplicate names, a trailing comment",
          {
            query: "SELECT id, email, c AS x, i AS x, tz FROM rt.cells ORDER BY id DESC -- all",
            at,
          },
        ],
      ];

      function ingest(decimal: DecimalMark): IngestOptions {
        return {
          asOf: parseIsoDay("2026-06-30") as number,
          timezone: "UTC",
          decimal,
          preset: PRESETS.generic,
          detectPreset: true,
          columns: {},
          aggregates: [],
          props: [],
          products: false,
          categories: false,
        };
      }

      /** The input read by TableSession.read (header, then line and fields of each row), or its error. */
      async function tsRead(kind: InputKind, source: TableSource, decimal: DecimalMark) {
        const tables = await TableSession.open({ url: pgServer.url, shown: "test" });
        const rows: unknown[][] = [];
        try {
          const ctx = new IngestContext(ingest(decimal), new RejectLog());
          const sink = sinkFor(ctx, kind, tableDisplay(kind, source), undefined);
          const header: string[][] = [];
          await tables.read(
            kind,
            source,
            tableDisplay(kind, source),
            {
              header: (fields) => {
                header.push(fields);
                sink.header(fields);
              },
              row: (fields, line) => rows.push([line, ...fields]),
            },
            { decimal, project: false },
          );
          return { header: header[0], rows };
        } catch (error) {
          return { error: failure(error) };
        } finally {
          await tables.close();
        }
      }

      async function sqlRead(kind: InputKind, source: TableSource, decimal: DecimalMark) {
        const target = { url: pgServer.url, shown: "test" };
        const tables = await TableSession.open(target);
        const pgWork = await openPostgresWork(target);
        try {
          const { files, inputs } = await loadRawTables(pgWork, tables, [{ kind, table: source }], {
            ingest: ingest(decimal),
            ordersFilter: undefined,
          });
          const [file] = files;
          const cells = Array.from({ length: file.width }, (_, c) => `c${c}`);
          const rows = (await pgWork.session.rows(`SELECT * FROM ${file.table} ORDER BY line`)).map(
            (r) => [Number(r.line), ...cells.map((c) => r[c])],
          );
          expect(inputs[0].rows).toBe(rows.length);
          return { header: file.header, rows };
        } catch (error) {
          return { error: failure(error) };
        } finally {
          await pgWork.close();
          await tables.close();
        }
      }

      it.each(
        sources.flatMap(([name, source]) =>
          (["auto", ","] as const).map((decimal) => [name, decimal, source] as const),
        ),
      )("%s (decimal %s)", async (_name, decimal, source) => {
        const want = await tsRead("contacts", source, decimal);
        expect(want.rows?.length).toBeGreaterThan(0);
        expect(await sqlRead("contacts", source, decimal)).toEqual(want);
      });

      const failing: [string, InputKind, TableSource][] = [
        ["a missing table", "orders", { table: { name: "nope" }, at }],
        [
          "a missing order_by column",
          "orders",
          { table: { schema: "rt", name: "cells" }, orderBy: ["idd"], at },
        ],
        ["a syntax error", "orders", { query: "SELEC 1", at }],
        ["a missing column in a query", "orders", { query: "SELECT nope FROM rt.cells", at }],
        [
          "an error while reading",
          "contacts",
          { query: "SELECT email, 1 / (id - 2) AS x FROM rt.cells ORDER BY id", at },
        ],
        ["a header the sink refuses", "orders", { query: "SELECT 1 AS foo", at }],
        [
          "a statement timeout",
          "contacts",
          { query: "SELECT email FROM rt.cells, pg_sleep(0.3) AS s ORDER BY id", at },
        ],
      ];

      it.each(failing)("%s: the same error", async (_name, kind, source) => {
        const timeout = _name === "a statement timeout";
        if (timeout) await admin.query("ALTER ROLE audience SET statement_timeout = 200");
        try {
          const want = await tsRead(kind, source, "auto");
          expect(want.error?.code).toMatch(/^[A-Z_]+$/);
          expect(await sqlRead(kind, source, "auto")).toEqual(want);
        } finally {
          if (timeout) await admin.query("ALTER ROLE audience RESET statement_timeout");
        }
      });
    });
  },
);
