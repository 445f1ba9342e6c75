/**
 * Binds the header of one input file to the canonical columns: the preset's sources, replaced by
 * the user's `columns:` mapping where given. A missing required column stops the run before any
 * row is read, naming the file, the column and the headers found.
 */
import {
  CANONICAL_COLUMNS,
  headerKey,
  REQUIRED_COLUMNS,
  type ColumnMap,
  type ColumnSource,
  type InputKind,
  type Preset,
} from "./presets.js";
import { UserError } from "../errors.js";
import { suggest } from "../suggest.js";
import { headersFound, mayBePersonal } from "./rejects.js";
import { snakeCase } from "./values.js";

export interface BoundSource {
  index: number;
  header: string;
  /** A constant used when the cell is non-empty (`Cancelled at` → "cancelled"). */
  value?: string;
  /** Only this part of a full name (`Billing Name`). */
  part?: "first" | "last";
}

export interface ColumnBinding {
  canonical: string;
  sources: BoundSource[];
}

export interface ExtraColumn {
  /** Property name: the header in snake_case (or the name given in `columns:`). */
  name: string;
  index: number;
  header: string;
}

export interface BoundHeader {
  kind: InputKind;
  file: string;
  header: string[];
  bindings: Map<string, ColumnBinding>;
  /** Columns that are not canonical: custom contact properties, or event properties. */
  extras: ExtraColumn[];
  warnings: string[];
}

const WHAT: Record<string, string> = {
  customer_id: "the customer id",
  email: "the email address",
  phone: "the phone number",
  created_at: "the order date",
  type: "the event type",
  occurred_at: "the event date",
  list: "the list name",
  from: "the per-order customer key",
  to: "the person's key",
  order_id: "the order id",
  price: "the line's price",
};

const HINTS: Record<string, RegExp> = {
  customer_id: /customer|client|user|member/i,
  email: /mail/i,
  phone: /phone|tel|mobile|whatsapp/i,
  created_at: /date|time|created|placed/i,
  occurred_at: /date|time|occurred|created/i,
  type: /type|event|kind|name/i,
  list: /list|segment|audience/i,
  from: /customer|client|buyer/i,
  to: /unique|person|people|individual|member/i,
  order_id: /order/i,
  price: /price|amount|value|total/i,
};

/** Which header best stands for a canonical column, for a "did you mean" in an error. */
function guessHeader(canonical: string, header: string[]): string | undefined {
  // A "header" that may be an email or a phone (a file without its header line) is never named.
  const names = header.filter((h) => !mayBePersonal(h));
  const close = suggest(canonical, names);
  if (close !== undefined) return close;
  const hint = HINTS[canonical];
  return hint === undefined ? undefined : names.find((h) => hint.test(h));
}

function sourcesOf(value: ColumnSource | readonly ColumnSource[]): readonly ColumnSource[] {
  return Array.isArray(value) ? value : [value as ColumnSource];
}

function boundSource(source: ColumnSource, index: number, header: string): BoundSource {
  if (typeof source === "string") return { index, header };
  if ("part" in source) return { index, header, part: source.part };
  return { index, header, value: source.value };
}

export function bindHeader(
  kind: InputKind,
  file: string,
  header: string[],
  preset: Preset,
  overrides: ColumnMap | undefined,
): BoundHeader {
  const warnings: string[] = [];
  const keyed = new Map<string, number>();
  const exact = new Map<string, number>();
  header.forEach((h, index) => {
    const key = headerKey(h);
    if (!exact.has(h)) exact.set(h, index);
    if (key === "") return;
    if (keyed.has(key)) {
      warnings.push(`${file}: the header "${h}" appears more than once; the first one is used`);
      return;
    }
    keyed.set(key, index);
  });
  // A header the user names in `columns:` is looked up as spelled first; preset names by key only,
  // so that of two headers with one key the first is used, as the warning says.
  const find = (name: string): number | undefined => keyed.get(headerKey(name));
  const findNamed = (name: string): number | undefined => exact.get(name) ?? find(name);

  const bindings = new Map<string, ColumnBinding>();
  const used = new Set<number>();
  const presetMap = preset.columns[kind];
  const canonical = CANONICAL_COLUMNS[kind];

  for (const [name, value] of Object.entries(overrides ?? {})) {
    const sources: BoundSource[] = [];
    for (const source of sourcesOf(value)) {
      const wanted = typeof source === "string" ? source : source.header;
      const index = findNamed(wanted);
      if (index === undefined) {
        const close = suggest(
          wanted,
          header.filter((h) => !mayBePersonal(h)),
        );
        throw new UserError(
          "MAPPED_COLUMN_MISSING",
          `columns.${kind}.${name} names the header "${wanted}", which ${file} does not have${
            close === undefined ? "" : ` (did you mean "${close}"?)`
          }`,
          { hint: headersFound(header) },
        );
      }
      sources.push(boundSource(source, index, header[index]));
      used.add(index);
    }
    bindings.set(name, { canonical: name, sources });
  }

  for (const name of canonical) {
    if (bindings.has(name)) continue;
    const sources: BoundSource[] = [];
    for (const source of presetMap[name] ?? []) {
      const wanted = typeof source === "string" ? source : source.header;
      const index = find(wanted);
      // A full-name header may serve both name parts; any other header serves one column.
      const shared = typeof source !== "string" && "part" in source;
      if (index === undefined || (used.has(index) && !shared)) continue;
      sources.push(boundSource(source, index, header[index]));
      used.add(index);
      // Synonyms are alternatives for one column: the first header present is the column.
      if (preset.name === "generic") break;
    }
    if (sources.length > 0) bindings.set(name, { canonical: name, sources });
  }

  for (const group of REQUIRED_COLUMNS[kind]) {
    if (group.some((name) => bindings.has(name))) continue;
    const names = group.join(" or ");
    const what = group.length === 1 ? ` (${WHAT[group[0]] ?? group[0]})` : "";
    const guess =
      guessHeader(group[0], header) ??
      group
        .slice(1)
        .map((g) => guessHeader(g, header))
        .find((g) => g);
    throw new UserError(
      "MISSING_COLUMN",
      `${file} has no column for ${names}${what}${guess === undefined ? "" : ` (did you mean "${guess}"?)`}`,
      {
        hint:
          `${headersFound(header)}\n` +
          `  map one in audience.yaml, e.g.  columns: { ${kind}: { ${group[0]}: "${guess ?? "Your Header"}" } }`,
      },
    );
  }

  const extras: ExtraColumn[] = [];
  const names = new Set<string>();
  header.forEach((h, index) => {
    if (used.has(index)) return;
    let name = snakeCase(h);
    if (name === "") return;
    if (names.has(name)) name = `${name}_${index + 1}`;
    names.add(name);
    extras.push({ name, index, header: h });
  });
  return { kind, file, header, bindings, extras, warnings };
}

/** Reads a canonical column from a row: the first non-empty source (or its constant). */
export type CellReader = (fields: readonly string[]) => string | undefined;

export function cellReader(binding: ColumnBinding | undefined): CellReader {
  if (binding === undefined) return () => undefined;
  const sources = binding.sources;
  if (sources.length === 1 && sources[0].value === undefined && sources[0].part === undefined) {
    const index = sources[0].index;
    return (fields) => {
      const cell = fields[index];
      return cell === undefined || cell === "" ? undefined : cell;
    };
  }
  return (fields) => {
    for (const source of sources) {
      const cell = fields[source.index];
      if (cell === undefined || cell.trim() === "") continue;
      if (source.part === undefined) return source.value ?? cell;
      const part = namePart(cell, source.part);
      if (part !== undefined) return part;
    }
    return undefined;
  };
}

/**
 * A part of a full name as shops join them, first name then last name: the first word is the
 * first name, the rest the last name ("Ana María Soto" → "Ana", "María Soto"). A "name" with no
 * letter (a phone number typed in the name field) is no name.
 */
export function namePart(full: string, part: "first" | "last"): string | undefined {
  const words = full.trim().split(/\s+/);
  if (!/\p{L}/u.test(full)) return undefined;
  if (part === "first") return words[0];
  return words.length > 1 ? words.slice(1).join(" ") : undefined;
}
