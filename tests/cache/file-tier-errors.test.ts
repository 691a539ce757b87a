// Issue #14, item 4: a directory that is missing, deleted or not writable gives true
// reports and typed errors, never raw ENOENT/EACCES or a false success.
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CacheError, createCache, FileTier } from '../../src/cache/index.js';
import { runUnprivileged } from './unprivileged.js';

let dir: string;
let names = 0;
const fileCache = (at = dir) => createCache<string>({ name: `errors-${names++}`, tiers: ['memory', new FileTier({ name: 'errors', dir: at })], sync: false });

describe('file tier: its directory', () => {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'phasekit-dir-'));
  });
  afterEach(async () => {
    await chmod(dir, 0o755).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  it('is made again by the next write after it was deleted mid-process', async () => {
    const cache = fileCache();
    await cache.set('a', '1');
    await rm(dir, { recursive: true });
    await cache.set('b', '2');
    expect(cache.stats().tiers.file?.errors ?? 0).toBe(0);
    expect(await fileCache().get('b')).toBe('2');
  });

  it('reads as empty while it does not exist, without being created by reading', async () => {
    const missing = join(dir, 'not-yet');
    const cache = fileCache(missing);
    expect((await cache.tierOccupancy()).file).toMatchObject({ entries: 0, bytes: 0 });
    expect(await cache.vacuum()).toEqual([expect.objectContaining({ removed: 0 })]);
    await cache.clear();
    expect(await readdir(dir)).toEqual([]);
  });

  it('that is a file gives TIER_UNAVAILABLE naming the path from status, vacuum, keys and clear', async () => {
    const notADir = join(dir, 'file');
    await writeFile(notADir, 'x');
    const cache = fileCache(notADir);
    for (const call of [() => cache.tierOccupancy(), () => cache.vacuum(), () => cache.keys(), () => cache.clear()]) {
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(CacheError);
      expect(error).toMatchObject({ code: 'TIER_UNAVAILABLE', message: expect.stringContaining(notADir) });
    }
  });

  it('that cannot be written makes clear fail with TIER_UNAVAILABLE and keeps every entry', async () => {
    const cache = fileCache();
    await cache.set('a', '1');
    await cache.set('b', '2');
    await chmod(dir, 0o555);
    const child = runUnprivileged(`
      const { createCache, FileTier } = await import('./src/cache/index.ts');
      const cache = createCache({ name: 'clear', tiers: ['memory', new FileTier({ name: 'clear', dir: process.argv[1] })], sync: false });
      try { await cache.clear(); console.log('cleared'); } catch (e) { console.log(e.code + ' ' + e.message); }
    `, [dir]);
    expect(child.stderr).toBe('');
    expect(child.stdout).toMatch(/^TIER_UNAVAILABLE cannot clear .*could not remove 2 of 2 entries/);
    expect((await readdir(dir)).length).toBe(2);
  });

  it('that cannot be read gives TIER_UNAVAILABLE from status, not a raw EACCES', async () => {
    await fileCache().set('a', '1');
    await chmod(dir, 0o000);
    const child = runUnprivileged(`
      const { createCache, FileTier } = await import('./src/cache/index.ts');
      const cache = createCache({ name: 'status', tiers: ['memory', new FileTier({ name: 'status', dir: process.argv[1] })], sync: false });
      try { console.log(JSON.stringify(await cache.tierOccupancy())); } catch (e) { console.log(e.name + ' ' + e.code + ' ' + e.message); }
    `, [dir]);
    expect(child.stdout).toMatch(/^CacheError TIER_UNAVAILABLE cannot read directory .* \(EACCES\)/);
  });
});
