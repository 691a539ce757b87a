// Fixture page for e2e/inference.spec.ts: svgd() in a real browser, its loop in
// a module worker (the default) against the same fit in the page, driven
// through window.inferenceFixture.
import { EvaluatorCache, logLikelihood, models, ready, svgd, type CountObservations, type SvgdOptions } from '../../../src/index.js';
import { createPool } from '../../../src/pool/index.js';

const pool = createPool({ size: 1 });
const model = models.coalescent(5);
const options = (): SvgdOptions => ({ model, data: { times: model.sample(100, { theta: [2], seed: 3 }) }, particles: 30, iterations: 80, seed: 4 });

/** Runs `work` while a setTimeout chain measures the page's longest gap between ticks. */
async function longestGap<T>(work: () => Promise<T>): Promise<{ result: T; gapMs: number; ms: number }> {
  let gapMs = 0, last = performance.now(), running = true;
  const tick = (): void => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
    if (running) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  const start = performance.now();
  const result = await work();
  const ms = performance.now() - start;
  running = false;
  // The last gap, up to the work's end, counts too.
  gapMs = Math.max(gapMs, performance.now() - last);
  return { result, gapMs, ms };
}

const fixture = {
  /**
   * The fit in a worker and in the page: equal bit for bit? Progress seen, and the page's
   * longest setTimeout gap during each. The worker's fit runs twice: a stall of the whole
   * machine (2 busy cores) shows in one run, a block of the page in both.
   */
  async compare() {
    let reports = 0;
    const worker = await longestGap(() => svgd({ ...options(), pool, onProgress: () => { reports++; } }));
    const again = await longestGap(() => svgd({ ...options(), pool }));
    const inline = await longestGap(() => svgd({ ...options(), execution: 'inline' }));
    return {
      equal: [worker, again].every((w) => w.result.particles.every((x, i) => Object.is(x, inline.result.particles[i]))),
      execution: worker.result.diagnostics.execution, reports,
      workerGapsMs: [worker.gapMs, again.gapMs], inlineGapMs: inline.gapMs, inlineMs: inline.ms,
      mean: worker.result.mean[0], lower: worker.result.quantiles['0.025'][0], upper: worker.result.quantiles['0.975'][0],
    };
  },

  /** Aborts a long fit in its worker after a few iterations, then fits again. */
  async abort() {
    const controller = new AbortController();
    const error = await svgd({ ...options(), iterations: 100_000, pool, signal: controller.signal, onProgress: ({ iteration }) => { if (iteration === 3) controller.abort(); } })
      .then(() => null, (e: { name: string; code?: string }) => ({ name: e.name, code: e.code }));
    const again = await svgd({ ...options(), pool });
    const inline = await svgd({ ...options(), execution: 'inline' });
    return { error, afterEqual: again.particles.every((x, i) => Object.is(x, inline.particles[i])) };
  },

  /**
   * Count data given again at each θ (an optimiser's loop) are compared with their checked copy,
   * here by the loop a browser runs (Node compares bytes): an unchanged call gives the same log L
   * as fresh data, and one value changed in place gives that of fresh data with the change.
   */
  async countsGivenAgain() {
    const graph = models.coalescent(8);
    const data = { counts: [30, 15, 10, 7, 6, 5, 4], rewards: models.coalescentSfsRewards(graph), scale: 2 };
    const copy = (d: CountObservations): CountObservations => ({ ...d, rewards: Array.from(d.rewards, (r) => Float64Array.from(r)) });
    const logL = async (d: CountObservations) => (await logLikelihood(graph, d, { theta: [1.7], cache: new EvaluatorCache() })).logLik[0];
    const cache = new EvaluatorCache();
    const atTheta = async (theta: number) => (await logLikelihood(graph, data, { theta: [theta], cache })).logLik[0];
    const first = await atTheta(1.7);
    await atTheta(1.2);
    const again = await atTheta(1.7);
    data.rewards[3][5] += 1;
    const changed = await atTheta(1.7);
    return { same: Object.is(first, again), freshBefore: Object.is(first, await logL(copy({ ...data, rewards: models.coalescentSfsRewards(graph) }))), changedIsFresh: Object.is(changed, await logL(copy(data))), changedDiffers: changed !== first };
  },
};

declare global {
  interface Window { inferenceFixture: typeof fixture }
}
window.inferenceFixture = fixture;
await ready();
document.getElementById('status')!.textContent = 'ready';
