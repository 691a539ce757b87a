/** What the browser reports about this origin's storage (`navigator.storage.estimate()`). */
export interface StorageEstimateInfo {
  /** Bytes this origin uses. */
  usage: number;
  /** Bytes this origin may use. */
  quota: number;
  /** usage / quota. */
  fraction: number;
  /** Whether the origin's storage is persistent (not evicted under pressure). */
  persisted: boolean;
}

type StorageManagerLike = Pick<StorageManager, 'estimate'> & Partial<Pick<StorageManager, 'persist' | 'persisted'>>;

function storageManager(): StorageManagerLike | undefined {
  return (globalThis as { navigator?: { storage?: StorageManagerLike } }).navigator?.storage;
}

/** The origin's storage usage and quota, or undefined where the Storage API is absent (Node). */
export async function storageEstimate(): Promise<StorageEstimateInfo | undefined> {
  const storage = storageManager();
  if (!storage?.estimate) return undefined;
  const { usage = 0, quota = 0 } = await storage.estimate();
  const persisted = (await storage.persisted?.()) ?? false;
  return { usage, quota, fraction: quota > 0 ? usage / quota : 0, persisted };
}

/** Asks the browser to keep this origin's storage under pressure; false when refused or unsupported. */
export async function persistStorage(): Promise<boolean> {
  return (await storageManager()?.persist?.()) ?? false;
}
