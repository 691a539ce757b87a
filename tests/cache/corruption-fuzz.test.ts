// Issue #14: seeded, time-bounded fuzzing of corrupted records in the file tier and in
// IndexedDB. Whatever the damage: every failure is a CacheError, nothing crashes or
// hangs, a damaged record is never returned, and once found it is gone (never used twice).
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CacheError, createCache, FileTier, type Cache } from '../../src/cache/index.js';

const SEED = Number(process.env.PHASEKIT_FUZZ_SEED ?? 20261201);
const FILE_BUDGET_MS = 6000;
const IDB_BUDGET_MS = 4000;
const OP_TIMEOUT_MS = 5000;
const CODES = new Set(['BAD_OPTION', 'QUOTA_EXCEEDED', 'TIER_UNAVAILABLE', 'CORRUPT', 'BAD_ARCHIVE', 'NOT_SERIALIZABLE', 'CLOSED']);

// mulberry32: small, seedable, good enough to pick damage.
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

type Random = () => number;
const int = (random: Random, below: number) => Math.floor(random() * below);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)];

const originals: Record<string, unknown> = {
  text: 'a value of some length, to give the bit flips room',
  object: { list: [1, 2.5, 'three', null, true], nested: { deeper: ['x'] } },
  floats: new Float64Array([1.5, -2, 3e300]),
  bytes: new Uint8Array([0, 255, 7, 9]).buffer,
};

// An operation that must settle within OP_TIMEOUT_MS, and with a CacheError if it fails.
async function settled<T>(operation: Promise<T>, what: string): Promise<T | CacheError> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung for ${OP_TIMEOUT_MS} ms`)), OP_TIMEOUT_MS);
  });
  try {
    return await Promise.race([operation, hang]);
  } catch (error) {
    if (error instanceof CacheError && CODES.has(error.code)) return error;
    throw new Error(`${what} failed with something other than a CacheError: ${String(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

const DAMAGE = ['truncated', 'bits flipped', 'header length changed', 'wrong magic', 'replaced by noise', 'garbage appended', 'metadata changed, checksum fixed'];

// One way of damaging an entry file (DAMAGE[kind]); returns the new bytes.
function damage(random: Random, file: Buffer, kind: number): Buffer {
  const out = Buffer.from(file);
  const headerLength = (value: number) => {
    out.writeUInt32LE(value >>> 0, 4);
    return out;
  };
  switch (kind) {
    case 0:
      return out.subarray(0, int(random, out.length)); // truncated
    case 1: {
      for (let flips = 1 + int(random, 8); flips > 0; flips--) out[int(random, out.length)] ^= 1 << int(random, 8);
      return out;
    }
    case 2:
      return headerLength(pick(random, [0, 1, out.length - 12, out.length, out.length + 1, 0x7ffffff0, 0xffffffff, int(random, 2 ** 32)]));
    case 3:
      out.writeUInt32LE(int(random, 2 ** 32), 0); // wrong magic
      return out;
    case 4:
      return Buffer.from(Array.from({ length: int(random, 200) }, () => int(random, 256))); // replaced by noise
    case 5:
      return Buffer.concat([out, Buffer.from(Array.from({ length: 1 + int(random, 50) }, () => int(random, 256)))]); // appended garbage
    default:
      return plausibleHeader(random, out);
  }
}

// Values each header field must never have.
const NUMBER_JUNK = [-1, 'text', [], { a: 1 }, true, '5'];
const INVALID: Record<string, unknown[]> = {
  key: [5, null, [], { a: 1 }],
  storedAt: NUMBER_JUNK, accessedAt: NUMBER_JUNK, expiresAt: NUMBER_JUNK, size: NUMBER_JUNK, hits: NUMBER_JUNK,
  tags: [[1, 2], 'tag', { a: 1 }, null],
  codec: [null, 5, ['binary'], 'json'],
  crc: [-1, 'x', 2 ** 33, null, 1.5],
  version: [{}, [], true, null],
};

// Rewrites the header JSON with one field made invalid and fixes the header checksum, so only
// the metadata checks stand between the damage and the reader.
function plausibleHeader(random: Random, file: Buffer): Buffer {
  const length = file.readUInt32LE(4);
  const header = JSON.parse(file.subarray(12, 12 + length).toString('utf8')) as Record<string, unknown>;
  const field = pick(random, Object.keys(INVALID));
  header[field] = pick(random, INVALID[field]);
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(12);
  file.copy(prefix, 0, 0, 4);
  prefix.writeUInt32LE(json.length, 4);
  prefix.writeUInt32LE(crc32(json), 8);
  return Buffer.concat([prefix, json, file.subarray(12 + length)]);
}

function expectOriginal(key: string, value: unknown): void {
  expect(value, `value of "${key}"`).toEqual(originals[key]);
}

describe('fuzzing corrupted records', () => {
  it('file tier: damaged entry files are typed misses, dropped once, never returned', async () => {
    const random = prng(SEED);
    const dir = await mkdtemp(join(tmpdir(), 'phasekit-fuzz-'));
    const started = Date.now();
    let rounds = 0;
    try {
      while (Date.now() - started < FILE_BUDGET_MS && rounds < 400) {
        rounds++;
        await rm(dir, { recursive: true, force: true });
        const writer = createCache<unknown>({ name: 'fuzz', tiers: ['memory', new FileTier({ name: 'fuzz', dir })], sync: false });
        for (const [key, value] of Object.entries(originals)) await writer.set(key, value, { tags: ['t'] });
        const files = await Promise.all((await readdir(dir)).map(async (name) => ({ name, bytes: await readFile(join(dir, name)) })));
        const victim = pick(random, files);
        const kind = int(random, DAMAGE.length);
        const damaged = damage(random, victim.bytes, kind);
        await writeFile(join(dir, victim.name), damaged);
        const changed = !damaged.equals(victim.bytes);
        const victimKey = Object.keys(originals).find((key) => victim.bytes.includes(Buffer.from(`"key":"${key}"`)))!;
        const round = `round ${rounds} (seed ${SEED}): "${victimKey}" ${DAMAGE[kind]}`;

        const cache: Cache<unknown> = createCache<unknown>({ name: 'fuzz', tiers: ['memory', new FileTier({ name: 'fuzz', dir })], sync: false });
        const operations: [string, () => Promise<unknown>][] = [
          ['get', () => cache.get(victimKey)],
          ['has', () => cache.has(victimKey)],
          ['status', () => cache.tierOccupancy()],
          ['keys', () => cache.keys()],
          ['tag scan', () => cache.invalidateTag('none')],
          ['vacuum', () => cache.vacuum({ maxAgeDays: 1e6 })],
          ['export', () => cache.export()],
        ];
        for (let i = operations.length - 1; i > 0; i--) {
          const j = int(random, i + 1);
          [operations[i], operations[j]] = [operations[j], operations[i]];
        }
        for (const [what, run] of operations) {
          const result = await settled(run(), `${what}, ${round}`);
          if (what === 'get' && result !== undefined && !(result instanceof CacheError)) {
            expect(changed, `a damaged record was returned, ${round}: ${damaged.toString('latin1')}`).toBe(false);
            expectOriginal(victimKey, result);
          }
          if (what === 'status' && !(result instanceof CacheError)) {
            const { file } = result as Awaited<ReturnType<typeof cache.tierOccupancy>>;
            expect(Number.isFinite(file.bytes) && Number.isFinite(file.entries)).toBe(true);
          }
        }
        const corrupt = cache.stats().corrupt;
        if (changed) {
          expect(corrupt, `the damaged record was found once, ${round}`).toBe(1);
          expect(await readdir(dir), `the damaged record was dropped, ${round}`).not.toContain(victim.name);
        }
        // Found again, or used again: neither may happen.
        expect(await cache.get(victimKey)).toBe(changed ? undefined : await cache.get(victimKey));
        expect(cache.stats().corrupt).toBe(corrupt);
        for (const key of Object.keys(originals)) if (key !== victimKey) expectOriginal(key, await cache.get(key));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(rounds).toBeGreaterThan(20);
  }, 30_000);

  it('IndexedDB tier: junk records are typed misses, dropped once, never returned', async () => {
    const random = prng(SEED + 1);
    const started = Date.now();
    const valid = { key: 'k', storedAt: 1, accessedAt: 1, expiresAt: 0, size: 3, hits: 0 };
    const junk = (key: string): unknown[] => [
      null, 7, 'text', [], [valid], { ...valid, key: 'other' }, { ...valid, key }, { ...valid, key, storedAt: NaN }, { ...valid, key, expiresAt: 'soon' },
      { ...valid, key, size: -1 }, { ...valid, key, tags: [1] }, { ...valid, key, codec: 'structured-clone' }, { ...valid, key, data: 1, codec: 'other' },
      { ...valid, key, version: {} }, { key },
    ];
    let rounds = 0;
    let found = 0;
    while (Date.now() - started < IDB_BUDGET_MS && rounds < 300) {
      rounds++;
      const indexedDB = new IDBFactory();
      const options = { name: 'fuzz', tiers: ['memory' as const, 'indexeddb' as const], indexedDB, sync: false };
      const writer = createCache<unknown>(options);
      for (const [key, value] of Object.entries(originals)) await writer.set(key, value);
      await writer.close();
      const victimKey = pick(random, Object.keys(originals));
      const store = pick(random, ['values', 'meta', 'both'] as const);
      const record = pick(random, junk(victimKey));
      await new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('phasekit-cache:fuzz');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['values', 'meta'], 'readwrite');
          if (store !== 'meta') tx.objectStore('values').put(record, victimKey);
          if (store !== 'values') tx.objectStore('meta').put(record, victimKey);
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      });

      const cache = createCache<unknown>(options);
      const ops: [string, () => Promise<unknown>][] = [
        ['get', () => cache.get(victimKey)],
        ['status', () => cache.tierOccupancy()],
        ['keys', () => cache.keys()],
        ['vacuum', () => cache.vacuum({ maxAgeDays: 1e6 })],
        ['has', () => cache.has(victimKey)],
      ];
      if (random() < 0.5) ops.reverse();
      for (const [what, run] of ops) {
        const result = await settled(run(), `${what} after a junk ${store} record for "${victimKey}" (round ${rounds}, seed ${SEED + 1})`);
        if (what === 'get' && result !== undefined && !(result instanceof CacheError)) expectOriginal(victimKey, result);
        if (what === 'status' && !(result instanceof CacheError)) {
          const { indexeddb } = result as Awaited<ReturnType<typeof cache.tierOccupancy>>;
          expect(Number.isFinite(indexeddb.bytes) && Number.isFinite(indexeddb.entries)).toBe(true);
        }
      }
      const corrupt = cache.stats().corrupt;
      found += corrupt;
      // Whatever was found is gone: asking again neither returns it nor finds it again.
      const again = await cache.get(victimKey);
      if (again !== undefined) expectOriginal(victimKey, again);
      await cache.tierOccupancy();
      expect(cache.stats().corrupt).toBe(corrupt);
      if (store !== 'meta') expect(again, 'a junk value record was returned').toBeUndefined();
      await cache.close();
    }
    expect(rounds).toBeGreaterThan(10);
    expect(found, 'junk was found at all').toBeGreaterThan(rounds / 2);
  }, 30_000);
});
