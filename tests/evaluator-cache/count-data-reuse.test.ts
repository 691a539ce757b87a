// Count data given again unchanged (an optimiser calling logLikelihood at each θ) are compared
// with their checked copy instead of being checked, copied and hashed again. Any change of a
// value, a vector, the counts, the scale or the distribution must be seen: the result and the
// layer-2 key are then those of fresh data, and bad values are refused as on a first call.
import { beforeAll, describe, expect, it } from 'vitest';
import { EvaluatorCache, evaluatorSpec, logLikelihood, models, ready, type CountObservations } from '../../src/index.js';
import { checkObservations } from '../../src/likelihood/observations.js';

beforeAll(() => ready());

const graph = models.coalescent(6);
const freshSfs = (): CountObservations & { rewards: Float64Array[]; counts: number[] } => ({
  counts: [12, 6, 4, 3, 2.5],
  rewards: models.coalescentSfsRewards(graph),
  scale: 1.5,
});

// The same data as a new object of new arrays: what a first call sees.
const copyOf = (d: CountObservations): CountObservations => ({
  ...d,
  counts: Array.from(d.counts),
  rewards: Array.from(d.rewards, (r) => Float64Array.from(r)),
});

async function logL(data: CountObservations, theta = 1.3): Promise<{ logLik: number; gradient: number }> {
  const { logLik, gradient } = await logLikelihood(graph, data, { theta: [theta], cache: new EvaluatorCache() });
  return { logLik: logLik[0], gradient: (gradient as Float64Array)[0] };
}

describe('count data given again', () => {
  it('unchanged: the checked object comes back, and the key with it', async () => {
    const data = freshSfs();
    const first = checkObservations(data, graph);
    expect(checkObservations(data, graph)).toBe(first);
    // A new wrapper object around the same rewards container is the same data too.
    expect(checkObservations({ ...data }, graph)).toBe(first);
    const target = { kind: 'loglik' as const, data };
    expect((await evaluatorSpec(graph, target)).key).toBe((await evaluatorSpec(graph, { kind: 'loglik', data: copyOf(data) })).key);
  });

  it('the same data under other limits get the key of those limits', async () => {
    const data = freshSfs();
    const key = async (d: CountObservations, limits?: { maxSteps: number }) => (await evaluatorSpec(graph, { kind: 'loglik', data: d, ...(limits ? { limits } : {}) })).key;
    const plain = await key(data);
    const limited = await key(data, { maxSteps: 1000 });
    expect(limited).not.toBe(plain);
    expect(limited).toBe(await key(copyOf(data), { maxSteps: 1000 }));
    expect(await key(data)).toBe(plain);
  });

  it('a value changed in place is seen: result and key are those of fresh data', async () => {
    const data = freshSfs();
    const before = await logL(data);
    const keyBefore = (await evaluatorSpec(graph, { kind: 'loglik', data })).key;
    data.rewards[2][3] += 0.5;
    const after = await logL(data);
    expect(after).toEqual(await logL(copyOf(data)));
    expect(after.logLik).not.toBe(before.logLik);
    const keyAfter = (await evaluatorSpec(graph, { kind: 'loglik', data })).key;
    expect(keyAfter).not.toBe(keyBefore);
    expect(keyAfter).toBe((await evaluatorSpec(graph, { kind: 'loglik', data: copyOf(data) })).key);
  });

  it('each kind of change is seen', () => {
    const changes: [string, (d: ReturnType<typeof freshSfs>) => void][] = [
      ['last reward of the last vector', (d) => { d.rewards[4][graph.vertexCount - 1] = 7; }],
      ['a vector replaced by an equal-length one', (d) => { d.rewards[1] = d.rewards[1].map((x) => x * 2); }],
      ['a count', (d) => { d.counts[0] = 13; }],
      ['the scale', (d) => { d.scale = 2; }],
      ['the distribution', (d) => { d.distribution = 'multinomial'; }],
      ['0 to -0', (d) => { d.rewards[0][0] = -0; }],
    ];
    for (const [what, change] of changes) {
      const data = freshSfs();
      const first = checkObservations(data, graph);
      change(data);
      const second = checkObservations(data, graph);
      expect(second, what).not.toBe(first);
      expect(second, what).toEqual(checkObservations(copyOf(data), graph));
    }
  });

  it('a value made bad after a good call is refused as on a first call', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const data = freshSfs();
      checkObservations(data, graph);
      data.rewards[3][2] = bad;
      expect(() => checkObservations(data, graph)).toThrow(/rewards\[3\]\[2\]/);
    }
    // Plain arrays can hold what is not a number.
    for (const bad of ['1', undefined, null, {}]) {
      const data = { ...freshSfs(), rewards: models.coalescentSfsRewards(graph).map((r) => Array.from(r) as unknown[]) };
      checkObservations(data as CountObservations, graph);
      data.rewards[3][2] = bad;
      expect(() => checkObservations(data as CountObservations, graph)).toThrow(/rewards\[3\]\[2\]/);
    }
    const data = freshSfs();
    checkObservations(data, graph);
    data.counts[1] = -1;
    expect(() => checkObservations(data, graph)).toThrow(/counts\[1\]/);
    data.counts[1] = 6;
    data.scale = 0;
    expect(() => checkObservations(data, graph)).toThrow(/scale/);
  });

  it('plain arrays of numbers are compared too', () => {
    const data = { counts: [1, 2, 3, 4, 5], rewards: models.coalescentSfsRewards(graph).map((r) => Array.from(r)), scale: 1 };
    const first = checkObservations(data, graph);
    expect(checkObservations(data, graph)).toBe(first);
    data.rewards[0][1] = 9;
    const second = checkObservations(data, graph);
    expect(second).not.toBe(first);
    expect(second.kind === 'counts' && second.rewards[1]).toBe(9);
  });

  it('the same rewards on a graph of another size are checked against it', () => {
    const data = freshSfs();
    checkObservations(data, graph);
    expect(() => checkObservations(data, models.coalescent(7))).toThrow(/rewards\[0\] has/);
  });
});
