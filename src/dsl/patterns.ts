/**
 * Case-insensitive text matching for filter arguments (`category: "Sérum"`, `product: "*serum*"`):
 * equality, or `*` as a wildcard for any run of characters.
 *
 * Wildcards are matched without regular expressions, in time linear in the text whatever the
 * pattern and the data (a backtracking `.*a.*b` is quadratic or worse on a long cell): the part
 * before the first `*` must start the text, the part after the last `*` must end it, and the parts
 * between are found left to right, each at its first place after the previous one, by
 * Knuth–Morris–Pratt search. Taking the first place is always right for `*`-only patterns, so no
 * choice is ever undone.
 */
import type { TextPattern } from "./plan.js";

export type TextMatcher = (value: string | undefined) => boolean;

/** A pattern's parts between `*`, each with its KMP failure table. */
interface Wildcard {
  prefix: string;
  suffix: string;
  middle: { part: string; failure: Int32Array }[];
  minLength: number;
  /** No `*` at all: the text must be the pattern. */
  whole: boolean;
}

function failureTable(part: string): Int32Array {
  const failure = new Int32Array(part.length);
  let k = 0;
  for (let i = 1; i < part.length; i++) {
    while (k > 0 && part.charCodeAt(i) !== part.charCodeAt(k)) k = failure[k - 1];
    if (part.charCodeAt(i) === part.charCodeAt(k)) k++;
    failure[i] = k;
  }
  return failure;
}

export function compileWildcard(pattern: string): Wildcard {
  const parts = pattern.split("*");
  const prefix = parts[0];
  const suffix = parts.length > 1 ? parts[parts.length - 1] : "";
  const middle = parts
    .slice(1, -1)
    .filter((p) => p !== "")
    .map((part) => ({ part, failure: failureTable(part) }));
  const minLength = prefix.length + suffix.length + middle.reduce((n, m) => n + m.part.length, 0);
  return { prefix, suffix, middle, minLength, whole: parts.length === 1 };
}

/**
 * Whether `text` matches; `steps`, when given, counts the character comparisons (for the test that
 * checks the work is linear).
 */
export function matchWildcard(w: Wildcard, text: string, steps?: { count: number }): boolean {
  if (text.length < w.minLength || (w.whole && text.length !== w.minLength)) return false;
  if (!text.startsWith(w.prefix) || !text.endsWith(w.suffix)) return false;
  let from = w.prefix.length;
  const end = text.length - w.suffix.length;
  let count = w.prefix.length + w.suffix.length;
  for (const { part, failure } of w.middle) {
    // KMP: every step moves i forward or shrinks k, so at most 2 × (end - from) comparisons.
    let k = 0;
    let found = -1;
    for (let i = from; i < end; i++) {
      const c = text.charCodeAt(i);
      while (k > 0 && c !== part.charCodeAt(k)) {
        k = failure[k - 1];
        count++;
      }
      count++;
      if (c === part.charCodeAt(k)) k++;
      if (k === part.length) {
        found = i + 1;
        break;
      }
    }
    if (found < 0) {
      if (steps !== undefined) steps.count += count;
      return false;
    }
    from = found;
  }
  if (steps !== undefined) steps.count += count;
  return true;
}

export function compilePatterns(patterns: readonly TextPattern[]): TextMatcher {
  const exact = new Set<string>();
  const wild: Wildcard[] = [];
  for (const p of patterns) {
    const text = p.text.toLowerCase();
    if (p.wildcard) wild.push(compileWildcard(text));
    else exact.add(text);
  }
  let lastInput: string | undefined;
  let lastResult = false;
  return (value) => {
    if (value === undefined) return false;
    if (value === lastInput) return lastResult;
    const lower = value.trim().toLowerCase();
    let result = exact.has(lower);
    if (!result) {
      for (const w of wild) {
        if (matchWildcard(w, lower)) {
          result = true;
          break;
        }
      }
    }
    lastInput = value;
    lastResult = result;
    return result;
  };
}
