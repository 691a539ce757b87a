// The hardening issue's reproducers, one test each: stiff chains bounded in time and
// memory, worker flags and start-up, exit codes and one-line messages for hostile
// input, and never a null for a number that overflowed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { models, ready } from '../../src/index.js';
import { createPool, PoolError } from '../../src/pool/index.js';
import { runCli } from './run-cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const stiff = JSON.stringify({ paramLength: 0, stateLength: 1, vertices: [[0], [1], [2], [3]], edges: [[0, 1, 1], [1, 2, 1e8], [2, 1, 1e8], [2, 3, 1e-8]] });
const slowGeometric = JSON.stringify({ paramLength: 0, stateLength: 1, discrete: true, vertices: [[0], [1], [2]], edges: [[0, 1, 1], [1, 2, 1e-12]] });
const tiny = (rate: number) => JSON.stringify({ paramLength: 0, stateLength: 1, vertices: [[0], [1], [2]], edges: [[0, 1, 1], [1, 2, rate]] });

function oneLine(run: { code: number; stdout: string; stderr: string }, code = 2): void {
  expect(run.code).toBe(code);
  expect(run.stdout).toBe('');
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr.length).toBeLessThan(600);
}

describe('6: bounded work on small hostile graphs', () => {
  it.each(['[1]', '[100]'])('pdf of the stiff chain at %s answers in bounded time', async (times) => {
    const started = performance.now();
    const run = await runCli(['pdf', 'stiff.json', '--times', times], { 'stiff.json': stiff });
    expect(run.code).toBe(0);
    const { pdf } = JSON.parse(run.stdout) as { pdf: number[] };
    expect(pdf[0]).toBeGreaterThan(4.9e-9);
    expect(pdf[0]).toBeLessThan(5.1e-9);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('pmf at 1e12 steps answers (it reached 14 GB)', async () => {
    const run = await runCli(['pmf', 'g.json', '--steps', '[1e12]'], { 'g.json': slowGeometric });
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { pmf: number[] }).pmf[0]).toBeCloseTo(Math.exp(-1) * 1e-12, 20);
  });
});

describe('7: workers', () => {
  it('a node started with --max-old-space-size runs commands in a worker (it exited 1: invalid execArgv)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'phasekit-cli-'));
    await writeFile(join(dir, 'g.json'), JSON.stringify(models.coalescent(6).toJSON()));
    const out = execFileSync(process.execPath, ['--max-old-space-size=8000', 'bin/phasekit.js', 'moments', join(dir, 'g.json'), '--theta', '[1]', '--timeout-ms', '20000'], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(out).moments[0]).toBeCloseTo(2 * (1 - 1 / 6), 12);
  });

  it('a worker that cannot start rejects the call with PoolError WORKER_FAILED, not a raw Error', async () => {
    const pool = createPool({ size: 1, worker: () => { throw new Error('no threads here'); } });
    const error = await pool.expectation(models.coalescent(3), { theta: [1] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolError);
    expect(error).toMatchObject({ code: 'WORKER_FAILED' });
    await pool.close();
  });

  it('worker start-up does not count toward timeoutMs (a 200 ms limit on a worker that takes longer to start)', async () => {
    await ready();
    const pool = createPool({ size: 1, timeoutMs: 200 });
    try {
      expect(await pool.expectation(models.coalescent(4), { theta: [1] })).toBeCloseTo(1.5, 12);
    } finally {
      await pool.close();
    }
  });

  it('--timeout-ms is not doubled by a retry', () => {
    // A long pdf: 2,000 times over eight decades on 45,000 vertices (slow floods keep the mass
    // alive; past maxSteps the Krylov method takes each time's small exponential, ~10 s in all).
    const model = execFileSync(process.execPath, ['bin/phasekit.js', 'model', 'rabbits', '--n', '300'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
    const started = performance.now();
    const run = spawnSync(process.execPath, ['bin/phasekit.js', 'pdf', '-', '--theta', '[1,0.001,0.001]', '--times', JSON.stringify(Array.from({ length: 2000 }, (_, i) => 10 ** (-3 + (8 * i) / 1999))), '--timeout-ms', '1500'], { cwd: root, input: model, encoding: 'utf8' });
    const elapsed = performance.now() - started;
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/TIMEOUT/);
    expect(run.stderr).toMatch(/failed once/);
    expect(elapsed).toBeLessThan(1500 + 6000); // one timeout plus start-up and reading the graph, not two
  });
});

describe('8: exit 2 with one short line, never a crash', () => {
  it('paramLength 1e9 (RangeError: Invalid typed array length)', async () => {
    oneLine(await runCli(['moments', 'g.json'], { 'g.json': JSON.stringify({ paramLength: 1e9, stateLength: 1, vertices: [[0]], edges: [] }) }));
  });

  it('a state nested 10,000 deep (stack overflow while formatting the message)', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    oneLine(await runCli(['moments', 'g.json'], { 'g.json': `{"paramLength":0,"stateLength":1,"vertices":[${deep}],"edges":[]}` }));
  });

  it('a huge bad vertex gives a short message, not 2 MB', async () => {
    const huge = JSON.stringify(new Array(300_000).fill(1.5));
    oneLine(await runCli(['moments', 'g.json'], { 'g.json': `{"paramLength":0,"stateLength":300000,"vertices":[${huge}],"edges":[]}` }));
  });

  it('graph JSON longer than a JavaScript string can be (Invalid string length)', async () => {
    let stderr = '';
    const code = await main(['moments', 'huge.json'], {
      stdout: () => {}, stderr: (s) => { stderr += s; },
      readFile: async () => { throw Object.assign(new Error('Cannot create a string longer than 0x1fffffe8 characters'), { code: 'ERR_STRING_TOO_LONG' }); },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/larger than the longest string JavaScript can hold/);
  });

  it.each([[5e-324, 3], [1e-300, 2]])('a rate of %s with --k %i is OVERFLOW, not null', async (rate, k) => {
    const run = await runCli(['moments', 'g.json', '--k', String(k)], { 'g.json': tiny(rate) });
    oneLine(run);
    expect(run.stderr).toMatch(/OVERFLOW/);
    expect(run.stderr).not.toMatch(/null/);
  });
});

describe('9: the CLI goes through the trace cache', () => {
  it('a loop over θ records the structure once (one trace in the store), and --no-cache stores nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'phasekit-cli-loop-'));
    await writeFile(join(dir, 'g.json'), JSON.stringify(models.rabbits(8).toJSON()));
    const env = { ...process.env, PHASEKIT_CACHE_DIR: join(dir, 'cache') };
    const run = (...argv: string[]) => JSON.parse(execFileSync(process.execPath, ['bin/phasekit.js', ...argv], { cwd: root, encoding: 'utf8', env }));
    const expected = models.rabbits(8);
    for (const t of [[1, 2, 4], [2, 1, 3], [0.5, 0.5, 0.5]])
      expect(run('expectation', join(dir, 'g.json'), '--theta', JSON.stringify(t)).expectation).toBeCloseTo(expected.expectation({ theta: t }), 12);
    expect(run('cache', 'status').traces.entries).toBe(1);
    const other = { ...env, PHASEKIT_CACHE_DIR: join(dir, 'none') };
    execFileSync(process.execPath, ['bin/phasekit.js', 'moments', join(dir, 'g.json'), '--theta', '[1,2,4]', '--no-cache'], { cwd: root, encoding: 'utf8', env: other });
    expect(JSON.parse(execFileSync(process.execPath, ['bin/phasekit.js', 'cache', 'status'], { cwd: root, encoding: 'utf8', env: other })).traces.entries).toBe(0);
  });
});
