// Priors, one per parameter and independent: gamma, log-normal, half-normal,
// uniform on an interval, or the user's own log-density with its derivative.
// Each knows its support (which picks the parameter's transform to an
// unconstrained space), its log-density with derivative in θ, and how to draw
// from it (initialisation). All but the user's own are plain data, so they
// cross to a worker as they are.
import { GraphError } from '../errors/index.js';
import { logGamma } from '../likelihood/counts.js';
import type { Random } from '../sampling/rng.js';

/** Where a parameter lives: (0, ∞), the real line, or an open interval (low, high). */
export type Support = 'positive' | 'real' | readonly [number, number];

/** A prior of one parameter given by the user: log-density and its derivative (normalisation does not matter). */
export interface CustomPrior {
  /** log π(x) up to a constant. */
  logDensity: (x: number) => number;
  /** d log π(x) / dx. */
  gradient: (x: number) => number;
  /** Where x lives. Default 'positive' (a rate). */
  support?: Support;
  /** A draw from π, for initialising particles from the prior; without it, give the particles. */
  sample?: (random: Random) => number;
}

/** The prior of one parameter. Independent priors multiply. */
export type Prior =
  /** Gamma(shape, rate): density ∝ x^(shape−1) e^(−rate·x) on (0, ∞). */
  | { gamma: { shape: number; rate: number } }
  /** log x ~ Normal(mu, sigma²), on (0, ∞). */
  | { logNormal: { mu: number; sigma: number } }
  /** |Normal(0, sigma²)|, on (0, ∞). */
  | { halfNormal: { sigma: number } }
  /** Uniform on (low, high). */
  | { uniform: { low: number; high: number } }
  | CustomPrior;

/** A checked prior: its support, log-density and derivative, and a sampler (when it has one). */
export interface CheckedPrior {
  readonly support: Support;
  logDensity(x: number): number;
  gradient(x: number): number;
  sample?: (random: Random) => number;
  /** Whether it is plain data (it can cross to a worker). */
  readonly data: boolean;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

function fail(what: string, message: string): never {
  throw new GraphError('BAD_ARGUMENT', `${what}: ${message}`);
}

function positiveNumber(what: string, name: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) fail(what, `${name} must be a finite number > 0, got ${JSON.stringify(x) ?? String(x)}`);
  return x;
}

function finiteNumber(what: string, name: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) fail(what, `${name} must be a finite number, got ${JSON.stringify(x) ?? String(x)}`);
  return x;
}

/** A standard normal draw (Box–Muller; one of the pair). */
export function standardNormal(random: Random): number {
  const u = 1 - random(); // in (0, 1]
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** A Gamma(shape, 1) draw (Marsaglia & Tsang; shape < 1 by the boost x·U^(1/shape)). */
export function standardGamma(shape: number, random: Random): number {
  if (shape < 1) return standardGamma(shape + 1, random) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = standardNormal(random), v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

const KINDS = ['gamma', 'logNormal', 'halfNormal', 'uniform'] as const;

/** Checks the prior of parameter `i` (`what` names it in messages). */
export function checkPrior(prior: unknown, what: string): CheckedPrior {
  if (typeof prior !== 'object' || prior === null || Array.isArray(prior))
    fail(what, `a prior is an object such as {"gamma": {"shape": 2, "rate": 1}}; one of ${KINDS.join(', ')}, or { logDensity, gradient }`);
  const p = prior as Record<string, unknown>;
  if (typeof p.logDensity === 'function' || typeof p.gradient === 'function') return checkCustom(p as unknown as CustomPrior, what);
  const keys = Object.keys(p);
  if (keys.length !== 1 || !(KINDS as readonly string[]).includes(keys[0]))
    fail(what, `expected exactly one of ${KINDS.join(', ')} (or logDensity and gradient functions), got ${keys.length ? keys.join(', ') : 'none'}`);
  const kind = keys[0] as (typeof KINDS)[number];
  const args = p[kind];
  if (typeof args !== 'object' || args === null) fail(what, `${kind} needs its parameters as an object`);
  const a = args as Record<string, unknown>;
  const here = `${what} (${kind})`;
  switch (kind) {
    case 'gamma': {
      const shape = positiveNumber(here, 'shape', a.shape), rate = positiveNumber(here, 'rate', a.rate);
      const c = shape * Math.log(rate) - logGamma(shape);
      return {
        support: 'positive', data: true,
        logDensity: (x) => c + (shape - 1) * Math.log(x) - rate * x,
        gradient: (x) => (shape - 1) / x - rate,
        sample: (random) => standardGamma(shape, random) / rate,
      };
    }
    case 'logNormal': {
      const mu = finiteNumber(here, 'mu', a.mu), sigma = positiveNumber(here, 'sigma', a.sigma);
      const s2 = sigma * sigma;
      return {
        support: 'positive', data: true,
        logDensity: (x) => -Math.log(x) - Math.log(sigma) - LOG_SQRT_2PI - (Math.log(x) - mu) ** 2 / (2 * s2),
        gradient: (x) => -1 / x - (Math.log(x) - mu) / (s2 * x),
        sample: (random) => Math.exp(mu + sigma * standardNormal(random)),
      };
    }
    case 'halfNormal': {
      const sigma = positiveNumber(here, 'sigma', a.sigma);
      const s2 = sigma * sigma;
      return {
        support: 'positive', data: true,
        logDensity: (x) => Math.LN2 - Math.log(sigma) - LOG_SQRT_2PI - (x * x) / (2 * s2),
        gradient: (x) => -x / s2,
        sample: (random) => Math.abs(sigma * standardNormal(random)),
      };
    }
    case 'uniform': {
      const low = finiteNumber(here, 'low', a.low), high = finiteNumber(here, 'high', a.high);
      if (!(high > low)) fail(here, `high must exceed low, got low ${low} and high ${high}`);
      const c = -Math.log(high - low);
      return { support: [low, high], data: true, logDensity: () => c, gradient: () => 0, sample: (random) => low + (high - low) * random() };
    }
  }
}

function checkCustom(p: CustomPrior, what: string): CheckedPrior {
  if (typeof p.logDensity !== 'function' || typeof p.gradient !== 'function') fail(what, 'a prior of your own needs both logDensity(x) and gradient(x) functions');
  if (p.sample !== undefined && typeof p.sample !== 'function') fail(what, 'sample must be a function (random) => x');
  return { support: checkSupport(p.support ?? 'positive', what), data: false, logDensity: p.logDensity, gradient: p.gradient, sample: p.sample };
}

function checkSupport(support: unknown, what: string): Support {
  if (support === 'positive' || support === 'real') return support;
  if (Array.isArray(support) && support.length === 2 && support.every((x) => typeof x === 'number' && Number.isFinite(x)) && support[1] > support[0])
    return [support[0], support[1]];
  fail(what, `support must be 'positive', 'real' or [low, high] with low < high, got ${JSON.stringify(support)}`);
}

/** The prior when none is given: log θ ~ Normal(0, 2²), wide on the log scale (95% in [0.02, 50]). */
export const DEFAULT_PRIOR: Prior = { logNormal: { mu: 0, sigma: 2 } };

/**
 * Checks the priors of `count` parameters: one prior for all, or an array with one per
 * parameter; parameters for which `fixed(i)` holds need none (their entry may be null).
 */
export function checkPriors(prior: unknown, count: number, fixed: (i: number) => boolean = () => false): (CheckedPrior | null)[] {
  if (prior === undefined) prior = DEFAULT_PRIOR;
  if (!Array.isArray(prior)) return Array.from({ length: count }, (_, i) => (fixed(i) ? null : checkPrior(prior, `prior of θ[${i}]`)));
  if (prior.length !== count) throw new GraphError('BAD_ARGUMENT', `prior has ${prior.length} entries but the model has ${count} parameters: give one per parameter`);
  return prior.map((p, i) => {
    if (!fixed(i)) return checkPrior(p, `prior of θ[${i}]`);
    if (p !== null && p !== undefined) checkPrior(p, `prior of θ[${i}]`); // unused, but not malformed
    return null;
  });
}
