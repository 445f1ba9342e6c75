import { describe, expect, it } from "vitest";
import type { ErrorCode } from "../codes.js";
import type { Diagnostic } from "../errors.js";
import { SourceFile, SourceLocation } from "../source-file.js";
import { sortDiagnostics } from "../errors.js";
import { escapeData, escapeProperty, formatDiagnostics } from "./diagnostics.js";
import { createTheme } from "./theme.js";

const plain = createTheme(false);

const SOURCE_A = "segments:\n  win-back:\n    where: order_count >= 1\n";
const SOURCE_B = "segments:\n  vip:\n    where: total_spent > 500\n    channel: emial\n";

/** The location of line:column to endLine:endColumn in a file. */
function place(
  source: SourceFile,
  line: number,
  column: number,
  endLine?: number,
  endColumn?: number,
): SourceLocation {
  const offset = (l: number, c: number) => source.lineStart(l) + c - 1;
  const end =
    endLine === undefined || endColumn === undefined ? undefined : offset(endLine, endColumn);
  return new SourceLocation(source, offset(line, column), end);
}
const FILE_A = new SourceFile("segments/a.yaml", SOURCE_A);
const FILE_B = new SourceFile("segments/b.yaml", SOURCE_B);

const unknownField: Diagnostic = {
  location: place(FILE_A, 3, 12, 3, 23),
  severity: "error",
  code: "UNKNOWN_FIELD",
  message: 'unknown field "order_count" (did you mean "orders_count"?)',
};
const badChannel: Diagnostic = {
  location: place(FILE_B, 4, 14, 4, 19),
  severity: "error",
  code: "SCHEMA_ENUM",
  message: '"segments.vip.channel" must be one of email, sms, whatsapp, any, none, found "emial"',
  hint: "channel decides who is reachable",
};
const duplicate: Diagnostic = {
  location: place(FILE_B, 2, 3, 2, 6),
  severity: "warning",
  code: "DUPLICATE_ENTRY",
  message: '"vip" is listed twice in exclude',
};
const missing: Diagnostic = {
  location: SourceLocation.fileStart(new SourceFile("segments/c.yaml")),
  severity: "error",
  code: "FILE_NOT_FOUND",
  message: "no such file or folder",
};

describe("sortDiagnostics", () => {
  it("sorts by file, line and column, keeping the given order for ties", () => {
    const tie = { ...duplicate, code: "SECOND" as ErrorCode };
    expect(sortDiagnostics([missing, badChannel, duplicate, unknownField, tie])).toEqual([
      unknownField,
      duplicate,
      tie,
      badChannel,
      missing,
    ]);
  });
});

describe("formatDiagnostics text", () => {
  it("prints location, severity, code, message, frame and hint, then the summary", () => {
    const out = formatDiagnostics([badChannel, unknownField, duplicate], "text", plain, {
      segments: 2,
      files: 2,
    });
    expect(out).toBe(
      [
        'segments/a.yaml:3:12: error UNKNOWN_FIELD: unknown field "order_count" (did you mean "orders_count"?)',
        "  1 | segments:",
        "  2 |   win-back:",
        "> 3 |     where: order_count >= 1",
        "    |            ^^^^^^^^^^^",
        "",
        'segments/b.yaml:2:3: warning DUPLICATE_ENTRY: "vip" is listed twice in exclude',
        "  1 | segments:",
        "> 2 |   vip:",
        "    |   ^^^",
        "  3 |     where: total_spent > 500",
        "  4 |     channel: emial",
        "",
        'segments/b.yaml:4:14: error SCHEMA_ENUM: "segments.vip.channel" must be one of email, sms, whatsapp, any, none, found "emial"',
        "  2 |   vip:",
        "  3 |     where: total_spent > 500",
        "> 4 |     channel: emial",
        "    |              ^^^^^",
        "  hint: channel decides who is reachable",
        "",
        "✖ 2 errors, 1 warning in 2 files",
        "",
      ].join("\n"),
    );
  });

  it("prints no frame without source text", () => {
    expect(formatDiagnostics([missing], "text", plain, { segments: 0, files: 0 })).toBe(
      "segments/c.yaml:1:1: error FILE_NOT_FOUND: no such file or folder\n\n✖ 1 error in 1 file\n",
    );
  });

  it("summarises a clean run with what was checked", () => {
    expect(formatDiagnostics([], "text", plain, { segments: 5, files: 2 })).toBe(
      "✔ 5 segments in 2 files, no problems\n",
    );
    expect(formatDiagnostics([], "text", plain, { segments: 1, files: 1 })).toBe(
      "✔ 1 segment in 1 file, no problems\n",
    );
    expect(formatDiagnostics([], "text", plain)).toBe("✔ no problems\n");
  });

  it("passes with warnings, unless strict", () => {
    const warningOnly = formatDiagnostics([duplicate], "text", plain, { segments: 1, files: 1 });
    expect(warningOnly.endsWith("\n✔ 1 segment in 1 file, 1 warning\n")).toBe(true);
    const strict = formatDiagnostics([duplicate], "text", plain, {
      segments: 1,
      files: 1,
      strict: true,
    });
    expect(strict.endsWith("\n✖ 1 warning in 1 file\n")).toBe(true);
  });

  it("indents a hint's continuation lines", () => {
    const out = formatDiagnostics([{ ...missing, hint: "one\ntwo" }], "text", plain);
    expect(out).toContain("\n  hint: one\n        two\n");
  });

  it("uses the theme for colour", () => {
    const theme = createTheme(true);
    const out = formatDiagnostics([missing], "text", theme);
    expect(out.startsWith(`${theme.strong("segments/c.yaml:1:1")}: ${theme.error("error")} `)).toBe(
      true,
    );
    expect(out.endsWith(`${theme.error("✖ 1 error in 1 file")}\n`)).toBe(true);
  });
});

describe("formatDiagnostics json", () => {
  it("prints the docs/design.md#json-output array, sorted, without the source text", () => {
    const out = formatDiagnostics([badChannel, missing], "json", plain);
    expect(JSON.parse(out)).toEqual([
      {
        file: "segments/b.yaml",
        line: 4,
        column: 14,
        endLine: 4,
        endColumn: 19,
        severity: "error",
        code: "SCHEMA_ENUM",
        message:
          '"segments.vip.channel" must be one of email, sms, whatsapp, any, none, found "emial"',
        hint: "channel decides who is reachable",
      },
      {
        file: "segments/c.yaml",
        line: 1,
        column: 1,
        severity: "error",
        code: "FILE_NOT_FOUND",
        message: "no such file or folder",
      },
    ]);
    expect(Object.keys(JSON.parse(out)[1])).toEqual([
      "file",
      "line",
      "column",
      "severity",
      "code",
      "message",
    ]);
    expect(out.endsWith("}\n]\n")).toBe(true);
  });

  it("prints an empty array when there is nothing to report", () => {
    expect(formatDiagnostics([], "json", plain, { segments: 3, files: 1 })).toBe("[]\n");
  });
});

describe("formatDiagnostics github", () => {
  it("prints workflow commands with escaped properties and message, then the summary", () => {
    const out = formatDiagnostics(
      [
        badChannel,
        duplicate,
        {
          ...missing,
          location: SourceLocation.fileStart(new SourceFile("odd,na:me%.yaml")),
          message: "50% off\r\nnow",
        },
      ],
      "github",
      plain,
      { segments: 1, files: 2 },
    );
    expect(out).toBe(
      [
        "::error file=odd%2Cna%3Ame%25.yaml,line=1,col=1,title=FILE_NOT_FOUND::50%25 off%0D%0Anow",
        '::warning file=segments/b.yaml,line=2,col=3,endLine=2,endColumn=6,title=DUPLICATE_ENTRY::"vip" is listed twice in exclude',
        '::error file=segments/b.yaml,line=4,col=14,endLine=4,endColumn=19,title=SCHEMA_ENUM::"segments.vip.channel" must be one of email, sms, whatsapp, any, none, found "emial"%0Ahint: channel decides who is reachable',
        "✖ 2 errors, 1 warning in 2 files",
        "",
      ].join("\n"),
    );
  });

  it("escapes as GitHub documents", () => {
    expect(escapeData("a%b\rc\nd:e,f")).toBe("a%25b%0Dc%0Ad:e,f");
    expect(escapeProperty("a%b\rc\nd:e,f")).toBe("a%25b%0Dc%0Ad%3Ae%2Cf");
  });
});
