// `phasekit fit`: one line of JSON (mean, sd, quantiles per parameter, iterations,
// ms), progress on stderr, the same answer for the same seed, SFS counts, and
// exit 2 with one line for bad input — never a null.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/index.js';
import { exponentialTheta, runCli } from './run-cli.js';

const files = { 'exp.json': exponentialTheta };
const random = seededRandom(4);
const times = Array.from({ length: 150 }, () => -Math.log(1 - random()) / 1.5);
const S = times.reduce((s, t) => s + t, 0);
type Fit = { mean: number[]; sd: number[]; quantiles: Record<string, number[]>; iterations: number; ms: number; seed: number };
const base = ['fit', 'exp.json', '--times', JSON.stringify(times), '--particles', '50', '--iterations', '200', '--seed', '3', '--prior', '[{"gamma": {"shape": 2, "rate": 1}}]'];

describe('phasekit fit', () => {
  it('prints the posterior as one line of JSON: gamma(2 + N, 1 + Σt) here, mean within 1%, sd within 10%', async () => {
    const r = await runCli([...base, '--execution', 'inline'], files);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).not.toMatch(/null|NaN/);
    const out = JSON.parse(r.stdout) as Fit;
    expect(Object.keys(out)).toEqual(['mean', 'sd', 'quantiles', 'iterations', 'ms', 'seed']);
    expect(Object.keys(out.quantiles)).toEqual(['0.025', '0.5', '0.975']);
    const shape = 2 + times.length, rate = 1 + S;
    expect(Math.abs(out.mean[0] / (shape / rate) - 1)).toBeLessThan(0.01);
    expect(Math.abs(out.sd[0] / (Math.sqrt(shape) / rate) - 1)).toBeLessThan(0.1);
    expect(out.quantiles['0.025'][0]).toBeLessThan(out.quantiles['0.975'][0]);
    expect(out.iterations).toBeLessThanOrEqual(200);
    expect(out.seed).toBe(3);
  });

  it('reports progress on stderr, and in a worker (the default) gives the same answer as inline', async () => {
    const inline = await runCli([...base, '--execution', 'inline'], files);
    const worker = await runCli(base, files);
    expect(worker.code).toBe(0);
    expect(worker.stderr).toMatch(/^phasekit: iteration 1\/200 log-posterior -?\d/);
    const strip = (s: string) => { const { ms: _ms, ...rest } = JSON.parse(s) as Fit; return rest; };
    expect(strip(worker.stdout)).toEqual(strip(inline.stdout));
  });

  it('fits the SFS from --counts and --rewards', async () => {
    const { models, ready } = await import('../../src/index.js');
    await ready();
    const g = models.coalescent(5);
    const rewards = models.coalescentSfsRewards(g).map((r) => Array.from(r));
    const r = await runCli(['fit', 'c.json', '--counts', '[40, 21, 12, 10]', '--rewards', JSON.stringify(rewards), '--scale', '20',
      '--particles', '30', '--iterations', '150', '--seed', '1', '--execution', 'inline'], { 'c.json': JSON.stringify(g.toJSON()) });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Fit;
    // Σ counts ≈ 83 against 20·2·(1 + 1/2 + 1/3 + 1/4)/θ: θ near 1.
    expect(out.mean[0]).toBeGreaterThan(0.8);
    expect(out.mean[0]).toBeLessThan(1.3);
  });

  const t = ['--times', '[1, 2]'];
  it.each([
    [[...t, '--prior', '[{"gama": 1}]'], /expected exactly one of gamma/],
    [[...t, '--prior', '[{"gamma": {"shape": 2, "rate": 1}}, {"gamma": {"shape": 2, "rate": 1}}]'], /prior has 2 entries but the model has 1 parameters/],
    [[...t, '--prior', 'nope'], /--prior must be JSON/],
    [[...t, '--step-size', '"big"'], /--step-size must be a number/],
    [[...t, '--fixed', '3'], /--fixed must be a JSON array/],
    [[...t, '--fixed', '[2]'], /every parameter is fixed/],
    [[...t, '--particles', '0'], /--particles must be at least 1/],
    [['--counts', '[1]', '--rewards', '[[0, 1, 0]]', '--batch-size', '10'], /batchSize is for times or steps/],
    [['--prior', '[{"gamma": {"shape": 2, "rate": 1}}]'], /exactly one of --times, --steps or --counts/],
    [['--times', '@/nonexistent/file'], /cannot read/],
  ])('bad input %j exits 2 with one line', async (flags, message) => {
    const r = await runCli(['fit', 'exp.json', ...(flags as string[]), '--execution', 'inline'], files);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('data the model cannot produce exits 2, naming the problem', async () => {
    const r = await runCli(['fit', 'exp.json', '--steps', '[1, 2]', '--execution', 'inline'], files);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/this graph is continuous/);
  });
});
