import { asAbortError } from '../../errors/phasekit-error.js';

/**
 * Runs `task` while holding the Web Lock named after the cache and key, so that two
 * tabs never compute the same value at once. Without `navigator.locks` (Node, old
 * browsers) the task simply runs: single-flight still holds within this context.
 */
export async function withKeyLock<T>(cacheName: string, key: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (!locks) return task();
  try {
    return (await locks.request(`phasekit-cache:${cacheName}:${key}`, signal ? { signal } : {}, task)) as T;
  } catch (error) {
    throw asAbortError(error, signal, 'waiting for the cross-tab lock');
  }
}

/** True when cross-tab locks are available here. */
export function hasKeyLocks(): boolean {
  return (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks !== undefined;
}
