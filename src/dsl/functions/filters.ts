/** Text filters as the plan holds them, shared by the aggregate functions. */
import { compareText } from "../../compare-text.js";
import type { TextPattern } from "../plan.js";

/**
 * Filter texts → patterns: lowercased, `*` marks a wildcard, sorted and without duplicates so that
 * `["b", "a"]` and `["a", "b", "a"]` are the same aggregate.
 */
export function toPatterns(texts: readonly string[]): TextPattern[] {
  const unique = [...new Set(texts.map((text) => text.toLowerCase()))].sort(compareText);
  return unique.map((text) => ({ text, wildcard: text.includes("*") }));
}

export function patternsOf(texts: readonly string[] | null): TextPattern[] | null {
  return texts === null ? null : toPatterns(texts);
}
