/**
 * The Gamma-Gamma model of spend per transaction (Colombo & Jiang 1999; Fader & Hardie 2013,
 * "The Gamma-Gamma Model of Monetary Value"): a customer's amounts are Gamma(p, ν) with ν ~
 * Gamma(q, γ), so the mean amount of x transactions, m, is all the model needs. Fitted on the
 * repeat buyers (x ≥ 1) with the mean of their repeat purchase days, as in the CDNOW example.
 */

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

/**
 * E[M | x, m] = p(γ + m·x)/(p·x + q − 1): a weighted mean of the population mean γp/(q−1) and the
 * customer's own mean, the customer's weight growing with x. For x = 0 it is the population mean.
 * Needs q > 1 (otherwise the mean spend is infinite): NaN then.
 */
export function expectedSpend(params: GammaGammaParams, x: number, m: number): number {
  const { p, q, gamma } = params;
  if (!(q > 1)) return NaN;
  return (p * (gamma + (x > 0 ? m * x : 0))) / (p * x + q - 1);
}
