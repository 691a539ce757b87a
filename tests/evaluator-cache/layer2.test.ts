// Layer 2, compiled evaluators by content: one evaluator per content whatever the
// Graph object, a second process that records and writes nothing and reads no record
// back, corrupted and forged records never used (dropped when read by key), and the
// management API over every layer.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cacheInfo, clearCache, closeCacheLayers, configureCacheLayers, createEvaluator, decodeSpec, EvaluatorCache, exportCache, importCache,
  MemoryTraceStore, models, ready, vacuum, type Target,
} from '../../src/index.js';

const SRC = fileURLToPath(new URL('../../src/index.js', import.meta.url));
beforeAll(() => ready());
afterEach(() => closeCacheLayers());

const sfsTarget = (n: number): Target => {
  const g = models.coalescent(n);
  return { kind: 'loglik', data: { counts: Array.from({ length: n - 1 }, (_, i) => 40 / (i + 1)), rewards: models.coalescentSfsRewards(g), scale: 2 } };
};

describe('one evaluator per content', () => {
  it('two Graph objects of equal content share one key and one plan', async () => {
    const cache = new EvaluatorCache({ persistence: 'none', sync: false });
    const store = new MemoryTraceStore();
    // Moments read the structure's trace: it is recorded once too.
    const a = await createEvaluator(models.coalescent(8), { kind: 'moments', k: 2 }, { cache, traceStore: store });
    const b = await createEvaluator(models.coalescent(8), { kind: 'moments', k: 2 }, { cache, traceStore: store });
    expect(b.key).toBe(a.key);
    const info = await cache.info();
    expect(info.computed).toBe(1);
    expect(info.hits).toBe(1);
    expect(store.size).toBe(1);
    // The SFS of the same (forward) structure takes one pass a row and records no trace.
    const sfs = await createEvaluator(models.coalescent(8), sfsTarget(8), { cache, traceStore: store });
    expect((await cache.info()).computed).toBe(2);
    expect(store.size).toBe(1);
    expect(sfs.key).not.toBe(a.key);
    await cache.close();
  });

  it('different rates, data, targets or backends are different evaluators', async () => {
    const cache = new EvaluatorCache({ persistence: 'none', sync: false });
    const base = models.coalescent(6);
    const scaled = models.coalescent(6);
    scaled.addEdge(1, 2, 0.25, [0]); // a constant rate added to one edge: same structure, other rates
    const keys = new Set([
      (await createEvaluator(base, sfsTarget(6), { cache })).key,
      (await createEvaluator(scaled, sfsTarget(6), { cache })).key,
      (await createEvaluator(base, { kind: 'loglik', data: { times: [1, 2] } }, { cache })).key,
      (await createEvaluator(base, { kind: 'loglik', data: { times: [1, 2.5] } }, { cache })).key,
      (await createEvaluator(base, { kind: 'moments', k: 2 }, { cache })).key,
      (await createEvaluator(base, { kind: 'moments', k: 2 }, { cache, backend: 'wasm-direct' })).key,
    ]);
    expect(keys.size).toBe(6);
    await cache.close();
  });
});

describe('persistent tier', () => {
  const script = (dir: string) => `
    import { ready, models, createEvaluator, cacheInfo, configureCacheLayers, closeCacheLayers } from ${JSON.stringify(SRC)};
    await ready();
    configureCacheLayers({ persistence: 'file', root: ${JSON.stringify(dir)}, sync: false });
    const g = models.coalescent(12);
    const data = { counts: Array.from({ length: 11 }, (_, i) => 40 / (i + 1)), rewards: models.coalescentSfsRewards(g), scale: 2 };
    const ev = await createEvaluator(g, { kind: 'loglik', data });
    const r = await ev.evaluate({ thetas: Float64Array.of(0.7, 1.3), gradient: true });
    const info = await cacheInfo();
    console.log('@@' + JSON.stringify({ key: ev.key, values: Array.from(r.values), gradients: Array.from(r.gradients),
      traces: info.traces.computed, evaluators: info.evaluators.computed, corrupt: info.evaluators.corrupt + info.traces.corrupt,
      fileHits: info.evaluators.stats.tiers.file?.hits ?? 0 }));
    await closeCacheLayers();
  `;
  const run = (dir: string) => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(dir)], { encoding: 'utf8', timeout: 60_000 });
    const line = res.stdout.split('\n').find((l) => l.startsWith('@@'));
    if (!line) throw new Error(`child failed: ${res.stderr}`);
    return JSON.parse(line.slice(2)) as { key: string; values: number[]; gradients: number[]; traces: number; evaluators: number; corrupt: number; fileHits: number };
  };

  it('a second process finds its evaluator stored: it records, plans and writes nothing, and reads no record back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'phasekit-layer2-'));
    const first = run(dir);
    // The SFS of the coalescent (a forward structure) needs no trace: layer 2 alone.
    expect(first).toMatchObject({ traces: 0, evaluators: 1, fileHits: 0 });
    const [file] = (await readdir(join(dir, 'evaluators'))).filter((f) => f.endsWith('.entry'));
    const path = join(dir, 'evaluators', file);
    const written = await stat(path);
    const second = run(dir);
    expect(second).toMatchObject({ traces: 0, evaluators: 0, corrupt: 0, fileHits: 1, key: first.key });
    expect(second.values).toEqual(first.values);
    expect(second.gradients).toEqual(first.gradients);
    // Touched (its access time is the file's mtime), not written again: the same file.
    const after = await stat(path);
    expect(after.ino).toBe(written.ino);
    expect(after.mtimeMs).toBeGreaterThanOrEqual(written.mtimeMs);
  });

  it('a damaged record is never used: the process with the graph builds from its own bytes; a read by key drops and counts it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'phasekit-layer2-bad-'));
    const first = run(dir);
    const files = (await readdir(join(dir, 'evaluators'))).filter((f) => f.endsWith('.entry'));
    expect(files).toHaveLength(1);
    const path = join(dir, 'evaluators', files[0]);
    const bytes = await readFile(path);
    bytes[bytes.length - 40] ^= 0x10; // inside the observations
    await writeFile(path, bytes);
    const second = run(dir);
    expect(second).toMatchObject({ evaluators: 0, traces: 0, corrupt: 0, key: first.key });
    expect(second.values).toEqual(first.values);
    // An export reads every record by key: the damaged one is dropped and counted, not exported.
    configureCacheLayers({ persistence: 'file', root: dir, sync: false });
    expect(await importCache(await exportCache({ layer: 'evaluators' }))).toBe(0);
    expect((await cacheInfo()).evaluators).toMatchObject({ corrupt: 1, tiers: { file: { entries: 0 } } });
    await closeCacheLayers();
    // The next process stores it again.
    expect(run(dir)).toMatchObject({ evaluators: 1, corrupt: 0 });
    expect(run(dir)).toMatchObject({ evaluators: 0, corrupt: 0, fileHits: 1 });
  });

  it('vacuum reads each stored record and removes one that fails its key, which a process holding the graph never reads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'phasekit-layer2-vacuum-'));
    const first = run(dir);
    const [file] = (await readdir(join(dir, 'evaluators'))).filter((f) => f.endsWith('.entry'));
    const path = join(dir, 'evaluators', file);
    const bytes = await readFile(path);
    bytes[bytes.length - 40] ^= 0x10; // inside the observations: the layout still parses
    await writeFile(path, bytes);
    expect(run(dir)).toMatchObject({ evaluators: 0, corrupt: 0, fileHits: 1, values: first.values });
    expect((await readdir(join(dir, 'evaluators'))).filter((f) => f.endsWith('.entry'))).toEqual([file]); // still there
    configureCacheLayers({ persistence: 'file', root: dir, sync: false });
    const result = await vacuum({ layer: 'evaluators' });
    expect(result.evaluators).toEqual([expect.objectContaining({ tier: 'file', corrupt: 1, removed: 0, remainingBytes: 0 })]);
    expect((await cacheInfo()).evaluators).toMatchObject({ corrupt: 1, tiers: { file: { entries: 0 } } });
    // A good record stays, untouched by the reading (its age is as it was).
    await closeCacheLayers();
    expect(run(dir)).toMatchObject({ evaluators: 1, corrupt: 0 });
    const before = await stat(join(dir, 'evaluators', file));
    configureCacheLayers({ persistence: 'file', root: dir, sync: false });
    expect((await vacuum({ layer: 'evaluators' })).evaluators).toEqual([expect.objectContaining({ tier: 'file', corrupt: 0, removed: 0 })]);
    await closeCacheLayers();
    const after = await stat(join(dir, 'evaluators', file));
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(run(dir)).toMatchObject({ evaluators: 0, corrupt: 0, fileHits: 1 });
  });

  it('a record of another evaluator under this key (forged, valid layout) is never used, and refused by its SHA-256 when read by key', async () => {
    const indexedDB = new IDBFactory();
    const cache = new EvaluatorCache({ persistence: 'indexeddb', indexedDB, sync: false });
    const a = await createEvaluator(models.coalescent(6), sfsTarget(6), { cache });
    const b = await createEvaluator(models.coalescent(7), sfsTarget(7), { cache });
    const [recordB] = (await cache.exportRecords()).filter((r) => r.key === b.key);
    await cache.close();
    // A fresh cache on the same database, with b's bytes stored under a's key.
    const reopened = new EvaluatorCache({ persistence: 'indexeddb', indexedDB, sync: false });
    await reopened.cache.set(a.key, { bytes: recordB.value, spec: (await reopened.get(b.key))!.spec, verified: false });
    const victim = new EvaluatorCache({ persistence: 'indexeddb', indexedDB, sync: false });
    const again = await createEvaluator(models.coalescent(6), sfsTarget(6), { cache: victim });
    expect(again.key).toBe(a.key);
    expect(again.outputs).toBe(1);
    const { values } = await again.evaluate({ thetas: Float64Array.of(1) });
    const { values: truth } = await (await createEvaluator(models.coalescent(6), sfsTarget(6), { cache: null })).evaluate({ thetas: Float64Array.of(1) });
    expect(values).toEqual(truth);
    // A reader holding only the key (a pool worker) gets nothing, and the record is gone.
    const byKey = new EvaluatorCache({ persistence: 'indexeddb', indexedDB, sync: false });
    expect(await byKey.get(a.key)).toBeUndefined();
    expect((await byKey.info()).corrupt).toBe(1);
    expect(await byKey.cache.has(a.key)).toBe(false);
    expect((await byKey.get(b.key))?.bytes).toEqual(recordB.value);
    await Promise.all([reopened.close(), victim.close(), byKey.close()]);
  });

  it('bytes that do not hash to the key they came with are refused (TraceError CHECKSUM_MISMATCH), nothing stored', async () => {
    const cache = new EvaluatorCache({ persistence: 'indexeddb', indexedDB: new IDBFactory(), sync: false });
    const a = await createEvaluator(models.coalescent(6), sfsTarget(6), { cache: null });
    const b = await createEvaluator(models.coalescent(7), sfsTarget(7), { cache });
    const bytes = (await cache.get(b.key))!.bytes;
    await expect(cache.getOrStore(a.key, () => ({ bytes, spec: decodeSpec(bytes), verified: false }))).rejects.toMatchObject({ name: 'TraceError', code: 'CHECKSUM_MISMATCH' });
    expect(await cache.cache.has(a.key)).toBe(false);
    await cache.close();
  });
});

describe('management over every layer', () => {
  it('cacheInfo reports layers 1 and 2; export/import carries both; clear empties one layer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'phasekit-layers-'));
    configureCacheLayers({ persistence: 'file', root: dir, sync: false });
    await createEvaluator(models.coalescent(9), { kind: 'moments', k: 3 });
    await createEvaluator(models.rabbits(4), { kind: 'moments', k: 2 });
    const info = await cacheInfo();
    expect(info.traces).toMatchObject({ layer: 1, computed: 2 });
    expect(info.evaluators).toMatchObject({ layer: 2, computed: 2 });
    expect(info.evaluators!.tiers.file.entries).toBe(2);
    const archive = await exportCache();

    const other = await mkdtemp(join(tmpdir(), 'phasekit-layers-import-'));
    configureCacheLayers({ persistence: 'file', root: other, sync: false });
    expect(await importCache(archive)).toBe(4);
    await createEvaluator(models.coalescent(9), { kind: 'moments', k: 3 });
    await createEvaluator(models.rabbits(4), { kind: 'moments', k: 2 });
    const after = await cacheInfo();
    expect(after.traces!.computed).toBe(0);
    expect(after.evaluators!.computed).toBe(0);

    await clearCache({ layer: 'evaluators' });
    const cleared = await cacheInfo();
    expect(cleared.evaluators!.tiers.file.entries).toBe(0);
    expect(cleared.traces!.tiers.file.entries).toBe(2);
  });
});
