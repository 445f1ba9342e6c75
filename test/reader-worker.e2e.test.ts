/**
 * The built reader's worker threads (dist/io/csv-worker.js) give exactly what the main-thread
 * parser gives — rows, line numbers, results and errors — on the awkward cases, and several files
 * read through the two threads arrive in order.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as CsvReaderModule from "../src/io/parse-csv.js";
import type * as ReadCsvModule from "../src/io/csv-threads.js";

// The built modules: only there does the worker thread exist (the sources run inline).
const { CsvReaders } = (await import(
  new URL("../dist/io/csv-threads.js", import.meta.url).href
)) as typeof ReadCsvModule;
const { parseCsv } = (await import(
  new URL("../dist/io/parse-csv.js", import.meta.url).href
)) as typeof CsvReaderModule;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "audience-worker-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Rows {
  header: string[];
  rows: [number, string[]][];
}

function collector(): {
  rows: Rows;
  sink: { header(f: string[]): void; row(f: string[], l: number): void };
} {
  const rows: Rows = { header: [], rows: [] };
  return {
    rows,
    sink: {
      header: (f) => {
        rows.header = f;
      },
      row: (f, l) => {
        rows.rows.push([l, f]);
      },
    },
  };
}

const CASES: Record<string, string | Buffer> = {
  "quoted.csv": 'id,note\n1,"a ""b"", c"\n2,"line 1\nline 2"\n\n3,x\n',
  "crlf.csv": 'id,note\r\n1,"x\r\ny"\r\n2,z\r\n',
  "cp1252.csv": Buffer.from([
    ...Buffer.from("name,n\n"),
    0x43,
    0x72,
    0xe8,
    0x6d,
    0x65,
    ...Buffer.from(",1\n"),
  ]),
  "many.csv": "a,b\n" + Array.from({ length: 30_000 }, (_, i) => `${i},v${i}`).join("\n") + "\n",
};

describe("the reader worker", () => {
  it("gives the same rows, lines and results as the main-thread parser, file after file", async () => {
    const sources = [];
    for (const [name, content] of Object.entries(CASES)) {
      await writeFile(join(dir, name), content);
      sources.push({ path: join(dir, name), display: name });
    }
    const readers = new CsvReaders(sources, { hash: true });
    try {
      for (const [index, source] of sources.entries()) {
        const viaWorker = collector();
        const inline = collector();
        const a = await readers.read(index, viaWorker.sink);
        const b = await parseCsv(source, inline.sink, { hash: true });
        expect(viaWorker.rows).toEqual(inline.rows);
        expect(a).toEqual(b);
      }
    } finally {
      await readers.close();
    }
  });

  it("reports a user error of a later file when that file is reached, and stops on a sink error", async () => {
    await writeFile(join(dir, "ok.csv"), "a\n1\n2\n");
    await writeFile(join(dir, "bad.csv"), 'a\n1\n"2\n3\n');
    const readers = new CsvReaders(
      [
        { path: join(dir, "ok.csv"), display: "ok.csv" },
        { path: join(dir, "bad.csv"), display: "bad.csv" },
      ],
      {},
    );
    try {
      const first = collector();
      await readers.read(0, first.sink);
      expect(first.rows.rows).toEqual([
        [2, ["1"]],
        [3, ["2"]],
      ]);
      await expect(readers.read(1, collector().sink)).rejects.toMatchObject({
        code: "UNBALANCED_QUOTE",
        message: "bad.csv:3: a quoted field opens here and never closes",
      });
    } finally {
      await readers.close();
    }
    const stopping = new CsvReaders([{ path: join(dir, "many.csv"), display: "many.csv" }], {});
    try {
      let seen = 0;
      await expect(
        stopping.read(0, {
          header: () => undefined,
          row: () => {
            seen++;
            if (seen === 10) throw new Error("stop");
          },
        }),
      ).rejects.toThrow("stop");
      expect(seen).toBe(10);
    } finally {
      await stopping.close();
    }
  });
});
