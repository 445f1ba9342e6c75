/**
 * RFM scores (docs/design.md#rfm). F and M: 1 + the number of cut points strictly below the value. R (days
 * since the last order): 1 + the number of cut points strictly above it, so recent is good.
 * Equal values always get equal scores.
 */

export function scoreAscending(value: number, cuts: readonly number[]): number {
  let score = 1;
  for (const cut of cuts) if (cut < value) score++;
  return score;
}

export function scoreRecency(daysSinceLastOrder: number, cuts: readonly number[]): number {
  let score = 1;
  for (const cut of cuts) if (cut > daysSinceLastOrder) score++;
  return score;
}
