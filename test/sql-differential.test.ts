/**
 * The compiled segment SQL (src/sql) against the memory engine, on every fixture shop with a
 * config: the memory engine reads the shop and evaluates the plan; the same rows it counted fill
 * the tables of tables.ts in an in-memory DuckDB; the compiled statement must give each segment
 * exactly the memory engine's members, reachable members and --exclusive assignment — in DuckDB,
 * and in a throwaway PostgreSQL server with the postgres dialect.
 */
import { readdirSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveSettings } from "../src/config/settings.js";
import { readConfig } from "../src/io/read-config.js";
import { loadSegmentFiles } from "../src/io/segment-files.js";
import { compareEngines, readShop } from "./helpers/duckdb-tables.js";
import { postgresBin, startPostgres, type TestPostgres } from "./helpers/postgres.js";
import { postgresTarget } from "./helpers/postgres-tables.js";

const ROOT = resolve(import.meta.dirname, "..");
const FIXTURES = readdirSync(join(ROOT, "fixtures")).filter((name) =>
  existsSync(join(ROOT, "fixtures", name, "audience.yaml")),
);

/** A fixture shop read by the memory engine, with the rows it counted, and its plan. */
async function fixtureShop(name: string) {
  const dir = join(ROOT, "fixtures", name);
  const source = await readConfig(join(dir, "audience.yaml"), dir);
  const settings = resolveSettings(source, {}, dir);
  const asOf = settings.asOf as number;
  const loaded = await loadSegmentFiles(
    settings.segments.map((s) => s.path),
    dir,
  );
  return readShop(loaded.definitions, settings, asOf);
}

describe("compiled segment SQL = memory engine, on every fixture shop", () => {
  it.each(FIXTURES)("fixtures/%s", async (name) => {
    const { plan, profiles, rows } = await fixtureShop(name);
    const compared = await compareEngines(plan, profiles, rows);
    expect(compared).toBe(plan.segments.length * 3);
  });
});

const server = postgresBin();

describe.skipIf("missing" in server)(
  `compiled segment SQL (postgres dialect) in a real PostgreSQL = memory engine, on every fixture shop${"missing" in server ? ` — skipped: ${server.missing}` : ""}`,
  () => {
    let pgServer: TestPostgres;
    beforeAll(async () => {
      pgServer = await startPostgres();
    }, 120_000);
    afterAll(async () => {
      await pgServer?.stop();
    });

    it.each(FIXTURES)("fixtures/%s", async (name) => {
      const { plan, profiles, rows } = await fixtureShop(name);
      const compared = await compareEngines(plan, profiles, rows, postgresTarget(pgServer.url));
      expect(compared).toBe(plan.segments.length * 3);
    });
  },
);
