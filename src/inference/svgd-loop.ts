// The loop of Stein variational gradient descent on any Evaluator of a
// log-likelihood: each iteration evaluates log L and ∂ log L/∂θ for all P
// particles in one batch, turns them into scores of the unconstrained density,
// and moves every particle along its Stein direction with the optimizer. It runs
// wherever its evaluator is: in this thread, in a worker, or on the main thread
// with a pool's evaluator that splits each batch across workers.
import { GraphError, throwIfAborted } from '../errors/index.js';
import type { Evaluator } from '../evaluate/evaluator.js';
import { seededRandom } from '../sampling/rng.js';
import { MiniBatches } from './minibatch.js';
import { createOptimizer, stepSizeAt } from './optimizers.js';
import type { SvgdPlan } from './plan.js';
import { medianBandwidth, steinDirection } from './rbf-kernel.js';
import { columnSds, HistoryRecorder, type History, type IterationState } from './summary.js';

/** What the loop reports after each iteration; `particles()` gives the θ rows now (not when the loop runs in a worker). */
export type IterationReport = IterationState & { iterations: number; particles?: () => Float64Array };

/** Where the loop reports to and listens. */
export interface LoopHooks {
  /** Stops the run between iterations (and between rows of a long batch) with AbortError. */
  signal?: AbortSignal;
  /** Called after every iteration. */
  onIteration?: (state: IterationReport) => void;
}

/** Why the run ended. */
export type StopReason = 'iterations' | 'converged';

/** The loop's outcome. */
export interface SvgdRun {
  /** Final particles as θ rows (P × paramLength, fixed parameters in place). */
  thetas: Float64Array;
  history: History;
  iterations: number;
  stopped: StopReason;
  /** The last iteration's state. */
  last: IterationState;
  /** Particle evaluations that failed (a θ the graph refuses, work beyond the limits, probability 0, a gradient that overflows), over the run. */
  failedEvaluations: number;
}

// θ rows the graph refuses, whose work exceeds the limits, or whose gradient overflows (a
// particle far out in the tail): that particle fails, not the run.
const PARTICLE_FAILURES = new Set(['BAD_THETA', 'NON_FINITE', 'NEGATIVE_RATE', 'NO_EXIT_AT_THETA', 'WORK_LIMIT', 'START_WEIGHTS_EXCEED_ONE', 'DISCRETE_WEIGHTS_EXCEED_ONE', 'OVERFLOW']);
const isParticleFailure = (e: unknown) => e instanceof GraphError && PARTICLE_FAILURES.has(e.code);

/** Yield to the event loop this often, so that an abort can land. */
const YIELD_MS = 50;

/** θ rows of the particles: the template with each free parameter transformed from z. */
export function thetasOf(plan: SvgdPlan, z: Float64Array, out = new Float64Array(plan.P * plan.paramLength)): Float64Array {
  const { P, paramLength: p, free, template, transforms } = plan, d = free.length;
  for (let r = 0; r < P; r++) {
    out.set(template, r * p);
    for (let c = 0; c < d; c++) out[r * p + free[c]] = transforms[c].toTheta(z[r * d + c]);
  }
  return out;
}

interface Likelihoods {
  logLik: Float64Array;
  gradient: Float64Array;
  /** 1 where the particle's evaluation failed. */
  failed: Uint8Array;
}

/** log L and its gradient at every particle; a particle the graph refuses fails alone. */
async function evaluateParticles(evaluator: Evaluator, thetas: Float64Array, P: number, p: number, weights: Float64Array | undefined, signal: AbortSignal | undefined): Promise<Likelihoods> {
  const logLik = new Float64Array(P).fill(-Infinity), gradient = new Float64Array(P * p), failed = new Uint8Array(P);
  const rows: number[] = [];
  for (let r = 0; r < P; r++) {
    let finite = true;
    for (let i = 0; i < p; i++) if (!Number.isFinite(thetas[r * p + i])) finite = false;
    if (finite) rows.push(r);
    else failed[r] = 1;
  }
  const run = async (which: number[]) => {
    const batch = which.length === P ? thetas : Float64Array.from(which.flatMap((r) => Array.from(thetas.subarray(r * p, (r + 1) * p))));
    const { values, gradients } = await evaluator.evaluate({ thetas: batch, gradient: true, weights, signal });
    which.forEach((r, k) => {
      logLik[r] = values[k];
      gradient.set(gradients!.subarray(k * p, (k + 1) * p), r * p);
    });
  };
  try {
    if (rows.length) await run(rows);
  } catch (error) {
    if (!isParticleFailure(error)) throw error;
    // Some row was refused: each row on its own, to find which.
    for (const r of rows) {
      try {
        await run([r]);
      } catch (e) {
        if (!isParticleFailure(e)) throw e;
        failed[r] = 1;
      }
    }
  }
  return { logLik, gradient, failed };
}

/** Runs SVGD as `plan` says, evaluating log-likelihoods with `evaluator`. */
export async function runSvgd(evaluator: Evaluator, plan: SvgdPlan, hooks: LoopHooks = {}): Promise<SvgdRun> {
  const { P, paramLength: p, free, priors, transforms, iterations } = plan, d = free.length;
  const { signal, onIteration } = hooks;
  if (evaluator.paramLength !== p || evaluator.outputs !== 1) throw new GraphError('BAD_ARGUMENT', 'svgd needs a log-likelihood evaluator of the model (one output per θ row)');
  const data = evaluator.target.kind === 'loglik' ? evaluator.target.data : null;
  if (plan.batchSize !== null && data?.kind === 'counts') throw new GraphError('BAD_ARGUMENT', 'batchSize is for times or steps; counts are one observation vector');
  const batches = plan.batchSize !== null && data && data.kind !== 'counts' ? new MiniBatches(data, plan.batchSize, seededRandom((plan.seed ^ 0x5bd1e995) >>> 0)) : null;

  const z = plan.z.slice();
  const thetas = new Float64Array(P * p);
  const scores = new Float64Array(P * d), phi = new Float64Array(P * d);
  const optimizer = createOptimizer(plan.optimizer, P * d);
  const recorder = new HistoryRecorder(Math.max(1, Math.ceil(iterations / plan.historyPoints)), plan.historyParticles);
  let failedEvaluations = 0, calm = 0, stopped: StopReason = 'iterations';
  let last: IterationState = { iteration: 0, logPosteriorMean: NaN, bandwidth: NaN, stepNorm: NaN };
  let yielded = performance.now();

  let it = 0;
  while (it < iterations) {
    throwIfAborted(signal, 'svgd');
    thetasOf(plan, z, thetas);
    const lik = await evaluateParticles(evaluator, thetas, P, p, batches?.next(), signal);
    // Scores of the unconstrained density, and log-posteriors (θ space) for the report.
    let postSum = 0, postCount = 0;
    for (let r = 0; r < P; r++) {
      let logPost = lik.failed[r] ? -Infinity : lik.logLik[r], ok = Number.isFinite(logPost);
      for (let c = 0; c < d && ok; c++) {
        const zc = z[r * d + c], theta = transforms[c].toTheta(zc);
        const s = (lik.gradient[r * p + free[c]] + priors[c].gradient(theta)) * transforms[c].dTheta(zc) + transforms[c].dLogJacobian(zc);
        logPost += priors[c].logDensity(theta);
        scores[r * d + c] = s;
        ok = Number.isFinite(s) && Number.isFinite(logPost);
      }
      if (ok) { postSum += logPost; postCount++; }
      else { scores.fill(0, r * d, (r + 1) * d); failedEvaluations++; }
    }
    if (postCount === 0) throw new GraphError('BAD_DATA', `iteration ${it + 1}: the posterior is 0 (or the graph refuses θ) at every particle; check the data, the model and the prior`);

    const h = medianBandwidth(z, P, d);
    steinDirection(z, scores, P, d, h, phi);
    // The spread of each coordinate (1 where it is 0: one particle, or a collapsed cloud).
    const spreads = columnSds(z, P, d).map((x) => (x > 0 ? x : 1));
    const stepNorm = optimizer.step(z, phi, stepSizeAt(plan.schedule, plan.stepSize, it, iterations), spreads);
    it++;
    last = { iteration: it, logPosteriorMean: postSum / postCount, bandwidth: h, stepNorm };

    // Stop on particles that hardly move any more, relative to their spread.
    calm = plan.tolerance > 0 && stepNorm < plan.tolerance * norm(spreads) ? calm + 1 : 0;
    if (calm >= plan.patience) stopped = 'converged';
    const end = stopped === 'converged' || it === iterations;
    if (recorder.wants(it) || end) recorder.record(last, thetasOf(plan, z, thetas), P, p);
    onIteration?.({ ...last, iterations, particles: () => thetasOf(plan, z) });
    if (end) break;
    if (performance.now() - yielded >= YIELD_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      yielded = performance.now();
    }
  }
  const final = thetasOf(plan, z);
  const lost = final.findIndex((x) => !Number.isFinite(x));
  if (lost >= 0)
    throw new GraphError('BAD_DATA', `θ[${lost % p}] of particle ${Math.floor(lost / p)} ran off to ${final[lost]}: the posterior looks improper (data that do not pin θ down, and a flat prior); give a proper prior`);
  return { thetas: final, history: recorder.result(p), iterations: it, stopped, last, failedEvaluations };
}

const norm = (x: Float64Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0));
