/**
 * Positions in a YAML file: the parser gives character offsets, and a diagnostic keeps them (as a
 * `SourceLocation` into the file's `SourceFile`); line and column are computed when it is printed.
 * Every YAML reader of audience (config, segment files, segment tests) places its diagnostics with
 * these functions.
 */
import { isNode, isPair, type Document } from "yaml";
import type { ErrorCode } from "../codes.js";
import type { Diagnostic, Severity } from "../errors.js";
import { SourceFile, SourceLocation } from "../source-file.js";
import { parseYamlWithExpressions } from "./plain-expressions.js";

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
  const doc = parseYamlWithExpressions(text, { prettyErrors: false, uniqueKeys: false });
  return { source: new SourceFile(file, text), doc };
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
  return new SourceLocation(source, ...nodeRange(node));
}

export function diagnosticAt(
  source: SourceFile,
  node: unknown,
  code: ErrorCode,
  message: string,
  hint?: string,
  severity: Severity = "error",
): Diagnostic {
  const [start, end] = nodeRange(node);
  return diagnosticAtRange(source, start, end, code, message, hint, severity);
}

/** A diagnostic for the characters `start` to `end` of a file. */
export function diagnosticAtRange(
  source: SourceFile,
  start: number,
  end: number,
  code: ErrorCode,
  message: string,
  hint?: string,
  severity: Severity = "error",
): Diagnostic {
  const location = new SourceLocation(source, start, end);
  return { location, severity, code, message, ...(hint === undefined ? {} : { hint }) };
}
