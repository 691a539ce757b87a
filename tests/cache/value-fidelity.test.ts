// Issue #14, item 5: what a tier stores comes back equal, or the set is refused before any
// tier changes; keys that differ stay apart on disk.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binarySerializer, CacheError, createCache, FileTier, jsonSerializer, structuredCloneSerializer } from '../../src/cache/index.js';

let dir: string;
let names = 0;
const name = () => `fidelity-${names++}`;
const fileCache = <V>() => createCache<V>({ name: name(), tiers: ['memory', new FileTier({ name: 'fidelity', dir })], sync: false });

class Point {
  constructor(readonly x: number) {}
}
const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;

// Values JSON would silently change, and the path the refusal must name.
const changedByJson: [string, unknown, string][] = [
  ['a Map', { a: new Map([[1, 2]]) }, 'value.a'],
  ['a Set', [new Set([1])], 'value[0]'],
  ['a Date', { when: new Date(0) }, 'value.when'],
  ['NaN', { a: [1, 2, NaN] }, 'value.a[2]'],
  ['-0', { n: -0 }, 'value.n'],
  ['Infinity', { n: Infinity }, 'value.n'],
  ['an Error', { e: new Error('x') }, 'value.e'],
  ['a RegExp', { r: /x/ }, 'value.r'],
  ['undefined in an object', { u: undefined }, 'value.u'],
  ['a class instance', { p: new Point(1) }, 'value.p'],
  ['a hole', { h: [1, , 3] }, 'value.h[1]'], // eslint-disable-line no-sparse-arrays
  ['a cycle', cyclic, 'value.self'],
  ['nested binary data', { bytes: new Uint8Array(2) }, 'value.bytes'],
  ['a bigint', { big: 1n }, 'value.big'],
  ['an odd key', { 'odd key': [Symbol('s')] }, 'value["odd key"][0]'],
];

describe('values through the file tier', () => {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'phasekit-fidelity-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(changedByJson)('refuses %s with NOT_SERIALIZABLE naming its path', async (what, value, path) => {
    const error = await fileCache<unknown>().set('k', value).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CacheError);
    expect(error).toMatchObject({ code: 'NOT_SERIALIZABLE' });
    expect((error as Error).message.startsWith(`${path} `)).toBe(true);
    // Named with its article ('an Error', not 'a Error').
    if (/^an? ([A-Z]|bigint)/.test(what)) expect((error as Error).message).toContain(`is ${what} `);
  });

  it('leaves memory and disk untouched when it refuses a set', async () => {
    const cache = fileCache<unknown>();
    await cache.set('k', { n: 1 });
    await expect(cache.set('k', { n: NaN })).rejects.toMatchObject({ code: 'NOT_SERIALIZABLE' });
    expect(await cache.get('k')).toEqual({ n: 1 });
    expect(await fileCache<unknown>().get('k')).toEqual({ n: 1 });
  });

  it('gives back plain data exactly, lone surrogates and null prototypes included', async () => {
    const value = { text: 'a\uD800b', list: [1, -2.5, null, true, 'x', [[]], {}], nested: Object.assign(Object.create(null), { k: 'v' }) };
    await fileCache<unknown>().set('k', value);
    const back = await fileCache<unknown>().get('k');
    expect(back).toEqual({ ...value, nested: { k: 'v' } });
    expect((back as typeof value).text).toBe('a\uD800b');
  });

  it('keeps keys made of lone surrogates apart (they used to share one file)', async () => {
    const cache = fileCache<string>();
    await cache.set('\uD800', 'high');
    await cache.set('\uDC00', 'low');
    await cache.set('\uFFFD', 'replacement');
    expect(await readdir(dir)).toHaveLength(3);
    const later = fileCache<string>();
    expect([await later.get('\uD800'), await later.get('\uDC00'), await later.get('\uFFFD')]).toEqual(['high', 'low', 'replacement']);
  });

  it('still finds entries of well-formed keys under the names phasekit 0.1 gave them', async () => {
    const tier = new FileTier({ name: 'fidelity', dir });
    await tier.set({ key: 'Grüße', value: 1, storedAt: 1, accessedAt: 1, expiresAt: 0, size: 1, hits: 0 });
    const { createHash } = await import('node:crypto');
    expect(await readdir(dir)).toEqual([createHash('sha256').update('Grüße').digest('hex') + '.entry']);
  });
});

describe('values through IndexedDB (structured clone)', () => {
  it('gives back Map, Set, Date, RegExp, Error, NaN, -0 and Infinity', async () => {
    const indexedDB = new IDBFactory();
    const cacheName = name();
    const value = { map: new Map([[1, 'a']]), set: new Set(['s']), date: new Date(5), re: /x/g, error: new Error('boom'), nan: NaN, negZero: -0, inf: Infinity };
    await createCache<unknown>({ name: cacheName, tiers: ['memory', 'indexeddb'], indexedDB, sync: false }).set('k', value);
    const back = (await createCache<unknown>({ name: cacheName, tiers: ['memory', 'indexeddb'], indexedDB, sync: false }).get('k')) as typeof value;
    expect(back.map).toEqual(value.map);
    expect(back.set).toEqual(value.set);
    expect(back.date.getTime()).toBe(5);
    expect(back.re.source + back.re.flags).toBe('xg');
    expect(back.error.message).toBe('boom');
    expect(Number.isNaN(back.nan) && Object.is(back.negZero, -0) && back.inf === Infinity).toBe(true);
  });

  it('refuses a function before any tier changes', async () => {
    const cache = createCache<unknown>({ name: name(), tiers: ['memory', 'indexeddb'], indexedDB: new IDBFactory(), sync: false });
    await cache.set('k', 1);
    await expect(cache.set('k', { f: () => 1 })).rejects.toMatchObject({ code: 'NOT_SERIALIZABLE', message: expect.stringMatching(/^value\.f /) });
    expect(await cache.get('k')).toBe(1);
  });
});

describe('serializer checks', () => {
  it('binary accepts a top-level typed array, which it stores raw', () => {
    expect(() => binarySerializer.check?.(new Float64Array(2))).not.toThrow();
  });

  it('json and structured clone agree on plain data', () => {
    const plain = { a: [1, { b: 'c' }], d: null };
    expect(() => jsonSerializer.check?.(plain)).not.toThrow();
    expect(() => structuredCloneSerializer.check?.(plain)).not.toThrow();
  });

  it('turns a throwing getter into NOT_SERIALIZABLE', () => {
    const value = Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new Error('no'); } });
    expect(() => jsonSerializer.check?.(value)).toThrow(expect.objectContaining({ code: 'NOT_SERIALIZABLE' }));
  });

  it('structured clone refuses a WeakMap deep in a Map', () => {
    expect(() => structuredCloneSerializer.check?.({ m: new Map([['k', new WeakMap()]]) })).toThrow(/^value\.m get\(k\) is a WeakMap/);
  });
});
