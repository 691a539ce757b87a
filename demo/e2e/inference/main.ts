// Fixture page for e2e/inference.spec.ts: svgd() in a real browser, its loop in
// a module worker (the default) against the same fit in the page, driven
// through window.inferenceFixture.
import { models, ready, svgd, type SvgdOptions } from '../../../src/index.js';
import { createPool } from '../../../src/pool/index.js';

const pool = createPool({ size: 1 });
const model = models.coalescent(5);
const options = (): SvgdOptions => ({ model, data: { times: model.sample(100, { theta: [2], seed: 3 }) }, particles: 30, iterations: 80, seed: 4 });

const fixture = {
  /** The fit in a worker and in the page: equal bit for bit? Progress seen, and the page's longest setTimeout gap meanwhile. */
  async compare() {
    let reports = 0, gap = 0, last = performance.now(), running = true;
    const tick = (): void => {
      const now = performance.now();
      gap = Math.max(gap, now - last);
      last = now;
      if (running) setTimeout(tick, 0);
    };
    setTimeout(tick, 0);
    const worker = await svgd({ ...options(), pool, onProgress: () => { reports++; } });
    running = false;
    const inline = await svgd({ ...options(), execution: 'inline' });
    return {
      equal: worker.particles.every((x, i) => Object.is(x, inline.particles[i])),
      execution: worker.diagnostics.execution, reports, timeoutGapMs: gap,
      mean: worker.mean[0], lower: worker.quantiles['0.025'][0], upper: worker.quantiles['0.975'][0],
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
};

declare global {
  interface Window { inferenceFixture: typeof fixture }
}
window.inferenceFixture = fixture;
await ready();
document.getElementById('status')!.textContent = 'ready';
