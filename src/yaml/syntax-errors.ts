/** YAML syntax errors (the parser's `doc.errors`) as diagnostics. */
import type { Diagnostic } from "../errors.js";
import type { SourceFile } from "../source-file.js";
import { diagnosticAtRange } from "./positions.js";

export interface SyntaxErrorOptions {
  /** One message per line: a broken line often makes the parser complain several times. */
  onePerLine?: boolean;
  /**
   * The key whose value is an expression (`where`): an error on its line gets a hint on quoting,
   * and a `: ` inside the expression, which YAML reads as a nested key, is pointed at.
   */
  expressionKey?: string;
}

interface YamlError {
  code: string;
  message: string;
  pos: [number, number];
}

/** Each error at its place, with the first line of the parser's message. */
export function syntaxDiagnostics(
  source: SourceFile,
  errors: readonly YamlError[],
  options: SyntaxErrorOptions = {},
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const lines = new Set<number>();
  const keyLine =
    options.expressionKey === undefined
      ? undefined
      : new RegExp(`^(\\s*${options.expressionKey}\\s*:\\s)`);
  for (const error of errors) {
    let [start, end] = error.pos;
    let message = error.message.split("\n")[0];
    const { line } = source.position(start);
    if (options.onePerLine === true) {
      if (lines.has(line)) continue;
      lines.add(line);
    }
    let hint: string | undefined;
    if (keyLine !== undefined) {
      const text = source.text ?? "";
      const lineStart = source.lineStart(line);
      const lineEnd = text.indexOf("\n", lineStart);
      const lineText = text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
      const key = keyLine.exec(lineText);
      if (key !== null) {
        hint = `quote the whole expression (${options.expressionKey}: "…"), or write it as a block: "${options.expressionKey}: |" and the expression on the next lines, indented`;
        // `where: orders(within: 30d) >= 1`: YAML reads the second ": " as a nested key.
        const colon = lineText.slice(key[1].length).search(/:(\s|$)/);
        if (error.code === "BLOCK_AS_IMPLICIT_KEY" && colon >= 0) {
          start = lineStart + key[1].length + colon;
          end = start + 1;
          message = 'the expression contains ": ", which YAML reads as the start of a nested key';
        }
      }
    }
    out.push(diagnosticAtRange(source, start, end, "YAML_SYNTAX", message, hint, "error"));
  }
  return out;
}
