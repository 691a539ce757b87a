// Fixture page for e2e/workers.spec.ts: the pool in a real browser, driven
// through window.workersFixture. Every graph is built before measuring, so the
// gaps measured are those of the kernel work alone.
import { models, ready, type Graph } from '../../../src/index.js';
import { createPool, PoolError, type Progress } from '../../../src/pool/index.js';
import type { FaultyMethods } from '../../../tests/workers/fixtures/faulty-methods.js';

const pool = createPool({ size: 2 });
const faulty = createPool<FaultyMethods>({
  size: 1,
  worker: () => new Worker(new URL('../../../tests/workers/fixtures/faulty-worker.ts', import.meta.url), { type: 'module' }),
});

/** Longest gaps between setTimeout(0) ticks and between animation frames while `work` runs. */
interface Gaps { timeoutGapMs: number; frameGapMs: number; durationMs: number }

async function measureGaps<R>(work: () => R | Promise<R>): Promise<Gaps & { result: R }> {
  let running = true;
  let timeoutGapMs = 0, frameGapMs = 0;
  let lastTick = performance.now(), lastFrame = performance.now();
  const tick = (): void => {
    const now = performance.now();
    timeoutGapMs = Math.max(timeoutGapMs, now - lastTick);
    lastTick = now;
    if (running) setTimeout(tick, 0);
  };
  const frame = (now: number): void => {
    frameGapMs = Math.max(frameGapMs, now - lastFrame);
    lastFrame = now;
    if (running) requestAnimationFrame(frame);
  };
  setTimeout(tick, 0);
  requestAnimationFrame((now) => { lastFrame = now; requestAnimationFrame(frame); });
  await new Promise((resolve) => setTimeout(resolve, 100)); // both loops are turning
  timeoutGapMs = frameGapMs = 0;
  const started = performance.now();
  const result = await work();
  const durationMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 50)); // the loops see the end of a block
  running = false;
  return { timeoutGapMs, frameGapMs, durationMs, result };
}

const TIMES = [0.25, 1, 2, 4];
// Plain uniformisation: long enough on the coalescent to show what a long call does to the page
// (the default, adaptive method answers n = 30 in milliseconds).
const LONG = { theta: [1], method: 'uniformization' } as const;

function errorInfo(error: unknown): { name: string; code?: string; message: string } {
  const e = error as PoolError;
  return { name: e.name, code: e.code, message: e.message };
}

const fixture = {
  ready: () => ready(),
  stats: () => pool.stats(),
  faultyStats: () => faulty.stats(),

  /** What an application does at start-up: its pool's workers started and warmed up (with `memoryBytes` of kernel memory made ready in each). */
  async warm(memoryBytes = 0): Promise<void> {
    await pool.warmUp({ memoryBytes });
  },

  /** Elimination (moments) and plain uniformisation (pdf) of the coalescent, on the main thread. */
  async inThread(n: number, what: 'moments' | 'pdf') {
    const g = models.coalescent(n);
    const gaps = await measureGaps(() => (what === 'moments' ? g.moments(2, { theta: [1] }) : Array.from(g.pdf(TIMES, LONG))));
    return { ...gaps, vertices: g.vertexCount };
  },

  /**
   * The same, through the pool; `builtIn` 'pool' builds the graph in a worker of the pool (as an
   * application with large models does), 'page' on the main thread (its first call then copies
   * the graph to the worker).
   */
  async inPool(n: number, what: 'moments' | 'pdf', builtIn: 'page' | 'pool' = 'page') {
    const g = builtIn === 'pool' ? await models.inPool(pool).coalescent(n) : models.coalescent(n);
    const gaps = await measureGaps(async () => (what === 'moments' ? pool.moments(g, 2, { theta: [1] }) : Array.from(await pool.pdf(g, TIMES, LONG))));
    return { ...gaps, vertices: g.vertexCount };
  },

  /** Starts a long call, aborts it after `afterMs`, and reports how it ended and that the pool still works. */
  async abort(n: number, afterMs: number) {
    const g = models.coalescent(n);
    const controller = new AbortController();
    const started = performance.now();
    const call = pool.pdf(g, TIMES, { ...LONG, signal: controller.signal });
    setTimeout(() => controller.abort(), afterMs);
    const error = await call.then(() => null, errorInfo);
    const rejectedAfterMs = performance.now() - started;
    const small = models.coalescent(6);
    const after = await pool.expectation(small, { theta: [1] });
    return { error, rejectedAfterMs, stats: pool.stats(), afterOk: after === small.expectation({ theta: [1] }) };
  },

  /** Kills worker 0 through the test hook while it computes; the call should be retried and succeed. */
  async kill(n: number) {
    const g: Graph = models.coalescent(n);
    const before = pool.stats();
    const call = pool.moments(g, 3, { theta: [0.8] });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const killed = pool.killWorker(0);
    const result = await call;
    const stats = pool.stats();
    // Replacements start on demand: two calls at once on two graphs need two workers again
    // (two on one graph may share its worker: the second waits for it a while).
    await Promise.all([pool.expectation(g, { theta: [1] }), pool.expectation(models.coalescent(n), { theta: [2] })]);
    return { killed, before, stats, refilled: pool.stats(), equal: JSON.stringify(result) === JSON.stringify(g.moments(3, { theta: [0.8] })) };
  },

  /** A worker that throws an uncaught error, twice: the call rejects WORKER_CRASHED. */
  async crash() {
    const error = await faulty.call('crash', models.coalescent(4), undefined).then(() => null, errorInfo);
    return { error, stats: faulty.stats() };
  },

  /** Trace evaluation through the pool: workers read and write IndexedDB themselves. */
  async traces(n: number) {
    const copies = [models.coalescent(n), models.coalescent(n), models.coalescent(n)];
    const thetas = Float64Array.from({ length: 24 }, (_, i) => 0.5 + i / 10);
    const evaluators = await Promise.all(copies.map((g) => pool.createEvaluator(g, { kind: 'moments', k: 2 })));
    const batches = (await Promise.all(evaluators.map((e) => e.evaluate({ thetas })))).map((r) => r.values);
    const direct = Array.from(thetas).flatMap((t) => copies[0].moments(2, { theta: [t] }));
    const relErr = Math.max(...Array.from(batches[0], (x, i) => Math.abs(x - direct[i]) / Math.abs(direct[i])));
    const stored = await new Promise<number>((resolve, reject) => {
      const open = indexedDB.open('phasekit-cache:traces');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const count = open.result.transaction('values').objectStore('values').count();
        count.onsuccess = () => { open.result.close(); resolve(count.result); };
      };
    });
    return { relErr, sameAcrossCopies: batches.every((b) => b.every((x, i) => x === batches[0][i])), keys: new Set(evaluators.map((e) => e.key)).size, stored };
  },

  /**
   * Two calls at once on a model built in the pool (as an interface asking for E[T] and the
   * pdf together does): the second waits for the worker holding the graph instead of having
   * it copied here for another worker. Reports what was sent and the page's longest gaps.
   */
  async concurrent(n: number) {
    const g = await models.inPool(pool).coalescent(n);
    const before = pool.stats();
    const times = Array.from({ length: 200 }, (_, i) => (8 * (i + 1)) / 200);
    const gaps = await measureGaps(() => Promise.all([pool.moments(g, 2, { theta: [1.2] }), pool.distribution(g, times, { theta: [1.2] })]));
    const after = pool.stats();
    const [moments, { density }] = gaps.result;
    return {
      timeoutGapMs: gaps.timeoutGapMs, durationMs: gaps.durationMs, graphsSent: after.graphsSent - before.graphsSent,
      localityWaits: after.localityWaits - before.localityWaits, mean: moments[0], finite: Array.from(density).every(Number.isFinite),
    };
  },

  /**
   * The interactive path of a large model: built in a worker of the pool (the kernel explores
   * the state space there, reporting progress; the worker keeps the graph), E[T] through the
   * pool, then pdf and cdf at `points` times through the pool in one call. Timings are reported,
   * not asserted (they live in benchmarks).
   */
  async interactive(n: number, points: number) {
    const progress: number[] = [];
    const started = performance.now();
    const g = await models.inPool(pool).coalescent(n, { onProgress: (p) => progress.push(p.done) });
    const builtMs = performance.now() - started;
    const mean = await pool.expectation(g, { theta: [1] });
    const meanMs = performance.now() - started;
    const times = Array.from({ length: points }, (_, i) => (8 * (i + 1)) / points);
    // The pdf's progress from inside its stepping: the model time reached of the largest time.
    const reached: { done: number; total: number }[] = [];
    const onProgress = (p: Progress) => { if (p.phase === 'evaluate') reached.push({ done: p.done, total: p.total }); };
    const { density: pdf, cdf } = await pool.distribution(g, times, { theta: [1], onProgress });
    const distributionMs = performance.now() - started - meanMs;
    // (cdf is 1 − survival: near 0 its rounding is ~1e-15 per term, hence the 1e-12 slack below.)
    // Trapezoid check: ∫ pdf over (0, 8] should match cdf(8) − cdf(first) to the grid's accuracy.
    let area = 0;
    for (let i = 1; i < points; i++) area += 0.5 * (pdf[i] + pdf[i - 1]) * (times[i] - times[i - 1]);
    return {
      vertices: g.vertexCount, builtMs, meanMs, distributionMs, mean, progressReports: progress.length, pdfProgress: reached,
      lastProgress: progress[progress.length - 1] ?? 0, cdfLast: cdf[points - 1], areaError: Math.abs(area - (cdf[points - 1] - cdf[0])),
      monotone: Array.from(cdf).every((x, i) => i === 0 || x >= cdf[i - 1] - 1e-12), finite: Array.from(pdf).every(Number.isFinite),
    };
  },

  /** Pool results against the in-thread path, compared bit for bit. */
  async compare(n: number) {
    const g = models.coalescent(n);
    const thetas = Float64Array.from([0.5, 1, 1.5, 2, 3]);
    const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));
    const batch = await pool.momentsBatch(g, 2, { thetas });
    const rowwise = Array.from(thetas).flatMap((t) => g.moments(2, { theta: [t] }));
    return {
      moments: same(await pool.moments(g, 3, { theta: [1.7] }), g.moments(3, { theta: [1.7] })),
      expectation: (await pool.expectation(g, { theta: [0.9] })) === g.expectation({ theta: [0.9] }),
      cdf: same(await pool.cdf(g, TIMES, { theta: [1] }), g.cdf(TIMES, { theta: [1] })),
      batch: same(batch, rowwise),
    };
  },
};

declare global {
  interface Window { workersFixture: typeof fixture }
}
window.workersFixture = fixture;
await ready();
document.getElementById('status')!.textContent = 'ready';
