// Log-likelihoods of step counts of discrete graphs (censored included) and their
// gradients, against dense matrix powers (log L ≤ 1e-10 relative; gradient ≤ 1e-8
// of its largest entry) and finite differences.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEvaluator, ready } from '../../src/index.js';
import { buildGraph, randomSpec, randomTheta } from '../correctness/fixtures.js';
import { discreteLogLik } from './oracle.js';

beforeAll(() => ready());

const cases = Array.from({ length: 10 }, (_, k) => {
  const seed = 511 + k, params = k % 3;
  return { name: `discrete random seed ${seed}, ${params} params${k % 2 ? ', defective α, observed 0 steps' : ''}`, seed, params, defective: k % 2 === 1, spec: randomSpec({ seed, vertices: 3 + (k % 6), params, absorbing: 1 + (k % 2) as 1 | 2, defective: k % 2 === 1, discrete: true }) };
});

describe('log-likelihood of steps against dense matrix powers', () => {
  it.each(cases)('$name', async ({ spec, seed, params, defective }) => {
    const theta = randomTheta(seed, params, 0.1, 0.9);
    // τ = 0 has probability 1 − Σα: observable only with a defective α.
    const steps = defective ? [0, 1, 2, 2, 5, 9] : [1, 2, 2, 5, 9, 14];
    const data = { steps, censored: [3, 11] };
    const ev = await createEvaluator(buildGraph(spec), { kind: 'loglik', data }, { cache: null });
    const r = await ev.evaluate({ thetas: Float64Array.from(theta), gradient: true });
    const o = discreteLogLik(spec, theta, data);
    expect(Math.abs(r.values[0] - o.logLik)).toBeLessThanOrEqual(1e-10 * Math.abs(o.logLik));
    const scale = Math.max(...o.gradient.map(Math.abs), 1e-300);
    o.gradient.forEach((g, i) => expect(Math.abs(r.gradients![i] - g)).toBeLessThanOrEqual(1e-8 * scale));
    for (let i = 0; i < params; i++) {
      const h = 1e-6, up = theta.slice(), dn = theta.slice();
      up[i] += h; dn[i] -= h;
      const at = async (t: number[]) => (await ev.evaluate({ thetas: Float64Array.from(t) })).values[0];
      const fd = ((await at(up)) - (await at(dn))) / (2 * h);
      expect(Math.abs(r.gradients![i] - fd)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(fd)));
    }
  });
});
