// What compile() needs from wherever traces are kept: the trace cache implements
// it, and so does the plain per-process store below (tests, `{ store }` options).
import type { Trace } from '../trace/trace.js';

/** Options of {@link TraceStore.getOrRecord}. */
export interface TraceStoreOptions {
  /** Abandons the wait. */
  signal?: AbortSignal;
  /** Checks a stored trace before use; one that fails is dropped and recorded again. */
  verify?: (trace: Trace) => boolean;
}

/** Where traces are kept between compilations. */
export interface TraceStore {
  /** The trace for `hash`, recording it with `record` on a miss; concurrent calls share one recording. */
  getOrRecord(hash: string, record: () => Trace, options?: TraceStoreOptions): Promise<Trace>;
}

/** A store that keeps traces for the life of the process (single-flight per hash). */
export class MemoryTraceStore implements TraceStore {
  private readonly traces = new Map<string, Promise<Trace>>();
  getOrRecord(hash: string, record: () => Trace): Promise<Trace> {
    let p = this.traces.get(hash);
    if (!p) {
      p = Promise.resolve().then(record);
      p.catch(() => this.traces.delete(hash));
      this.traces.set(hash, p);
    }
    return p;
  }
  /** Traces kept. */
  get size(): number { return this.traces.size; }
  /** Forgets every trace, giving their kernel memory back now (a model still holding one records it again when used). */
  clear(): void {
    for (const p of this.traces.values()) p.then((trace) => trace.release(), () => {});
    this.traces.clear();
  }
}
