/**
 * One segment file's text → its segment definitions and every problem found in it, in phases
 * (STYLE habit 4): YAML syntax → aliases → schema → defaults merged → expressions, columns and
 * guards checked. Cross-file rules (duplicate ids, references, cycles) are `graph.ts`'s.
 *
 * Pure: the caller reads the file. Positions are offsets until they become diagnostics.
 */
import { isMap, isNode, isScalar, isSeq, visit, type Node, type Pair, type YAMLMap } from "yaml";
import { PROFILE_ENV, PROFILE_FIELDS } from "../dsl/env.js";
import { checkExpression } from "../dsl/index.js";
import type { Diagnostic } from "../errors.js";
import { SourceLocation, type SourceFile } from "../source-file.js";
import { didYouMean } from "../suggest.js";
import { expressionSpans } from "../yaml/expression-spans.js";
import {
  diagnosticAt,
  diagnosticAtRange,
  locationOf,
  nodeRange,
  parseYamlSource,
} from "../yaml/positions.js";
import { validateNode, type NodeValidation } from "../yaml/schema.js";
import { syntaxDiagnostics } from "../yaml/syntax-errors.js";
import {
  SEGMENT_ID_PATTERN,
  type Channel,
  type DeclaredSegment,
  type SegmentDefinition,
  type SegmentGuard,
} from "./definition.js";
import { OUTPUT_PROFILES } from "./output-profiles.js";
import {
  PROPS_COLUMN_PATTERN,
  SEGMENT_ENTRY_SCHEMA,
  SEGMENT_FILE_SCHEMA,
  type SegmentDefaults,
  type SegmentEntry,
} from "./segment-schema.js";

export interface SegmentFileInput {
  /** The name diagnostics use (relative to the working directory, with `/`). */
  file: string;
  text: string;
}

export interface ParsedSegmentFile {
  /** The segments whose definition is complete and free of errors, in order of appearance. */
  definitions: SegmentDefinition[];
  /** Every segment id with a valid key, broken or not, for the segment graph. */
  declared: DeclaredSegment[];
  diagnostics: Diagnostic[];
}

/** `max_change` above this is surely a typo (1000% = eleven times the previous count). */
const MAX_CHANGE_LIMIT_PERCENT = 1000;

const ID_REGEXP = new RegExp(SEGMENT_ID_PATTERN);
const ID_HINT =
  "an id is lowercase letters, digits, - and _ (at most 64, starting with a letter or digit), e.g. win-back: it names the output file";
const PROPS_REGEXP = new RegExp(PROPS_COLUMN_PATTERN);

/** What a segment inherits from `defaults:`, with the nodes for positions. */
interface Defaults {
  value: SegmentDefaults;
  node: YAMLMap | undefined;
}

/**
 * Parses one segment file. `orderOffset` is the number of segments in the files before this one,
 * so that `order` counts across all files.
 */
export function parseSegmentFile(input: SegmentFileInput, orderOffset = 0): ParsedSegmentFile {
  const { source, doc } = parseYamlSource(input.file, input.text);
  const diagnostics: Diagnostic[] = [];
  const result: ParsedSegmentFile = { definitions: [], declared: [], diagnostics };

  if (doc.errors.length > 0) {
    diagnostics.push(
      ...syntaxDiagnostics(source, doc.errors, { onePerLine: true, expressionKey: "where" }),
    );
    return result;
  }
  for (const warning of doc.warnings) {
    const [start, end] = warning.pos;
    diagnostics.push(
      diagnosticAtRange(source, start, end, "YAML_WARNING", warning.message, undefined, "warning"),
    );
  }
  const root = doc.contents;
  if (root === null) {
    diagnostics.push(
      diagnosticAtRange(
        source,
        0,
        0,
        "EMPTY_FILE",
        "this file defines no segments",
        undefined,
        "warning",
      ),
    );
    return result;
  }

  // Aliases are refused before anything walks the tree: expanding them (a "billion laughs"
  // document) would take exponential time and memory.
  const aliases: Node[] = [];
  visit(doc, {
    Alias(_key, node) {
      aliases.push(node);
    },
  });
  if (aliases.length > 0) {
    const count = aliases.length === 1 ? "" : ` (${aliases.length} aliases in this file)`;
    diagnostics.push(
      diagnosticAt(
        source,
        aliases[0],
        "YAML_ALIAS",
        `YAML aliases are not allowed in segment files${count}`,
        "write the value out, or use defaults: for values shared by the segments of a file",
      ),
    );
    return result;
  }

  // Each segment entry is checked with its own schema; its result says which problems are its.
  const entries = new Map<unknown, NodeValidation<SegmentEntry>>();
  const validation = validateNode(source, root, SEGMENT_FILE_SCHEMA, {
    each: { schema: SEGMENT_ENTRY_SCHEMA, seen: (node, entry) => entries.set(node, entry) },
  });
  for (const d of validation.diagnostics) {
    // Segment ids are the only keys with a pattern: say it in words.
    diagnostics.push(d.code === "BAD_KEY" && d.hint === undefined ? { ...d, hint: ID_HINT } : d);
  }
  const segmentsNode = isMap(root) ? mapGet(root, "segments") : undefined;
  const defaultsNode = isMap(root) ? mapGet(root, "defaults") : undefined;
  const defaults: Defaults = {
    value: validation.value?.defaults ?? {},
    node: isMap(defaultsNode) ? defaultsNode : undefined,
  };

  // A segment id given twice in this file is reported by the segment graph, like one given in
  // two files, with the place of the first; the file's validation skipped the repeat.
  const defined = new Set<string>();
  for (const pair of isMap(segmentsNode) ? segmentsNode.items : []) {
    const id = keyText(pair);
    if (id === undefined || !ID_REGEXP.test(id)) continue;
    let entry = defined.has(id) ? undefined : entries.get(pair.value);
    if (entry === undefined) {
      entry = validateNode(source, pair.value, SEGMENT_ENTRY_SCHEMA, { path: `segments.${id}` });
      diagnostics.push(...entry.diagnostics);
    }
    defined.add(id);
    const segment = readSegment(source, {
      id,
      pair,
      value: entry.value,
      defaults,
      order: orderOffset + result.declared.length,
      valid: !entry.diagnostics.some((d) => d.severity === "error"),
    });
    diagnostics.push(...segment.diagnostics);
    result.declared.push(segment.declared);
    if (segment.definition !== undefined) result.definitions.push(segment.definition);
  }
  return result;
}

interface SegmentInput {
  id: string;
  pair: Pair;
  /** The schema-checked value (invalid parts left out), or undefined when it is not a mapping. */
  value: SegmentEntry | undefined;
  defaults: Defaults;
  order: number;
  /** False when the schema found errors in this segment. */
  valid: boolean;
}

interface SegmentOutput {
  declared: DeclaredSegment;
  definition?: SegmentDefinition;
  diagnostics: Diagnostic[];
}

function readSegment(source: SourceFile, input: SegmentInput): SegmentOutput {
  const { id, pair, defaults } = input;
  const diagnostics: Diagnostic[] = [];
  const location = locationOf(source, pair.key);
  const declared: DeclaredSegment = {
    id,
    file: source.file,
    order: input.order,
    location,
    references: [],
  };
  const output: SegmentOutput = { declared, diagnostics };
  const value = input.value;
  const node = isMap(pair.value) ? pair.value : undefined;
  if (value === undefined || node === undefined) return output;
  let valid = input.valid;

  // where: checked against the customer profile; its positions mapped into the file.
  const whereNode = mapGet(node, "where");
  let checked: ReturnType<typeof checkExpression> | undefined;
  let whereText = "";
  if (isScalar(whereNode) && value.where !== undefined) {
    const [start, end] = nodeRange(whereNode);
    whereText =
      typeof whereNode.value === "string" ? whereNode.value : (source.text ?? "").slice(start, end);
    checked = checkExpression(whereText, PROFILE_ENV, { expect: "boolean" });
    const spans = expressionSpans(source, whereNode, whereText);
    for (const d of checked.diagnostics) diagnostics.push(spans.diagnostic(d));
    for (const ref of checked.segmentRefs) {
      const range = spans.toFile(ref.span);
      declared.references.push({
        id: ref.id,
        via: "in_segment",
        location: new SourceLocation(source, range.start, range.end),
      });
    }
    if (!checked.ok) valid = false;
  } else {
    valid = false;
  }

  // exclude: the segment's own list, else the default one — except for the segments it names.
  const defaultExclude = defaults.value.exclude ?? [];
  let exclude: string[] = [];
  let excludeNode: Node | undefined;
  if (value.exclude !== undefined) {
    exclude = value.exclude;
    excludeNode = mapGet(node, "exclude");
  } else if (!defaultExclude.includes(id)) {
    exclude = defaultExclude;
    excludeNode = defaults.node === undefined ? undefined : mapGet(defaults.node, "exclude");
  }
  const excludeItems = isSeq(excludeNode) ? excludeNode.items : [];
  exclude = uniqueEntries(source, exclude, excludeItems, "exclude", diagnostics);
  for (const ref of exclude) {
    const item = excludeItems.find((n) => isScalar(n) && n.value === ref);
    declared.references.push({
      id: ref,
      via: "exclude",
      location: locationOf(source, item ?? excludeNode ?? pair.key),
    });
  }

  // columns: profile fields or props.NAME.
  let columns = value.columns ?? defaults.value.columns ?? [];
  const columnsNode =
    value.columns !== undefined
      ? mapGet(node, "columns")
      : defaults.node === undefined
        ? undefined
        : mapGet(defaults.node, "columns");
  const columnItems = isSeq(columnsNode) ? columnsNode.items : [];
  columns = uniqueEntries(source, columns, columnItems, "columns", diagnostics);
  for (const column of columns) {
    if (PROFILE_FIELDS.has(column) || PROPS_REGEXP.test(column)) continue;
    const item = columnItems.find((n) => isScalar(n) && n.value === column);
    diagnostics.push(unknownColumn(source, item ?? columnsNode ?? pair.key, column));
    valid = false;
  }

  // Google Ads and Meta take their own columns only: an upload with others is refused.
  const format = value.format ?? defaults.value.format;
  if (columns.length > 0 && format !== undefined && FIXED_COLUMNS.has(format)) {
    diagnostics.push(
      diagnosticAt(
        source,
        columnsNode ?? pair.key,
        "COLUMNS_NOT_ACCEPTED",
        `format ${format} takes only its own columns (${OUTPUT_PROFILES[format].header.join(", ")}); ${format === "meta" ? "Meta" : "Google Ads"} refuses a file with others`,
        "remove `columns:` from this segment, or write it in another format (generic, klaviyo…)",
      ),
    );
    valid = false;
  }

  // An identifier column of the other channel is written only with that channel's consent.
  const channel = value.channel ?? defaults.value.channel ?? "email";
  const consent = value.consent ?? defaults.value.consent ?? "required";
  for (const column of columns) {
    const other = otherChannelIdentifier(column, channel);
    if (other === undefined || consent === "ignore") continue;
    const item = columnItems.find((n) => isScalar(n) && n.value === column);
    diagnostics.push(
      diagnosticAt(
        source,
        item ?? columnsNode ?? pair.key,
        "IDENTIFIER_COLUMN",
        `columns: ${column} in a ${channel} segment is written only for members who agreed to ${other}`,
        `a ${channel} segment reaches people by ${channel === "email" ? "email" : "phone"}: drop the column, or use channel: any`,
        "warning",
      ),
    );
  }

  // guard: keys merged over the defaults; min ≤ max; max_change within 0–1000%.
  const guard = readGuard(source, node, defaults, diagnostics);
  if (guard === undefined) valid = false;

  if (!valid || checked?.checked === undefined || guard === undefined) return output;
  const definition: SegmentDefinition = {
    ...declared,
    name: value.name ?? id,
    ...(value.description === undefined ? {} : { description: value.description }),
    whereText,
    where: checked.checked,
    exclude,
    channel,
    consent,
    columns,
    ...(value.priority === undefined ? {} : { priority: value.priority }),
    guard,
    ...(format === undefined ? {} : { format }),
  };
  output.definition = definition;
  return output;
}

function readGuard(
  source: SourceFile,
  segmentNode: YAMLMap,
  defaults: Defaults,
  diagnostics: Diagnostic[],
): SegmentGuard | undefined {
  const own = mapGet(segmentNode, "guard");
  const inherited = defaults.node === undefined ? undefined : mapGet(defaults.node, "guard");
  // Each key comes from the segment's guard when it has it, else from the default guard.
  const pick = (key: string): Node | undefined => {
    const fromOwn = isMap(own) ? mapGet(own, key) : undefined;
    if (fromOwn !== undefined) return fromOwn;
    return isMap(inherited) ? mapGet(inherited, key) : undefined;
  };
  const number = (n: Node | undefined) =>
    isScalar(n) && typeof n.value === "number" && Number.isInteger(n.value) && n.value >= 0
      ? n.value
      : undefined;

  const guard: SegmentGuard = {};
  let ok = true;
  const minNode = pick("min");
  const maxNode = pick("max");
  const min = number(minNode);
  const max = number(maxNode);
  if (min !== undefined) guard.min = min;
  if (max !== undefined) guard.max = max;
  if (min !== undefined && max !== undefined && min > max) {
    diagnostics.push(
      diagnosticAt(
        source,
        minNode,
        "GUARD_RANGE",
        `guard.min (${min}) is greater than guard.max (${max}): no count can pass`,
      ),
    );
    ok = false;
  }
  const changeNode = pick("max_change");
  if (isScalar(changeNode) && typeof changeNode.value === "string") {
    const match = /^([0-9]+(?:\.[0-9]+)?)%$/.exec(changeNode.value);
    if (match !== null) {
      const percent = Number(match[1]);
      if (percent > MAX_CHANGE_LIMIT_PERCENT) {
        diagnostics.push(
          diagnosticAt(
            source,
            changeNode,
            "GUARD_RANGE",
            `guard.max_change must be between 0% and ${MAX_CHANGE_LIMIT_PERCENT}%, found ${changeNode.value}`,
          ),
        );
        ok = false;
      } else {
        guard.maxChange = percent / 100;
      }
    }
  }
  return ok ? guard : undefined;
}

/** The consent an identifier column needs in a segment of this channel, beyond the channel's own. */
function otherChannelIdentifier(column: string, channel: Channel): string | undefined {
  if (column === "phone" && channel === "email") return "SMS";
  if (column === "email" && (channel === "sms" || channel === "whatsapp")) return "email";
  return undefined;
}

/** The list without repeats; a repeated entry is a warning at its second place. */
function uniqueEntries(
  source: SourceFile,
  entries: string[],
  nodes: readonly unknown[],
  key: "exclude" | "columns",
  diagnostics: Diagnostic[],
): string[] {
  const seen = new Set<string>();
  for (const node of nodes) {
    if (!isScalar(node) || typeof node.value !== "string") continue;
    if (seen.has(node.value)) {
      diagnostics.push(
        diagnosticAt(
          source,
          node,
          "DUPLICATE_ENTRY",
          `"${node.value}" is listed twice in ${key}`,
          undefined,
          "warning",
        ),
      );
    }
    seen.add(node.value);
  }
  return [...new Set(entries)];
}

function unknownColumn(source: SourceFile, node: unknown, column: string): Diagnostic {
  const shown = column.slice(0, 80);
  if (column.startsWith("props.")) {
    return diagnosticAt(
      source,
      node,
      "UNKNOWN_COLUMN",
      `"${shown}" is not a valid custom column name`,
      "write props. then the contact column's header in snake_case, e.g. props.shoe_size",
    );
  }
  return diagnosticAt(
    source,
    node,
    "UNKNOWN_COLUMN",
    `unknown output column "${shown}"${didYouMean(column, PROFILE_FIELDS.keys())}`,
    "columns are customer profile fields (last_product, total_spent, …) or props.NAME for a custom contact column",
  );
}

/** Formats whose destination accepts only the columns of its own profile. */
export const FIXED_COLUMNS: ReadonlySet<string> = new Set(["google-ads", "meta"]);

/** A key as the schema kit reads it (`123:` is the id "123"). */
function keyText(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

function mapGet(map: YAMLMap, key: string): Node | undefined {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  return pair !== undefined && isNode(pair.value) ? pair.value : undefined;
}
