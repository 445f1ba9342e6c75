/**
 * Reads segment files and folders and checks them together: each file parsed on its own
 * (src/segments/parse-segment-file.ts), then the rules across files (src/segments/graph.ts).
 * A path that cannot be read is a diagnostic like any other problem, never a crash.
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { ErrorCode } from "../codes.js";
import { displayPath } from "../config/settings.js";
import type { Diagnostic } from "../errors.js";
import type { DeclaredSegment, SegmentDefinition } from "../segments/definition.js";
import { checkSegmentGraph } from "../segments/graph.js";
import { parseSegmentFile } from "../segments/parse-segment-file.js";
import { isTestFile } from "../segments/parse-test-file.js";
import { SourceFile, SourceLocation } from "../source-file.js";
import { decodeTextFile } from "./decode.js";
import { readFileAtMost } from "./read-bounded.js";

/** Larger files are refused: segment files are hand-written, a bigger one is a mistake. */
export const MAX_SEGMENT_FILE_BYTES = 5 * 1024 * 1024;

const SEGMENT_FILE_EXTENSIONS = [".yaml", ".yml"];

export interface LoadedSegments {
  /** Complete, error-free definitions, in order of appearance across the files. */
  definitions: SegmentDefinition[];
  /** Every problem found, each placed in its file (whose text gives the code frame). */
  diagnostics: Diagnostic[];
  /** The files read, relative to the working directory with `/`, in the order read. */
  files: string[];
}

/**
 * Each path is a file or a folder. A folder stands for the `.yaml` / `.yml` files directly in it
 * (not in subfolders; names starting with "." left out), sorted by name. A file given twice, or
 * both directly and through its folder, is read once.
 */
export async function loadSegmentFiles(
  paths: readonly string[],
  cwd: string,
): Promise<LoadedSegments> {
  const diagnostics: Diagnostic[] = [];
  const files: { absolute: string; display: string }[] = [];
  const seen = new Set<string>();
  const addFile = (absolute: string) => {
    if (seen.has(absolute)) return;
    seen.add(absolute);
    files.push({ absolute, display: displayPath(absolute, cwd, "relative") });
  };

  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    const display = displayPath(absolute, cwd, "relative");
    const info = await stat(absolute).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      diagnostics.push(fileProblem(display, info));
      continue;
    }
    if (!info.isDirectory()) {
      addFile(absolute);
      continue;
    }
    const inFolder = await listSegmentFiles(absolute);
    if (inFolder instanceof Error) {
      diagnostics.push(fileProblem(display, inFolder));
      continue;
    }
    if (inFolder.length === 0) {
      diagnostics.push({
        ...fileLevel(display, "NO_SEGMENT_FILES", "this folder holds no .yaml or .yml file"),
        severity: "warning",
      });
    }
    for (const file of inFolder) addFile(file);
  }

  const texts: { display: string; text: string }[] = [];
  for (const file of files) {
    const text = await readSegmentFile(file.absolute, file.display, diagnostics);
    if (text !== undefined) texts.push({ display: file.display, text });
  }
  const loaded = checkSegmentTexts(texts);
  return { ...loaded, diagnostics: [...diagnostics, ...loaded.diagnostics] };
}

/** Segment files already read (from disk or from git), parsed and checked together. */
export function checkSegmentTexts(
  texts: readonly { display: string; text: string }[],
): LoadedSegments {
  const diagnostics: Diagnostic[] = [];
  const definitions: SegmentDefinition[] = [];
  const declared: DeclaredSegment[] = [];
  const read: string[] = [];
  for (const { display, text } of texts) {
    read.push(display);
    const parsed = parseSegmentFile({ file: display, text }, declared.length);
    definitions.push(...parsed.definitions);
    declared.push(...parsed.declared);
    diagnostics.push(...parsed.diagnostics);
  }
  diagnostics.push(...checkSegmentGraph(declared).diagnostics);

  return { definitions, diagnostics: unique(diagnostics), files: read };
}

async function listSegmentFiles(folder: string): Promise<string[] | NodeJS.ErrnoException> {
  try {
    const entries = await readdir(folder, { withFileTypes: true });
    const names = entries
      .filter((e) => !e.name.startsWith("."))
      .filter((e) => SEGMENT_FILE_EXTENSIONS.includes(path.extname(e.name).toLowerCase()))
      // `*.test.yaml` beside the segments are segment tests (`audience test`), not segments.
      .filter((e) => !isTestFile(e.name))
      .map((e) => e.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const files: string[] = [];
    for (const name of names) {
      const full = path.join(folder, name);
      // Follows symbolic links; a folder named x.yaml is not a file.
      const info = await stat(full).catch(() => undefined);
      if (info?.isFile()) files.push(full);
    }
    return files;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

async function readSegmentFile(
  absolute: string,
  display: string,
  diagnostics: Diagnostic[],
): Promise<string | undefined> {
  try {
    const info = await stat(absolute);
    if (info.size > MAX_SEGMENT_FILE_BYTES) {
      diagnostics.push(
        fileLevel(
          display,
          "FILE_TOO_LARGE",
          `the file is ${megabytes(info.size)}; segment files are limited to ${megabytes(MAX_SEGMENT_FILE_BYTES)}`,
        ),
      );
      return undefined;
    }
    // Bounded while reading: a device or pipe has no size, and may never end.
    const bytes = await readFileAtMost(absolute, MAX_SEGMENT_FILE_BYTES);
    if (bytes === undefined) {
      diagnostics.push(
        fileLevel(
          display,
          "FILE_TOO_LARGE",
          `the file is larger than ${megabytes(MAX_SEGMENT_FILE_BYTES)}, the limit for segment files`,
        ),
      );
      return undefined;
    }
    const text = decodeTextFile(bytes);
    if (text === undefined) {
      diagnostics.push(fileLevel(display, "NOT_UTF8", "the file is not UTF-8 text"));
      return undefined;
    }
    return text;
  } catch (error) {
    diagnostics.push(fileProblem(display, error as NodeJS.ErrnoException));
    return undefined;
  }
}

function fileProblem(display: string, error: NodeJS.ErrnoException): Diagnostic {
  if (error.code === "ENOENT" || error.code === "ENOTDIR") {
    return fileLevel(display, "FILE_NOT_FOUND", "no such file or folder");
  }
  return fileLevel(
    display,
    "FILE_UNREADABLE",
    `cannot read this path (${error.code ?? error.message})`,
  );
}

/** A problem of a whole path (missing, unreadable): placed at its start, without a code frame. */
function fileLevel(file: string, code: ErrorCode, message: string): Diagnostic {
  return {
    location: SourceLocation.fileStart(new SourceFile(file)),
    severity: "error",
    code,
    message,
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;
}

/** The same problem reached twice (a default inherited by several segments) is shown once. */
function unique(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const { file, line, column } = d.location;
    const key = [file, line, column, d.severity, d.code, d.message].join("\u0000");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface TestFileText {
  absolute: string;
  display: string;
  text: string;
}

/**
 * The segment test files (`*.test.yaml`, docs/design.md#explain-and-tests) of the paths: a file as given, a folder searched
 * with its subfolders (names starting with "." and node_modules left out), sorted by path.
 */
export async function loadTestFiles(
  paths: readonly string[],
  cwd: string,
  options: { ignoreOtherFiles?: boolean } = {},
): Promise<{ files: TestFileText[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    const names = entries.map((e) => e.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      if (name.startsWith(".") || name === "node_modules") continue;
      const full = path.join(folder, name);
      const info = await stat(full).catch(() => undefined);
      if (info?.isDirectory()) await walk(full);
      else if (info?.isFile() && isTestFile(name)) found.push(full);
    }
  };
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    const info = await stat(absolute).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      diagnostics.push(fileProblem(displayPath(absolute, cwd, "relative"), info));
      continue;
    }
    if (info.isDirectory()) {
      try {
        await walk(absolute);
      } catch (error) {
        diagnostics.push(
          fileProblem(displayPath(absolute, cwd, "relative"), error as NodeJS.ErrnoException),
        );
      }
    } else if (isTestFile(absolute)) found.push(absolute);
    else if (options.ignoreOtherFiles !== true) {
      diagnostics.push(
        fileLevel(
          displayPath(absolute, cwd, "relative"),
          "NOT_A_TEST_FILE",
          "segment test files are named *.test.yaml (or *.test.yml)",
        ),
      );
    }
  }
  const files: TestFileText[] = [];
  for (const absolute of [...new Set(found)]) {
    const display = displayPath(absolute, cwd, "relative");
    const text = await readSegmentFile(absolute, display, diagnostics);
    if (text !== undefined) files.push({ absolute, display, text });
  }
  return { files, diagnostics };
}
