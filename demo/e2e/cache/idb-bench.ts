// IndexedDB tier vs idb-keyval, measured inside Chromium. Driven by bench/cache/indexeddb.ts.
import { clear as kvClear, createStore, get as kvGet, set as kvSet } from 'idb-keyval';
import { IndexedDBTier, type TierRecord } from '../../../src/cache/index.js';

/** One measurement request. */
export interface IdbBenchCase {
  /** Value size in bytes. */
  size: number;
  /** Values written then read per round. */
  count: number;
  /** 'sequential': await each call; 'concurrent': issue all calls in one tick. */
  mode: 'sequential' | 'concurrent';
  /** Rounds per contender (alternating); the best counts. */
  rounds: number;
}

/** Best put and get times (ms for the whole round) per contender. */
export interface IdbBenchResult {
  phasekit: { putMs: number; getMs: number };
  idbKeyval: { putMs: number; getMs: number };
}

interface Store {
  put(key: string, value: ArrayBuffer): Promise<void>;
  get(key: string): Promise<unknown>;
  clear(): Promise<void>;
}

function phasekitStore(): Store {
  const tier = new IndexedDBTier({ name: 'bench-phasekit' });
  const record = (key: string, value: ArrayBuffer): TierRecord => ({ key, value, storedAt: 0, accessedAt: 0, expiresAt: 0, size: value.byteLength, hits: 0 });
  return {
    put: (key, value) => tier.set(record(key, value)),
    get: async (key) => (await tier.get(key))?.value,
    clear: () => tier.clear(),
  };
}

function keyvalStore(): Store {
  const store = createStore('bench-idb-keyval', 'kv');
  return { put: (key, value) => kvSet(key, value, store), get: (key) => kvGet(key, store), clear: () => kvClear(store) };
}

async function round(store: Store, values: ArrayBuffer[], mode: IdbBenchCase['mode']): Promise<{ putMs: number; getMs: number }> {
  await store.clear();
  const keys = values.map((_, i) => `k${i}`);
  let start = performance.now();
  if (mode === 'sequential') for (let i = 0; i < keys.length; i++) await store.put(keys[i], values[i]);
  else await Promise.all(keys.map((key, i) => store.put(key, values[i])));
  const putMs = performance.now() - start;
  start = performance.now();
  let read: unknown[];
  if (mode === 'sequential') {
    read = [];
    for (const key of keys) read.push(await store.get(key));
  } else read = await Promise.all(keys.map((key) => store.get(key)));
  const getMs = performance.now() - start;
  if (read.some((value) => !(value instanceof ArrayBuffer))) throw new Error('a value did not round-trip');
  return { putMs, getMs };
}

async function runIdbBench(options: IdbBenchCase): Promise<IdbBenchResult> {
  const values = Array.from({ length: options.count }, (_, i) => new Uint8Array(options.size).fill(i % 256).buffer);
  const stores = { phasekit: phasekitStore(), idbKeyval: keyvalStore() };
  const best = { phasekit: { putMs: Infinity, getMs: Infinity }, idbKeyval: { putMs: Infinity, getMs: Infinity } };
  for (let r = 0; r < options.rounds; r++) {
    for (const name of ['phasekit', 'idbKeyval'] as const) {
      const { putMs, getMs } = await round(stores[name], values, options.mode);
      best[name].putMs = Math.min(best[name].putMs, putMs);
      best[name].getMs = Math.min(best[name].getMs, getMs);
    }
  }
  await stores.phasekit.clear();
  await stores.idbKeyval.clear();
  return best;
}

declare global {
  interface Window {
    runIdbBench: typeof runIdbBench;
  }
}

window.runIdbBench = runIdbBench;
