/** Value types of the expression language (SPEC §3). */
export type ValueType = "number" | "string" | "boolean" | "date" | "duration" | "list" | "null";

export type DurationUnit = "d" | "w" | "m" | "y";

/** `30d`, `2w`, `6m` (calendar months), `1y`. */
export interface Duration {
  count: number;
  unit: DurationUnit;
}

/** A half-open range of character offsets inside one expression's source text. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Dates are whole days since 1970-01-01 (the "epoch day") in the configured time zone: every
 * timestamp is turned into a calendar date when it is read, so the evaluator only compares
 * integers.
 */
export type EpochDay = number;
