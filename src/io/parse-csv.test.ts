import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ErrorCode } from "../codes.js";
import { UserError } from "../errors.js";
import { detectDelimiter, parseCsv as readCsv, type CsvReadResult } from "./parse-csv.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "audience-csv-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Read {
  header: string[];
  rows: { line: number; fields: string[] }[];
  result: CsvReadResult;
}

async function read(name: string, content: string | Buffer, hash = false): Promise<Read> {
  const path = join(dir, name);
  await writeFile(path, content);
  const out: Read = { header: [], rows: [], result: undefined as unknown as CsvReadResult };
  out.result = await readCsv(
    { path, display: name },
    {
      header: (fields) => {
        out.header = fields;
      },
      row: (fields, line) => {
        out.rows.push({ line, fields });
      },
    },
    { hash },
  );
  return out;
}

async function failure(name: string, content: string | Buffer): Promise<UserError> {
  try {
    await read(name, content);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error("expected a UserError");
}

describe("readCsv", () => {
  it("reads quoted fields, doubled quotes and line breaks inside quotes, with line numbers", async () => {
    const r = await read("quoted.csv", 'id,note\n1,"a ""b"", c"\n2,"line 1\nline 2"\n3,x\n');
    expect(r.header).toEqual(["id", "note"]);
    expect(r.rows).toEqual([
      { line: 2, fields: ["1", 'a "b", c'] },
      { line: 3, fields: ["2", "line 1\nline 2"] },
      { line: 5, fields: ["3", "x"] },
    ]);
    expect(r.result.rows).toBe(3);
  });

  it("reads CRLF files, counting a quoted CRLF as one line", async () => {
    const r = await read("crlf.csv", 'id,note\r\n1,"x\r\ny"\r\n2,z\r\n\r\n3,w\r\n');
    expect(r.rows.map((row) => [row.line, row.fields[1]])).toEqual([
      [2, "x\r\ny"],
      [4, "z"],
      [6, "w"],
    ]);
  });

  it("reads mixed line endings", async () => {
    const r = await read("mixed.csv", "a,b\r\n1,2\n3,4\r5,6\r\n");
    expect(r.rows.map((row) => row.fields)).toEqual([
      ["1", "2"],
      ["3", "4"],
      ["5", "6"],
    ]);
    expect(r.rows.map((row) => row.line)).toEqual([2, 3, 4]);
  });

  it("strips a UTF-8 BOM", async () => {
    const r = await read("bom.csv", "\ufeffemail,total\na@example.com,1\n");
    expect(r.header).toEqual(["email", "total"]);
    expect(r.result.encoding).toBe("utf-8");
  });

  it("detects ; and tab delimiters from the header line", async () => {
    const semi = await read("semi.csv", 'email;total;note\nx@example.com;12,50;"a,b"\n');
    expect(semi.result.delimiter).toBe(";");
    expect(semi.rows[0].fields).toEqual(["x@example.com", "12,50", "a,b"]);
    const tab = await read("tab.tsv", "email\ttotal\nx@example.com\t3\n");
    expect(tab.result.delimiter).toBe("\t");
    expect(tab.rows[0].fields).toEqual(["x@example.com", "3"]);
    expect(detectDelimiter('"a;b",c,d\n')).toBe(",");
  });

  it("reads Windows-1252 bytes that are not UTF-8", async () => {
    const bytes = Buffer.from([
      ...Buffer.from("name,price\n"),
      ...[0x43, 0x72, 0xe8, 0x6d, 0x65], // Crème
      ...Buffer.from(",12\n"),
      ...[0x80, 0x20, 0x93, 0x6f, 0x6b, 0x94], // € “ok”
      ...Buffer.from(",3\n"),
    ]);
    const r = await read("cp1252.csv", bytes);
    expect(r.rows.map((row) => row.fields[0])).toEqual(["Crème", "€ “ok”"]);
    expect(r.result.encoding).toBe("windows-1252");
    expect(r.result.windows1252Bytes).toBe(4);
  });

  it("keeps UTF-8 accents split across chunk edges", async () => {
    const big = "name\n" + "é".repeat(700_000) + "\n";
    const r = await read("split.csv", big);
    expect(r.rows[0].fields[0]).toBe("é".repeat(700_000));
    expect(r.result.encoding).toBe("utf-8");
  });

  it("reads UTF-16 files with a BOM", async () => {
    const text = "name,total\nCrème,12\n";
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const r = await read("utf16le.csv", le);
    expect(r.rows[0].fields).toEqual(["Crème", "12"]);
    expect(r.result.encoding).toBe("utf-16le");
    const be = Buffer.from(le);
    for (let i = 0; i < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1], be[i]];
    const rb = await read("utf16be.csv", be);
    expect(rb.rows[0].fields).toEqual(["Crème", "12"]);
    expect(rb.result.encoding).toBe("utf-16be");
  });

  it("passes ragged rows through as they are", async () => {
    const r = await read("ragged.csv", "a,b,c\n1,2\n1,2,3,4\n");
    expect(r.rows.map((row) => row.fields)).toEqual([
      ["1", "2"],
      ["1", "2", "3", "4"],
    ]);
  });

  it("reads gzip files and hashes the stored bytes", async () => {
    const text = "email,total\na@example.com,1\n";
    const gz = gzipSync(Buffer.from(text));
    const r = await read("orders.csv.gz", gz, true);
    expect(r.rows).toHaveLength(1);
    expect(r.result.gzip).toBe(true);
    expect(r.result.bytes).toBe(gz.length);
    expect(r.result.sha256).toBe(createHash("sha256").update(gz).digest("hex"));
  });

  it("accepts a header-only file", async () => {
    const r = await read("header.csv", "email,total\n");
    expect(r.header).toEqual(["email", "total"]);
    expect(r.rows).toEqual([]);
  });

  it("refuses an empty file", async () => {
    const error = await failure("empty.csv", "");
    expect(error.code).toBe("EMPTY_FILE");
    expect(error.message).toBe("empty.csv is empty: expected a header line and rows");
  });

  it("names the line where an unbalanced quote opens", async () => {
    const error = await failure("unbalanced.csv", 'a,b\n1,2\n3,"oops\n4,5\n6,7\n');
    expect(error.code).toBe("UNBALANCED_QUOTE");
    expect(error.message).toBe("unbalanced.csv:3: a quoted field opens here and never closes");
  });

  it("refuses binary data", async () => {
    const error = await failure(
      "image.csv",
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3]),
    );
    expect(error.code).toBe("BINARY_FILE");
  });

  it("refuses corrupt gzip", async () => {
    const gz = gzipSync(Buffer.from("a,b\n1,2\n".repeat(1000)));
    const error = await failure("broken.csv.gz", gz.subarray(0, gz.length / 2));
    expect(error.code).toBe("BAD_GZIP");
  });

  it("says when the file does not exist", async () => {
    await expect(
      readCsv(
        { path: join(dir, "missing.csv"), display: "missing.csv" },
        { header: () => {}, row: () => {} },
      ),
    ).rejects.toMatchObject({ code: "FILE_NOT_FOUND", message: "missing.csv: no such file" });
  });

  it("stops at the first error the sink throws", async () => {
    const path = join(dir, "stop.csv");
    await writeFile(path, "a\n1\n2\n3\n");
    const seen: number[] = [];
    await expect(
      readCsv(
        { path, display: "stop.csv" },
        {
          header: () => {},
          row: (_fields, line) => {
            seen.push(line);
            if (line === 3) throw new UserError("STOP" as ErrorCode, "stop here");
          },
        },
      ),
    ).rejects.toMatchObject({ code: "STOP" });
    expect(seen).toEqual([2, 3]);
  });

  it("stops a gzip file at the first error the sink throws", async () => {
    const path = join(dir, "stop.csv.gz");
    await writeFile(path, gzipSync(Buffer.from("a\n" + "1\n".repeat(200_000))));
    let seen = 0;
    await expect(
      readCsv(
        { path, display: "stop.csv.gz" },
        {
          header: () => {},
          row: () => {
            seen++;
            if (seen === 5) throw new UserError("STOP" as ErrorCode, "stop here");
          },
        },
      ),
    ).rejects.toMatchObject({ code: "STOP" });
    expect(seen).toBe(5);
  });

  it("with a delimiter set, a header separated by another one names both", async () => {
    const path = join(dir, "comma.csv");
    await writeFile(path, "order_id,email,created_at\n1,a@example.com,2026-01-01\n");
    const sink = { header: () => {}, row: () => {} };
    await expect(
      readCsv({ path, display: "comma.csv", delimiter: ";" }, sink),
    ).rejects.toMatchObject({
      code: "WRONG_DELIMITER",
      message:
        'comma.csv:1: the header line is separated by ",", not by ";" (delimiter: in audience.yaml)',
      hint: 'set delimiter: "," in audience.yaml, or remove delimiter: to detect it from the header line',
    });
    const tabs = join(dir, "tabs.tsv");
    await writeFile(tabs, "order_id\temail\n1\ta@example.com\n");
    await expect(
      readCsv({ path: tabs, display: "tabs.tsv", delimiter: "," }, sink),
    ).rejects.toMatchObject({
      message:
        'tabs.tsv:1: the header line is separated by tab, not by "," (delimiter: in audience.yaml)',
      hint: "set delimiter: tab in audience.yaml, or remove delimiter: to detect it from the header line",
    });
    // A one-column file with no other delimiter in it is fine.
    const single = join(dir, "single.csv");
    await writeFile(single, "email\na@example.com\n");
    const rows: string[][] = [];
    await readCsv(
      { path: single, display: "single.csv", delimiter: ";" },
      {
        header: () => {},
        row: (fields) => rows.push(fields),
      },
    );
    expect(rows).toEqual([["a@example.com"]]);
  });
});
