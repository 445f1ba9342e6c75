/**
 * One segment file's text → its segment definitions and every problem found in it, in phases
 * (STYLE habit 4): YAML syntax → aliases → schema → defaults merged → expressions, columns and
 * guards checked. Cross-file rules (duplicate ids, references, cycles) are `graph.ts`'s.
 *
 * Pure: the caller reads the file. Positions are offsets until they become diagnostics.
 */
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  visit,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
} from "yaml";
import {
  diagnosticAt,
  diagnosticAtRange,
  locate,
  nodeRange,
  validateNode,
  type PlainValue,
  type SourceFile,
} from "../config/schema.js";
import { PROFILE_ENV, PROFILE_FIELDS } from "../dsl/env.js";
import { checkExpression } from "../dsl/index.js";
import type { Diagnostic, SourceLocation } from "../errors.js";
import { didYouMean } from "../suggest.js";
import {
  SEGMENT_ID_PATTERN,
  type Channel,
  type ConsentMode,
  type DeclaredSegment,
  type OutputFormat,
  type SegmentDefinition,
  type SegmentGuard,
} from "./definition.js";
import {
  PROPS_COLUMN_PATTERN,
  SEGMENT_ENTRY_SCHEMA,
  SEGMENT_FILE_SCHEMA,
} from "./segment-schema.js";
import { parseYamlWithExpressions } from "./plain-expressions.js";
import { OUTPUT_PROFILES } from "./output-profiles.js";
import { mapScalar, mapSpan, type ScalarSourceMap, type ScalarStyle } from "./source-map.js";

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

type PlainMap = { [key: string]: PlainValue };

/** What a segment inherits from `defaults:`, with the nodes for positions. */
interface Defaults {
  value: PlainMap;
  node: YAMLMap | undefined;
}

/**
 * Parses one segment file. `orderOffset` is the number of segments in the files before this one,
 * so that `order` counts across all files.
 */
export function parseSegmentFile(input: SegmentFileInput, orderOffset = 0): ParsedSegmentFile {
  const lineCounter = new LineCounter();
  const source: SourceFile = { file: input.file, text: input.text, lineCounter };
  const diagnostics: Diagnostic[] = [];
  const result: ParsedSegmentFile = { definitions: [], declared: [], diagnostics };

  const doc = parseYamlWithExpressions(input.text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: false,
  });
  if (doc.errors.length > 0) {
    diagnostics.push(...syntaxDiagnostics(source, doc.errors));
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

  const validation = validateNode(source, root, SEGMENT_FILE_SCHEMA);
  const fileValue = asMap(validation.value) ?? {};
  const segmentsNode = isMap(root) ? mapGet(root, "segments") : undefined;
  const defaultsNode = isMap(root) ? mapGet(root, "defaults") : undefined;
  const defaults: Defaults = {
    value: asMap(fileValue.defaults) ?? {},
    node: isMap(defaultsNode) ? defaultsNode : undefined,
  };

  // A segment id given twice in this file is reported by the segment graph, like one given in
  // two files, with the place of the first: drop the schema's shorter message about it.
  const segmentPairs = isMap(segmentsNode) ? segmentsNode.items : [];
  const repeatedKeys = new Set<string>();
  const seenIds = new Set<string>();
  for (const pair of segmentPairs) {
    const id = keyText(pair);
    if (id === undefined || !ID_REGEXP.test(id)) continue;
    if (seenIds.has(id)) {
      repeatedKeys.add(positionKey(locate(source, ...nodeRange(pair.key as Node))));
    }
    seenIds.add(id);
  }
  for (const d of validation.diagnostics) {
    if (d.code === "DUPLICATE_KEY" && repeatedKeys.has(positionKey(d))) continue;
    // Segment ids are the only keys with a pattern: say it in words.
    diagnostics.push(d.code === "BAD_KEY" && d.hint === undefined ? { ...d, hint: ID_HINT } : d);
  }

  const firstValues = asMap(fileValue.segments) ?? {};
  const defined = new Set<string>();
  for (const pair of segmentPairs) {
    const id = keyText(pair);
    if (id === undefined || !ID_REGEXP.test(id)) continue;
    let value: PlainMap | undefined;
    const schemaErrors: Diagnostic[] = [];
    if (!defined.has(id)) {
      value = asMap(firstValues[id]);
      // The whole-file validation already reported this segment's problems: find them by place.
      schemaErrors.push(
        ...diagnostics.filter((d) => d.severity === "error" && inside(source, pair, d)),
      );
    } else {
      // The schema skipped the repeated key: validate its value here, for a complete report.
      const own = validateNode(
        source,
        pair.value as Node | null,
        SEGMENT_ENTRY_SCHEMA,
        `segments.${id}`,
      );
      diagnostics.push(...own.diagnostics);
      schemaErrors.push(...own.diagnostics.filter((d) => d.severity === "error"));
      value = asMap(own.value);
    }
    defined.add(id);
    const segment = readSegment(source, {
      id,
      pair,
      value,
      defaults,
      order: orderOffset + result.declared.length,
      valid: schemaErrors.length === 0,
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
  value: PlainMap | undefined;
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
  const location = locationOf(source, pair.key as Node);
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
  if (
    isScalar(whereNode) &&
    (typeof value.where === "string" || typeof value.where === "boolean")
  ) {
    const scalar = whereNode as Scalar;
    const [start, end] = nodeRange(scalar);
    whereText = typeof scalar.value === "string" ? scalar.value : source.text.slice(start, end);
    checked = checkExpression(whereText, PROFILE_ENV, { expect: "boolean" });
    let map: ScalarSourceMap | undefined;
    const toFile = (span: { start: number; end: number }) => {
      map ??= mapScalar(source.text, {
        style: (scalar.type ?? "PLAIN") as ScalarStyle,
        start,
        end,
        value: whereText,
      });
      return mapSpan(map, span);
    };
    for (const d of checked.diagnostics) {
      const range = toFile(d.span);
      diagnostics.push(
        diagnosticAtRange(source, range.start, range.end, d.code, d.message, d.hint, d.severity),
      );
    }
    for (const ref of checked.segmentRefs) {
      const range = toFile(ref.span);
      declared.references.push({
        id: ref.id,
        via: "in_segment",
        location: { file: source.file, ...locate(source, range.start, range.end) },
      });
    }
    if (!checked.ok) valid = false;
  } else {
    valid = false;
  }

  // exclude: the segment's own list, else the default one — except for the segments it names.
  const defaultExclude = stringList(defaults.value.exclude);
  let exclude: string[] = [];
  let excludeNode: Node | undefined;
  if (value.exclude !== undefined) {
    exclude = stringList(value.exclude);
    excludeNode = mapGet(node, "exclude");
  } else if (!defaultExclude.includes(id)) {
    exclude = defaultExclude;
    excludeNode = defaults.node === undefined ? undefined : mapGet(defaults.node, "exclude");
  }
  const excludeItems = isSeq(excludeNode) ? (excludeNode.items as Node[]) : [];
  exclude = uniqueEntries(source, exclude, excludeItems, "exclude", diagnostics);
  for (const ref of exclude) {
    const item = excludeItems.find((n) => isScalar(n) && n.value === ref);
    declared.references.push({
      id: ref,
      via: "exclude",
      location: locationOf(source, item ?? excludeNode ?? (pair.key as Node)),
    });
  }

  // columns: profile fields or props.NAME.
  let columns = stringList(value.columns ?? defaults.value.columns);
  const columnsNode =
    value.columns !== undefined
      ? mapGet(node, "columns")
      : defaults.node === undefined
        ? undefined
        : mapGet(defaults.node, "columns");
  const columnItems = isSeq(columnsNode) ? (columnsNode.items as Node[]) : [];
  columns = uniqueEntries(source, columns, columnItems, "columns", diagnostics);
  for (const column of columns) {
    if (PROFILE_FIELDS.has(column) || PROPS_REGEXP.test(column)) continue;
    const item = columnItems.find((n) => isScalar(n) && n.value === column);
    diagnostics.push(unknownColumn(source, item ?? columnsNode ?? (pair.key as Node), column));
    valid = false;
  }

  // Google Ads and Meta take their own columns only: an upload with others is refused.
  const format = value.format ?? defaults.value.format;
  if (columns.length > 0 && typeof format === "string" && FIXED_COLUMNS.has(format)) {
    diagnostics.push(
      diagnosticAt(
        source,
        columnsNode ?? (pair.key as Node),
        "COLUMNS_NOT_ACCEPTED",
        `format ${format} takes only its own columns (${OUTPUT_PROFILES[format as OutputFormat].header.join(", ")}); ${format === "meta" ? "Meta" : "Google Ads"} refuses a file with others`,
        "remove `columns:` from this segment, or write it in another format (generic, klaviyo…)",
      ),
    );
    valid = false;
  }

  // An identifier column of the other channel is written only with that channel's consent.
  const channelOf = (value.channel ?? defaults.value.channel ?? "email") as Channel;
  const consentOf = value.consent ?? defaults.value.consent ?? "required";
  for (const column of columns) {
    const other = otherChannelIdentifier(column, channelOf);
    if (other === undefined || consentOf === "ignore") continue;
    const item = columnItems.find((n) => isScalar(n) && n.value === column);
    diagnostics.push(
      diagnosticAt(
        source,
        item ?? columnsNode ?? (pair.key as Node),
        "IDENTIFIER_COLUMN",
        `columns: ${column} in a ${channelOf} segment is written only for members who agreed to ${other}`,
        `a ${channelOf} segment reaches people by ${channelOf === "email" ? "email" : "phone"}: drop the column, or use channel: any`,
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
    name: typeof value.name === "string" ? value.name : id,
    ...(typeof value.description === "string" ? { description: value.description } : {}),
    whereText,
    where: checked.checked,
    exclude,
    channel: (value.channel ?? defaults.value.channel ?? "email") as Channel,
    consent: (value.consent ?? defaults.value.consent ?? "required") as ConsentMode,
    columns,
    ...(typeof value.priority === "number" ? { priority: value.priority } : {}),
    guard,
    ...(typeof (value.format ?? defaults.value.format) === "string"
      ? { format: (value.format ?? defaults.value.format) as OutputFormat }
      : {}),
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
  nodes: Node[],
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

function unknownColumn(source: SourceFile, node: Node, column: string): Diagnostic {
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

const WHERE_LINE = /^(\s*where\s*:\s)/;

function syntaxDiagnostics(
  source: SourceFile,
  errors: readonly { code: string; message: string; pos: [number, number] }[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const lines = new Set<number>();
  for (const error of errors) {
    let [start, end] = error.pos;
    let message = error.message;
    const { line } = source.lineCounter.linePos(start);
    // One message per line: a broken line often makes the parser complain several times.
    if (lines.has(line)) continue;
    lines.add(line);
    const lineStart = source.lineCounter.lineStarts[line - 1] ?? 0;
    const lineEnd = source.text.indexOf("\n", lineStart);
    const lineText = source.text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
    const where = WHERE_LINE.exec(lineText);
    let hint: string | undefined;
    if (where !== null) {
      hint =
        'quote the whole expression (where: "…"), or write it as a block: "where: |" and the expression on the next lines, indented';
      // `where: orders(within: 30d) >= 1`: YAML reads the second ": " as a nested key.
      const colon = lineText.slice(where[1].length).search(/:(\s|$)/);
      if (error.code === "BLOCK_AS_IMPLICIT_KEY" && colon >= 0) {
        start = lineStart + where[1].length + colon;
        end = start + 1;
        message = 'the expression contains ": ", which YAML reads as the start of a nested key';
      }
    }
    out.push(diagnosticAtRange(source, start, end, "YAML_SYNTAX", message, hint, "error"));
  }
  return out;
}

function locationOf(source: SourceFile, node: Node | Pair): SourceLocation {
  return { file: source.file, ...locate(source, ...nodeRange(node)) };
}

/** Is the diagnostic's start inside the pair (from its key to the end of its value)? */
function inside(source: SourceFile, pair: Pair, d: Diagnostic): boolean {
  const start = nodeRange(pair.key as Node)[0];
  const end = pair.value ? nodeRange(pair.value as Node)[1] : nodeRange(pair.key as Node)[1];
  const from = locate(source, start, start);
  const to = locate(source, end, end);
  const after = (l: number, c: number, l2: number, c2: number) => l > l2 || (l === l2 && c >= c2);
  return (
    after(d.line, d.column, from.line, from.column) && after(to.line, to.column, d.line, d.column)
  );
}

function positionKey(at: { line: number; column: number }): string {
  return `${at.line}:${at.column}`;
}

/** A key as the schema kit reads it (`123:` is the id "123"). */
function keyText(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

function mapGet(map: YAMLMap, key: string): Node | undefined {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  if (pair === undefined) return undefined;
  return (pair.value ?? undefined) as Node | undefined;
}

function asMap(value: PlainValue | undefined): PlainMap | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
}

function stringList(value: PlainValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}
