// Drives the HTTP tier in a real browser for e2e/http-tier.spec.ts: a cache of memory,
// IndexedDB and an HTTP store on another origin (CORS). Values cross page.evaluate as JSON.
import { createCache, httpTier, IndexedDBTier, pullCache, type Cache, type HttpTier } from '../../../src/cache/index.js';

const caches = new Map<string, { cache: Cache<unknown>; remote: HttpTier }>();
let warnings = 0;

function open(baseUrl: string, namespace: string): { cache: Cache<unknown>; remote: HttpTier } {
  let found = caches.get(namespace);
  if (!found) {
    const remote = httpTier({ baseUrl, namespace, writeBack: true, retryAfterMs: 100, warn: () => warnings++ });
    found = { cache: createCache<unknown>({ name: `http-${namespace}`, tiers: ['memory', 'indexeddb', remote] }), remote };
    caches.set(namespace, found);
  }
  return found;
}

// Typed arrays do not survive page.evaluate: describe them instead.
function describe(value: unknown): unknown {
  if (value instanceof Float64Array) return { type: 'Float64Array', length: value.length, first: value[0] ?? null };
  return value;
}

const fixture = {
  async get(baseUrl: string, namespace: string, key: string) {
    return describe(await open(baseUrl, namespace).cache.get(key));
  },
  async set(baseUrl: string, namespace: string, key: string, value: unknown) {
    await open(baseUrl, namespace).cache.set(key, value);
  },
  async flush(baseUrl: string, namespace: string) {
    return open(baseUrl, namespace).remote.flush({ timeoutMs: 10_000 });
  },
  stats(baseUrl: string, namespace: string) {
    const { cache, remote } = open(baseUrl, namespace);
    return { cache: cache.stats(), remote: remote.stats() };
  },
  /** What the IndexedDB tier of a namespace's cache holds for `key` (promotion lands there). */
  async stored(namespace: string, key: string) {
    const tier = new IndexedDBTier({ name: `http-${namespace}` });
    const record = await tier.get(key);
    await tier.close();
    return describe(record?.value);
  },
  /** Pulls a published namespace into a fresh IndexedDB database; then reads one key through a cache with no remote at all. */
  async pullInto(baseUrl: string, namespace: string, database: string, key: string) {
    const into = new IndexedDBTier({ name: database });
    let reports = 0;
    const result = await pullCache({ from: httpTier({ baseUrl, namespace }), into, onProgress: () => reports++ });
    await into.close();
    const offline = createCache<unknown>({ name: database, tiers: ['memory', 'indexeddb'] });
    const value = describe(await offline.get(key));
    await offline.close();
    return { copied: result.copied, failed: result.failed, reports, value };
  },
  warnings: () => warnings,
};

declare global {
  interface Window {
    httpTierFixture: typeof fixture;
    httpTierFixtureReady: boolean;
  }
}

window.httpTierFixture = fixture;
window.httpTierFixtureReady = true;
