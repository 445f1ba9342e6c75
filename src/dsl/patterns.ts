/**
 * Case-insensitive text matching for filter arguments (`category: "Sérum"`, `product: "*serum*"`):
 * equality, or `*` as a wildcard for any run of characters.
 */
import type { TextPattern } from "./plan.js";

export type TextMatcher = (value: string | undefined) => boolean;

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

export function compilePatterns(patterns: readonly TextPattern[]): TextMatcher {
  const exact = new Set<string>();
  const wild: RegExp[] = [];
  for (const p of patterns) {
    const text = p.text.toLowerCase();
    if (p.wildcard)
      wild.push(new RegExp(`^${text.split("*").map(escapeRegExp).join(".*")}$`, "su"));
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
      for (const re of wild) {
        if (re.test(lower)) {
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
