// Traces give their kernel memory back when released (a trace cache releases what its memory
// tier evicts) and record themselves again on their next use, with the same answers.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compile, createTraceCache, models, ready, Trace, type TraceCache } from '../../src/index.js';
import { kernel } from '../../src/kernel/module.js';
import { DEFAULT_RESIDENT_BUDGET, setResidentBudget } from '../../src/kernel/residency.js';

beforeAll(() => ready());
const open: TraceCache[] = [];
afterEach(async () => { await Promise.all(open.splice(0).map((c) => c.close())); });
const cacheOf = (o: Parameters<typeof createTraceCache>[0]) => { const c = createTraceCache({ sync: false, ...o }); open.push(c); return c; };

describe('a released trace', () => {
  it('answers moments and gradients as before, bit for bit, and is live again after its use', () => {
    const g = models.rabbits(6);
    const trace = Trace.record(g.structure());
    const w = g.csrAt([1, 2, 4]).weight;
    const moments = trace.moments(w, { k: 3 });
    const gradient = trace.gradient(w, { k: 2 });
    trace.release();
    trace.release(); // twice is once
    expect(trace.isReleased).toBe(true);
    expect(trace.moments(w, { k: 3 })).toEqual(moments);
    expect(trace.isReleased).toBe(false);
    trace.dispose();
    expect(trace.gradient(w, { k: 2 })).toEqual(gradient);
    expect(trace.stats().ops).toBeGreaterThan(0);
  });

  it('a trace model whose trace was released answers as before', async () => {
    const model = await compile(models.coalescent(9), { store: null });
    const expected = model.gradient(2, { theta: [1.3] });
    model.trace.release();
    expect(model.gradient(2, { theta: [1.3] })).toEqual(expected);
  });

  it('a trace read from a file, released, records itself again with the same answers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pk-release-'));
    const g = models.coalescent(10);
    await compile(g, { store: cacheOf({ persistence: 'file', dir }) });
    const model = await compile(models.coalescent(10), { store: cacheOf({ persistence: 'file', dir }) });
    const expected = model.moments(3, { theta: [0.7] });
    model.trace.release();
    expect(model.moments(3, { theta: [0.7] })).toEqual(expected);
  });
});

describe('a trace cache releases the traces its memory tier evicts', () => {
  // Rabbits below: their moments evaluate the trace. A forward graph's (the coalescent's) E[T]
  // needs no trace (one pass from the structure), so its released trace stays released:
  it("a forward model's E[T] leaves its released trace released, with the same answer", async () => {
    const model = await compile(models.coalescent(9), { store: null });
    const expected = model.expectation({ theta: [1.3] });
    model.trace.release();
    expect(model.expectation({ theta: [1.3] })).toBe(expected);
    expect(model.trace.isReleased).toBe(true);
    expect(model.moments(2, { theta: [1.3] })[0]).toBe(expected); // higher moments replay the trace
    expect(model.trace.isReleased).toBe(false);
  });

  it('evicted traces are released, and models holding them still answer', async () => {
    const store = cacheOf({ persistence: 'none', maxEntries: 2 });
    const graphs = [4, 5, 6, 7, 8].map((n) => models.coalescent(n));
    const compiled = [];
    for (const g of graphs) compiled.push(await compile(g, { store }));
    // Which three the policy chose is its business; that three were let go and released is ours.
    expect(compiled.filter((m) => m.trace.isReleased)).toHaveLength(3);
    expect(store.cache.stats().evictions).toBe(3);
    compiled.forEach((m, i) => expect(m.expectation({ theta: [1] })).toBe(graphs[i].expectation({ theta: [1] })));
  });

  it('a model that uses its evicted trace again offers it back to the memory tier: taken where there is room, released by the next eviction, shared with a model of that structure', async () => {
    const store = cacheOf({ persistence: 'none', maxEntries: 1 });
    const a = await compile(models.rabbits(6), { store });
    const b = await compile(models.rabbits(7), { store }); // evicts a's trace
    expect(a.trace.isReleased).toBe(true);
    const recorded = store.cache.stats().computations;
    const expected = models.rabbits(6).expectation({ theta: [1, 2, 4] });
    expect(a.expectation({ theta: [1, 2, 4] })).toBe(expected); // recorded again, in the model
    await Promise.resolve(); // offered after the computation, not during it
    // No room (b's holds the one place): a's stays the model's own; they do not take turns.
    expect(b.trace.isReleased).toBe(false);
    expect(a.trace.isReleased).toBe(false);
    await store.cache.delete(b.trace.hash!);
    a.trace.release();
    expect(a.expectation({ theta: [1, 2, 4] })).toBe(expected);
    await Promise.resolve();
    const again = await compile(models.rabbits(6), { store }); // room now: a's was taken back
    expect(again.trace).toBe(a.trace);
    expect(store.cache.stats().computations).toBe(recorded);
    await compile(models.rabbits(8), { store });
    expect(a.trace.isReleased).toBe(true); // the memory tier's again: the next eviction released it
  });

  it('models beyond the memory tier\'s size, used in turn, record their traces again once, not at every use', async () => {
    const store = cacheOf({ persistence: 'none', maxEntries: 2 });
    const ms = [];
    for (const n of [5, 6, 7, 8]) ms.push(await compile(models.rabbits(n), { store }));
    for (let round = 0; round < 3; round++) {
      for (const m of ms) m.expectation({ theta: [1, 2, 4] });
      await Promise.resolve();
      await Promise.resolve();
    }
    expect(ms.every((m) => !m.trace.isReleased)).toBe(true);
    expect(store.cache.stats().evictions).toBe(2);
  });

  it('a trace revived after its cache closed stays the model\'s own', async () => {
    const store = createTraceCache({ persistence: 'none', sync: false, maxEntries: 1 });
    const a = await compile(models.rabbits(6), { store });
    await store.close();
    expect(a.trace.isReleased).toBe(true);
    a.expectation({ theta: [1, 2, 4] });
    await Promise.resolve();
    expect(a.trace.isReleased).toBe(false);
    expect((await store.info()).tiers.memory.entries).toBe(0);
  });

  it('a loop over new structures keeps kernel memory bounded by the memory tier, not the garbage collector', async () => {
    setResidentBudget(1048576); // the structures' parameterisations, kept under their own budget, aside
    const store = cacheOf({ persistence: 'none', maxEntries: 4 });
    const grow = async (from: number, count: number) => {
      for (let i = from; i < from + count; i++)
        (await compile(models.randomCyclic({ vertices: 3000, params: 2, seed: 500 + i }), { store })).expectation({ theta: [1, 0.5] });
    };
    await grow(0, 40); // the resident budget and the workspaces settle
    const before = kernel().memory.buffer.byteLength;
    // Each trace here is about 0.5 MB: 80 more kept until collection grew the kernel by about 40 MB.
    await grow(40, 80);
    expect(kernel().memory.buffer.byteLength - before).toBeLessThan(8 * 1048576);
    setResidentBudget(DEFAULT_RESIDENT_BUDGET);
  });
});

it('a memory trace store releases its traces when cleared', async () => {
  const { MemoryTraceStore } = await import('../../src/index.js');
  const store = new MemoryTraceStore();
  const model = await compile(models.coalescent(8), { store });
  const expected = model.expectation({ theta: [2] });
  store.clear();
  await Promise.resolve();
  expect(model.trace.isReleased).toBe(true);
  expect(model.expectation({ theta: [2] })).toBe(expected);
});

it('clearing or closing a trace cache releases what its memory held; the models still answer', async () => {
  const store = createTraceCache({ persistence: 'none', sync: false });
  const a = await compile(models.coalescent(6), { store });
  const b = await compile(models.coalescent(7), { store });
  await store.clear();
  expect(a.trace.isReleased && b.trace.isReleased).toBe(true);
  const c = await compile(models.coalescent(8), { store });
  await store.close();
  expect(c.trace.isReleased).toBe(true);
  expect([a, b, c].map((m) => m.expectation({ theta: [1] }))).toEqual([6, 7, 8].map((n) => models.coalescent(n).expectation({ theta: [1] })));
});
