/**
 * The DuckDB reader against the memory engine's, file by file: every CSV fixture of the
 * repository (the bad-input corpus fixtures/bad/ included), hostile files written here, and the
 * real exports in ../shared/data/real-exports/ when that folder is there. Header, cells, line
 * numbers, read results, stop-the-run errors, and what ingest skips (reasons, counts, `file:line`
 * examples, `--rejects` records, `--strict`) must be equal.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { duckdbRead, ingest, kindOf, memoryRead } from "../../../test/helpers/duckdb-read.js";
import { openDuckDb, type DuckDb } from "./open.js";
import { loadCsvInput, rowFields } from "./read.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const REAL = join(ROOT, "..", "shared", "data", "real-exports");

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (/\.csv(\.gz)?$/i.test(name)) out.push(path);
  }
  return out;
}

let db: DuckDb;
let work: string;
beforeAll(async () => {
  db = await openDuckDb({ threads: 2 });
  work = await mkdtemp(join(tmpdir(), "audience-duckdb-read-"));
});
afterAll(async () => {
  db.close();
  await rm(work, { recursive: true, force: true });
});

/** Reads `path` both ways and asserts they agree; returns the DuckDB side's load path. */
async function agree(path: string, display: string): Promise<string> {
  const memory = await memoryRead(path, display);
  const duck = await duckdbRead(db.connection, path, display);
  const { path: loadPath, ...duckOutcome } = duck;
  expect(duckOutcome).toEqual(memory);
  if (memory.error === undefined) {
    const kind = kindOf(display);
    for (const strict of [false, true]) {
      expect(ingest(duckOutcome, display, kind, strict)).toEqual(
        ingest(memory, display, kind, strict),
      );
    }
  }
  return loadPath ?? "error";
}

describe("the DuckDB reader equals the memory engine's", () => {
  const fixtures = walk(join(ROOT, "fixtures"));

  it("finds the fixtures, the bad-input corpus among them", () => {
    expect(fixtures.length).toBeGreaterThan(50);
    const names = fixtures.map((f) => relative(ROOT, f));
    expect(names).toContain("fixtures/bad/unbalanced-quote.csv");
    expect(names).toContain("fixtures/bad/truncated.csv.gz");
  });

  for (const file of fixtures) {
    const display = relative(ROOT, file);
    it(display, async () => {
      await agree(file, display);
    });
  }

  const HOSTILE: Record<string, string | Buffer> = {
    "plain.csv": "order_id,customer_id,created_at\n1,c1,2026-01-01\n2,c2,2026-01-02\n",
    "crlf.csv": "order_id,customer_id,created_at\r\n1,c1,2026-01-01\r\n2,c2,2026-01-02\r\n",
    "no-final-newline.csv": "order_id,customer_id,created_at\n1,c1,2026-01-01",
    "quoted-breaks.csv":
      'order_id,customer_id,note,created_at\n1,c1,"a\nb\nc",2026-01-01\n2,c2,"x\r\ny",2026-01-02\n3,c3,z,2026-01-03\n',
    "quoted-breaks-crlf.csv":
      'order_id,customer_id,note,created_at\r\n1,c1,"a\r\nb",2026-01-01\r\n2,c2,"",2026-01-02\r\n',
    "newline-cells.csv": 'a,b,c\n1,"\n",x\n2,"\r\n",y\n3,"\n\n",z\n',
    "header-break.csv": 'order_id,"customer\nid",created_at\n1,c1,2026-01-01\n',
    "empty-lines.csv":
      "order_id,customer_id,created_at\n\n1,c1,2026-01-01\n\n\n2,c2,2026-01-02\n\n",
    "leading-empty-line.csv": "\norder_id,customer_id,created_at\n1,c1,2026-01-01\n",
    "crlf-empty-lines.csv": "order_id,customer_id,created_at\r\n\r\n1,c1,2026-01-01\r\n",
    "lone-cr.csv": "order_id,customer_id,created_at\r1,c1,2026-01-01\r2,c2,2026-01-02\r",
    "mixed-endings.csv":
      "order_id,customer_id,created_at\r\n1,c1,2026-01-01\n2,c2,2026-01-02\r3,c3,x\r\n",
    "short-and-long-rows.csv":
      "order_id,customer_id,created_at,total\n1,c1\n2,c2,2026-01-02,5,extra,more\n3\n4,c4,2026-01-04,\n",
    "short-rows-quoted-breaks.csv":
      'order_id,customer_id,created_at,note\n1,c1,2026-01-01,"a\nb"\n2,c2\n3,c3,2026-01-03\n',
    "empty-cells.csv": 'order_id,customer_id,created_at,total\n1,,"",\n,c2,2026-01-02,""\n',
    "whitespace.csv":
      "order_id,customer_id,created_at\n 1 , c1 ,2026-01-01\n   \n2,c2,2026-01-02\n",
    "stray-quotes.csv":
      'order_id,customer_id,created_at,note\n1,c1,2026-01-01,ab"c\n2,c2,2026-01-02,"q"z\n3,c3,2026-01-03,ok\n',
    "backslashes.csv": 'order_id,customer_id,created_at,note\n1,c1,2026-01-01,"a\\"\n2,c2,x,\\n\n',
    "semicolons.csv": "order_id;customer_id;created_at;total\n1;c1;2026-01-01;12,50\n",
    "tabs.csv": "order_id\tcustomer_id\tcreated_at\n1\tc1\t2026-01-01\n",
    "semicolon-in-quotes.csv": '"a;b",order_id,customer_id,created_at\nx,1,c1,2026-01-01\n',
    "bom.csv": "\ufefforder_id,customer_id,created_at\n1,c1,2026-01-01\n",
    "header-only.csv": "order_id,customer_id,created_at\n",
    "header-only-no-newline.csv": "order_id,customer_id,created_at",
    "empty.csv": "",
    "only-newlines.csv": "\n\n\n",
    "single-column.csv": "customer_id\nc1\n\nc2\n",
    "duplicate-headers.csv": "order_id,order_id,customer_id,created_at\n1,2,c1,2026-01-01\n",
    "unbalanced.csv": 'order_id,customer_id,created_at\n1,"c1,2026-01-01\n2,c2,2026-01-02\n',
    // read_csv drops empty cells beyond the declared columns without a word: the row is longer.
    "extra-empty-cells.csv": "list,email\nvip,a@b.c\n,,,,,,\nvip,d@e.f,\n",
    "bom-in-cell.csv": "\ufefflist,email\nvip,\ufeffa@b.c\n\ufeffvip,d@e.f\n",
    "extra-cell.csv": "list,email\nvip,a@b.c,x\nvip,d@e.f\n",
    "unicode.csv": "order_id,customer_id,created_at,product\n1,c1,2026-01-01,Sérum 🌿 ñ\n",
    "nul-in-cell.csv": "order_id,customer_id,created_at\n1,c\u00001,2026-01-01\n",
    "windows-1252.csv": Buffer.concat([
      Buffer.from("order_id,customer_id,created_at,product\n1,c1,2026-01-01,S"),
      Buffer.from([0xe9]),
      Buffer.from("rum\n"),
    ]),
    "utf-16le.csv": Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from("order_id,customer_id,created_at\r\n1,c1,2026-01-01\r\n", "utf16le"),
    ]),
    "binary.csv": Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1, 2, 3, 4, 5, 6]),
    "long-cell.csv": `order_id,customer_id,created_at,product\n1,c1,2026-01-01,"${"x".repeat(3 * 1024 * 1024)}"\n2,c2,2026-01-02,ok\n`,
    "huge-cell.csv": `order_id,customer_id,created_at,product\n1,c1,2026-01-01,"${"x".repeat(5 * 1024 * 1024)}"\n2,c2,2026-01-02,ok\n`,
  };

  for (const [name, content] of Object.entries(HOSTILE)) {
    it(`hostile: ${name}`, async () => {
      const path = join(work, name);
      await writeFile(path, content);
      await agree(path, name);
    }, 30_000);
  }

  it("hostile: gzip, plain and irregular", async () => {
    for (const name of ["quoted-breaks.csv", "empty-lines.csv", "windows-1252.csv"]) {
      const path = join(work, `${name}.gz`);
      await writeFile(path, gzipSync(HOSTILE[name]));
      await agree(path, `${name}.gz`);
    }
  });

  it("delimiter: set, fitting the file or not", async () => {
    const path = join(work, "forced.csv");
    await writeFile(path, HOSTILE["quoted-breaks.csv"]);
    for (const delimiter of [",", ";", "\t"] as const) {
      const memory = await memoryRead(path, "forced.csv", delimiter);
      expect(await duckdbRead(db.connection, path, "forced.csv", delimiter)).toEqual({
        ...memory,
        ...(memory.error === undefined ? { path: "read_csv" } : {}),
      });
    }
    expect((await memoryRead(path, "forced.csv", ";")).error?.code).toBe("WRONG_DELIMITER");
  });

  it("a missing file and a folder fail as in the memory engine", async () => {
    await agree(join(work, "nope.csv"), "nope.csv");
    await agree(work, "folder");
  });

  it("a regular UTF-8 file is read by read_csv itself; an irregular one is transcoded", async () => {
    const regular = join(work, "regular.csv");
    await writeFile(regular, HOSTILE["quoted-breaks.csv"]);
    expect(await agree(regular, "regular.csv")).toBe("read_csv");
    const short = join(work, "short.csv");
    await writeFile(short, HOSTILE["short-rows-quoted-breaks.csv"]);
    expect(await agree(short, "short.csv")).toBe("read_csv");
    for (const name of ["empty-lines.csv", "windows-1252.csv", "short-and-long-rows.csv"]) {
      const path = join(work, `kind-${name}`);
      await writeFile(path, HOSTILE[name]);
      expect(await agree(path, name)).toBe("transcoded");
    }
  });

  if (existsSync(REAL)) {
    const real = walk(REAL);
    for (const file of real) {
      const display = relative(REAL, file);
      it(`real export: ${display}`, async () => {
        await agree(file, display);
      }, 60_000);
    }
  } else {
    it.skip(`real exports: ${REAL} is not on this machine`, () => {});
  }
});

describe("loadCsvInput", () => {
  it("keeps each row's first line, cells as text and '' apart from a missing cell", async () => {
    const path = join(work, "lines.csv");
    await writeFile(path, 'a,b,c\n1,"x\ny",\n2\n3,,"007"\n');
    const raw = await loadCsvInput(db.connection, { path, display: "lines.csv", table: "t_lines" });
    expect([raw.header, raw.width, raw.rows, raw.path]).toEqual([
      ["a", "b", "c"],
      3,
      3,
      "read_csv",
    ]);
    const rows = (await db.connection.runAndReadAll("SELECT * FROM t_lines ORDER BY line"))
      .getRows()
      .map((r) => r.map((v) => (typeof v === "bigint" ? Number(v) : v)));
    expect(rows).toEqual([
      [2, "1", "x\ny", ""],
      [4, "2", null, null],
      [5, "3", "", "007"],
    ]);
    const types = (await db.connection.runAndReadAll("DESCRIBE t_lines"))
      .getRows()
      .map((r) => `${String(r[0])} ${String(r[1])}`);
    expect(types).toEqual(["line BIGINT", "c0 VARCHAR", "c1 VARCHAR", "c2 VARCHAR"]);
  });

  it("rowFields drops the NULL padding only", () => {
    expect(rowFields(["1", "", null, null])).toEqual(["1", ""]);
    expect(rowFields(["", null])).toEqual([""]);
  });

  it("transcodes into the temporary folder given, and removes it", async () => {
    const temp = join(work, "spill");
    await writeFile(join(work, "w.csv"), HOSTILE_WINDOWS);
    const { mkdir, readdir } = await import("node:fs/promises");
    await mkdir(temp);
    const raw = await loadCsvInput(db.connection, {
      path: join(work, "w.csv"),
      display: "w.csv",
      table: "t_w",
      tempDirectory: temp,
    });
    expect([raw.path, raw.transcodedBecause, raw.read.encoding]).toEqual([
      "transcoded",
      "windows-1252 text",
      "windows-1252",
    ]);
    expect(await readdir(temp)).toEqual([]);
  });
});

const HOSTILE_WINDOWS = Buffer.concat([
  Buffer.from("order_id,customer_id,created_at,product\n1,c1,2026-01-01,S"),
  Buffer.from([0xe9]),
  Buffer.from("rum\n"),
]);
