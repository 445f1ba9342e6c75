/**
 * Test helper: the tables of `src/sql/tables.ts` in a real PostgreSQL server (test/helpers/
 * postgres.ts), filled with the same rows as the DuckDB helper (`profileGetters`, the captured
 * orders, lines and events), each load in a schema of its own.
 */
import pg from "pg";
import type { Value } from "../../src/dsl/evaluator.js";
import { dialectFor } from "../../src/sql/dialect.js";
import { createTableStatements, TABLES } from "../../src/sql/tables.js";
import { membersBySegment, profileGetters, type SqlTarget } from "./duckdb-tables.js";

const BATCH = 500;
const DATE_OID = 1082;

/** INSERTs `rows` into `table`, BATCH rows a statement, as parameters (never spliced in). */
async function insert(client: pg.Client, table: string, rows: readonly unknown[][]): Promise<void> {
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const params: unknown[] = [];
    const tuples = batch.map((row) => {
      const marks = row.map((value) => {
        params.push(value);
        return `$${params.length}`;
      });
      return `(${marks.join(", ")})`;
    });
    await client.query(`INSERT INTO "${table}" VALUES ${tuples.join(", ")}`, params);
  }
}

function pgValue(value: Value | undefined): unknown {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map((v) => String(v));
  return value;
}

/** A PostgreSQL target for `compareEngines`: `url` is the server (trust authentication). */
export function postgresTarget(url: string): SqlTarget {
  let loads = 0;
  return {
    dialect: "postgres",
    async load(profiles, fields, rows) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const schema = `shop_${++loads}`;
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`SET search_path TO ${schema}`);
      for (const sql of createTableStatements(dialectFor("postgres"), fields))
        await client.query(sql);
      const columns = profileGetters(profiles, fields);
      const profileRows: unknown[][] = [];
      for (let c = 0; c < profiles.size; c++)
        profileRows.push(columns.map(({ get }) => pgValue(get(c))));
      await insert(client, TABLES.profiles, profileRows);
      await insert(
        client,
        TABLES.orders,
        rows.orders.map((o) => [o.orderKey, o.customer, o.day, o.channel, o.amount]),
      );
      await insert(
        client,
        TABLES.orderLines,
        rows.lines.map((l) => [l.orderKey, l.product, l.sku, l.category, l.amount]),
      );
      await insert(
        client,
        TABLES.events,
        rows.events.map((e) => [e.eventKey, e.customer, e.type, e.day]),
      );
      await insert(
        client,
        TABLES.eventProperties,
        rows.properties.map((p) => [p.eventKey, p.name, p.text, p.number, p.flag]),
      );
      return {
        async run(sql) {
          const result = await client.query<{ segment: string; customer: number }>(sql);
          return membersBySegment(result.rows);
        },
        async query(sql) {
          // DATE as its text: pg's default parser makes a Date at local midnight.
          const types = {
            getTypeParser: (oid: number, format?: "text" | "binary") =>
              oid === DATE_OID ? (value: string) => value : pg.types.getTypeParser(oid, format),
          };
          const result = await client.query<Record<string, unknown>>({ text: sql, types });
          return result.rows;
        },
        async close() {
          await client.query(`DROP SCHEMA ${schema} CASCADE`);
          await client.end();
        },
      };
    },
  };
}
