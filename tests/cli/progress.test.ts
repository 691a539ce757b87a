// Progress on stderr: a bar redrawn in place on a terminal, plain lines otherwise,
// nothing for quick work or with --quiet; stdout stays one line of JSON.
import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../src/cli/progress.js';
import type { CliIO } from '../../src/cli/io.js';
import { runCli } from './run-cli.js';

function capture(tty: boolean): { io: CliIO; err: () => string } {
  let err = '';
  return { io: { stdout: () => {}, stderr: (s) => { err += s; }, readFile: async () => '', stderrIsTTY: tty }, err: () => err };
}

describe('the progress reporter', () => {
  it('draws a bar with percentage, count, rate and ETA on a terminal, redrawn in place', () => {
    const { io, err } = capture(true);
    const p = progressReporter(io, { delayMs: 0 });
    p.update('building the graph', 250_000, 1_000_000, 'vertices');
    p.update('building the graph', 1_000_000, 1_000_000, 'vertices');
    expect(err()).toMatch(/^\rphasekit: building the graph ▕█{6}░{18}▏ 25% 250k\/1.0M vertices/);
    expect(err()).toMatch(/\rphasekit: building the graph ▕█{24}▏ 100% 1.0M\/1.0M vertices.*\n$/);
  });

  it('writes plain lines when stderr is not a terminal', () => {
    const { io, err } = capture(false);
    const p = progressReporter(io, { delayMs: 0 });
    p.update('eliminating', 0, 0);
    p.update('evaluating θ rows', 10, 40, 'rows');
    p.end();
    expect(err().split('\n').filter(Boolean)).toEqual(['phasekit: eliminating', expect.stringMatching(/^phasekit: evaluating θ rows 25% 10\/40 rows/)]);
    expect(err()).not.toMatch(/[\r▕]/);
  });

  it('prints nothing for work that ends within its delay, or when quiet', () => {
    const quick = capture(true);
    progressReporter(quick.io).update('eliminating', 0, 0);
    expect(quick.err()).toBe('');
    const quiet = capture(true);
    progressReporter(quiet.io, { quiet: true, delayMs: 0 }).update('eliminating', 0, 0);
    expect(quiet.err()).toBe('');
  });

  it('--quiet is accepted by the commands that read graphs and build models', async () => {
    const g = JSON.stringify({ paramLength: 0, stateLength: 1, vertices: [[0], [1], [2]], edges: [[0, 1, 1], [1, 2, 2]] });
    for (const argv of [['moments', 'g.json', '--quiet'], ['loglik', 'g.json', '--times', '[1]', '--quiet', '--no-cache'], ['model', 'coalescent', '--n', '4', '--quiet']]) {
      const run = await runCli(argv, { 'g.json': g });
      expect(run).toMatchObject({ code: 0, stderr: '' });
    }
  });
});
