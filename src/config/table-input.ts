/**
 * Inputs read from a database (docs/design.md#table-inputs): `orders: { table: shop.orders, order_by: id }` or
 * `orders: { query: "SELECT …" }` in audience.yaml, checked here; src/io/read-tables.ts reads them.
 */
import type { ErrorCode } from "../codes.js";
import type { Place } from "../source-file.js";

/** Where a table input is written in audience.yaml (a `SourceLocation` gives it). */
export type InputAt = Pick<Place, "file" | "line" | "column">;

export interface TableName {
  schema?: string;
  name: string;
}

export interface TableSource {
  /** `{ table: NAME }`: the table or view, spelt exactly as written (never folded to lower case). */
  table?: TableName;
  /** `{ query: "SELECT …" }`: its result is the input's rows. */
  query?: string;
  /** `order_by:` of a table: the columns its rows are read in order of. */
  orderBy?: string[];
  /** The input's key in audience.yaml: where problems with the table are reported. */
  at: InputAt;
}

/** `orders` or `shop.orders` → its parts; anything else (`a.b.c`, `shop.`) is not a table name. */
export function parseTableName(text: string): TableName | undefined {
  const parts = text.trim().split(".");
  if (parts.length > 2 || parts.some((p) => p === "" || p.trim() !== p)) return undefined;
  return parts.length === 2 ? { schema: parts[0], name: parts[1] } : { name: parts[0] };
}

/** The name as written in messages: `shop.orders`. */
export function tableLabel(name: TableName): string {
  return name.schema === undefined ? name.name : `${name.schema}.${name.name}`;
}

/** How a table input is named in messages and the summary: `table shop.orders`, `query (orders)`. */
export function tableDisplay(kind: string, source: TableSource): string {
  return source.table === undefined ? `query (${kind})` : `table ${tableLabel(source.table)}`;
}

/** The problems of a `{ table | query, order_by }` value (empty when it is well-formed). */
export function tableInputProblems(
  kind: string,
  given: { table?: string; query?: string; order_by?: string | string[] },
): { key?: "table" | "query" | "order_by"; code: ErrorCode; message: string; hint?: string }[] {
  const problems: ReturnType<typeof tableInputProblems> = [];
  if (given.table !== undefined && given.query !== undefined)
    problems.push({
      key: "query",
      code: "TABLE_AND_QUERY",
      message: `${kind}: give table: or query:, not both`,
    });
  else if (given.table === undefined && given.query === undefined)
    problems.push({
      code: "NO_TABLE",
      message: `${kind} needs table: NAME or query: "SELECT …"`,
      hint: `e.g.  ${kind}: { table: shop.${kind} }`,
    });
  if (given.table !== undefined && parseTableName(given.table) === undefined)
    problems.push({
      key: "table",
      code: "BAD_TABLE_NAME",
      message: `${kind}.table "${given.table.slice(0, 80)}" is not a table name: write name or schema.name`,
    });
  if (given.order_by !== undefined && given.table === undefined)
    problems.push({
      key: "order_by",
      code: "ORDER_BY_WITH_QUERY",
      message: `${kind}.order_by orders a table: a query orders its own rows`,
      hint: "end the query with ORDER BY instead",
    });
  return problems;
}
