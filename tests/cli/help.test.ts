import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runCli } from './run-cli.js';

describe('help and version', () => {
  it('--help and help print the usage with every command', async () => {
    for (const argv of [['--help'], ['help'], ['-h']]) {
      const r = await runCli(argv);
      expect(r.code).toBe(0);
      for (const name of ['moments', 'expectation', 'variance', 'pdf', 'cdf', 'pmf', 'model coalescent', 'model rabbits'])
        expect(r.stdout).toContain(`  ${name} `);
    }
  });

  it('a command\'s --help lists its flags without running it', async () => {
    const r = await runCli(['moments', 'missing.json', '--help']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/--theta JSON[\s\S]*--rewards JSON[\s\S]*--k N/);
    expect((await runCli(['help', 'pdf'])).stdout).toContain('--times JSON');
  });

  it('a group\'s help lists its subcommands', async () => {
    const r = await runCli(['model', '--help']);
    expect(r.stdout).toMatch(/model coalescent --n N[\s\S]*model rabbits --n N/);
    expect((await runCli(['help', 'model', 'rabbits'])).stdout).toContain('Usage: phasekit model rabbits');
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('help for an unknown command is bad input', async () => {
    expect((await runCli(['help', 'nope'])).code).toBe(2);
  });
});
