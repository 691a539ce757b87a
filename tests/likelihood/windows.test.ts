// The reverse pass reuses the Poisson windows' weights the forward pass kept,
// while they fit in limits.maxMemoryBytes, and walks the others again: the
// gradient is the same, bit for bit, however many were kept.
import { beforeAll, expect, it } from 'vitest';
import { createEvaluator, models, ready } from '../../src/index.js';

beforeAll(() => ready());

it('kept, partly kept and walked-again windows give the same gradient bit for bit', async () => {
  const g = models.coalescent(6);
  const data = { times: g.sample(300, { theta: [1], seed: 8 }), censored: [0.7, 2] };
  const thetas = Float64Array.of(0.8, 1.3);
  const run = async (maxMemoryBytes: number) =>
    (await createEvaluator(g, { kind: 'loglik', data, limits: { maxMemoryBytes } }, { cache: null, traceStore: null })).evaluate({ thetas, gradient: true });
  const all = await run(256 * 1024 * 1024); // every window kept
  for (const budget of [50_000, 16_000]) { // about a fifth kept; fewer still, the steps checkpointed too
    const other = await run(budget);
    expect(Array.from(other.values)).toEqual(Array.from(all.values));
    expect(Array.from(other.gradients!)).toEqual(Array.from(all.gradients!));
  }
});
