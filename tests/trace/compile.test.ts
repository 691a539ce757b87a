import { beforeAll, describe, expect, test } from 'vitest';
import { ready, models, compile, MemoryTraceStore, Trace } from '../../src/index.js';

beforeAll(() => ready());

describe('compile', () => {
  test('a structure is recorded once however many graphs and calls share it', async () => {
    const store = new MemoryTraceStore();
    let recordings = 0;
    const counting = { getOrRecord: (h: string, record: () => Trace) => store.getOrRecord(h, () => { recordings++; return record(); }) };
    const [a, b, c] = await Promise.all([compile(models.rabbits(6), { store: counting }), compile(models.rabbits(6), { store: counting }), compile(models.rabbits(6), { store: counting })]);
    expect(recordings).toBe(1);
    expect(store.size).toBe(1);
    expect(a.trace).toBe(b.trace);
    expect(c.expectation({ theta: [1, 2, 4] })).toBeCloseTo(models.rabbits(6).expectation({ theta: [1, 2, 4] }), 14);
  });

  test('without a store every compile records afresh', async () => {
    const [a, b] = [await compile(models.coalescent(5), { store: null }), await compile(models.coalescent(5), { store: null })];
    expect(a.trace).not.toBe(b.trace);
    expect(a.expectation({ theta: [1] })).toBeCloseTo(1.6, 14);
  });

  test('an aborted signal stops compile before any work', async () => {
    await expect(compile(models.coalescent(5), { signal: AbortSignal.abort() })).rejects.toThrow();
  });
});
