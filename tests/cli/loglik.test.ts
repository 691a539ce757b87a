// `phasekit loglik`: one line of JSON, θ as one vector or rows, times / steps /
// counts, and exit 2 with one line for bad input — never a null.
import { describe, expect, it } from 'vitest';
import { exponentialTheta, geometric, runCli } from './run-cli.js';

const files = { 'exp.json': exponentialTheta, 'geo.json': geometric };
const json = (s: string) => JSON.parse(s) as { loglik: number | number[]; gradient: number[] | number[][] };

describe('phasekit loglik', () => {
  it('prints log L and its gradient for one θ (exponential: n log θ − θ Σt)', async () => {
    const r = await runCli(['loglik', 'exp.json', '--theta', '[2]', '--times', '[0.5, 1, 1.5]', '--no-cache'], files);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const out = json(r.stdout);
    expect(out.loglik as number).toBeCloseTo(3 * Math.log(2) - 2 * 3, 10);
    expect((out.gradient as number[])[0]).toBeCloseTo(3 / 2 - 3, 10);
  });

  it('prints arrays for rows of θ', async () => {
    const r = await runCli(['loglik', 'exp.json', '--theta', '[[1], [2], [4]]', '--times', '[0.5, 1]', '--no-cache'], files);
    const out = json(r.stdout);
    expect(out.loglik).toHaveLength(3);
    expect(out.gradient).toHaveLength(3);
    (out.loglik as number[]).forEach((ll, i) => expect(ll).toBeCloseTo(2 * Math.log([1, 2, 4][i]) - [1, 2, 4][i] * 1.5, 10));
  });

  it('takes --steps for discrete graphs, with censoring', async () => {
    const r = await runCli(['loglik', 'geo.json', '--steps', '[1, 2, 3]', '--censored', '[4]', '--no-cache'], files);
    const out = json(r.stdout);
    const pmf = (k: number) => 0.25 * 0.75 ** (k - 1);
    expect(out.loglik as number).toBeCloseTo(Math.log(pmf(1) * pmf(2) * pmf(3) * 0.75 ** 4), 10);
    expect(out.gradient).toEqual([]);
  });

  it('reads --times from a file with @path', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join((await import('node:os')).tmpdir(), 'phasekit-cli-'));
    await writeFile(join(dir, 't.json'), '[0.5, 1, 1.5]');
    const r = await runCli(['loglik', 'exp.json', '--theta', '[2]', '--times', `@${join(dir, 't.json')}`, '--no-cache'], files);
    expect(json(r.stdout).loglik as number).toBeCloseTo(3 * Math.log(2) - 6, 10);
  });

  it.each([
    [['--theta', '[1]'], /exactly one of --times, --steps or --counts/],
    [['--theta', '[1]', '--times', '[1]', '--steps', '[1]'], /exactly one/],
    [['--theta', '[[1], [1, 2]]', '--times', '[1]'], /row 1 has 2 values/],
    [['--theta', '"x"', '--times', '[1]'], /--theta must be/],
    [['--theta', '[1]', '--times', '[-1]'], /times\[0\] is -1/],
    [['--theta', '[1]', '--steps', '[1]'], /this graph is continuous/],
    [['--theta', '[1]', '--counts', '[1]'], /--counts needs --rewards/],
    [['--theta', '[-1]', '--times', '[1]'], /negative rate/],
    [['--theta', '[1]', '--times', '@/nonexistent/file'], /cannot read/],
  ])('bad input %j exits 2 with one line', async (flags, message) => {
    const r = await runCli(['loglik', 'exp.json', ...(flags as string[]), '--no-cache'], files);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('data of probability 0 is bad input, not a null', async () => {
    const zero = JSON.stringify({ paramLength: 0, stateLength: 1, vertices: [[0], [1], [2], [3]], edges: [[0, 1, 1], [1, 2, 1], [2, 3, 1]] });
    const r = await runCli(['loglik', 'z.json', '--times', '[0]', '--no-cache'], { 'z.json': zero });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/probability 0/);
  });
});
