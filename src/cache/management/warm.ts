import type { Cache } from '../cache.js';
import { abortErrorOf, throwIfAborted } from '../../errors/phasekit-error.js';
import type { SetOptions } from '../options.js';

/** Options of {@link warm}. */
export interface WarmOptions<V> extends SetOptions {
  /** Keys to make resident. Keys already cached are skipped. */
  keys: Iterable<string>;
  /** Produces the value of one key. */
  load: (key: string, signal?: AbortSignal) => Promise<V> | V;
  /** Loads in flight at once (default 4). */
  concurrency?: number;
  /** Keys handed out per batch; between batches a lazy warmer yields to the page (default 16). */
  batchSize?: number;
  /** Extra attempts for a failing key (default 0). */
  retries?: number;
  /**
   * 'eager' (default): start now, full concurrency. 'lazy': one batch per idle period
   * (requestIdleCallback where available). 'scheduled': start after `delayMs`.
   */
  strategy?: 'eager' | 'lazy' | 'scheduled';
  /** Wait before a scheduled warm starts (default 0). */
  delayMs?: number;
  /** Stops the warm: no new loads start and the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** What a warm achieved. */
export interface WarmResult {
  /** Keys loaded and stored. */
  warmed: number;
  /** Keys whose load failed after all retries. */
  failed: number;
  /** Keys already cached, left alone. */
  skipped: number;
  /** Wall time in ms. */
  ms: number;
}

/** Fills `cache` ahead of demand with the values `load` produces for `keys`. */
export async function warm<V>(cache: Cache<V>, options: WarmOptions<V>): Promise<WarmResult> {
  const started = Date.now();
  const { signal, load } = options;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const batchSize = Math.max(1, options.batchSize ?? 16);
  const retries = Math.max(0, options.retries ?? 0);
  const setOptions: SetOptions = { ttl: options.ttl, tags: options.tags, dependsOn: options.dependsOn };
  const result: WarmResult = { warmed: 0, failed: 0, skipped: 0, ms: 0 };
  throwIfAborted(signal, 'the warm');
  if (options.strategy === 'scheduled') await delay(options.delayMs ?? 0, signal);

  const warmOne = async (key: string): Promise<void> => {
    if (await cache.has(key)) {
      result.skipped++;
      return;
    }
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(signal, 'the warm');
      try {
        await cache.set(key, await load(key, signal), setOptions);
        result.warmed++;
        return;
      } catch (error) {
        if (signal?.aborted) throw abortErrorOf(signal, 'the warm');
        if (attempt >= retries) {
          result.failed++;
          return;
        }
      }
    }
  };

  const keys = [...options.keys];
  for (let start = 0; start < keys.length; start += batchSize) {
    if (options.strategy === 'lazy') await idle(signal);
    const batch = keys.slice(start, start + batchSize);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batch.length) await warmOne(batch[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));
  }
  result.ms = Date.now() - started;
  return result;
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(abortErrorOf(signal, 'the warm'));
    }, { once: true });
  });
}

// An idle period where the platform has a notion of one, else the next macrotask.
function idle(signal?: AbortSignal): Promise<void> {
  const requestIdle = (globalThis as { requestIdleCallback?: (callback: () => void) => number }).requestIdleCallback;
  if (!requestIdle) return delay(0, signal);
  return new Promise((resolve, reject) => {
    requestIdle(() => (signal?.aborted ? reject(abortErrorOf(signal, 'the warm')) : resolve()));
  });
}
