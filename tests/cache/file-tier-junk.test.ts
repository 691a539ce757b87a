// Issue #14, item 1: no bytes on disk may abort, hang or mislead the file tier.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as realFs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CacheError, createCache, decodeArchive, FileTier, type ByteSerializer, type FileSystem } from '../../src/cache/index.js';

let dir: string;
let names = 0;
const name = () => `junk-${names++}`;
const fileCache = <V>(options: { fs?: FileSystem } = {}) => createCache<V>({ name: name(), tiers: ['memory', new FileTier({ name: 'junk', dir, ...options })], sync: false });
const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('file tier: junk entry files', () => {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'phasekit-junk-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('treats a header length past the end of the file as corrupt instead of aborting (the issue reproducer)', async () => {
    await writeFile(join(dir, 'a.entry'), bytes('xxxx\x00\x00\x00\x80'));
    await writeFile(join(dir, 'b.entry'), bytes('PKCE\xf0\xff\xff\x7f'));
    const cache = fileCache<string>();
    const occupancy = await cache.tierOccupancy();
    expect(occupancy.file).toMatchObject({ entries: 0, bytes: 0 });
    expect(cache.stats().corrupt).toBe(2);
    expect(await readdir(dir)).toEqual([]);
  });

  it('reads at most a small first block of a file that announces a 2 GiB header', async () => {
    await writeFile(join(dir, 'big.entry'), Buffer.concat([bytes('PKC2\xf0\xff\xff\x7f\x00\x00\x00\x00'), Buffer.alloc(1 << 20)]));
    const reads: number[] = [];
    const countingFs: FileSystem = {
      ...realFs,
      open: async (...args: Parameters<typeof realFs.open>) => {
        const handle = await realFs.open(...args);
        const read = handle.read.bind(handle) as (buffer: Uint8Array, offset: number, length: number, position: number) => ReturnType<typeof handle.read>;
        return Object.assign(handle, {
          read: (buffer: Uint8Array, offset: number, length: number, position: number) => {
            reads.push(length);
            return read(buffer, offset, length, position);
          },
        });
      },
    };
    const cache = fileCache<string>({ fs: countingFs });
    expect((await cache.tierOccupancy()).file.entries).toBe(0);
    expect(Math.max(...reads)).toBeLessThanOrEqual(4096);
    expect(cache.stats().corrupt).toBe(1);
  });

  it('answers status, vacuum, export and clear past many junk files', async () => {
    const cache = fileCache<{ n: number }>();
    await cache.set('a', { n: 1 });
    await cache.set('b', { n: 2 });
    let seed = 1;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 60; i++) {
      const junk = Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256)));
      if (i % 3 === 0) junk.write('PKC2', 0, 'latin1'); // right magic, random rest
      await writeFile(join(dir, `junk${i}.entry`), junk);
    }
    const later = fileCache<{ n: number }>();
    expect((await later.tierOccupancy()).file.entries).toBe(2);
    expect(later.stats().corrupt).toBe(60);
    expect(await later.vacuum()).toEqual([expect.objectContaining({ removed: 0 })]);
    expect((await decodeArchive(await later.export())).map((record) => record.key).sort()).toEqual(['a', 'b']);
    await later.clear();
    expect(await readdir(dir)).toEqual([]);
  });

  it('drops a file that is not named after the key it holds', async () => {
    const cache = fileCache<string>();
    await cache.set('a', 'value of a');
    await cache.set('b', 'value of b');
    const tier = new FileTier({ name: 'junk', dir });
    const files = await readdir(dir);
    const [fileA] = await Promise.all(files.map(async (file) => ((await readFile(join(dir, file))).includes('value of a') ? file : undefined))).then((found) => found.filter(Boolean));
    const fileB = files.find((file) => file !== fileA)!;
    await copyFile(join(dir, fileA!), join(dir, fileB)); // b's file now holds a
    const later = fileCache<string>();
    expect(await later.get('b')).toBeUndefined();
    expect(later.stats().corrupt).toBe(1);
    expect((await tier.list()).map((meta) => meta.key)).toEqual(['a']);
  });

  it('reads an entry replaced by a FIFO or a directory as corrupt, without blocking (small entries are read synchronously)', async () => {
    for (const replace of [(f: string) => execFileSync('mkfifo', [f]), (f: string) => execFileSync('mkdir', [f])]) {
      const writer = fileCache<string>();
      await writer.set('k', 'small');
      const [file] = await readdir(dir);
      await rm(join(dir, file));
      replace(join(dir, file));
      const reader = fileCache<string>();
      expect(await reader.get('k')).toBeUndefined();
      expect(reader.stats().corrupt).toBe(1);
      await rm(join(dir, file), { recursive: true, force: true });
    }
  });

  it('reads small entries synchronously and large ones asynchronously, to the same values', async () => {
    const large = 'x'.repeat(600 * 1024); // past the synchronous read's 256 KiB
    await fileCache<string>().set('small', 'tiny value');
    await fileCache<string>().set('large', large);
    const reader = fileCache<string>();
    expect(await reader.get('small')).toBe('tiny value');
    expect(await reader.get('large')).toBe(large);
  });

  it('never opens a FIFO named like an entry for a blocking read', async () => {
    execFileSync('mkfifo', [join(dir, 'pipe.entry')]);
    const cache = fileCache<string>();
    expect((await cache.tierOccupancy()).file.entries).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves the value check to a serializer that verifies itself, which still refuses a flipped byte', async () => {
    let decodes = 0;
    // A value followed by a one-byte sum of its bytes, checked on decode.
    const summed: ByteSerializer = {
      name: 'summed', verifiesItself: true,
      encode: (v) => { const b = Buffer.from(String(v)); return Uint8Array.from([...b, b.reduce((a, x) => (a + x) & 255, 0)]); },
      decode: (bytes) => {
        decodes++;
        const body = bytes.subarray(0, -1);
        if ((body.reduce((a, x) => (a + x) & 255, 0)) !== bytes[bytes.length - 1]) throw new CacheError('CORRUPT', 'sum mismatch');
        return Buffer.from(body).toString();
      },
    };
    const cacheWith = () => createCache<string>({ name: name(), tiers: ['memory', new FileTier({ name: 'junk', dir, serializer: summed })], sync: false });
    await cacheWith().set('k', 'the stored value');
    expect(await cacheWith().get('k')).toBe('the stored value');
    const [file] = await readdir(dir);
    const bytes = await readFile(join(dir, file));
    bytes[bytes.length - 3] ^= 0x04;
    await writeFile(join(dir, file), bytes);
    const later = cacheWith();
    expect(await later.get('k')).toBeUndefined();
    expect(later.stats().corrupt).toBe(1);
    expect(decodes).toBeGreaterThanOrEqual(2);
  });

  it('refuses a value whose bytes changed on disk (a flipped bit), once', async () => {
    await fileCache<string>().set('k', 'the stored value');
    const [file] = await readdir(dir);
    const handle = await open(join(dir, file), 'r+');
    const { size } = await handle.stat();
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 2);
    last[0] ^= 0x04; // 'u' <-> 'q': still valid JSON, a different value
    await handle.write(last, 0, 1, size - 2);
    await handle.close();
    const later = fileCache<string>();
    expect(await later.get('k')).toBeUndefined();
    expect(await later.get('k')).toBeUndefined();
    expect(later.stats().corrupt).toBe(1);
  });
});
