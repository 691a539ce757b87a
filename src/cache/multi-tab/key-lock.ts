/**
 * Runs `task` while holding the Web Lock named after the cache and key, so that two
 * tabs never compute the same value at once. Without `navigator.locks` (Node, old
 * browsers) the task simply runs: single-flight still holds within this context.
 */
export async function withKeyLock<T>(cacheName: string, key: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (!locks) return task();
  return locks.request(`phasekit-cache:${cacheName}:${key}`, signal ? { signal } : {}, task) as Promise<T>;
}

/** True when cross-tab locks are available here. */
export function hasKeyLocks(): boolean {
  return (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks !== undefined;
}
