/**
 * PostgreSQL values as the cells of a CSV row. Rows come back from the server as text (every type
 * parser of `pg` is bypassed), in a session set to `TimeZone UTC` and `DateStyle ISO`; a typed
 * column's text is rewritten into the canonical text that the CSV path parses to the same value,
 * so a table and its CSV export give the same profiles:
 *
 * - timestamptz `2024-05-01 08:20:30.5+00` → `2024-05-01T08:20:30.5Z` (an instant: its day is
 *   taken in `timezone`, as for a CSV timestamp with an offset);
 * - timestamp `2024-05-01 10:20:30` → `2024-05-01T10:20:30` (the shop's local time, as written);
 * - date `2024-05-01` as it is; integer types as they are;
 * - numeric `1234.50` as it is, or `1234,50` under `decimal: ","` (read with that mark);
 * - boolean `t` / `f` → `true` / `false`; NULL → an empty cell.
 *
 * Any other type (text, varchar, uuid, json…) is its text, parsed with the §1 rules as a CSV cell.
 */
import type { DecimalMark } from "../model/values.js";

/** Type OIDs of the built-in types read as typed (pg_type.oid, fixed in every server). */
export const PG_TYPES = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
} as const;

export type CellConverter = (value: string | null) => string;

const asIs: CellConverter = (value) => value ?? "";

/** `YYYY-MM-DD HH:MM:SS[.f]` + `+00` (a UTC session) → ISO 8601 with `Z`. */
const TIMESTAMPTZ = /^(\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)\+00$/;
const TIMESTAMP = /^(\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/;

/** The converter of a column of type `oid`; `decimal` is the run's decimal mark. */
export function cellConverter(oid: number, decimal: DecimalMark): CellConverter {
  switch (oid) {
    case PG_TYPES.bool:
      return (value) => (value === null ? "" : value === "t" ? "true" : "false");
    case PG_TYPES.timestamptz:
      return (value) => {
        if (value === null) return "";
        const m = TIMESTAMPTZ.exec(value);
        // `infinity` and BC dates stay as they are: rejected as the CSV path rejects them.
        return m === null ? value : `${m[1]}T${m[2]}Z`;
      };
    case PG_TYPES.timestamp:
      return (value) => {
        if (value === null) return "";
        const m = TIMESTAMP.exec(value);
        return m === null ? value : `${m[1]}T${m[2]}`;
      };
    case PG_TYPES.numeric:
      return decimal === "," ? (value) => (value === null ? "" : value.replace(".", ",")) : asIs;
    default:
      return asIs;
  }
}

/**
 * SQL twin of `cellConverter`: the SQL of the cell `cellConverter(oid, decimal)` makes of the
 * value `value` (a column of type `oid`), computed in the server. `format('%s', …)` is the type's
 * output function, the text the server sends `read` (so the session must have `read`'s TimeZone
 * UTC and DateStyle ISO); NULL is ''. The patterns are those of the TypeScript converters.
 */
export function cellTextSql(oid: number, decimal: DecimalMark, value: string): string {
  const text = `format('%s', ${value})`;
  switch (oid) {
    case PG_TYPES.bool:
      return `CASE WHEN ${value} IS NULL THEN '' WHEN ${value} THEN 'true' ELSE 'false' END`;
    case PG_TYPES.timestamptz:
      return `regexp_replace(${text}, '^([0-9]{4,}-[0-9]{2}-[0-9]{2}) ([0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?)\\+00$', '\\1T\\2Z')`;
    case PG_TYPES.timestamp:
      return `regexp_replace(${text}, '^([0-9]{4,}-[0-9]{2}-[0-9]{2}) ([0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?)$', '\\1T\\2')`;
    case PG_TYPES.numeric:
      // String.replace with a string: the first `.` only.
      return decimal === "," ? `regexp_replace(${text}, '\\.', ',')` : text;
    default:
      return text;
  }
}
