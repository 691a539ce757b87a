// Compiled evaluators in the pool: one recording per structure for the whole pool,
// workers sharing the file tiers (layers 1 and 2), results equal to the in-thread path.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compile, createEvaluator, models, ready } from '../../src/index.js';
import { createPool } from '../../src/pool/index.js';

// Workers inherit the environment: point their cache layers at a fresh directory.
const dir = await mkdtemp(join(tmpdir(), 'phasekit-pool-traces-'));
process.env.PHASEKIT_CACHE_DIR = dir;
const pool = createPool({ size: 2 });
beforeAll(() => ready());
afterAll(() => pool.close());

const rabbits = models.rabbits(12);
const rows = 40;
const thetas = Float64Array.from({ length: rows * 3 }, (_, i) => 0.4 + ((i * 5) % 13) / 6);
const stored = async (layer: string) => (await readdir(join(dir, layer)).catch(() => [])).filter((f) => !f.endsWith('.tmp'));

it('concurrent evaluators of one structure record its trace once for the whole pool', async () => {
  const copies = [rabbits, models.rabbits(12), models.rabbits(12)]; // same structure, distinct objects
  const evaluators = await Promise.all(copies.map((g) => pool.createEvaluator(g, { kind: 'moments', k: 2 })));
  const results = await Promise.all(evaluators.map((e) => e.evaluate({ thetas })));
  expect(new Set(evaluators.map((e) => e.key)).size).toBe(1);
  expect(results[1].values).toEqual(results[0].values);
  expect(results[2].values).toEqual(results[0].values);
  // One trace and one compiled evaluator sit in the shared file tiers, where every worker found them.
  expect(await stored('traces')).toHaveLength(1);
  expect(await stored('evaluators')).toHaveLength(1);
});

it('rows equal the in-thread trace evaluation exactly', async () => {
  const out = await (await pool.createEvaluator(rabbits, { kind: 'moments', k: 3 })).evaluate({ thetas });
  const model = await compile(rabbits, { store: null });
  for (let r = 0; r < rows; r++)
    expect(Array.from(out.values.subarray(r * 3, r * 3 + 3))).toEqual(model.moments(3, { theta: thetas.subarray(r * 3, r * 3 + 3) }));
});

it('gradients from the workers equal the in-thread evaluator bit for bit', async () => {
  const target = { kind: 'moments', k: 2 } as const;
  const remote = await (await pool.createEvaluator(rabbits, target)).evaluate({ thetas, gradient: true });
  const local = await (await createEvaluator(rabbits, target, { cache: null, traceStore: null })).evaluate({ thetas, gradient: true });
  expect(remote.values).toEqual(local.values);
  expect(remote.gradients).toEqual(local.gradients);
});

it('log-likelihoods of times split across workers equal one thread, gradients included', async () => {
  const data = { times: [0.3, 0.9, 1.4, 2.2, 0.1], censored: [3] };
  const remote = await pool.logLikelihood(rabbits, data, { thetas });
  const local = await (await createEvaluator(rabbits, { kind: 'loglik', data }, { cache: null })).evaluate({ thetas, gradient: true });
  expect(remote.logLik).toEqual(local.values);
  expect(remote.gradient).toEqual(local.gradients);
});
