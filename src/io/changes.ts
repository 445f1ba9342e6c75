/**
 * What changed since the previous build (docs/design.md#changes): `OUT/changes/<id>.entered.csv` and
 * `OUT/changes/<id>.exited.csv`, so that a sync adds and removes members instead of replacing a
 * list.
 *
 * A row is the same member in both builds when its identifier cells are the same, as written:
 * customer_id, email and phone in the generic profile; the email and phone columns in the others
 * (their hashes with --hash). That is what the destination matches on, so a customer whose email
 * changed exits with the old email and enters with the new one; a member whose other cells
 * changed (a name, an extra column) stays and is neither. Rows with equal identifiers (only
 * possible in `channel: none` files) pair up in file order.
 *
 * The previous file is compared only when its header line is the header of the new file; when
 * the profile, `--hash` or the columns changed, its rows cannot be compared and every row of the
 * new file counts as entered.
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { syncPath } from "./output-transaction.js";

/**
 * The cells of a row that identify a member to its destination, as one comparable string. Each
 * cell is prefixed with its length, so no two lists of cells give the same string.
 */
export function rowIdentity(cells: readonly string[], keyCells: readonly number[]): string {
  let identity = "";
  for (let i = 0; i < keyCells.length; i++) {
    const cell = cells[keyCells[i]] ?? "";
    identity += `${cell.length}:${cell}`;
  }
  return identity;
}

interface CsvRecord {
  /** The record as written, its line break included. */
  text: string;
  cells: string[];
}

/** The records of an RFC 4180 text (quoted fields, `""`, line breaks inside quotes, CRLF or LF). */
export function* csvRecords(text: string, delimiter: string): Generator<CsvRecord> {
  const length = text.length;
  let i = 0;
  while (i < length) {
    const start = i;
    const cells: string[] = [];
    for (;;) {
      let cell: string;
      if (text[i] === '"') {
        // A quoted field: up to the quote that is not doubled.
        cell = "";
        i++;
        for (;;) {
          const quote = text.indexOf('"', i);
          if (quote === -1) {
            cell += text.slice(i);
            i = length;
            break;
          }
          cell += text.slice(i, quote);
          if (text[quote + 1] === '"') {
            cell += '"';
            i = quote + 2;
          } else {
            i = quote + 1;
            break;
          }
        }
        // Anything between the closing quote and the delimiter belongs to the field.
        while (i < length && text[i] !== delimiter && text[i] !== "\n" && text[i] !== "\r")
          cell += text[i++];
      } else {
        let end = i;
        while (end < length && text[end] !== delimiter && text[end] !== "\n" && text[end] !== "\r")
          end++;
        cell = text.slice(i, end);
        i = end;
      }
      cells.push(cell);
      if (i >= length) break;
      if (text[i] === delimiter) {
        i++;
        continue;
      }
      // A line break ends the record (CRLF, LF, or a lone CR).
      i += text[i] === "\r" && text[i + 1] === "\n" ? 2 : 1;
      break;
    }
    yield { text: text.slice(start, i), cells };
  }
}

/**
 * The rows of a segment's previous file, to compare the new rows with. `take` is called with each
 * new row's identity in file order; what is left untaken afterwards has exited.
 */
export class PreviousRows {
  private readonly text: string;
  private readonly delimiter: string;
  private readonly keyCells: readonly number[];
  private readonly headerEnd: number;
  /** Identity → rows of the previous file with it that no new row has taken yet. */
  private readonly open = new Map<string, number>();
  /** Identity → rows of the previous file with it, for the identities of several rows. */
  private readonly repeated = new Map<string, number>();

  private constructor(text: string, delimiter: string, keyCells: readonly number[]) {
    this.text = text;
    this.delimiter = delimiter;
    this.keyCells = keyCells;
    const records = csvRecords(text, delimiter);
    const header = records.next();
    this.headerEnd = header.done === true ? 0 : header.value.text.length;
    for (const record of records) {
      const identity = rowIdentity(record.cells, keyCells);
      const count = (this.open.get(identity) ?? 0) + 1;
      this.open.set(identity, count);
      if (count > 1) this.repeated.set(identity, count);
    }
  }

  /**
   * The previous file's rows, when its header line is `header`; `undefined` when the file is
   * missing, "other-header" when it was written with another header (every new row then counts
   * as entered).
   */
  static async read(
    path: string,
    header: string,
    delimiter: string,
    keyCells: readonly number[],
  ): Promise<PreviousRows | "other-header" | undefined> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    return PreviousRows.parse(text, header, delimiter, keyCells);
  }

  static parse(
    text: string,
    header: string,
    delimiter: string,
    keyCells: readonly number[],
  ): PreviousRows | "other-header" {
    if (!text.startsWith(header)) return "other-header";
    return new PreviousRows(text, delimiter, keyCells);
  }

  /** Whether a row with this identity was in the previous file (and not taken yet). */
  take(identity: string): boolean {
    const left = this.open.get(identity);
    if (left === undefined) return false;
    if (left === 1) this.open.delete(identity);
    else this.open.set(identity, left - 1);
    return true;
  }

  /**
   * The previous rows no new row took, as they were written, in file order. Among rows with the
   * same identity, the first ones were taken, so the last ones are left.
   */
  *exited(): Generator<string> {
    if (this.open.size === 0) return;
    const seen = new Map<string, number>();
    const records = csvRecords(this.text.slice(this.headerEnd), this.delimiter);
    for (const record of records) {
      const identity = rowIdentity(record.cells, this.keyCells);
      const left = this.open.get(identity);
      if (left === undefined) continue;
      const count = (seen.get(identity) ?? 0) + 1;
      seen.set(identity, count);
      if (count > (this.repeated.get(identity) ?? 1) - left) yield record.text;
    }
  }
}

/** Where the changes of a segment are written, relative to OUT. */
export function changesFiles(id: string): { entered: string; exited: string } {
  return {
    entered: `${CHANGES_FOLDER}/${id}.entered.csv`,
    exited: `${CHANGES_FOLDER}/${id}.exited.csv`,
  };
}

export const CHANGES_FOLDER = "changes";

/** Creates `changes/` in a build folder. */
export async function makeChangesFolder(buildFolder: string): Promise<void> {
  await mkdir(join(buildFolder, CHANGES_FOLDER), { recursive: true });
}

/** Makes the names of the files written into `changes/` durable before the swap. */
export async function syncChangesFolder(buildFolder: string): Promise<void> {
  await syncPath(join(buildFolder, CHANGES_FOLDER));
}
