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

/** The open database and the raw records of its values store, behind the cache's back. */
async function storedRecords(database: string): Promise<{ db: IDBDatabase; records: { key: string; data: Uint8Array | Blob }[] }> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open(database);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => resolve(open.result);
  });
  const records = await new Promise<{ key: string; data: Uint8Array | Blob }[]>((resolve, reject) => {
    const request = db.transaction('values').objectStore('values').getAll();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return { db, records };
}

/** Flips one byte in the middle of every record of a layer's database, behind the cache's back (large values are Blobs). */
async function corruptStoredTraces(database = DATABASE): Promise<number> {
  const { db, records } = await storedRecords(database);
  // Blob bytes are read before the write transaction: awaiting inside it would end it.
  const flipped = await Promise.all(records.map(async (record) => {
    const isBlob = record.data instanceof Blob;
    const bytes = new Uint8Array(isBlob ? await (record.data as Blob).arrayBuffer() : (record.data as Uint8Array));
    bytes[bytes.length >> 1] ^= 0xff;
    return { ...record, data: isBlob ? new Blob([bytes]) : bytes };
  }));
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction('values', 'readwrite');
    for (const record of flipped) tx.objectStore('values').put(record, record.key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
  return flipped.length;
}

/** How each record of a layer's database holds its value: as a Blob or inline, and its size. */
async function storedForms(database = DATABASE): Promise<{ key: string; blob: boolean; bytes: number }[]> {
  const { db, records } = await storedRecords(database);
  db.close();
  return records.map(({ key, data }) => ({ key, blob: data instanceof Blob, bytes: data instanceof Blob ? data.size : data.byteLength }));
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

Object.assign(window, { storedForms, timeCompile, compileCoalescent, evaluatorRun, corruptStoredTraces, exportAll, importAll, fixtureReady: true });
