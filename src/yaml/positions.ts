/**
 * Positions in a YAML file: the parser gives character offsets, messages give 1-based line and
 * column. Every YAML reader of audience (config, segment files, segment tests) places its
 * diagnostics with these functions.
 */
import { isNode, isPair, LineCounter, type Document } from "yaml";
import type { Diagnostic, SourceLocation } from "../errors.js";
import { parseYamlWithExpressions } from "./plain-expressions.js";

/** Positions for messages: turns YAML node offsets into 1-based line and column. */
export interface SourceFile {
  file: string;
  text: string;
  lineCounter: LineCounter;
}

/** A parsed YAML file and its positions. */
export interface ParsedYaml {
  source: SourceFile;
  doc: Document.Parsed;
}

/**
 * Parses a file as audience reads YAML: errors without code frames (diagnostics have their own),
 * repeated keys left to the schema (which names them), one-line `where:` / `orders_filter:`
 * values read as the expressions they look like.
 */
export function parseYamlSource(file: string, text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseYamlWithExpressions(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: false,
  });
  return { source: { file, text, lineCounter }, doc };
}

export function locate(
  source: SourceFile,
  start: number,
  end: number,
): Pick<Diagnostic, "line" | "column" | "endLine" | "endColumn"> {
  const from = source.lineCounter.linePos(start);
  const to = source.lineCounter.linePos(Math.max(start, end));
  return { line: from.line, column: from.col, endLine: to.line, endColumn: to.col };
}

/**
 * The offsets of a YAML node, or of a pair's key. Anything else (no node: an empty value, a
 * missing key) is the start of the file.
 */
export function nodeRange(node: unknown): [number, number] {
  if (isNode(node) && node.range) return [node.range[0], node.range[1]];
  if (isPair(node) && isNode(node.key) && node.key.range) {
    return [node.key.range[0], node.key.range[1]];
  }
  return [0, 0];
}

/** The place of a node (or a pair's key), for references between segments. */
export function locationOf(source: SourceFile, node: unknown): SourceLocation {
  return { file: source.file, ...locate(source, ...nodeRange(node)) };
}

export function diagnosticAt(
  source: SourceFile,
  node: unknown,
  code: string,
  message: string,
  hint?: string,
  severity: Diagnostic["severity"] = "error",
): Diagnostic {
  const [start, end] = nodeRange(node);
  return diagnosticAtRange(source, start, end, code, message, hint, severity);
}

/** A diagnostic for the characters `start` to `end` of a file. */
export function diagnosticAtRange(
  source: SourceFile,
  start: number,
  end: number,
  code: string,
  message: string,
  hint?: string,
  severity: Diagnostic["severity"] = "error",
): Diagnostic {
  return {
    file: source.file,
    ...locate(source, start, end),
    severity,
    code,
    message,
    ...(hint === undefined ? {} : { hint }),
    source: source.text,
  };
}
