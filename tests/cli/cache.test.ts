// `phasekit cache status|clear|export|import|vacuum` on a temporary file store.
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTraceCache, models, ready } from '../../src/index.js';
import { runCli } from './run-cli.js';

beforeAll(() => ready());

async function filledStore(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'phasekit-cli-cache-'));
  const cache = createTraceCache({ persistence: 'file', root: dir, sync: false });
  await cache.prewarm([models.coalescent(8), models.rabbits(6)]);
  await cache.close();
  return dir;
}

const json = (s: string) => JSON.parse(s) as Record<string, any>;

describe('phasekit cache', () => {
  it('status reports the directory, entries and bytes of the trace layer (<root>/traces)', async () => {
    const dir = await filledStore();
    const run = await runCli(['cache', 'status', '--dir', dir]);
    expect(run.code).toBe(0);
    const { traces } = json(run.stdout);
    expect(traces.dir).toBe(join(dir, 'traces'));
    expect(traces.entries).toBe(2);
    expect(traces.bytes).toBeGreaterThan(1000);
    expect(traces.newest).toBeGreaterThanOrEqual(traces.oldest);
  });

  it('export then import into an empty store carries every trace', async () => {
    const dir = await filledStore();
    const file = join(dir, '..', `export-${Date.now()}.pkcache`);
    const out = json((await runCli(['cache', 'export', file, '--dir', dir])).stdout);
    expect((await stat(file)).size).toBe(out.bytes);
    const empty = await mkdtemp(join(tmpdir(), 'phasekit-cli-empty-'));
    expect(json((await runCli(['cache', 'import', file, '--dir', empty])).stdout)).toEqual({ imported: 2 });
    expect(json((await runCli(['cache', 'status', '--dir', empty])).stdout).traces.entries).toBe(2);
  });

  it('vacuum --max-mb 0 removes everything and clear --layer traces empties the store', async () => {
    const dir = await filledStore();
    expect(json((await runCli(['cache', 'vacuum', '--max-mb', '0', '--dir', dir])).stdout).traces.removed).toBe(2);
    const again = await filledStore();
    expect((await runCli(['cache', 'clear', '--layer', 'traces', '--dir', again])).code).toBe(0);
    expect(json((await runCli(['cache', 'status', '--dir', again])).stdout).traces.entries).toBe(0);
  });

  it('bad input exits with 2: unknown layer, missing file, a file that is not an export', async () => {
    const dir = await filledStore();
    const layer = await runCli(['cache', 'clear', '--layer', 'everything', '--dir', dir]);
    expect(layer.code).toBe(2);
    expect(layer.stderr).toMatch(/--layer must be one of traces, evaluators, pipelines, all/);
    expect((await runCli(['cache', 'import', join(dir, 'nope.bin'), '--dir', dir])).code).toBe(2);
    const notArchive = join(dir, '..', `not-an-archive-${Date.now()}`);
    await import('node:fs/promises').then((fs) => fs.writeFile(notArchive, 'hello'));
    const bad = await runCli(['cache', 'import', notArchive, '--dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/archive/i);
  });
});
