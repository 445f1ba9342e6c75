/**
 * The rows of one segment's output file: its header (the profile's columns and the segment's
 * own), every member in customer-key order, and the per-file dedupe — an email or phone shared by
 * several customers is written once per file, and a row left with no identifier is dropped.
 */
import { PROFILE_FIELDS } from "../dsl/env.js";
import type { Profiles } from "../model/profile.js";
import type { OutputFormat } from "./definition.js";
import type { SegmentMembers } from "./evaluate.js";
import {
  csvLine,
  extraColumns,
  identifiersFor,
  rowMaker,
  type RowMaker,
} from "./output-profiles.js";
import { FIXED_COLUMNS } from "./parse-segment-file.js";

const DATE_FIELDS = new Set(
  [...PROFILE_FIELDS].filter(([, info]) => info.type === "date").map(([name]) => name),
);

/** The columns of one segment's file, and how to make its cells. */
export interface RowShape {
  maker: RowMaker;
  extra: ReturnType<typeof extraColumns>;
  /** The header line. */
  header: string;
}

/**
 * The shape of a segment's file in this output profile; `unknown` counts the countries that are
 * neither an ISO code nor a known name (left empty in the rows).
 */
export function rowShape(
  profiles: Profiles,
  segment: SegmentMembers["segment"],
  format: OutputFormat,
  hash: boolean,
  unknown: Map<string, number>,
): RowShape {
  const maker = rowMaker(profiles, format, hash, unknown);
  // Google Ads and Meta refuse files with columns of their own.
  const columns = FIXED_COLUMNS.has(format) ? [] : segment.columns;
  const extra = extraColumns(profiles, columns, DATE_FIELDS, {
    channel: segment.channel,
    ignoreConsent: segment.consent === "ignore",
  });
  return { maker, extra, header: csvLine([...maker.header, ...extra.header], maker.delimiter) };
}

/** Every customer index, sorted by customer key (the order of rows in every file). */
export function customersByKey(profiles: Profiles): Int32Array {
  const store = profiles.store;
  const keys = new Array<string>(store.size);
  for (let c = 0; c < store.size; c++) keys[c] = store.key(c);
  const order = new Int32Array(store.size);
  for (let c = 0; c < store.size; c++) order[c] = c;
  order.sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
  return order;
}

/**
 * The lines of a segment's file, header first, for the customers assigned to it in `order`;
 * `onRow` sees each row's cells and line as it is yielded.
 */
export function* segmentLines(
  profiles: Profiles,
  result: SegmentMembers,
  shape: RowShape,
  order: Int32Array,
  onRow: (cells: readonly string[], line: string) => void,
): Generator<string> {
  const segment = result.segment;
  const { maker, extra } = shape;
  yield shape.header;
  const dedupe = segment.channel !== "none";
  const unique = maker.uniqueCells;
  // Only values the store marked as shared by several customers can repeat in a file.
  const store = profiles.store;
  const shared = [store.sharedEmail, store.sharedPhone];
  const seen = [new Set<string>(), new Set<string>()];
  const hasExtra = extra.header.length > 0;
  const ignoreConsent = segment.consent === "ignore";
  for (let i = 0; i < order.length; i++) {
    const c = order[i];
    if (result.assigned[c] !== 1) continue;
    const cells = maker.identity(c, identifiersFor(profiles, c, segment.channel, ignoreConsent));
    if (dedupe) {
      let kept = 0;
      for (let k = 0; k < unique.length; k++) {
        const index = unique[k];
        const value = cells[index];
        if (value === "") continue;
        if (shared[k][c] === 0) {
          kept++;
        } else if (seen[k].has(value)) {
          cells[index] = "";
        } else {
          seen[k].add(value);
          kept++;
        }
      }
      if (kept === 0) continue;
    }
    if (hasExtra) for (const cell of extra.cells(c)) cells.push(cell);
    const line = csvLine(cells, maker.delimiter);
    onRow(cells, line);
    yield line;
  }
}
