/**
 * Nelder–Mead minimisation (Nelder & Mead 1965, with the adaptive coefficients of Gao & Han 2012
 * for the dimension), restarted from its own result until a restart no longer moves it: a
 * simplex that collapsed early is rebuilt around the point and has to converge again.
 * Derivative-free, which suits log-likelihoods with lgamma in them; the fit checks the gradient
 * at the end by finite differences.
 */

export interface MinimizeOptions {
  /** Initial step per coordinate. */
  step?: number;
  /** Stop when the simplex is this small in every coordinate… */
  xTolerance?: number;
  /** …and its values differ by at most this much. */
  fTolerance?: number;
  maxEvaluations?: number;
  /** Box: every coordinate is kept within [-bound, bound]. */
  bound?: number;
}

export interface MinimizeResult {
  x: number[];
  value: number;
  evaluations: number;
  converged: boolean;
}

export function nelderMead(
  f: (x: readonly number[]) => number,
  start: readonly number[],
  options: MinimizeOptions = {},
): MinimizeResult {
  const n = start.length;
  const step = options.step ?? 0.5;
  const xTol = options.xTolerance ?? 1e-10;
  const fTol = options.fTolerance ?? 1e-12;
  const maxEvaluations = options.maxEvaluations ?? 10_000;
  const alpha = 1;
  const beta = 1 + 2 / n;
  const gamma = 0.75 - 1 / (2 * n);
  const delta = 1 - 1 / n;
  const bound = options.bound ?? Infinity;
  let evaluations = 0;
  const value = (x: number[]) => {
    for (let k = 0; k < n; k++) x[k] = Math.min(bound, Math.max(-bound, x[k]));
    evaluations++;
    const v = f(x);
    return Number.isNaN(v) ? Infinity : v;
  };

  let best: { x: number[]; value: number } = { x: [...start], value: value([...start]) };
  let converged = false;
  for (let restart = 0; restart < 10 && evaluations < maxEvaluations; restart++) {
    const simplex: number[][] = [best.x];
    const values: number[] = [best.value];
    for (let i = 0; i < n; i++) {
      const vertex = [...best.x];
      vertex[i] += (vertex[i] + step > bound ? -step : step) / (restart + 1);
      simplex.push(vertex);
      values.push(value(vertex));
    }
    let done = false;
    while (evaluations < maxEvaluations) {
      const order = simplex.map((_, i) => i).sort((i, j) => values[i] - values[j]);
      const sorted = order.map((i) => simplex[i]);
      const sortedValues = order.map((i) => values[i]);
      for (let i = 0; i <= n; i++) {
        simplex[i] = sorted[i];
        values[i] = sortedValues[i];
      }
      let size = 0;
      for (let i = 1; i <= n; i++)
        for (let k = 0; k < n; k++) size = Math.max(size, Math.abs(simplex[i][k] - simplex[0][k]));
      if (size <= xTol && values[n] - values[0] <= fTol * (1 + Math.abs(values[0]))) {
        done = true;
        break;
      }
      const centroid = new Array<number>(n).fill(0);
      for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) centroid[k] += simplex[i][k] / n;
      const toward = (coefficient: number) =>
        centroid.map((c, k) => c + coefficient * (c - simplex[n][k]));
      const reflected = toward(alpha);
      const fr = value(reflected);
      if (fr < values[0]) {
        const expanded = toward(alpha * beta);
        const fe = value(expanded);
        if (fe < fr) [simplex[n], values[n]] = [expanded, fe];
        else [simplex[n], values[n]] = [reflected, fr];
      } else if (fr < values[n - 1]) {
        [simplex[n], values[n]] = [reflected, fr];
      } else {
        const outside = fr < values[n];
        const contracted = toward(outside ? alpha * gamma : -gamma);
        const fc = value(contracted);
        if (fc < (outside ? fr : values[n])) {
          [simplex[n], values[n]] = [contracted, fc];
        } else {
          for (let i = 1; i <= n; i++) {
            simplex[i] = simplex[i].map((v, k) => simplex[0][k] + delta * (v - simplex[0][k]));
            values[i] = value(simplex[i]);
          }
        }
      }
    }
    const moved = simplex[0].some((v, k) => Math.abs(v - best.x[k]) > xTol * 10);
    const improved = values[0] < best.value - fTol * (1 + Math.abs(best.value));
    best = values[0] <= best.value ? { x: simplex[0], value: values[0] } : best;
    if (done && !moved && !improved && restart > 0) {
      converged = true;
      break;
    }
  }
  return { x: best.x, value: best.value, evaluations, converged };
}

export interface ValueAndGradient {
  value: number;
  gradient: number[];
}

/**
 * BFGS with a backtracking (Armijo) line search, for a smooth objective with its gradient. Stops
 * when the largest gradient component is below `gradientTolerance`. Used to finish a fit on all
 * customers from the point the simplex found, in a few dozen evaluations.
 */
export function bfgs(
  fg: (x: readonly number[]) => ValueAndGradient,
  start: readonly number[],
  options: { gradientTolerance?: number; maxIterations?: number; bound?: number } = {},
): MinimizeResult {
  const n = start.length;
  const tolerance = options.gradientTolerance ?? 1e-9;
  const maxIterations = options.maxIterations ?? 200;
  const bound = options.bound ?? Infinity;
  const clamp = (x: number[]) => x.map((v) => Math.min(bound, Math.max(-bound, v)));
  let evaluations = 1;
  let x = clamp([...start]);
  let current = fg(x);
  // Inverse Hessian estimate, row-major.
  let H = identity(n);
  let converged = false;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const g = current.gradient;
    if (Math.max(...g.map(Math.abs)) <= tolerance) {
      converged = true;
      break;
    }
    let d = multiply(H, g).map((v) => -v);
    let slope = dot(d, g);
    if (!(slope < 0)) {
      H = identity(n);
      d = g.map((v) => -v);
      slope = dot(d, g);
    }
    let step = 1;
    let next: ValueAndGradient | undefined;
    let xNext = x;
    for (let tries = 0; tries < 60; tries++) {
      xNext = clamp(x.map((v, k) => v + step * d[k]));
      const trial = fg(xNext);
      evaluations++;
      if (Number.isFinite(trial.value) && trial.value <= current.value + 1e-4 * step * slope) {
        next = trial;
        break;
      }
      step /= 2;
    }
    if (next === undefined) break;
    const s = xNext.map((v, k) => v - x[k]);
    const y = next.gradient.map((v, k) => v - g[k]);
    const sy = dot(s, y);
    if (sy > 1e-300) {
      // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
      const rho = 1 / sy;
      const Hy = multiply(H, y);
      const yHy = dot(y, Hy);
      const updated = identity(n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          updated[i][j] =
            H[i][j] - rho * (Hy[i] * s[j] + s[i] * Hy[j]) + (rho * rho * yHy + rho) * s[i] * s[j];
      H = updated;
    }
    const improvement = current.value - next.value;
    x = xNext;
    current = next;
    if (improvement <= 1e-15 * (1 + Math.abs(current.value)) && step < 1e-10) break;
  }
  if (!converged && Math.max(...current.gradient.map(Math.abs)) <= tolerance) converged = true;
  return { x, value: current.value, evaluations, converged };
}

function identity(n: number): number[][] {
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  );
}

function multiply(m: number[][], v: readonly number[]): number[] {
  return m.map((row) => dot(row, v));
}

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}
