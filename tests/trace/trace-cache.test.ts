// The trace cache on the general toolkit: memory in front of IndexedDB (fake) or files.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ready, models, compile, createTraceCache, TraceCache, structuralHash } from '../../src/index.js';

beforeAll(() => ready());
const open: TraceCache[] = [];
const make = (o: Parameters<typeof createTraceCache>[0]) => { const c = createTraceCache({ sync: false, ...o }); open.push(c); return c; };
afterEach(async () => { await Promise.all(open.splice(0).map((c) => c.close())); });

describe('trace cache over IndexedDB', () => {
  test('a second cache on the same database records nothing and answers identically', async () => {
    const indexedDB = new IDBFactory();
    const first = make({ persistence: 'indexeddb', indexedDB });
    const a = await compile(models.coalescent(15), { store: first });
    expect((await first.info()).computed).toBe(1);
    const second = make({ persistence: 'indexeddb', indexedDB }); // a page reload: empty memory, same database
    const b = await compile(models.coalescent(15), { store: second });
    const info = await second.info();
    expect(info.computed).toBe(0);
    expect(info.stats.tiers.indexeddb.hits).toBe(1);
    expect(b.moments(3, { theta: [1.3] })).toEqual(a.moments(3, { theta: [1.3] }));
  });

  test('concurrent requests for one structure share one recording', async () => {
    const cache = make({ persistence: 'indexeddb', indexedDB: new IDBFactory() });
    const evaluators = await Promise.all(Array.from({ length: 5 }, () => compile(models.rabbits(10), { store: cache })));
    expect((await cache.info()).computed).toBe(1);
    expect(new Set(evaluators.map((e) => e.trace)).size).toBe(1);
  });

  test('without IndexedDB the trace cache still works in memory', async () => {
    const cache = make({ persistence: 'none' });
    await compile(models.rabbits(4), { store: cache });
    await compile(models.rabbits(4), { store: cache });
    const info = await cache.info();
    expect(info.computed).toBe(1);
    expect(info.hits).toBe(1);
  });
});

describe('trace cache over files (Node)', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'phasekit-traces-')); });

  test('traces survive a restart and a corrupted file is dropped, counted and recomputed', async () => {
    const first = make({ persistence: 'file', dir });
    await compile(models.coalescent(12), { store: first });
    await first.close();
    const restarted = make({ persistence: 'file', dir });
    await compile(models.coalescent(12), { store: restarted });
    expect((await restarted.info()).computed).toBe(0);

    // Flip one byte deep in the stored trace's payload.
    const files = (await readdir(dir, { recursive: true })).map(String).filter((f) => !f.endsWith('.tmp'));
    let flipped = false;
    for (const f of files) {
      const path = join(dir, f);
      let bytes: Buffer;
      try { bytes = await readFile(path); } catch { continue; }
      if (bytes.length < 10_000) continue;
      bytes[bytes.length - 100] ^= 0xff;
      await writeFile(path, bytes);
      flipped = true;
    }
    expect(flipped).toBe(true);
    const third = make({ persistence: 'file', dir });
    const ev = await compile(models.coalescent(12), { store: third });
    const info = await third.info();
    expect(info.corrupt).toBe(1);
    expect(info.computed).toBe(1);
    expect(ev.expectation({ theta: [1] })).toBeCloseTo(2 * (1 - 1 / 12), 14);
  });

  test('a trace file read straight into kernel memory is refused, counted and recomputed for a flip anywhere in it (entry header, trace header, payload)', async () => {
    const where = await mkdtemp(join(tmpdir(), 'phasekit-flips-'));
    const first = make({ persistence: 'file', dir: where });
    const expected = (await compile(models.coalescent(12), { store: first })).moments(2, { theta: [1.4] });
    await first.close();
    const name = (await readdir(where)).find((f) => f.endsWith('.entry'))!;
    const intact = await readFile(join(where, name));
    const trace = intact.indexOf('PKTR');
    expect(trace).toBeGreaterThan(12);
    for (const offset of [5, 20, trace + 1, trace + 56, trace + 60, trace + 64, trace + 999, intact.length - 1]) {
      const damaged = Buffer.from(intact);
      damaged[offset] ^= 0x01;
      await writeFile(join(where, name), damaged);
      const cache = make({ persistence: 'file', dir: where });
      const ev = await compile(models.coalescent(12), { store: cache });
      const info = await cache.info();
      expect({ offset, corrupt: info.corrupt, computed: info.computed }).toEqual({ offset, corrupt: 1, computed: 1 });
      expect(ev.moments(2, { theta: [1.4] })).toEqual(expected);
      await cache.close();
      await writeFile(join(where, name), intact);
    }
    const again = make({ persistence: 'file', dir: where });
    expect((await compile(models.coalescent(12), { store: again })).moments(2, { theta: [1.4] })).toEqual(expected);
    expect((await again.info()).computed).toBe(0);
  });

  test('export from one store and import into an empty one gives hits', async () => {
    const source = make({ persistence: 'file', dir: await mkdtemp(join(tmpdir(), 'phasekit-src-')) });
    await source.prewarm([models.rabbits(5), models.coalescent(8)]);
    const archive = await source.exportRecords();
    const target = make({ persistence: 'file', dir: await mkdtemp(join(tmpdir(), 'phasekit-dst-')) });
    expect(await target.importRecords(archive)).toBe(2);
    await compile(models.rabbits(5), { store: target });
    await compile(models.coalescent(8), { store: target });
    const info = await target.info();
    expect(info.computed).toBe(0);
    expect(info.hits).toBe(2);
  });

  test('a damaged trace record is refused and nothing is imported', async () => {
    const source = make({ persistence: 'none' });
    await source.prewarm([models.rabbits(3)]);
    const [record] = await source.exportRecords();
    record.value[record.value.length - 50] ^= 0x01;
    const target = make({ persistence: 'none' });
    await expect(target.importRecords([record])).rejects.toThrow(/checksum/);
    expect((await target.info()).tiers.memory.entries).toBe(0);
  });

  test('info reports entries, bytes and store times per tier; clear empties every tier', async () => {
    const cache = make({ persistence: 'file', dir: await mkdtemp(join(tmpdir(), 'phasekit-info-')) });
    const ev = await compile(models.rabbits(6), { store: cache });
    const info = await cache.info();
    expect(info.tiers.memory.entries).toBe(1);
    expect(info.tiers.file.entries).toBe(1);
    expect(info.tiers.file.bytes).toBe(ev.trace.stats().bytes);
    expect(info.newest).toBeGreaterThan(Date.now() - 60_000);
    await cache.clear();
    const after = await cache.info();
    expect(after.tiers.memory.entries + after.tiers.file.entries).toBe(0);
  });

  test('vacuum by age removes persisted traces not used recently', async () => {
    const cache = make({ persistence: 'file', dir: await mkdtemp(join(tmpdir(), 'phasekit-vac-')) });
    await cache.prewarm([models.rabbits(3)]);
    const [result] = await cache.vacuum({ maxAgeDays: -1 });
    expect(result.removed).toBe(1);
    expect((await cache.info()).tiers.file.entries).toBe(0);
  });

  test('the cache key is the structural hash of the graph', async () => {
    const cache = make({ persistence: 'none' });
    const trace = await cache.traceOf(models.coalescent(6));
    expect(trace.hash).toBe(await structuralHash(models.coalescent(6).structure()));
  });
});
