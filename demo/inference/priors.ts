// Priors per parameter, in the JSON form of issue 11's CLI ({ gamma: { shape, rate } }),
// with their log densities, gradients, seeded draws, and the unconstrained
// coordinate each parameter is moved in (log for (0, ∞), logit for an interval).
import type { Random } from '../../src/index.js';

/** A prior on one positive parameter. */
export type Prior =
  | { gamma: { shape: number; rate: number } }
  | { lognormal: { mu: number; sigma: number } }
  | { halfnormal: { sigma: number } }
  | { uniform: { low: number; high: number } };

/** The kinds of prior, for forms. */
export const PRIOR_KINDS = ['gamma', 'lognormal', 'halfnormal', 'uniform'] as const;

/** Names and defaults of each kind's hyperparameters. */
export const PRIOR_FIELDS: Record<(typeof PRIOR_KINDS)[number], [string, number][]> = {
  gamma: [['shape', 2], ['rate', 1]],
  lognormal: [['mu', 0], ['sigma', 1]],
  halfnormal: [['sigma', 2]],
  uniform: [['low', 0], ['high', 10]],
};

/** The kind of `prior`. */
export function priorKind(prior: Prior): (typeof PRIOR_KINDS)[number] {
  return Object.keys(prior)[0] as (typeof PRIOR_KINDS)[number];
}

/** Builds a prior from a kind and its numbers, checking them. */
export function makePrior(kind: (typeof PRIOR_KINDS)[number], values: number[]): Prior {
  const [a, b] = values;
  const positive = (x: number, name: string) => { if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`the ${kind} prior's ${name} must be a positive number`); };
  switch (kind) {
    case 'gamma': positive(a, 'shape'); positive(b, 'rate'); return { gamma: { shape: a, rate: b } };
    case 'lognormal': if (!Number.isFinite(a)) throw new RangeError('the lognormal prior\'s mu must be a number'); positive(b, 'sigma'); return { lognormal: { mu: a, sigma: b } };
    case 'halfnormal': positive(a, 'sigma'); return { halfnormal: { sigma: a } };
    case 'uniform':
      if (!(a >= 0) || !(b > a) || !Number.isFinite(b)) throw new RangeError('the uniform prior needs 0 ≤ low < high');
      return { uniform: { low: a, high: b } };
  }
}

/** log p(θ) up to a constant, and its derivative. */
export function logPrior(prior: Prior, theta: number): { value: number; slope: number } {
  if ('gamma' in prior) {
    const { shape, rate } = prior.gamma;
    return { value: (shape - 1) * Math.log(theta) - rate * theta, slope: (shape - 1) / theta - rate };
  }
  if ('lognormal' in prior) {
    const { mu, sigma } = prior.lognormal;
    const z = (Math.log(theta) - mu) / sigma;
    return { value: -Math.log(theta) - (z * z) / 2, slope: -1 / theta - z / (sigma * theta) };
  }
  if ('halfnormal' in prior) {
    const { sigma } = prior.halfnormal;
    return { value: -(theta * theta) / (2 * sigma * sigma), slope: -theta / (sigma * sigma) };
  }
  const { low, high } = prior.uniform;
  return { value: theta > low && theta < high ? 0 : -Infinity, slope: 0 };
}

/** The prior's density, normalised (for plotting it under the posterior). */
export function priorDensity(prior: Prior, theta: number): number {
  if (theta <= 0) return 0;
  if ('gamma' in prior) {
    const { shape, rate } = prior.gamma;
    return Math.exp(shape * Math.log(rate) + (shape - 1) * Math.log(theta) - rate * theta - logGamma(shape));
  }
  if ('lognormal' in prior) {
    const { mu, sigma } = prior.lognormal;
    const z = (Math.log(theta) - mu) / sigma;
    return Math.exp(-(z * z) / 2) / (theta * sigma * Math.sqrt(2 * Math.PI));
  }
  if ('halfnormal' in prior) {
    const { sigma } = prior.halfnormal;
    return (Math.sqrt(2 / Math.PI) / sigma) * Math.exp(-(theta * theta) / (2 * sigma * sigma));
  }
  const { low, high } = prior.uniform;
  return theta > low && theta < high ? 1 / (high - low) : 0;
}

/** ln Γ(x), Lanczos (g = 7, n = 9), for x > 0. */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

function normal(random: Random): number {
  // Box–Muller; 1 − u keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function gammaDraw(shape: number, random: Random): number {
  // Marsaglia & Tsang; shape < 1 through the boost U^(1/shape).
  if (shape < 1) return gammaDraw(shape + 1, random) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do { x = normal(random); v = 1 + c * x; } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** One draw from the prior. */
export function drawPrior(prior: Prior, random: Random): number {
  if ('gamma' in prior) return gammaDraw(prior.gamma.shape, random) / prior.gamma.rate;
  if ('lognormal' in prior) return Math.exp(prior.lognormal.mu + prior.lognormal.sigma * normal(random));
  if ('halfnormal' in prior) return Math.abs(prior.halfnormal.sigma * normal(random)) || 1e-12;
  const { low, high } = prior.uniform;
  return low + (high - low) * (0.001 + 0.998 * random());
}

/** The unconstrained coordinate η of a parameter: θ = e^η on (0, ∞), a scaled logistic on an interval. */
export interface Coordinate {
  toTheta(eta: number): number;
  toEta(theta: number): number;
  /** dθ/dη at η. */
  slope(eta: number): number;
  /** log |dθ/dη| and its derivative in η: the Jacobian term of the density in η. */
  logJacobian(eta: number): { value: number; slope: number };
}

/** The coordinate a prior's parameter moves in. */
export function coordinateFor(prior: Prior): Coordinate {
  if ('uniform' in prior) {
    const { low, high } = prior.uniform, width = high - low;
    const sigmoid = (eta: number) => 1 / (1 + Math.exp(-eta));
    return {
      toTheta: (eta) => low + width * sigmoid(eta),
      toEta: (theta) => { const s = (theta - low) / width; return Math.log(s / (1 - s)); },
      slope: (eta) => { const s = sigmoid(eta); return width * s * (1 - s); },
      logJacobian: (eta) => { const s = sigmoid(eta); return { value: Math.log(width * s * (1 - s)), slope: 1 - 2 * s }; },
    };
  }
  return {
    toTheta: Math.exp,
    toEta: Math.log,
    slope: Math.exp,
    logJacobian: (eta) => ({ value: eta, slope: 1 }),
  };
}
