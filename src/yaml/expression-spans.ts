/**
 * An expression written in a YAML scalar (`where:`, `orders_filter:`) reports its problems at
 * offsets of the value; these map them to the file, whatever the scalar's style.
 */
import type { Scalar } from "yaml";
import type { ErrorCode } from "../codes.js";
import type { Diagnostic, Severity } from "../errors.js";
import type { SourceFile } from "../source-file.js";
import { diagnosticAtRange, nodeRange } from "./positions.js";
import { mapScalar, mapSpan, type OffsetSpan, type ScalarSourceMap } from "./scalar-map.js";

/** A problem found in an expression, at offsets of its text (as the DSL reports them). */
export interface SpanDiagnostic {
  code: ErrorCode;
  message: string;
  hint?: string;
  span: OffsetSpan;
  severity: Severity;
}

export interface ExpressionSpans {
  /** The file range of a span of the value. */
  toFile(span: OffsetSpan): OffsetSpan;
  /** The diagnostic placed at its file position. */
  diagnostic(d: SpanDiagnostic): Diagnostic;
}

/** Maps spans of `value`, the text of `scalar`, to the file (the map is built on first use). */
export function expressionSpans(
  source: SourceFile,
  scalar: Scalar,
  value: string,
): ExpressionSpans {
  const [start, end] = nodeRange(scalar);
  let map: ScalarSourceMap | undefined;
  const toFile = (span: OffsetSpan): OffsetSpan => {
    map ??= mapScalar(source.text ?? "", { style: scalar.type ?? "PLAIN", start, end, value });
    return mapSpan(map, span);
  };
  return {
    toFile,
    diagnostic(d) {
      const range = toFile(d.span);
      return diagnosticAtRange(
        source,
        range.start,
        range.end,
        d.code,
        d.message,
        d.hint,
        d.severity,
      );
    },
  };
}
