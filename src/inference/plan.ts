// The settings of a fit, checked once into a plan: which parameters are free,
// their priors and transforms, the starting particles (drawn from the prior with
// the seed, or given), and the run's knobs. Settings are plain data (the user's
// own priors aside), so a worker plans from the same settings and gets the same
// plan, bit for bit.
import { GraphError } from '../errors/index.js';
import { seededRandom, type Random } from '../sampling/rng.js';
import { checkOptimizer, checkSchedule, DEFAULT_STEP_SIZE, type CheckedSchedule, type OptimizerName, type StepSchedule } from './optimizers.js';
import { checkPriors, type CheckedPrior, type Prior } from './priors.js';
import { inSupport, transformFor, type PositiveTransform, type Transform } from './transforms.js';

/** The knobs of a fit that are plain data (they cross to a worker as they are). */
export interface SvgdSettings {
  /** Independent priors: one for every parameter, or an array with one per parameter (null for fixed ones). Default log-normal(0, 2). */
  prior?: Prior | readonly (Prior | null)[];
  /** Particles: how many to draw from the prior (default 100), or the starting θ rows themselves (P × paramLength, row-major; fixed parameters' columns are ignored). */
  particles?: number | Float64Array;
  /** Iterations at most (default 500). */
  iterations?: number;
  /** Seed of the prior draws and mini-batches; the same seed gives the same answer, bit for bit, on one backend. Default: a random seed, reported in diagnostics. */
  seed?: number;
  /** 'adam' (default) or 'adagrad'. */
  optimizer?: OptimizerName;
  /** Step size: Adam's relative to the particles' spread in each unconstrained coordinate (default 0.3), AdaGrad's in unconstrained units (default 1). */
  stepSize?: number;
  /** How the step size changes over the run (default 'cosine': down to 1% of stepSize at the last iteration). */
  schedule?: StepSchedule;
  /** Observations per iteration (times and steps): a fresh mini-batch each iteration, weighted N/B. Default: all of them. */
  batchSize?: number;
  /** How positive parameters are made unconstrained: 'log' (default) or 'softplus'. */
  positiveTransform?: PositiveTransform;
  /** Parameters held fixed: θ[i] = fixed[i] where it is a number; null (or missing) entries are fitted. */
  fixed?: readonly (number | null | undefined)[];
  /** Stop once particles move less than this, relative to their spread, for `patience` iterations in a row (default 1e-3; 0: never). */
  tolerance?: number;
  /** Iterations in a row below `tolerance` that stop the run (default 10). */
  patience?: number;
  /** Probabilities of the reported quantiles (default [0.025, 0.5, 0.975]). */
  quantiles?: readonly number[];
  /** Iterations kept in `history`, at most (default 100; evenly spaced, the last always). */
  historyPoints?: number;
  /** Keep the particles of every recorded iteration in `history.particles` (default false). */
  historyParticles?: boolean;
}

/** A checked fit: what the loop runs. */
export interface SvgdPlan {
  paramLength: number;
  /** Indices of the fitted parameters; d = free.length. */
  free: Int32Array;
  /** A θ row with the fixed values in place (the free ones are overwritten). */
  template: Float64Array;
  priors: CheckedPrior[];
  transforms: Transform[];
  /** Starting particles in the unconstrained space, P × d. */
  z: Float64Array;
  P: number;
  iterations: number;
  seed: number;
  optimizer: OptimizerName;
  stepSize: number;
  schedule: CheckedSchedule;
  batchSize: number | null;
  tolerance: number;
  patience: number;
  quantiles: number[];
  historyPoints: number;
  historyParticles: boolean;
}

function bad(message: string): never {
  throw new GraphError('BAD_ARGUMENT', message);
}

function integerIn(name: string, x: unknown, min: number, max: number): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) bad(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(x) ?? String(x)}`);
  return x;
}

function numberIn(name: string, x: unknown, ok: (x: number) => boolean, expected: string): number {
  if (typeof x !== 'number' || !ok(x)) bad(`${name} must be ${expected}, got ${JSON.stringify(x) ?? String(x)}`);
  return x;
}

/** Most particles (the kernel's cost grows as P²). */
export const MAX_PARTICLES = 100_000;

/** Checks `settings` for a model with `paramLength` parameters and plans the fit. */
export function planSvgd(settings: SvgdSettings, paramLength: number): SvgdPlan {
  if (typeof settings !== 'object' || settings === null) bad('svgd needs an options object');
  const fixed = checkFixed(settings.fixed, paramLength);
  const free = Int32Array.from(Array.from({ length: paramLength }, (_, i) => i).filter((i) => fixed[i] === null));
  if (free.length === 0) bad(paramLength === 0 ? 'the model has no parameters: there is nothing to fit' : 'every parameter is fixed: there is nothing to fit');
  const all = checkPriors(settings.prior, paramLength, (i) => fixed[i] !== null);
  const priors = Array.from(free, (i) => all[i]!);
  const positive = settings.positiveTransform ?? 'log';
  if (positive !== 'log' && positive !== 'softplus') bad(`positiveTransform must be 'log' or 'softplus', got ${JSON.stringify(positive)}`);
  const transforms = priors.map((p) => transformFor(p.support, positive));
  const seed = settings.seed === undefined ? Math.floor(Math.random() * 2 ** 32) : integerIn('seed', settings.seed, 0, 2 ** 32 - 1);
  const template = Float64Array.from(fixed, (x) => x ?? 0);
  const particles = settings.particles ?? 100;
  const z = particles instanceof Float64Array
    ? givenParticles(particles, paramLength, free, priors, transforms)
    : drawParticles(integerIn('particles', particles, 1, MAX_PARTICLES), free, priors, transforms, seededRandom(seed));
  const optimizer = checkOptimizer(settings.optimizer);
  const quantiles = settings.quantiles ?? [0.025, 0.5, 0.975];
  if (!Array.isArray(quantiles) || quantiles.length === 0) bad('quantiles must be a non-empty array of probabilities');
  quantiles.forEach((q, k) => numberIn(`quantiles[${k}]`, q, (x) => x >= 0 && x <= 1, 'a probability in [0, 1]'));
  return {
    paramLength, free, template, priors, transforms, z, P: z.length / free.length, seed,
    iterations: integerIn('iterations', settings.iterations ?? 500, 1, 10_000_000),
    optimizer,
    stepSize: numberIn('stepSize', settings.stepSize ?? DEFAULT_STEP_SIZE[optimizer], (x) => x > 0 && Number.isFinite(x), 'a finite number > 0'),
    schedule: checkSchedule(settings.schedule ?? 'cosine'),
    batchSize: settings.batchSize === undefined ? null : integerIn('batchSize', settings.batchSize, 1, 2 ** 31 - 1),
    tolerance: numberIn('tolerance', settings.tolerance ?? 1e-3, (x) => x >= 0 && Number.isFinite(x), 'a finite number ≥ 0'),
    patience: integerIn('patience', settings.patience ?? 10, 1, 1_000_000),
    quantiles: [...quantiles],
    historyPoints: integerIn('historyPoints', settings.historyPoints ?? 100, 1, 1_000_000),
    historyParticles: settings.historyParticles === true,
  };
}

function checkFixed(fixed: unknown, paramLength: number): (number | null)[] {
  if (fixed === undefined) return new Array<number | null>(paramLength).fill(null);
  if (!Array.isArray(fixed) || fixed.length > paramLength) bad(`fixed must be an array of at most paramLength = ${paramLength} entries (a number holds θ[i] fixed, null fits it)`);
  return Array.from({ length: paramLength }, (_, i) => {
    const x = fixed[i] as unknown;
    if (x === null || x === undefined) return null;
    return numberIn(`fixed[${i}]`, x, Number.isFinite, 'a finite number or null');
  });
}

function drawParticles(P: number, free: Int32Array, priors: CheckedPrior[], transforms: Transform[], random: Random): Float64Array {
  const d = priors.length, z = new Float64Array(P * d);
  priors.forEach((p, c) => {
    if (!p.sample) bad(`the prior of θ[${free[c]}] has no sample(): give the starting particles instead of a count`);
  });
  for (let r = 0; r < P; r++) for (let c = 0; c < d; c++) {
    const theta = priors[c].sample!(random);
    if (!inSupport(priors[c].support, theta)) bad(`a draw from the prior of θ[${free[c]}] is ${theta}, outside its support`);
    z[r * d + c] = transforms[c].toZ(theta);
  }
  return z;
}

// Fixed parameters' columns of given particles are ignored.
function givenParticles(thetas: Float64Array, paramLength: number, free: Int32Array, priors: CheckedPrior[], transforms: Transform[]): Float64Array {
  if (thetas.length === 0 || thetas.length % paramLength !== 0) bad(`particles given as θ rows need a positive multiple of paramLength = ${paramLength} values, got ${thetas.length}`);
  const P = thetas.length / paramLength, d = free.length, z = new Float64Array(P * d);
  if (P > MAX_PARTICLES) bad(`at most ${MAX_PARTICLES} particles, got ${P}`);
  for (let r = 0; r < P; r++) {
    free.forEach((i, c) => {
      const theta = thetas[r * paramLength + i];
      if (!inSupport(priors[c].support, theta)) bad(`particle ${r}: θ[${i}] = ${theta} lies outside the prior's support (${JSON.stringify(priors[c].support)})`);
      z[r * d + c] = transforms[c].toZ(theta);
    });
  }
  return z;
}
