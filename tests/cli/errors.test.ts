import { describe, expect, it } from 'vitest';
import { exponential, exponentialTheta, geometric, runCli } from './run-cli.js';

const files = { 'exp.json': exponential, 'exp-theta.json': exponentialTheta, 'geo.json': geometric, 'bad.json': '{"stateLength":', 'cycle.json': JSON.stringify({ paramLength: 0, stateLength: 1, vertices: [[0], [1], [2]], edges: [[0, 1, 1], [1, 2, 1], [2, 1, 1]] }) };

// Every bad input: exit 2, nothing on stdout, exactly one line on stderr naming the problem.
const badInput: Array<[string, string[], RegExp]> = [
  ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
  ['an unknown subcommand', ['model', 'dragons', '--n', '2'], /unknown subcommand 'dragons'/],
  ['a group without subcommand', ['model'], /needs a subcommand: coalescent, rabbits/],
  ['an unknown flag', ['moments', 'exp.json', '--bogus', '1'], /unknown flag --bogus/],
  ['a single-dash option', ['moments', 'exp.json', '-k', '2'], /unknown option -k/],
  ['a repeated flag', ['moments', 'exp.json', '--k', '1', '--k', '2'], /--k is given twice/],
  ['a flag without value', ['moments', 'exp.json', '--k'], /--k needs a value/],
  ['a non-integer --k', ['moments', 'exp.json', '--k', '2.5'], /--k must be an integer/],
  ['--k of 0', ['moments', 'exp.json', '--k', '0'], /--k must be at least 1/],
  ['--theta that is not JSON', ['moments', 'exp-theta.json', '--theta', '1,2'], /--theta must be a JSON array of numbers/],
  ['--theta with a string', ['moments', 'exp-theta.json', '--theta', '["1"]'], /--theta must be a JSON array/],
  ['--theta of the wrong length', ['moments', 'exp-theta.json', '--theta', '[1, 2]'], /BAD_THETA/],
  ['a missing --theta', ['expectation', 'exp-theta.json'], /BAD_THETA/],
  ['a negative rate at θ', ['expectation', 'exp-theta.json', '--theta', '[-1]'], /NEGATIVE_RATE/],
  ['rewards of the wrong length', ['expectation', 'exp.json', '--rewards', '[1]'], /BAD_REWARDS/],
  ['a missing file', ['moments', 'nope.json'], /cannot read nope.json: no such file/],
  ['bad graph JSON', ['moments', 'bad.json'], /does not parse.*BAD_FORMAT/],
  ['a graph that never absorbs', ['expectation', 'cycle.json'], /NO_ABSORPTION/],
  ['a missing positional', ['moments'], /expected <graph.json>, got none/],
  ['an extra positional', ['moments', 'exp.json', 'more.json'], /got 'exp.json' 'more.json'/],
  ['pdf without --times', ['pdf', 'exp.json'], /--times is required/],
  ['pdf of a discrete graph', ['pdf', 'geo.json', '--times', '[1]'], /WRONG_KIND/],
  ['pmf of a continuous graph', ['pmf', 'exp.json', '--steps', '[1]'], /WRONG_KIND/],
  ['cdf with --steps on a continuous graph', ['cdf', 'exp.json', '--steps', '[1]'], /--steps is for discrete graphs/],
  ['cdf with both --times and --steps', ['cdf', 'geo.json', '--times', '[1]', '--steps', '[1]'], /exactly one of --times or --steps/],
  ['a negative time', ['pdf', 'exp.json', '--times', '[-1]'], /BAD_ARGUMENT/],
  ['a fractional step', ['pmf', 'geo.json', '--steps', '[1.5]'], /BAD_ARGUMENT/],
  ['model without --n', ['model', 'coalescent'], /--n is required/],
  ['a coalescent of one sample', ['model', 'coalescent', '--n', '1'], /--n must be at least 2/],
  ['no arguments at all', [], /Usage: phasekit <command>/],
];

describe('errors', () => {
  for (const [what, argv, message] of badInput) {
    it(`exits 2 with one stderr line on ${what}`, async () => {
      const r = await runCli(argv, files);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      if (argv.length) expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    });
  }

  it('exits 1 on an internal failure, naming it', async () => {
    const { main } = await import('../../src/cli/main.js');
    let stderr = '';
    const code = await main(['moments', 'x.json'], { stdout: () => {}, stderr: (s) => { stderr += s; }, readFile: async () => { throw new TypeError('disk on fire'); } });
    expect(code).toBe(1);
    expect(stderr).toBe('phasekit: internal error: TypeError: disk on fire\n');
  });
});
