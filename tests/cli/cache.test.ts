// `phasekit cache status|clear|export|import|vacuum` on a temporary file store.
import { chmod, mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTraceCache, models, ready } from '../../src/index.js';
import { runUnprivileged } from '../cache/unprivileged.js';
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

  it('status, vacuum and export survive junk entry files (they used to abort the process), and count what they remove', async () => {
    const dir = await filledStore();
    const junk = async () => {
      for (const at of [dir, join(dir, 'traces')]) {
        await writeFile(join(at, 'a.entry'), Buffer.from('xxxx\x00\x00\x00\x80', 'latin1'));
        await writeFile(join(at, 'b.entry'), Buffer.from('PKCE\xf0\xff\xff\x7f', 'latin1'));
      }
    };
    await junk();
    const status = await runCli(['cache', 'status', '--dir', dir]);
    expect(status.code).toBe(0);
    // The two in the trace layer's directory are removed and counted; the root's are no layer's.
    expect(json(status.stdout).traces).toMatchObject({ entries: 2, corrupt: 2 });
    expect(json(status.stdout).evaluators.corrupt).toBe(0);
    expect(json((await runCli(['cache', 'status', '--dir', dir])).stdout).traces).toMatchObject({ entries: 2, corrupt: 0 });
    await junk();
    const vacuumed = await runCli(['cache', 'vacuum', '--dir', dir]);
    expect(vacuumed.code).toBe(0);
    expect(json(vacuumed.stdout).traces).toMatchObject({ removed: 0, corrupt: 2 });
    await junk();
    expect((await runCli(['cache', 'export', join(dir, '..', `junk-export-${Date.now()}`), '--dir', dir])).code).toBe(0);
    expect(await readdir(join(dir, 'traces'))).toHaveLength(2);
  });

  it('clear on a directory it cannot write exits 2 with one line and keeps the entries', async () => {
    const root = await filledStore();
    const dir = join(root, 'traces');
    await chmod(root, 0o755); // others may enter the root (mkdtemp makes it 0700) …
    await chmod(dir, 0o555); // … and read the trace layer's directory, but not write it
    try {
      const child = runUnprivileged(`
        const { main } = await import('./src/cli/main.ts');
        process.exitCode = await main(['cache', 'clear', '--dir', process.argv[1]]);
      `, [root]);
      expect(child.status).toBe(2);
      expect(child.stdout).toBe('');
      expect(child.stderr.trim().split('\n')).toHaveLength(1);
      expect(child.stderr).toMatch(/^phasekit: cache clear: cannot clear .*could not remove 2 of 2 entries/);
      expect((await readdir(dir)).filter((file) => file.endsWith('.entry'))).toHaveLength(2);
    } finally {
      await chmod(dir, 0o755);
    }
  });
});
