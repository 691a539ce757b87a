import { describe, expect, it } from 'vitest';
import { CacheError, createCache, decodeArchive, encodeArchive, type TierRecord } from '../../src/cache/index.js';

let names = 0;
const name = () => `archive-${names++}`;

const record = (key: string, value: unknown): TierRecord => ({ key, value, storedAt: 1, accessedAt: 2, expiresAt: 0, size: 3, hits: 4, tags: ['t'] });

describe('archive', () => {
  it('round-trips records with binary and plain values', async () => {
    const records = [record('a', new Float64Array([1, 2])), record('b', { x: 'y' }), record('c', new ArrayBuffer(5))];
    expect(await decodeArchive(await encodeArchive(records))).toEqual(records);
  });

  it('starts with the PKCA magic', async () => {
    const bytes = await encodeArchive([]);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('PKCA');
  });

  it('detects a flipped byte through its checksum', async () => {
    const bytes = await encodeArchive([record('a', 'hello')]);
    bytes[20] ^= 1;
    await expect(decodeArchive(bytes)).rejects.toMatchObject({ code: 'BAD_ARCHIVE' });
  });

  it('refuses bytes that are not an archive', async () => {
    await expect(decodeArchive(new Uint8Array(32))).rejects.toBeInstanceOf(CacheError);
  });

  it('exports a cache and imports it into another with times and tags kept', async () => {
    const source = createCache<unknown>({ name: name(), sync: false });
    await source.set('buf', new Uint8Array([1, 2, 3]).buffer, { tags: ['bin'] });
    await source.set('obj', { n: 1 });
    const target = createCache<unknown>({ name: name(), sync: false });
    expect(await target.import(await source.export())).toBe(2);
    expect(new Uint8Array((await target.get('buf')) as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    expect(await target.get('obj')).toEqual({ n: 1 });
    expect(await target.invalidateTag('bin')).toBe(1);
  });

  it('exports a namespace with local keys and imports into another namespace', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    await cache.namespace('a').set('k', 'v');
    await cache.set('root', 'r');
    const bytes = await cache.namespace('a').export();
    await cache.namespace('b').import(bytes);
    expect(await cache.namespace('b').keys()).toEqual(['k']);
  });
});
