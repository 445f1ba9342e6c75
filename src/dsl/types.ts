/** Value types of the expression language (docs/design.md#expressions). */
export type ValueType = "number" | "string" | "boolean" | "date" | "duration" | "list" | "null";

/** A half-open range of character offsets inside one expression's source text. */
export interface Span {
  start: number;
  end: number;
}
