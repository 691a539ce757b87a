// Log-likelihoods of absorption times, with censoring and weights, and their
// gradients, against the dense oracle (expm and its Fréchet derivative) and
// against central finite differences of our own log L.
//   log L: relative error ≤ 1e-10; gradient: ≤ 1e-8 of the gradient's largest entry.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEvaluator, ready } from '../../src/index.js';
import { buildGraph, coalescentSpec, rabbitsSpec, randomSpec, randomTheta, type GraphSpec } from '../correctness/fixtures.js';
import { continuousLogLik, type OracleData } from './oracle.js';

beforeAll(() => ready());

const LOGLIK_TOL = 1e-10;
const GRADIENT_TOL = 1e-8;

async function ours(spec: GraphSpec, theta: number[], data: OracleData, backend: 'wasm' | 'wasm-direct' = 'wasm') {
  const ev = await createEvaluator(buildGraph(spec), { kind: 'loglik', data }, { cache: null, traceStore: null, backend });
  const r = await ev.evaluate({ thetas: Float64Array.from(theta), gradient: true });
  return { logLik: r.values[0], gradient: Array.from(r.gradients!) };
}

function expectMatch(got: { logLik: number; gradient: number[] }, want: { logLik: number; gradient: number[] }, what: string) {
  expect(Math.abs(got.logLik - want.logLik), `${what}: log L ${got.logLik} vs ${want.logLik}`).toBeLessThanOrEqual(LOGLIK_TOL * Math.abs(want.logLik));
  const scale = Math.max(...want.gradient.map(Math.abs), 1e-300);
  got.gradient.forEach((g, i) => expect(Math.abs(g - want.gradient[i]), `${what}: ∂/∂θ${i} ${g} vs ${want.gradient[i]}`).toBeLessThanOrEqual(GRADIENT_TOL * scale));
}

/** Times spread over the distribution's bulk and tails (in units of its scale). */
const spread = (unit: number) => [0.02, 0.1, 0.35, 0.7, 1.1, 1.9, 3.2, 5].map((x) => x * unit);

const randomCases = Array.from({ length: 12 }, (_, k) => {
  const seed = 301 + k;
  const params = k % 4;
  return { name: `random cyclic seed ${seed}, ${params} params${k % 3 === 0 ? ', defective α' : ''}${k % 2 ? ', 2 absorbing' : ''}`, seed, params, spec: randomSpec({ seed, vertices: 4 + (k % 7), params, absorbing: k % 2 ? 2 : 1, defective: k % 3 === 0 }) };
});

describe('log-likelihood of times against the dense oracle', () => {
  it.each([3, 5, 7])('coalescent n = %i', async (n) => {
    const spec = coalescentSpec(n), theta = [1.3];
    const data = { times: spread(1), weights: [1, 2, 1, 3, 1, 0.5, 1, 2], censored: [0.5, 4], censoredWeights: [2, 1] };
    expectMatch(await ours(spec, theta, data), continuousLogLik(spec, theta, data), `coalescent ${n}`);
  });

  it.each([2, 3, 4])('rabbits N = %i (cyclic, three parameters)', async (N) => {
    const spec = rabbitsSpec(N), theta = [1, 2, 4];
    const data = { times: spread(0.4), censored: [0.3, 1.2] };
    expectMatch(await ours(spec, theta, data), continuousLogLik(spec, theta, data), `rabbits ${N}`);
  });

  it.each(randomCases)('$name', async ({ spec, seed, params }) => {
    const theta = randomTheta(seed, params);
    const data = { times: spread(1.5), weights: [1, 1, 2, 1, 4, 1, 1, 1], censored: [2.5] };
    expectMatch(await ours(spec, theta, data), continuousLogLik(spec, theta, data), `seed ${seed}`);
  });

  it('wasm and wasm-direct agree exactly (times never eliminate)', async () => {
    const { spec, seed, params } = randomCases[5];
    const data = { times: spread(1) };
    expect(await ours(spec, randomTheta(seed, params), data, 'wasm-direct')).toEqual(await ours(spec, randomTheta(seed, params), data, 'wasm'));
  });
});

describe('gradients against central finite differences of our own log L', () => {
  it.each(randomCases.filter((c) => c.params > 0).slice(0, 5))('$name', async ({ spec, seed, params }) => {
    const theta = randomTheta(seed, params);
    const data = { times: spread(1), censored: [3] };
    const graph = buildGraph(spec);
    const ev = await createEvaluator(graph, { kind: 'loglik', data }, { cache: null });
    const at = async (t: number[]) => (await ev.evaluate({ thetas: Float64Array.from(t) })).values[0];
    const { gradients } = await ev.evaluate({ thetas: Float64Array.from(theta), gradient: true });
    for (let i = 0; i < params; i++) {
      const h = 1e-5 * Math.max(1, theta[i]);
      const up = theta.slice(), dn = theta.slice();
      up[i] += h; dn[i] -= h;
      const fd = ((await at(up)) - (await at(dn))) / (2 * h);
      expect(Math.abs(gradients![i] - fd)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(fd)));
    }
  });
});
