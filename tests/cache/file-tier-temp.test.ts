// Issue #14, item 4: temporary files of writers that died are swept, live ones are reported.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCache, FileTier } from '../../src/cache/index.js';

let dir: string;
let names = 0;
const fileCache = () => createCache<string>({ name: `temp-${names++}`, tiers: ['memory', new FileTier({ name: 'temp', dir })], sync: false });
const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const entry = 'a'.repeat(64) + '.entry';

// A process id that is certainly not running: a child that has exited.
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid as number;
}

async function leftovers(): Promise<string[]> {
  const hourAgo = new Date(Date.now() - 3_600_000);
  const files = [
    `${entry}.${host}-${deadPid()}-0.tmp`, // this host, writer gone
    `${entry}.0123abcd-${process.pid}-1.tmp`, // another host, an hour old
    `${entry}.${process.pid}-2.tmp`, // phasekit 0.1's name, an hour old
  ];
  for (const file of files) await writeFile(join(dir, file), 'half an entry');
  await utimes(join(dir, files[1]), hourAgo, hourAgo);
  await utimes(join(dir, files[2]), hourAgo, hourAgo);
  return files;
}

describe('file tier: temporary files', () => {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'phasekit-temp-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sweeps those of dead or long-gone writers when listing (status)', async () => {
    const cache = fileCache();
    await cache.set('k', 'v');
    await leftovers();
    const occupancy = (await cache.tierOccupancy()).file;
    expect(occupancy).toMatchObject({ entries: 1, pending: { records: 0, bytes: 0 } });
    expect((await readdir(dir)).filter((file) => file.endsWith('.tmp'))).toEqual([]);
  });

  it('sweeps them on clear', async () => {
    const cache = fileCache();
    await cache.set('k', 'v');
    await leftovers();
    await cache.clear();
    expect(await readdir(dir)).toEqual([]);
  });

  it('sweeps them on vacuum', async () => {
    const cache = fileCache();
    await leftovers();
    await cache.vacuum();
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports a write under way as pending, apart from the entries, and leaves it alone', async () => {
    const cache = fileCache();
    await cache.set('k', 'v');
    const live = `${entry}.${host}-${process.pid}-99.tmp`;
    await writeFile(join(dir, live), '12345');
    expect((await cache.tierOccupancy()).file).toMatchObject({ entries: 1, pending: { records: 1, bytes: 5 } });
    await cache.clear();
    expect(await readdir(dir)).toEqual([live]);
  });
});
