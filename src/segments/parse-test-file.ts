/**
 * A segment test file (`*.test.yaml`, docs/design.md#explain-and-tests) → synthetic customers as rows of canonical
 * columns, the as_of, the settings, and per segment the exact set of test customers expected to
 * match, each with its place in the file. Every problem is collected with its position.
 *
 * Pure: the caller reads the file; running the test is `src/cli/segment-tests.ts`'s.
 */
import {
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  stringify,
  visit,
  type Node,
  type Pair,
  type YAMLMap,
} from "yaml";
import { parseIsoDay } from "../calendar.js";
import { CANONICAL_COLUMNS, type InputKind } from "../model/presets.js";
import type { EpochDay } from "../calendar.js";
import type { ErrorCode } from "../codes.js";
import type { Diagnostic } from "../errors.js";
import { SourceFile, type SourceLocation } from "../source-file.js";
import { didYouMean } from "../suggest.js";
import { diagnosticAt, locationOf } from "../yaml/positions.js";
import { syntaxDiagnostics } from "../yaml/syntax-errors.js";

/** One table of rows, with the place of each row's mapping in the test file. */
export interface TestTable {
  header: string[];
  rows: string[][];
  locations: SourceLocation[];
}

export interface TestExpectation {
  segment: string;
  /** The expected test customer ids, sorted. */
  customers: string[];
  /** Of the `segment-id:` key: where a failure is reported. */
  location: SourceLocation;
}

export interface SegmentTestFile {
  file: string;
  /** The segment files under test, as written (relative to the test file). */
  segments: string[];
  asOf: EpochDay;
  /** `settings:` as audience.yaml text, or undefined. */
  settingsText?: string;
  settingsLocation?: SourceLocation;
  /** Test customer ids in order of appearance. */
  customers: string[];
  tables: Partial<Record<InputKind, TestTable>>;
  expectations: TestExpectation[];
}

export interface ParsedTestFile {
  test?: SegmentTestFile;
  diagnostics: Diagnostic[];
}

/** Test files end with these; segment folders leave them out. */
export const TEST_FILE_SUFFIXES = [".test.yaml", ".test.yml"];

export function isTestFile(name: string): boolean {
  const lower = name.toLowerCase();
  return TEST_FILE_SUFFIXES.some((suffix) => lower.endsWith(suffix));
}

const PLAIN_TAGS = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`),
);
const TOP_KEYS = ["segments", "as_of", "settings", "customers", "expect"];
const CUSTOMER_KEYS = ["customer_id", "contact", "orders", "events", "lists"];
/** audience.yaml keys that make sense for synthetic customers in canonical columns. */
export const TEST_SETTINGS_KEYS = [
  "timezone",
  "default_country",
  "date_order",
  "decimal",
  "exclude_status",
  "orders_filter",
  "rfm",
];
const CONTACT_KEYS = CANONICAL_COLUMNS.contacts.filter((c) => c !== "customer_id");
const ORDER_KEYS = CANONICAL_COLUMNS.orders.filter(
  (c) => !["customer_id", "email", "phone"].includes(c),
);

export function parseTestFile(input: { file: string; text: string }): ParsedTestFile {
  const source = new SourceFile(input.file, input.text);
  const diagnostics: Diagnostic[] = [];
  const fail = (
    node: Node | Pair | null | undefined,
    code: ErrorCode,
    message: string,
    hint?: string,
  ) => diagnostics.push(diagnosticAt(source, node, code, message, hint));
  const where = (node: Node | Pair | null | undefined): SourceLocation => locationOf(source, node);

  const doc = parseDocument(input.text, { prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    diagnostics.push(...syntaxDiagnostics(source, doc.errors));
    return { diagnostics };
  }
  // Plain values only, as in segment files: a tag (`!!binary`, `!custom`) is refused by name.
  visit(doc, (_key, node) => {
    const tag = (node as { tag?: unknown }).tag;
    if (typeof tag === "string" && !PLAIN_TAGS.has(tag)) {
      fail(
        node as Node,
        "YAML_TAG",
        `the YAML tag ${tag.replace(/^tag:yaml\.org,2002:/, "!!").slice(0, 40)} is not allowed: test files hold plain values`,
      );
    }
  });
  const root = doc.contents;
  if (!isMap(root)) {
    fail(root, "TEST_SCHEMA", "a test file is a mapping: segments, as_of, customers, expect");
    return { diagnostics };
  }
  checkKeys(root, TOP_KEYS, "test file", fail);

  // segments: a path or a list of paths.
  const segmentsNode = get(root, "segments");
  const segments: string[] = [];
  if (segmentsNode === undefined) {
    fail(root, "TEST_SCHEMA", "missing segments: the segment file(s) under test");
  } else if (isScalar(segmentsNode) && typeof segmentsNode.value === "string") {
    segments.push(segmentsNode.value);
  } else if (
    isSeq(segmentsNode) &&
    segmentsNode.items.every((i) => isScalar(i) && typeof i.value === "string")
  ) {
    for (const item of segmentsNode.items) segments.push(String((item as { value: string }).value));
  } else {
    fail(segmentsNode, "TEST_SCHEMA", "segments must be a path or a list of paths");
  }

  // as_of: YYYY-MM-DD.
  const asOfNode = get(root, "as_of");
  let asOf: EpochDay | undefined;
  if (asOfNode === undefined)
    fail(root, "TEST_SCHEMA", "missing as_of: the date the test runs as of (YYYY-MM-DD)");
  else {
    asOf = isScalar(asOfNode) ? parseIsoDay(String(asOfNode.value)) : undefined;
    if (asOf === undefined) fail(asOfNode, "TEST_SCHEMA", "as_of must be a date, YYYY-MM-DD");
  }

  // settings: a subset of audience.yaml.
  const settingsNode = get(root, "settings");
  let settingsText: string | undefined;
  if (settingsNode !== undefined) {
    if (!isMap(settingsNode)) fail(settingsNode, "TEST_SCHEMA", "settings must be a mapping");
    else {
      const ok = checkKeys(settingsNode, TEST_SETTINGS_KEYS, "settings", fail);
      if (ok) settingsText = stringify(settingsNode.toJSON());
    }
  }

  // customers.
  const customersNode = get(root, "customers");
  const ids: string[] = [];
  const rows: Record<InputKind, { cells: Record<string, string>; location: SourceLocation }[]> = {
    contacts: [],
    orders: [],
    events: [],
    lists: [],
    key_map: [],
    order_lines: [],
  };
  if (customersNode === undefined)
    fail(root, "TEST_SCHEMA", "missing customers: the synthetic customers");
  else if (!isSeq(customersNode)) fail(customersNode, "TEST_SCHEMA", "customers must be a list");
  else {
    for (const item of customersNode.items as Node[]) {
      if (!isMap(item)) {
        fail(
          item,
          "TEST_SCHEMA",
          "a customer is a mapping: customer_id, contact, orders, events, lists",
        );
        continue;
      }
      checkKeys(item, CUSTOMER_KEYS, "customer", fail);
      const idNode = get(item, "customer_id");
      const id = isScalar(idNode) && idNode.value !== null ? String(idNode.value).trim() : "";
      if (id === "") {
        fail(idNode ?? item, "TEST_SCHEMA", "each test customer needs a customer_id");
        continue;
      }
      if (ids.includes(id)) fail(idNode, "TEST_SCHEMA", `customer_id "${id}" is given twice`);
      ids.push(id);

      const contact = get(item, "contact");
      if (contact !== undefined) {
        const cells = readRow(contact, "contact", CONTACT_KEYS, fail, { props: true });
        if (cells !== undefined)
          rows.contacts.push({ cells: { customer_id: id, ...cells }, location: where(contact) });
      }
      const orders = get(item, "orders");
      if (orders !== undefined) {
        for (const order of listItems(orders, "orders", fail)) {
          const cells = readRow(order, "order", ORDER_KEYS, fail, { required: ["created_at"] });
          if (cells !== undefined)
            rows.orders.push({ cells: { customer_id: id, ...cells }, location: where(order) });
        }
      }
      const events = get(item, "events");
      if (events !== undefined) {
        for (const event of listItems(events, "events", fail)) {
          const cells = readRow(event, "event", undefined, fail, {
            required: ["type", "occurred_at"],
          });
          if (cells !== undefined)
            rows.events.push({ cells: { customer_id: id, ...cells }, location: where(event) });
        }
      }
      const lists = get(item, "lists");
      if (lists !== undefined) {
        for (const list of listItems(lists, "lists", fail)) {
          if (!isScalar(list) || list.value === null || typeof list.value === "object") {
            fail(list, "TEST_SCHEMA", "lists holds list names");
            continue;
          }
          rows.lists.push({
            cells: { list: String(list.value), customer_id: id },
            location: where(list),
          });
        }
      }
    }
  }

  // expect: segment id → the test customers that match.
  const expectNode = get(root, "expect");
  const expectations: TestExpectation[] = [];
  if (expectNode === undefined)
    fail(root, "TEST_SCHEMA", "missing expect: segment id → the test customers that match");
  else if (!isMap(expectNode))
    fail(expectNode, "TEST_SCHEMA", "expect must map segment ids to lists of customer ids");
  else {
    const seen = new Set<string>();
    for (const pair of expectNode.items) {
      const segment = isScalar(pair.key) ? String(pair.key.value) : "";
      if (seen.has(segment))
        fail(pair.key as Node, "TEST_SCHEMA", `expect: "${segment}" is given twice`);
      seen.add(segment);
      const value = pair.value as Node | null;
      if (!isSeq(value)) {
        fail(
          value ?? (pair.key as Node),
          "TEST_SCHEMA",
          `expect.${segment} must be a list of customer ids ([] for none)`,
        );
        continue;
      }
      const customers: string[] = [];
      for (const entry of value.items as Node[]) {
        const cid = isScalar(entry) && entry.value !== null ? String(entry.value) : "";
        if (!ids.includes(cid)) {
          fail(
            entry,
            "UNKNOWN_CUSTOMER",
            `"${cid.slice(0, 40)}" is not a test customer${didYouMean(cid, ids)}`,
          );
          continue;
        }
        customers.push(cid);
      }
      expectations.push({
        segment,
        customers: [...new Set(customers)].sort(),
        location: where(pair.key as Node),
      });
    }
  }

  // With problems, the test is still returned (for the checks that need no data), never run.
  if (asOf === undefined) return { diagnostics };
  const tables: Partial<Record<InputKind, TestTable>> = {};
  for (const kind of ["contacts", "orders", "events", "lists"] as const) {
    const list = rows[kind];
    if (list.length === 0) continue;
    const header = [...new Set(list.flatMap((r) => Object.keys(r.cells)))];
    tables[kind] = {
      header,
      rows: list.map((r) => header.map((h) => r.cells[h] ?? "")),
      locations: list.map((r) => r.location),
    };
  }
  return {
    test: {
      file: input.file,
      segments,
      asOf,
      ...(settingsText === undefined
        ? {}
        : { settingsText, settingsLocation: where(settingsNode) }),
      customers: ids,
      tables,
      expectations,
    },
    diagnostics,
  };
}

type Fail = (
  node: Node | Pair | null | undefined,
  code: ErrorCode,
  message: string,
  hint?: string,
) => void;

function get(map: YAMLMap, key: string): Node | undefined {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  return pair === undefined ? undefined : ((pair.value ?? undefined) as Node | undefined);
}

/** Reports keys outside `allowed`; false when there was one. */
function checkKeys(map: YAMLMap, allowed: readonly string[], what: string, fail: Fail): boolean {
  let ok = true;
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (allowed.includes(key)) continue;
    fail(
      pair.key as Node,
      "UNKNOWN_FIELD",
      `unknown ${what} field "${key.slice(0, 40)}"${didYouMean(key, allowed)}`,
      `${what} fields: ${allowed.join(", ")}`,
    );
    ok = false;
  }
  return ok;
}

function listItems(node: Node, what: string, fail: Fail): Node[] {
  if (isSeq(node)) return node.items as Node[];
  fail(node, "TEST_SCHEMA", `${what} must be a list`);
  return [];
}

/**
 * A mapping of canonical columns → cells as the CSV readers would see them. `allowed` undefined:
 * any key (event properties); `props`: a `props:` mapping of custom contact columns.
 */
function readRow(
  node: Node,
  what: string,
  allowed: readonly string[] | undefined,
  fail: Fail,
  options: { required?: readonly string[]; props?: boolean } = {},
): Record<string, string> | undefined {
  if (!isMap(node)) {
    fail(
      node,
      "TEST_SCHEMA",
      `a${/^[aeiou]/.test(what) ? "n" : ""} ${what} is a mapping of column: value`,
    );
    return undefined;
  }
  // No prototype: a column named `__proto__` or `constructor` is a column like any other.
  const cells = Object.create(null) as Record<string, string>;
  let ok = true;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const value = pair.value as Node | null;
    if (options.props === true && key === "props") {
      if (!isMap(value)) {
        fail(
          value ?? (pair.key as Node),
          "TEST_SCHEMA",
          "props is a mapping of custom contact columns",
        );
        ok = false;
        continue;
      }
      for (const prop of value.items) {
        const name = isScalar(prop.key) ? String(prop.key.value) : "";
        const cell = cellOf(prop.value as Node | null);
        if (cell === undefined) {
          fail(prop.value as Node, "TEST_SCHEMA", `props.${name} must be a single value`);
          ok = false;
        } else cells[name] = cell;
      }
      continue;
    }
    if (allowed !== undefined && !allowed.includes(key)) {
      fail(
        pair.key as Node,
        "UNKNOWN_FIELD",
        `unknown ${what} field "${key.slice(0, 40)}"${didYouMean(key, allowed)}`,
        `${what} fields are the canonical columns: ${allowed.join(", ")}${options.props === true ? "; custom columns go in props:" : ""}`,
      );
      ok = false;
      continue;
    }
    const cell = key === "tags" || key === "lists" ? listCell(value) : cellOf(value);
    if (cell === undefined) {
      fail(value ?? (pair.key as Node), "TEST_SCHEMA", `${what}.${key} must be a single value`);
      ok = false;
      continue;
    }
    cells[key] = cell;
  }
  for (const name of options.required ?? []) {
    if (cells[name] === undefined && ok) {
      fail(node, "TEST_SCHEMA", `this ${what} has no ${name}`);
      ok = false;
    }
  }
  return ok ? cells : undefined;
}

/** A scalar as a CSV cell: numbers and booleans as written, null as empty. */
function cellOf(node: Node | null): string | undefined {
  if (node === null) return "";
  if (!isScalar(node)) return undefined;
  if (node.value === null) return "";
  if (typeof node.value === "object") return undefined;
  const raw = node.source;
  return typeof raw === "string" && typeof node.value !== "string" ? raw : String(node.value);
}

/** `tags: [a, b]` or `tags: "a, b"`: one cell with `;` between values. */
function listCell(node: Node | null): string | undefined {
  if (isSeq(node)) {
    const cells = (node.items as Node[]).map(cellOf);
    return cells.every((c) => c !== undefined) ? cells.join(";") : undefined;
  }
  return cellOf(node);
}
