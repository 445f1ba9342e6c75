/**
 * Test helper: a shop's CSV inputs (a folder with an audience.yaml) loaded into a PostgreSQL
 * server twice, cells exactly as audience reads them from the files: as text tables
 * (`<schema>_text.<kind>`, a `_row` primary key then the header's columns, read as
 * `{ table: … }`), and as typed tables (`<schema>_typed.<kind>`: each column whose every value is
 * a clean integer, decimal, boolean, date, timestamp or timestamp with a zone gets that type; read
 * as `{ query: "SELECT <header> … ORDER BY _row" }`). `shopConfig` writes the shop's config with
 * its inputs so replaced. Of a name pattern, the first file is loaded; inputs given as lists of
 * files are left out.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type pg from "pg";
import { parse, stringify } from "yaml";
import { readCsv } from "../../src/io/csv-threads.js";
import { expandPatterns } from "../../src/io/read-inputs.js";

export const TABLE_KINDS = ["contacts", "orders", "events", "lists"] as const;
type Kind = (typeof TABLE_KINDS)[number];

const ROWS_PER_INSERT = 200;

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Types given to a column when every non-empty value is written this way (and casts). */
const TYPED: { type: string; pattern: string }[] = [
  { type: "bigint", pattern: "^-?[1-9][0-9]{0,17}$|^0$" },
  { type: "numeric", pattern: "^-?(0|[1-9][0-9]*)\\.[0-9]+$" },
  { type: "boolean", pattern: "^(true|false)$" },
  { type: "date", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" },
  {
    type: "timestamptz",
    pattern:
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})? ?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$",
  },
  { type: "timestamp", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}$" },
];

/** Creates `public.casts(value, type)`, whether a text casts to a type (once per server). */
export async function createCastsFunction(client: pg.Client): Promise<void> {
  await client.query(`CREATE OR REPLACE FUNCTION public.casts(value text, type text) RETURNS boolean
    LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('SELECT %L::%s', value, type); RETURN true;
    EXCEPTION WHEN others THEN RETURN false; END $$`);
}

export interface ShopTables {
  dir: string;
  schema: string;
  /** Kind → the columns of its CSV header. */
  headers: Partial<Record<Kind, string[]>>;
  /** Types given to columns of the typed tables (type → count). */
  types: Record<string, number>;
}

async function csvCells(path: string): Promise<{ header: string[]; rows: string[][] }> {
  let header: string[] = [];
  const rows: string[][] = [];
  await readCsv(
    { path, display: path },
    {
      header: (fields) => {
        header = fields;
      },
      row: (fields) => {
        rows.push(fields.slice(0, header.length));
      },
    },
  );
  return { header, rows };
}

async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  return parse(await readFile(file, "utf8")) as Record<string, unknown>;
}

/** Loads the inputs of `dir`/audience.yaml into the schemas `<schema>_text` and `<schema>_typed`. */
export async function loadShopTables(
  client: pg.Client,
  dir: string,
  schema: string,
): Promise<ShopTables> {
  const config = await readConfigFile(join(dir, "audience.yaml"));
  const text = `${schema}_text`;
  const typed = `${schema}_typed`;
  await client.query(`CREATE SCHEMA ${text}; CREATE SCHEMA ${typed}`);
  const shop: ShopTables = { dir, schema, headers: {}, types: {} };
  for (const kind of TABLE_KINDS) {
    const file = config[kind];
    if (typeof file !== "string") continue;
    // A name pattern (`contacts_*.csv`): its first file.
    const [first] = await expandPatterns(kind, [{ path: resolve(dir, file), display: file }]);
    const { header, rows } = await csvCells(first.path);
    shop.headers[kind] = header;
    const columns = header.map((h) => `${q(h)} text`).join(", ");
    await client.query(`CREATE TABLE ${text}.${kind} (_row integer PRIMARY KEY, ${columns})`);
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      const params: unknown[] = [];
      const tuples = rows.slice(start, start + ROWS_PER_INSERT).map((row, i) => {
        params.push(start + i + 1);
        const marks = [`$${params.length}`];
        for (let c = 0; c < header.length; c++) {
          params.push(row[c] ?? "");
          marks.push(`$${params.length}`);
        }
        return `(${marks.join(", ")})`;
      });
      await client.query(`INSERT INTO ${text}.${kind} VALUES ${tuples.join(", ")}`, params);
    }
    const casts: string[] = [];
    for (const h of header) {
      let chosen = "text";
      for (const { type, pattern } of TYPED) {
        const fits = await client.query<{ ok: boolean }>(
          `SELECT count(*) FILTER (WHERE ${q(h)} <> '') > 0
             AND bool_and(${q(h)} = '' OR (${q(h)} ~ $1 AND public.casts(${q(h)}, $2))) AS ok
           FROM ${text}.${kind}`,
          [pattern, type],
        );
        if (fits.rows[0].ok) {
          chosen = type;
          break;
        }
      }
      shop.types[chosen] = (shop.types[chosen] ?? 0) + 1;
      casts.push(chosen === "text" ? q(h) : `NULLIF(${q(h)}, '')::${chosen} AS ${q(h)}`);
    }
    await client.query(
      `CREATE TABLE ${typed}.${kind} AS SELECT _row, ${casts.join(", ")} FROM ${text}.${kind}`,
    );
  }
  return shop;
}

/**
 * Writes `into`/`<variant>.yaml`: the shop's config with its inputs as the text tables or as
 * queries on the typed tables, `database: env:AUDIENCE_TEST_DATABASE`, segment paths absolute.
 */
export async function shopConfig(
  shop: ShopTables,
  variant: "text" | "typed",
  into: string,
): Promise<string> {
  const config = await readConfigFile(join(shop.dir, "audience.yaml"));
  const schema = `${shop.schema}_${variant}`;
  for (const kind of ["contacts", "orders", "events", "lists", "key_map", "order_lines"]) {
    const header = shop.headers[kind as Kind];
    if (header === undefined) {
      delete config[kind];
      continue;
    }
    config[kind] =
      variant === "text"
        ? { table: `${schema}.${kind}` }
        : { query: `SELECT ${header.map(q).join(", ")} FROM ${schema}.${kind} ORDER BY _row` };
  }
  const segments = config.segments;
  if (segments !== undefined)
    config.segments = (Array.isArray(segments) ? segments : [segments]).map((s) =>
      resolve(shop.dir, String(s)),
    );
  config.database = "env:AUDIENCE_TEST_DATABASE";
  const file = join(into, `${variant}.yaml`);
  await writeFile(file, stringify(config));
  return file;
}
