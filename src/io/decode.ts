/**
 * Bytes → text for CSV files (docs/design.md#inputs): UTF-8 with its BOM stripped; UTF-16 when a BOM says so;
 * and Windows-1252 for bytes that are not valid UTF-8 (old Excel and PrestaShop exports).
 *
 * The check is per byte sequence, in one pass while streaming: valid UTF-8 sequences are read as
 * UTF-8 and every byte that cannot be UTF-8 is read as Windows-1252. For a file that is entirely
 * Windows-1252 this is exactly "read the file as Windows-1252"; a file that mixes both (a UTF-8
 * export appended to by an old tool) keeps both kinds of accents right.
 */
import { isUtf8 } from "node:buffer";
import { TextDecoder } from "node:util";
import { UserError } from "../errors.js";

export type TextEncoding = "utf-8" | "windows-1252" | "utf-16le" | "utf-16be";

const CP1252_HIGH =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
  "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

/** The Windows-1252 character of one byte. */
export function cp1252Char(byte: number): string {
  if (byte < 0x80 || byte >= 0xa0) return String.fromCharCode(byte);
  return CP1252_HIGH[byte - 0x80];
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there cannot start one. */
function utf8SequenceLength(bytes: Uint8Array, i: number, end: number): number {
  const b0 = bytes[i];
  if (b0 < 0x80) return 1;
  let length: number;
  let min: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2;
    min = 0x80;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    min = 0x800;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + length > end) return 0;
  let cp = b0 & (0xff >> (length + 1));
  for (let k = 1; k < length; k++) {
    const b = bytes[i + k];
    if ((b & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return length;
}

/** How many bytes at the end of `bytes` may be the start of a sequence cut by the chunk edge. */
function incompleteTail(bytes: Uint8Array): number {
  const end = bytes.length;
  for (let back = 1; back <= 3 && back <= end; back++) {
    const b = bytes[end - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back
    if (b >= 0xc2 && b <= 0xf4) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > back ? back : 0;
    }
    return 0;
  }
  return 0;
}

/** Streaming decoder; feed it chunks in order, then call `end()`. */
export class ByteDecoder {
  encoding: TextEncoding | undefined;
  /** Number of bytes that were not valid UTF-8 and were read as Windows-1252. */
  windows1252Bytes = 0;
  private carry: Buffer | undefined;
  private utf16: TextDecoder | undefined;
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  /**
   * The next chunk as UTF-8 bytes, ready for csv-parse. Valid UTF-8 passes through untouched (no
   * decode and re-encode); other encodings are decoded and re-encoded as UTF-8.
   */
  decode(chunk: Buffer): Buffer {
    let bytes = chunk;
    if (this.encoding === undefined) {
      bytes = this.detect(bytes);
    }
    if (this.utf16) return Buffer.from(this.utf16.decode(bytes, { stream: true }), "utf8");
    if (this.carry !== undefined) {
      bytes = Buffer.concat([this.carry, bytes]);
      this.carry = undefined;
    }
    const tail = incompleteTail(bytes);
    if (tail > 0) {
      this.carry = Buffer.from(bytes.subarray(bytes.length - tail));
      bytes = bytes.subarray(0, bytes.length - tail);
    }
    return this.decodeComplete(bytes);
  }

  end(): Buffer {
    if (this.utf16) return Buffer.from(this.utf16.decode(), "utf8");
    if (this.carry === undefined) return Buffer.alloc(0);
    const rest = this.carry;
    this.carry = undefined;
    return this.decodeComplete(rest);
  }

  private detect(bytes: Buffer): Buffer {
    if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      this.encoding = "utf-8";
      return bytes.subarray(3);
    }
    if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
      this.encoding = "utf-16le";
      this.utf16 = new TextDecoder("utf-16le");
      return bytes.subarray(2);
    }
    if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
      this.encoding = "utf-16be";
      this.utf16 = new TextDecoder("utf-16be");
      return bytes.subarray(2);
    }
    // UTF-16 without a BOM: every other byte of ASCII text is zero.
    const sample = bytes.subarray(0, Math.min(bytes.length, 512));
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i < sample.length; i++) {
      if (sample[i] === 0) {
        if (i % 2 === 0) evenZeros++;
        else oddZeros++;
      }
    }
    const half = sample.length / 2;
    if (sample.length >= 4 && oddZeros > half * 0.6 && evenZeros === 0) {
      this.encoding = "utf-16le";
      this.utf16 = new TextDecoder("utf-16le");
      return bytes;
    }
    if (sample.length >= 4 && evenZeros > half * 0.6 && oddZeros === 0) {
      this.encoding = "utf-16be";
      this.utf16 = new TextDecoder("utf-16be");
      return bytes;
    }
    if (evenZeros + oddZeros > 0 || looksBinary(sample)) {
      throw new UserError(
        "BINARY_FILE",
        `${this.file} is not a text file (it contains binary data): expected a CSV export`,
        { hint: "check the path; compressed files must end in .gz" },
      );
    }
    this.encoding = "utf-8";
    return bytes;
  }

  private decodeComplete(bytes: Buffer): Buffer {
    if (isUtf8(bytes)) return bytes;
    // Slow path, only for chunks with bytes that are not UTF-8.
    let out = "";
    let runStart = 0;
    let i = 0;
    const end = bytes.length;
    while (i < end) {
      if (bytes[i] < 0x80) {
        i++;
        continue;
      }
      const length = utf8SequenceLength(bytes, i, end);
      if (length > 0) {
        i += length;
        continue;
      }
      if (i > runStart) out += bytes.toString("utf8", runStart, i);
      out += cp1252Char(bytes[i]);
      this.windows1252Bytes++;
      i++;
      runStart = i;
    }
    if (end > runStart) out += bytes.toString("utf8", runStart, end);
    if (this.encoding === "utf-8") this.encoding = "windows-1252";
    return Buffer.from(out, "utf8");
  }
}

/** Control characters other than tab, CR, LF and form feed are rare in real CSV text. */
function looksBinary(sample: Uint8Array): boolean {
  if (sample.length === 0) return false;
  let controls = 0;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i];
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) controls++;
  }
  return controls / sample.length > 0.1;
}

/**
 * A hand-written text file (audience.yaml, segment files): UTF-8, or UTF-16 with its byte order
 * mark (YAML allows both; Windows Notepad saves "Unicode" as UTF-16). The BOM is not part of the
 * text. `undefined` when the bytes are neither: such a file is refused rather than guessed at.
 */
export function decodeTextFile(bytes: Uint8Array): string | undefined {
  let encoding = "utf-8";
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) encoding = "utf-16le";
  else if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) encoding = "utf-16be";
  try {
    // `fatal`: a byte that does not decode is an error, never a replacement character.
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
}
