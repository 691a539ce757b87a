// Stein variational gradient descent (Liu & Wang 2016) in the page, on the pool's
// compiled log-likelihood evaluator: every iteration is one batch of P particles'
// log L and ∂ log L/∂θ, split across the workers (layer 2 keeps the evaluator, so a
// second fit of the same structure and data plans nothing). The particles move in
// unconstrained coordinates (log θ, or logit on a uniform prior's interval) with the
// Jacobian in the density; RBF kernel with the median bandwidth heuristic; Adam steps.
// It stands in for phasekit's own svgd() (issue 11) until that is on main: fit.ts
// chooses which one the panel runs.
import { seededRandom, GraphError } from '../../src/index.js';
import type { FitRequest, FitResult } from './fit-types.js';
import { coordinateFor, drawPrior, logPrior, type Coordinate } from './priors.js';

const STEP = 0.05;
const BETA1 = 0.9, BETA2 = 0.999, EPSILON = 1e-8;

/** Mean, sd and quantiles of each parameter over the particles. */
export function summarise(particles: Float64Array, paramLength: number): Pick<FitResult, 'mean' | 'sd' | 'quantiles'> {
  const count = particles.length / paramLength;
  const mean: number[] = [], sd: number[] = [];
  const quantiles: FitResult['quantiles'] = { '0.025': [], '0.5': [], '0.975': [] };
  for (let j = 0; j < paramLength; j++) {
    const column = Float64Array.from({ length: count }, (_, i) => particles[i * paramLength + j]).sort();
    const m = column.reduce((a, b) => a + b, 0) / count;
    mean.push(m);
    sd.push(Math.sqrt(column.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, count - 1)));
    const at = (p: number) => { const x = p * (count - 1), i = Math.floor(x); return i + 1 < count ? column[i] + (x - i) * (column[i + 1] - column[i]) : column[i]; };
    quantiles['0.025'].push(at(0.025));
    quantiles['0.5'].push(at(0.5));
    quantiles['0.975'].push(at(0.975));
  }
  return { mean, sd, quantiles };
}

/** The median of the positive pairwise squared distances (0 when all particles coincide). */
function medianDistance(d2: Float64Array, count: number): number {
  const upper: number[] = [];
  for (let i = 0; i < count; i++) for (let j = i + 1; j < count; j++) upper.push(d2[i * count + j]);
  upper.sort((a, b) => a - b);
  return upper.length ? upper[Math.floor(upper.length / 2)] : 0;
}

/** SVGD on the pool's log-likelihood evaluator. */
export async function svgdOnPool(request: FitRequest): Promise<FitResult> {
  const { pool, graph, data, prior, fixed, particles: count, iterations, seed, signal, onProgress } = request;
  const p = graph.paramLength;
  const free = fixed.map((value, j) => (value === null ? j : -1)).filter((j) => j >= 0);
  const d = free.length;
  if (d === 0) throw new GraphError('BAD_ARGUMENT', 'nothing to fit: every parameter is fixed (or the model has none)');
  if (!Number.isInteger(count) || count < 2 || count > 4096) throw new RangeError('particles must be a whole number from 2 to 4096');
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 100_000) throw new RangeError('iterations must be a whole number from 1 to 100,000');
  const started = performance.now();
  const evaluator = await pool.createEvaluator(graph, { kind: 'loglik', data }, { backend: 'auto', signal });
  const coordinates: Coordinate[] = free.map((j) => coordinateFor(prior[j]));

  // η: count × d, drawn from the prior (seeded).
  const random = seededRandom(seed);
  const eta = new Float64Array(count * d);
  for (let i = 0; i < count; i++) free.forEach((j, f) => { eta[i * d + f] = coordinates[f].toEta(drawPrior(prior[j], random)); });
  const thetas = new Float64Array(count * p);
  const fillThetas = () => {
    for (let i = 0; i < count; i++) for (let j = 0; j < p; j++) thetas[i * p + j] = fixed[j] ?? 0;
    for (let i = 0; i < count; i++) free.forEach((j, f) => { thetas[i * p + j] = coordinates[f].toTheta(eta[i * d + f]); });
  };
  const m = new Float64Array(count * d), v = new Float64Array(count * d);
  const grad = new Float64Array(count * d), phi = new Float64Array(count * d);
  const d2 = new Float64Array(count * count), kernel = new Float64Array(count * count);

  for (let t = 1; t <= iterations; t++) {
    signal?.throwIfAborted();
    fillThetas();
    const { values, gradients } = await evaluator.evaluate({ thetas, gradient: true, signal });
    // ∇η log posterior: (∂ log L/∂θ + ∂ log prior/∂θ)·dθ/dη + ∂ log|dθ/dη|/∂η.
    let logPosterior = 0, possible = 0;
    for (let i = 0; i < count; i++) {
      const finite = Number.isFinite(values[i]);
      if (finite) possible++;
      let lp = finite ? values[i] : 0;
      free.forEach((j, f) => {
        const e = eta[i * d + f], theta = thetas[i * p + j];
        const pr = logPrior(prior[j], theta), jac = coordinates[f].logJacobian(e);
        lp += pr.value + jac.value;
        // A particle where the data are impossible moves by its prior alone.
        const dLik = finite && Number.isFinite(gradients![i * p + j]) ? gradients![i * p + j] : 0;
        grad[i * d + f] = (dLik + pr.slope) * coordinates[f].slope(e) + jac.slope;
      });
      if (finite) logPosterior += lp;
    }
    if (possible === 0) throw new GraphError('BAD_DATA', 'the data have probability 0 at every particle: they cannot come from this model (check the observations against its support)');
    // RBF kernel, bandwidth h = med² / log(P + 1).
    for (let i = 0; i < count; i++) for (let j = i; j < count; j++) {
      let s = 0;
      for (let f = 0; f < d; f++) { const diff = eta[i * d + f] - eta[j * d + f]; s += diff * diff; }
      d2[i * count + j] = d2[j * count + i] = s;
    }
    const h = medianDistance(d2, count) / Math.log(count + 1) || 1;
    for (let k = 0; k < count * count; k++) kernel[k] = Math.exp(-d2[k] / h);
    // φ(x_i) = 1/P Σ_j [k(x_j, x_i) ∇ log p(x_j) + ∇_{x_j} k(x_j, x_i)].
    phi.fill(0);
    for (let i = 0; i < count; i++) for (let j = 0; j < count; j++) {
      const k = kernel[i * count + j];
      for (let f = 0; f < d; f++) phi[i * d + f] += k * grad[j * d + f] + (2 / h) * (eta[i * d + f] - eta[j * d + f]) * k;
    }
    let moved = 0;
    for (let x = 0; x < count * d; x++) {
      const g = phi[x] / count;
      m[x] = BETA1 * m[x] + (1 - BETA1) * g;
      v[x] = BETA2 * v[x] + (1 - BETA2) * g * g;
      const step = (STEP * (m[x] / (1 - BETA1 ** t))) / (Math.sqrt(v[x] / (1 - BETA2 ** t)) + EPSILON);
      eta[x] += step;
      moved += Math.abs(step);
    }
    fillThetas();
    onProgress?.({ iteration: t, iterations, particles: thetas.slice(), logPosteriorMean: logPosterior / possible, bandwidth: h, stepNorm: moved / count });
  }
  fillThetas();
  const particles = thetas.slice();
  return {
    particles, paramLength: p, ...summarise(particles, p), iterations, ms: performance.now() - started,
    backend: `SVGD in this page on the pool's ${evaluator.backend === 'webgpu' ? 'WebGPU' : 'WebAssembly'} log-likelihood evaluator (${pool.size} workers)`,
  };
}
