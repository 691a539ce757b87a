// Evaluators the compiled-evaluator cache evicts give their kernel memory back (once no
// evaluation runs) and build themselves again when used: callers may keep them.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEvaluator, createTraceCache, EvaluatorCache, MemoryTraceStore, models, ready } from '../../src/index.js';
import { kernel } from '../../src/kernel/module.js';
import { DEFAULT_RESIDENT_BUDGET, setResidentBudget } from '../../src/kernel/residency.js';

beforeAll(() => ready());
const caches: EvaluatorCache[] = [];
const cacheOf = (maxEntries: number) => { const c = new EvaluatorCache({ persistence: 'none', sync: false, maxEntries }); caches.push(c); return c; };
afterEach(async () => {
  setResidentBudget(DEFAULT_RESIDENT_BUDGET);
  await Promise.all(caches.splice(0).map((c) => c.close()));
});
const released = (e: object) => (e as { isReleased?: boolean }).isReleased;
const thetas = Float64Array.of(1.2, 0.6);

describe('an evicted evaluator', () => {
  it('is released, and answers as before when used again', async () => {
    const cache = cacheOf(1);
    const traceStore = new MemoryTraceStore();
    const first = await createEvaluator(models.coalescent(9), { kind: 'moments', k: 2 }, { cache, traceStore, backend: 'wasm' });
    const expected = await first.evaluate({ thetas, gradient: true });
    await createEvaluator(models.coalescent(10), { kind: 'moments', k: 2 }, { cache, traceStore, backend: 'wasm' });
    await createEvaluator(models.coalescent(11), { kind: 'moments', k: 2 }, { cache, traceStore, backend: 'wasm' });
    expect(cache.cache.stats().evictions).toBeGreaterThanOrEqual(1);
    expect(released(first)).toBe(true);
    const again = await first.evaluate({ thetas, gradient: true });
    expect(again.values).toEqual(expected.values);
    expect(again.gradients).toEqual(expected.gradients);
    expect(released(first)).toBe(false);
  });

  it('an evaluation running when the cache evicts it finishes, and the memory goes back after it', async () => {
    const cache = cacheOf(1);
    const g = models.rabbits(12);
    const ev = await createEvaluator(g, { kind: 'moments', k: 2 }, { cache, backend: 'wasm' });
    let evicted = false, many = new Float64Array(0), result!: Awaited<ReturnType<typeof ev.evaluate>>;
    // Reports come every 50 ms: a batch that finishes sooner on a fast machine gets only its
    // final one, so the batch grows until the eviction has happened mid-run.
    for (let rows = 3000; !evicted && rows <= 3_000_000; rows *= 4) {
      many = Float64Array.from({ length: 3 * rows }, (_, i) => 0.5 + (i % 7) / 5);
      result = await ev.evaluate({
        thetas: many,
        // At the first report of rows done (the evaluation yields there), another structure evicts this one.
        onProgress: ({ done, total }) => {
          if (done < total && !evicted) {
            evicted = true;
            void createEvaluator(models.rabbits(13), { kind: 'moments', k: 2 }, { cache, backend: 'wasm' });
          }
        },
      });
    }
    expect(evicted).toBe(true);
    expect(result.values.every(Number.isFinite)).toBe(true);
    expect(result.values.subarray(0, 2)).toEqual(Float64Array.from(g.moments(2, { theta: many.subarray(0, 3) })));
    await new Promise((r) => setTimeout(r, 50));
    expect(released(ev)).toBe(true);
  });

  it('a loop over new structures keeps kernel memory bounded by the cache, not the garbage collector', async () => {
    setResidentBudget(1048576);
    const cache = cacheOf(4);
    const traceStore = createTraceCache({ persistence: 'none', sync: false, maxEntries: 4 });
    const loop = async (from: number, count: number) => {
      for (let i = from; i < from + count; i++) {
        const g = models.randomCyclic({ vertices: 3000, params: 2, seed: 700 + i });
        await (await createEvaluator(g, { kind: 'moments', k: 2 }, { cache, traceStore, backend: 'wasm' })).evaluate({ thetas: Float64Array.of(1, 0.5), gradient: true });
      }
    };
    await loop(0, 30);
    const before = kernel().memory.buffer.byteLength;
    // Each evaluator held about 1 MB here: 60 more grew the kernel by about 60 MB before.
    await loop(30, 60);
    expect(kernel().memory.buffer.byteLength - before).toBeLessThan(12 * 1048576);
    await traceStore.close();
  });
});

it('an evaluator with no trace store releases the trace it recorded when disposed', async () => {
  const ev = await createEvaluator(models.coalescent(10), { kind: 'moments', k: 1 }, { cache: null, traceStore: null, backend: 'wasm' });
  const trace = (ev as unknown as { trace: { isReleased: boolean } }).trace;
  expect(trace.isReleased).toBe(false);
  ev.dispose();
  expect(trace.isReleased).toBe(true);
});

it('an entry that leaves the cache while its evaluator is being built is released once built', async () => {
  const { evaluatorSpec, liveEvaluator } = await import('../../src/evaluator-cache/create-evaluator.js');
  const g = models.coalescent(12);
  const { spec, bytes, key } = await evaluatorSpec(g, { kind: 'moments', k: 1 }, 'wasm');
  const entry = { spec, bytes, verified: true } as import('../../src/index.js').CompiledEntry;
  const building = liveEvaluator(entry, key, { traceStore: null });
  entry.release!(); // evicted before the build resolved
  const ev = await building;
  expect((ev as unknown as { isReleased: boolean }).isReleased).toBe(true);
  expect((await ev.evaluate({ thetas: Float64Array.of(1) })).values[0]).toBe(g.expectation({ theta: [1] }));
});
