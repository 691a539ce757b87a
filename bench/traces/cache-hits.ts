// Cache-hit timings for one graph: cold (hash + record + file write + first evaluation), a
// memory-tier hit, and a file-tier hit after a "restart" (a new cache over the
// same directory, so memory is empty). IndexedDB hits are measured in Chromium
// by the browser benchmark; Node has no IndexedDB of its own.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, createTraceCache, type Graph, type Trace } from '../../src/index.js';
import { median } from '../foundation/timing.js';

/** Milliseconds (medians). */
export interface CacheRow { coldMs: number; memoryHitMs: number; fileHitMs: number; fileWriteMs: number }

export async function cacheRows(build: () => Graph, trace: Trace, theta: number[], reps = 7): Promise<CacheRow> {
  const dir = await mkdtemp(join(tmpdir(), 'phasekit-bench-'));
  const cold: number[] = [], memory: number[] = [], file: number[] = [], write: number[] = [];
  try {
    // One untimed round first: the file-hit path's code is otherwise still in V8's first tiers on the first row.
    for (let i = -1; i < reps; i++) {
      await rm(dir, { recursive: true, force: true });
      // Cold: nothing anywhere — hash, record, write to the file tier, evaluate once. A freshly
      // built graph, as for the file hit below: a graph used before has its structural hash
      // memoised, and the cold would then not pay for the hash that the hit pays for.
      const graph = build();
      graph.structure();
      const first = createTraceCache({ persistence: 'file', dir, sync: false });
      let t0 = performance.now();
      (await compile(graph, { store: first })).expectation({ theta });
      if (i >= 0) cold.push(performance.now() - t0);
      // Memory-tier hit in the same cache (the same graph: its hash is known by now).
      t0 = performance.now();
      (await compile(graph, { store: first })).expectation({ theta });
      if (i >= 0) memory.push(performance.now() - t0);
      await first.close();
      // Restart: a new cache over the same directory and a freshly built graph (so its
      // structural hash is computed again, as after a real restart); the trace comes from its file.
      const fresh = build();
      fresh.structure();
      const restarted = createTraceCache({ persistence: 'file', dir, sync: false });
      t0 = performance.now();
      (await compile(fresh, { store: restarted })).expectation({ theta });
      if (i >= 0) file.push(performance.now() - t0);
      await restarted.close();
      // The write alone, for reference: set() of an existing trace into a fresh file tier.
      const writer = createTraceCache({ persistence: 'file', dir: join(dir, 'w'), sync: false });
      t0 = performance.now();
      await writer.cache.set(trace.hash ?? 'x'.repeat(64), trace);
      if (i >= 0) write.push(performance.now() - t0);
      await writer.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { coldMs: median(cold), memoryHitMs: median(memory), fileHitMs: median(file), fileWriteMs: median(write) };
}
