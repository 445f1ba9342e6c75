/**
 * Rows packed for the trip from the parsing thread to the main thread (csv-worker.ts): each row's
 * fields joined into one string, with Int32Arrays of where each field and each row ends and of the
 * rows' line numbers (transferred, not copied). Cloning one string per row costs a fraction of
 * cloning a small array and a string per field, on both sides (8,192 order rows of 14 fields:
 * about 6 ms instead of 25 ms).
 *
 * One string per row, not one per batch: the fields the main thread keeps (an email, a name) are
 * slices of their row's string and keep it alive; a batch-wide string would keep a whole megabyte
 * alive for one email.
 */

/**
 * Row `r` is `rows[r]`; its fields end at the offsets `fieldEnds[rowEnds[r - 1]]` to
 * `fieldEnds[rowEnds[r] - 1]` of that string (0 before the first row).
 */
export interface PackedRows {
  rows: string[];
  fieldEnds: Int32Array;
  rowEnds: Int32Array;
  lines: Int32Array;
}

/** Rows per batch. */
export const BATCH_ROWS = 8192;

/** Packs rows as they come (see PackedRows). */
export class RowPacker {
  private rowTexts: string[] = [];
  private fieldEnds = new Int32Array(BATCH_ROWS * 16);
  private fields = 0;
  private rowEnds = new Int32Array(BATCH_ROWS);
  private lines = new Int32Array(BATCH_ROWS);
  /** Characters of the rows packed since the last `take`. */
  chars = 0;

  get rows(): number {
    return this.rowTexts.length;
  }

  add(record: readonly string[], line: number): void {
    if (this.fields + record.length > this.fieldEnds.length) {
      const grown = new Int32Array(
        Math.max(this.fieldEnds.length * 2, this.fields + record.length),
      );
      grown.set(this.fieldEnds);
      this.fieldEnds = grown;
    }
    let end = 0;
    for (let f = 0; f < record.length; f++) {
      end += record[f].length;
      this.fieldEnds[this.fields++] = end;
    }
    this.chars += end;
    const r = this.rowTexts.length;
    this.rowEnds[r] = this.fields;
    this.lines[r] = line;
    this.rowTexts.push(record.join(""));
  }

  /**
   * The rows packed since the last call, and a fresh start. The arrays are copies of exactly the
   * part used, in buffers of their own (the packer keeps and reuses its own): a batch is often a
   * few hundred rows (one per chunk read, csv-worker.ts), and sending the whole 600 KB buffers
   * behind them filled the receiving thread with megabytes of garbage it collects late.
   */
  take(): PackedRows {
    const count = this.rowTexts.length;
    const packed: PackedRows = {
      rows: this.rowTexts,
      fieldEnds: this.fieldEnds.slice(0, this.fields),
      rowEnds: this.rowEnds.slice(0, count),
      lines: this.lines.slice(0, count),
    };
    this.rowTexts = [];
    this.fields = 0;
    this.chars = 0;
    return packed;
  }
}

/**
 * Calls `row` for each row of a packed batch, with its fields as a fresh array. With `wanted`,
 * only the fields it marks are copied out; the others are empty strings.
 */
export function unpackRows(
  packed: PackedRows,
  row: (fields: string[], line: number) => void,
  wanted?: Uint8Array,
): void {
  const { rows, fieldEnds, rowEnds, lines } = packed;
  let field = 0;
  for (let r = 0; r < rows.length; r++) {
    const text = rows[r];
    const last = rowEnds[r];
    const fields = new Array<string>(last - field);
    let start = 0;
    for (let f = 0; field < last; f++, field++) {
      const end = fieldEnds[field];
      fields[f] = wanted === undefined || wanted[f] === 1 ? text.substring(start, end) : "";
      start = end;
    }
    row(fields, lines[r]);
  }
}
