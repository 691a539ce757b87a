import { CacheError } from '../errors.js';

/** Options of {@link WriteQueue}. */
export interface WriteQueueOptions<Op> {
  /** Performs one operation on the store; throwing retries it (CacheError `TIER_UNAVAILABLE`: without using up an attempt). */
  apply: (key: string, op: Op) => Promise<void>;
  /** Bytes an operation holds, for `maxBytes`. */
  sizeOf: (op: Op) => number;
  /** Epoch ms before which the store is known to be down (0 when up): the queue waits instead of burning attempts. */
  retryAt?: () => number;
  /** Most operations waiting (default 10 000); beyond it the oldest are dropped. */
  maxEntries?: number;
  /** Most bytes waiting (default 256 MiB); beyond it the oldest are dropped. */
  maxBytes?: number;
  /** Attempts per operation before it is given up (default 5). */
  attempts?: number;
  /** Wait after a failed attempt (default 250 ms), doubling per attempt. */
  retryDelayMs?: number;
  /** Operations in flight at once (default 4). */
  concurrency?: number;
  /** Told about every operation given up: dropped for room or failed on every attempt. */
  onGiveUp?: (key: string, op: Op, reason: 'overflow' | 'failed', error?: unknown) => void;
}

/** What a write queue has done. */
export interface WriteQueueStats {
  /** Operations waiting or in flight. */
  pending: number;
  /** Operations applied. */
  applied: number;
  /** Failed attempts that were retried. */
  retried: number;
  /** Operations dropped because the queue was full. */
  overflowed: number;
  /** Operations given up after every attempt failed. */
  failed: number;
}

interface Entry<Op> {
  op: Op;
  bytes: number;
  attempts: number;
  notBefore: number;
}

const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Writes to a remote store in the background: bounded (count and bytes), newest operation
 * per key wins, one operation per key in flight at a time (so a key's writes land in
 * order), retries with backoff, and waits while the store is down. Nothing here blocks
 * the caller; `flush` waits for the queue to drain.
 */
export class WriteQueue<Op> {
  private readonly entries = new Map<string, Entry<Op>>();
  private readonly inflight = new Set<string>();
  private readonly drained = new Set<() => void>();
  private readonly counters = { applied: 0, retried: 0, overflowed: 0, failed: 0 };
  private bytes = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;
  private closed = false;

  constructor(private readonly options: WriteQueueOptions<Op>) {}

  /** Operations waiting or in flight. */
  get size(): number {
    return this.entries.size + [...this.inflight].filter((key) => !this.entries.has(key)).length;
  }

  /** Queues `op` for `key`, replacing a waiting one; drops the oldest beyond the bounds. */
  enqueue(key: string, op: Op): void {
    if (this.closed) throw new CacheError('CLOSED', 'the write queue is closed');
    this.forget(key);
    const bytes = this.options.sizeOf(op);
    this.entries.set(key, { op, bytes, attempts: 0, notBefore: 0 });
    this.bytes += bytes;
    const maxEntries = this.options.maxEntries ?? 10_000;
    const maxBytes = this.options.maxBytes ?? 256 * 1024 * 1024;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= maxEntries && this.bytes <= maxBytes) break;
      // The newest stays even when alone it exceeds the bytes bound; one in flight may still land.
      if (oldest === key || this.inflight.has(oldest)) continue;
      this.remove(oldest, entry);
      this.counters.overflowed++;
      this.options.onGiveUp?.(oldest, entry.op, 'overflow');
    }
    this.pump();
  }

  /** The waiting operation for `key`, if any (read-your-writes). */
  pending(key: string): Op | undefined {
    return this.entries.get(key)?.op;
  }

  /** Every waiting operation, oldest first. */
  *waiting(): Generator<[string, Op]> {
    for (const [key, entry] of this.entries) yield [key, entry.op];
  }

  /** Drops the waiting operation for `key` (one in flight completes). */
  forget(key: string): void {
    const entry = this.entries.get(key);
    if (entry) this.remove(key, entry);
  }

  /** Drops every waiting operation. */
  clear(): void {
    for (const [key, entry] of this.entries) this.remove(key, entry);
    this.settle();
  }

  /** Resolves true once nothing waits or is in flight; false when `timeoutMs` passes or `signal` aborts first. */
  flush(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    if (this.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (drained: boolean) => {
        this.drained.delete(onDrained);
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(drained);
      };
      const onDrained = () => done(true);
      const onAbort = () => done(false);
      const timer = options.timeoutMs === undefined ? undefined : setTimeout(onAbort, options.timeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.drained.add(onDrained);
    });
  }

  /** Counters and the current backlog. */
  stats(): WriteQueueStats {
    return { pending: this.size, ...this.counters };
  }

  /** Stops retrying; waiting operations are dropped. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.clear();
  }

  private remove(key: string, entry: Entry<Op>): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  private pump(): void {
    if (this.closed) return;
    const now = Date.now();
    const retryAt = this.options.retryAt?.() ?? 0;
    if (retryAt > now) return this.wakeAt(retryAt);
    const concurrency = this.options.concurrency ?? 4;
    let earliest = Infinity;
    for (const [key, entry] of this.entries) {
      if (this.inflight.size >= concurrency) return;
      if (this.inflight.has(key)) continue;
      if (entry.notBefore > now) earliest = Math.min(earliest, entry.notBefore);
      else void this.run(key, entry);
    }
    if (earliest !== Infinity) this.wakeAt(earliest);
  }

  private async run(key: string, entry: Entry<Op>): Promise<void> {
    this.inflight.add(key);
    try {
      await this.options.apply(key, entry.op);
      if (this.entries.get(key) === entry) this.remove(key, entry);
      this.counters.applied++;
    } catch (error) {
      this.failed(key, entry, error);
    } finally {
      this.inflight.delete(key);
      this.pump();
      this.settle();
    }
  }

  private failed(key: string, entry: Entry<Op>, error: unknown): void {
    if (this.entries.get(key) !== entry) return; // superseded while in flight: the newer one runs next
    // An unreachable store is waited for (retryAt), not counted against the operation.
    if (error instanceof CacheError && error.code === 'TIER_UNAVAILABLE') return;
    entry.attempts++;
    if (entry.attempts >= (this.options.attempts ?? 5)) {
      this.remove(key, entry);
      this.counters.failed++;
      this.options.onGiveUp?.(key, entry.op, 'failed', error);
      return;
    }
    this.counters.retried++;
    entry.notBefore = Date.now() + Math.min((this.options.retryDelayMs ?? 250) * 2 ** (entry.attempts - 1), MAX_RETRY_DELAY_MS);
  }

  private wakeAt(at: number): void {
    if (this.timer !== undefined) {
      if (this.timerAt <= at) return;
      clearTimeout(this.timer);
    }
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, Math.max(0, at - Date.now()));
    // Background retries must never keep a Node process alive; `flush` is how to wait for them.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private settle(): void {
    if (this.size !== 0) return;
    for (const resolve of [...this.drained]) resolve();
  }
}
