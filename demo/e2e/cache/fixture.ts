// Drives phasekit/cache in a real browser for e2e/cache.spec.ts. Everything the spec
// needs is on window.cacheFixture; values cross page.evaluate as plain JSON.
import { createCache, IndexedDBTier, type Cache, type CacheStatsSnapshot } from '../../../src/cache/index.js';

const caches = new Map<string, Cache<unknown>>();
const tabId = Math.random().toString(36).slice(2);
let computations = 0;
let warnings = 0;

// Count warnings before any cache can emit one.
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  warnings++;
  warn(...args);
};

function cache(name: string): Cache<unknown> {
  let found = caches.get(name);
  if (!found) caches.set(name, (found = createCache<unknown>({ name, tiers: ['memory', 'indexeddb'] })));
  return found;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ArrayBuffers do not survive page.evaluate: describe them instead.
function describe(value: unknown): unknown {
  if (value instanceof ArrayBuffer) return { bytes: value.byteLength, first: new Uint8Array(value)[0] ?? null };
  return value;
}

const fixture = {
  tabId,
  async set(name: string, key: string, value: unknown, options?: { ttl?: number; tags?: string[]; dependsOn?: string[] }) {
    await cache(name).set(key, value, options);
  },
  async setBytes(name: string, key: string, bytes: number, fill = 1) {
    await cache(name).set(key, new Uint8Array(bytes).fill(fill).buffer);
  },
  async get(name: string, key: string) {
    return describe(await cache(name).get(key));
  },
  async delete(name: string, key: string) {
    return cache(name).delete(key);
  },
  async invalidateTag(name: string, tag: string) {
    return cache(name).invalidateTag(tag);
  },
  async clear(name: string) {
    await cache(name).clear();
  },
  inMemory(name: string, key: string): boolean {
    return cache(name).hottestKeys(Infinity).some((entry) => entry.key === key);
  },
  stats(name: string): CacheStatsSnapshot {
    return cache(name).stats();
  },
  async storedKeys(name: string): Promise<string[]> {
    const tier = new IndexedDBTier({ name });
    const keys = (await tier.list()).map((meta) => meta.key).sort();
    await tier.close();
    return keys;
  },
  async storageEstimate(name: string) {
    return cache(name).storageEstimate();
  },
  /** getOrCompute with a slow computation that records which tab ran it. */
  async computeShared(name: string, key: string, ms: number): Promise<string> {
    return (await cache(name).getOrCompute(key, async () => {
      computations++;
      await sleep(ms);
      return `computed by ${tabId}`;
    })) as string;
  },
  computations: () => computations,
  warnings: () => warnings,
  /** Makes the next `count` IndexedDB puts throw QuotaExceededError, as a full disk would. */
  failPuts(count: number) {
    const put = IDBObjectStore.prototype.put;
    let left = count;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (left > 0) {
        left--;
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return put.apply(this, args);
    };
  },
};

declare global {
  interface Window {
    cacheFixture: typeof fixture;
    cacheFixtureReady: boolean;
  }
}

window.cacheFixture = fixture;
window.cacheFixtureReady = true;
