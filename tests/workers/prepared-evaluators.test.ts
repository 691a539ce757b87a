// A pool keeps the evaluators it prepared by graph content, target and backend: a loop of
// pool.logLikelihood calls with the same data prepares (and sends the data) once. Any change
// of the data, the graph or the backend prepares again; bad data fail before anything is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvaluator, models, ready, type CountObservations } from '../../src/index.js';
import { createPool } from '../../src/pool/index.js';
import { PreparedEvaluators, sameData } from '../../src/pool/prepared-evaluators.js';
import type { PreparedEvaluator } from '../../src/pool/pool-evaluator.js';

const pool = createPool({ size: 1 });
beforeAll(() => ready());
afterAll(() => pool.close());

const graph = models.coalescent(7);
const sfs = (): CountObservations & { rewards: Float64Array[] } => ({ counts: [24, 12, 8, 6, 5, 4], rewards: models.coalescentSfsRewards(graph), scale: 2 });
const inThread = async (data: CountObservations, theta: number) =>
  (await (await createEvaluator(graph, { kind: 'loglik', data: { ...data, rewards: Array.from(data.rewards, (r) => Float64Array.from(r)) } }, { cache: null })).evaluate({ thetas: Float64Array.of(theta), gradient: true }));
const prepared = () => pool.stats().evaluatorsPrepared;

describe('pool.logLikelihood in a loop over θ', () => {
  it('prepares once for unchanged data, and again after a value changes in place', async () => {
    const data = sfs();
    const start = prepared();
    for (const theta of [0.8, 1.1, 1.7]) {
      const { logLik, gradient } = await pool.logLikelihood(graph, data, { theta: [theta] });
      const local = await inThread(data, theta);
      expect(logLik).toEqual(local.values);
      expect(gradient).toEqual(local.gradients);
    }
    expect(prepared() - start).toBe(1);
    data.rewards[2][4] += 0.25;
    const changed = await pool.logLikelihood(graph, data, { theta: [1.1] });
    expect(changed.logLik).toEqual((await inThread(data, 1.1)).values);
    expect(prepared() - start).toBe(2);
  });

  it('another backend or another graph with the same data prepares again', async () => {
    const data = sfs();
    await pool.logLikelihood(graph, data, { theta: [1] });
    const start = prepared();
    await pool.logLikelihood(graph, data, { theta: [1], backend: 'wasm-direct' });
    expect(prepared() - start).toBe(1);
    const other = models.coalescent(7);
    other.addEdge(2, 3, 0.5, [0]); // same size, other rates
    const a = await pool.logLikelihood(graph, data, { theta: [1] });
    const b = await pool.logLikelihood(other, data, { theta: [1] });
    expect(b.logLik).not.toEqual(a.logLik);
    expect(prepared() - start).toBe(2);
  });

  it('bad data are refused before anything is prepared; an aborted call is refused when known too', async () => {
    const data = sfs();
    await pool.logLikelihood(graph, data, { theta: [1] });
    const start = prepared();
    data.rewards[1][3] = NaN;
    await expect(pool.logLikelihood(graph, data, { theta: [1] })).rejects.toMatchObject({ name: 'GraphError', code: 'BAD_DATA' });
    data.rewards[1][3] = 0.5;
    const known = sfs();
    await pool.logLikelihood(graph, known, { theta: [1] });
    await expect(pool.logLikelihood(graph, known, { theta: [1], signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(prepared() - start).toBe(0);
  });
});

describe('a closed pool', () => {
  it('refuses with CLOSED even what it kept', async () => {
    const own = createPool({ size: 1 });
    const data = sfs();
    await own.logLikelihood(graph, data, { theta: [1] });
    await own.close();
    await expect(own.logLikelihood(graph, data, { theta: [1] })).rejects.toMatchObject({ name: 'PoolError', code: 'CLOSED' });
  });
});

describe('PreparedEvaluators', () => {
  const answer = (bytes: number): PreparedEvaluator => ({ key: 'k', spec: new Uint8Array(bytes), backend: 'wasm', paramLength: 1, outputs: 1, target: { kind: 'moments', k: 1, rewards: null } as never });
  const structure = {};
  const target = (i: number) => ({ kind: 'moments', k: i });

  it('keeps the 16 most recently used answers', () => {
    const kept = new PreparedEvaluators();
    for (let i = 0; i < 16; i++) kept.keep(structure, target(i), undefined, answer(10));
    expect(kept.find(structure, target(0), undefined)).toBeDefined(); // now the most recent
    kept.keep(structure, target(16), undefined, answer(10));
    expect(kept.size).toBe(16);
    expect(kept.find(structure, target(1), undefined)).toBeUndefined();
    expect(kept.find(structure, target(0), undefined)).toBeDefined();
  });

  it('copies a target to keep, unless it is too large to keep; keeps one answer per target', () => {
    const kept = new PreparedEvaluators();
    const small = { kind: 'loglik', data: { rewards: [Float64Array.of(1, 2)] } };
    const copy = kept.copyToKeep(small);
    expect(copy).toEqual(small);
    expect(copy).not.toBe(small);
    expect(kept.copyToKeep({ data: new Float64Array(8 * 2 ** 20 + 1) })).toBeUndefined();
    kept.keep(structure, copy, undefined, answer(10));
    kept.keep(structure, kept.copyToKeep(small), undefined, answer(10));
    expect(kept.size).toBe(1);
  });

  it('finds an answer only for the same structure object and backend', () => {
    const kept = new PreparedEvaluators();
    kept.keep(structure, target(1), 'wasm', answer(10));
    expect(kept.find(structure, target(1), 'wasm')).toBeDefined();
    expect(kept.find({}, target(1), 'wasm')).toBeUndefined();
    expect(kept.find(structure, target(1), undefined)).toBeUndefined();
  });

  it('keeps at most 64 MiB of bytes (answers and targets), and nothing larger', () => {
    const kept = new PreparedEvaluators();
    kept.keep(structure, target(0), undefined, answer(64 * 2 ** 20 + 1));
    kept.keep(structure, { data: new Float64Array(8 * 2 ** 20 + 1) }, undefined, answer(0));
    expect(kept.size).toBe(0);
    kept.keep(structure, target(1), undefined, answer(40 * 2 ** 20));
    kept.keep(structure, { data: new Float64Array(2 ** 20) }, undefined, answer(20 * 2 ** 20));
    expect(kept.find(structure, target(1), undefined)).toBeUndefined();
    expect(kept.size).toBe(1);
  });
});

describe('sameData', () => {
  const rows = () => [Float64Array.of(1, 2, 3), Float64Array.of(0.5, 0, 4)];
  const base = () => ({ kind: 'loglik', data: { counts: [3, 1], rewards: rows(), scale: 2 }, limits: undefined });

  it('is true for a structured clone and for equal data in new objects', () => {
    expect(sameData(base(), structuredClone(base()))).toBe(true);
    expect(sameData(base(), base())).toBe(true);
  });

  it('sees any change of a value, a type, a key or a length', () => {
    const changed: ((t: ReturnType<typeof base>) => unknown)[] = [
      (t) => { t.data.rewards[1][2] = 4.5; },
      (t) => { t.data.rewards[0] = Float32Array.of(1, 2, 3) as never; },
      (t) => { t.data.rewards[0] = [1, 2, 3] as never; },
      (t) => { t.data.rewards.push(Float64Array.of(1)); },
      (t) => { t.data.counts[0] = '3' as never; },
      (t) => { (t.data as Record<string, unknown>).distribution = 'multinomial'; },
      (t) => { delete (t as Partial<typeof t>).limits; },
      (t) => { t.data.scale = NaN; },
    ];
    for (const change of changed) {
      const t = base();
      change(t);
      expect(sameData(t, structuredClone(base())), String(change)).toBe(false);
    }
  });

  it('is false for what a clone does not keep as it was (class instances, Maps), and for cycles', () => {
    class Box { constructor(readonly value: number) {} }
    expect(sameData({ x: new Box(1) }, structuredClone({ x: new Box(1) }))).toBe(false);
    expect(sameData(new Map([[1, 2]]), structuredClone(new Map([[1, 2]])))).toBe(false);
    const a: Record<string, unknown> = { kind: 'loglik' };
    a.self = a;
    expect(sameData(a, structuredClone(a))).toBe(false);
  });
});
