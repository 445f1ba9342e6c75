/**
 * Code-unit order of strings: the same on every machine, whatever the locale (`localeCompare`
 * is not), so that sorted output is byte-identical from one run to the next.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
