// Fixture for e2e/trace-cache.spec.ts: the default trace cache (memory in front
// of IndexedDB) driven from the page.
import { ready, compile, models, traceCache, exportCache, importCache, createEvaluator, cacheInfo } from '../../../src/index.js';

const DATABASE = 'phasekit-cache:traces';

async function compileCoalescent(n: number, theta: number[]) {
  await ready();
  const evaluator = await compile(models.coalescent(n));
  const info = await traceCache().info();
  return {
    moments: evaluator.moments(3, { theta }),
    hash: evaluator.trace.hash,
    recorded: info.computed,
    indexeddbHits: info.stats.tiers.indexeddb?.hits ?? 0,
    corrupt: info.corrupt,
    stored: info.tiers.indexeddb?.entries ?? 0,
  };
}

/** The SFS log-likelihood of coalescent n through layer 2 (the default caches: memory + IndexedDB). */
async function evaluatorRun(n: number) {
  await ready();
  const g = models.coalescent(n);
  const data = { counts: Array.from({ length: n - 1 }, (_, i) => Math.round(100 / (i + 1))), rewards: models.coalescentSfsRewards(g), scale: 3 };
  const evaluator = await createEvaluator(g, { kind: 'loglik', data });
  const { values, gradients } = await evaluator.evaluate({ thetas: Float64Array.of(0.8, 1.1), gradient: true });
  const info = await cacheInfo();
  return {
    key: evaluator.key, values: Array.from(values), gradients: Array.from(gradients!),
    traces: info.traces!.computed, evaluators: info.evaluators!.computed,
    evaluatorHits: info.evaluators!.stats.tiers.indexeddb?.hits ?? 0, corrupt: info.evaluators!.corrupt,
  };
}

/** Flips one byte in the middle of every record of a layer's database, behind the cache's back. */
function corruptStoredTraces(database = DATABASE): Promise<number> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(database);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('values', 'readwrite');
      const store = tx.objectStore('values');
      let flipped = 0;
      store.openCursor().onsuccess = (event) => {
        const cursor = (event.target as IDBRequest<IDBCursorWithValue | null>).result;
        if (!cursor) return;
        const record = cursor.value as { data: Uint8Array };
        const bytes = new Uint8Array(record.data);
        bytes[bytes.length >> 1] ^= 0xff;
        cursor.update({ ...record, data: bytes });
        flipped++;
        cursor.continue();
      };
      tx.oncomplete = () => { db.close(); resolve(flipped); };
      tx.onerror = () => reject(tx.error);
    };
  });
}

/** Compile + first evaluation of a built-in model, timed (the graph is built first, outside the timing). */
async function timeCompile(model: 'coalescent' | 'rabbits' | 'random', size: number) {
  await ready();
  const graph = model === 'coalescent' ? models.coalescent(size) : model === 'rabbits' ? models.rabbits(size) : models.randomCyclic({ vertices: size, params: 2, seed: 7 });
  graph.structure();
  const theta = model === 'coalescent' ? [1] : model === 'rabbits' ? [1, 2, 4] : [1, 0.5];
  const before = (await traceCache().info()).computed;
  const t0 = performance.now();
  const evaluator = await compile(graph);
  evaluator.expectation({ theta });
  const ms = performance.now() - t0;
  return { ms, recorded: (await traceCache().info()).computed - before };
}

async function exportAll(): Promise<number[]> {
  await ready();
  return Array.from(await exportCache());
}

async function importAll(bytes: number[]): Promise<number> {
  await ready();
  return importCache(Uint8Array.from(bytes));
}

Object.assign(window, { timeCompile, compileCoalescent, evaluatorRun, corruptStoredTraces, exportAll, importAll, fixtureReady: true });
