import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { placeDiagnostic, type Diagnostic } from "../errors.js";
import { loadSegmentFiles, MAX_SEGMENT_FILE_BYTES } from "./segment-files.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "audience-segment-files-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(relative: string, content: string | Buffer): Promise<void> {
  const full = path.join(dir, relative);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, content);
}

const segment = (id: string, where = "true") => `  ${id}:\n    where: ${where}\n`;
const file = (...segments: string[]) => `segments:\n${segments.join("")}`;
const brief = (d: Diagnostic) =>
  `${d.location.file}:${d.location.line}:${d.location.column} ${d.severity} ${d.code}`;

describe("loadSegmentFiles", () => {
  it("reads the .yaml and .yml files directly in a folder, sorted by name", async () => {
    await write("segments/b.yml", file(segment("b")));
    await write("segments/a.yaml", file(segment("a1"), segment("a2")));
    await write("segments/C.YAML", file(segment("c")));
    await write("segments/notes.txt", "not a segment file");
    await write("segments/.draft.yaml", "not: [valid");
    await write("segments/sub/deep.yaml", file(segment("deep")));
    const loaded = await loadSegmentFiles(["segments"], dir);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.files).toEqual(["segments/C.YAML", "segments/a.yaml", "segments/b.yml"]);
    expect(loaded.definitions.map((d) => [d.id, d.location.file, d.order])).toEqual([
      ["c", "segments/C.YAML", 0],
      ["a1", "segments/a.yaml", 1],
      ["a2", "segments/a.yaml", 2],
      ["b", "segments/b.yml", 3],
    ]);
  });

  it("reads files in the order given, each once", async () => {
    await write("x.yaml", file(segment("x")));
    await write("lib/y.yaml", file(segment("y")));
    const loaded = await loadSegmentFiles(["lib/y.yaml", "x.yaml", "lib", "./x.yaml"], dir);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.files).toEqual(["lib/y.yaml", "x.yaml"]);
    expect(loaded.definitions.map((d) => d.id)).toEqual(["y", "x"]);
  });

  it("names files relative to the working directory, with /", async () => {
    await write("a/b/s.yaml", file(segment("s", "nope")));
    const loaded = await loadSegmentFiles(
      [path.join(dir, "a", "b", "s.yaml")],
      path.join(dir, "a"),
    );
    expect(loaded.files).toEqual(["b/s.yaml"]);
    expect(loaded.diagnostics.map(brief)).toEqual(["b/s.yaml:3:12 error UNKNOWN_FIELD"]);
  });

  it("reports a missing path, an empty folder and goes on with the rest", async () => {
    await write("ok.yaml", file(segment("ok")));
    await mkdir(path.join(dir, "empty"));
    const loaded = await loadSegmentFiles(["missing.yaml", "empty", "ok.yaml", "gone/"], dir);
    expect(loaded.diagnostics.map(placeDiagnostic)).toEqual([
      {
        file: "missing.yaml",
        line: 1,
        column: 1,
        severity: "error",
        code: "FILE_NOT_FOUND",
        message: "no such file or folder",
      },
      {
        file: "empty",
        line: 1,
        column: 1,
        severity: "warning",
        code: "NO_SEGMENT_FILES",
        message: "this folder holds no .yaml or .yml file",
      },
      {
        file: "gone",
        line: 1,
        column: 1,
        severity: "error",
        code: "FILE_NOT_FOUND",
        message: "no such file or folder",
      },
    ]);
    expect(loaded.definitions.map((d) => d.id)).toEqual(["ok"]);
  });

  it("refuses a file over 5 MB without reading it", async () => {
    await write("big.yaml", Buffer.alloc(MAX_SEGMENT_FILE_BYTES + 1, 0x20));
    await write("limit.yaml", Buffer.alloc(MAX_SEGMENT_FILE_BYTES, 0x20));
    const loaded = await loadSegmentFiles(["big.yaml", "limit.yaml"], dir);
    expect(loaded.diagnostics.map((d) => [brief(d), d.message])).toEqual([
      ["big.yaml:1:1 error FILE_TOO_LARGE", "the file is 5 MB; segment files are limited to 5 MB"],
      ["limit.yaml:1:1 warning EMPTY_FILE", "this file defines no segments"],
    ]);
    expect(loaded.files).toEqual(["limit.yaml"]);
  });

  it("refuses a file that is not UTF-8", async () => {
    await write("latin1.yaml", Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
    const loaded = await loadSegmentFiles(["latin1.yaml"], dir);
    expect(loaded.diagnostics.map(brief)).toEqual(["latin1.yaml:1:1 error NOT_UTF8"]);
  });

  it("ignores a byte order mark, so that line 1 columns are right", async () => {
    await write("bom.yaml", `\ufeffsegmentz:\n${segment("a")}`);
    const loaded = await loadSegmentFiles(["bom.yaml"], dir);
    expect(loaded.diagnostics.map(brief)).toEqual([
      "bom.yaml:1:1 error UNKNOWN_KEY",
      "bom.yaml:1:1 error MISSING_KEY",
    ]);
  });

  it("checks ids and references across files, with the file text for code frames", async () => {
    const textA = file(segment("vip", "total_spent > 500"));
    const textB = `segments:\n  lapsed:\n    where: in_segment("vpi")\n    exclude: [vip]\n${segment("vip")}`;
    await write("s/a.yaml", textA);
    await write("s/b.yaml", textB);
    const loaded = await loadSegmentFiles(["s"], dir);
    expect(
      loaded.diagnostics.map((d) => [brief(d), d.message, d.location.source.text === textB]),
    ).toEqual([
      [
        "s/b.yaml:5:3 error DUPLICATE_ID",
        'segment id "vip" is already defined at s/a.yaml:2:3',
        true,
      ],
      [
        "s/b.yaml:3:23 error UNKNOWN_SEGMENT",
        'in_segment refers to an unknown segment "vpi" (did you mean "vip"?)',
        true,
      ],
    ]);
    expect(loaded.definitions.map((d) => `${d.location.file}:${d.id}`)).toEqual([
      "s/a.yaml:vip",
      "s/b.yaml:lapsed",
      "s/b.yaml:vip",
    ]);
  });

  it("reports a problem inherited by several segments once", async () => {
    await write(
      "d.yaml",
      `defaults:\n  exclude: [blokced]\n  columns: [citty]\n${file(segment("a"), segment("b"))}`,
    );
    const loaded = await loadSegmentFiles(["d.yaml"], dir);
    expect(loaded.diagnostics.map(brief)).toEqual([
      "d.yaml:3:13 error UNKNOWN_COLUMN",
      "d.yaml:2:13 error UNKNOWN_SEGMENT",
    ]);
  });

  it("reports a cycle across files once", async () => {
    await write("one.yaml", file(segment("a", 'in_segment("b")')));
    await write("two.yaml", `segments:\n  b:\n    where: true\n    exclude: [a]\n`);
    const loaded = await loadSegmentFiles(["one.yaml", "two.yaml"], dir);
    expect(loaded.diagnostics.map((d) => [brief(d), d.message])).toEqual([
      ["one.yaml:3:23 error SEGMENT_CYCLE", "segments depend on each other in a cycle: a → b → a"],
    ]);
  });
});
