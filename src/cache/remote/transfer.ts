import { CacheError } from '../errors.js';
import { abortErrorOf } from '../../errors/phasekit-error.js';
import type { HttpTier } from '../tiers/http-tier.js';
import type { CacheTier, TierEntryMeta } from '../tiers/tier.js';
import { buildManifest, manifestEntry, type ManifestEntry } from './manifest.js';

/** How far a pull or push has got. */
export interface TransferProgress {
  /** Entries handled so far (copied, skipped or failed) and in all. */
  done: number;
  total: number;
  /** Bytes copied so far, and the bytes of every entry to handle (as listed). */
  bytes: number;
  totalBytes: number;
  /** Entries copied. */
  copied: number;
  /** Entries left alone: the destination already had them (a resumed transfer), or they had expired. */
  skipped: number;
  /** Entries that could not be copied: missing or corrupt at the source. */
  failed: number;
}

/** What a finished transfer did. */
export interface TransferResult extends TransferProgress {
  /** Wall time in ms. */
  ms: number;
}

interface TransferCommon {
  /** Entries in flight at once (default 4). */
  concurrency?: number;
  /** Stops the transfer: no new entry starts and the promise rejects with the signal's reason. What was copied stays. */
  signal?: AbortSignal;
  /** Called after every entry. */
  onProgress?: (progress: TransferProgress) => void;
}

/** Options of {@link pullCache}. */
export interface PullOptions extends TransferCommon {
  /** The published cache: an HTTP tier whose namespace has a manifest. */
  from: HttpTier;
  /** Where the entries go: a file, IndexedDB or Redis tier (with the serializer they were published with). */
  into: CacheTier;
}

/** Options of {@link pushCache}. */
export interface PushOptions extends TransferCommon {
  /** The tier to publish (every live entry of it). */
  from: CacheTier;
  /** Where: an HTTP tier on a server that accepts PUT. */
  to: HttpTier;
  /** Recorded in the manifest as what produced it. */
  layer?: string;
  /** Uploads between manifest checkpoints, so an interrupted push resumes where it stopped (default 100). */
  checkpointEvery?: number;
}

/**
 * Copies a published cache into a local tier: every entry in the manifest that the
 * destination lacks (or holds an older copy of) is downloaded, verified and stored.
 * Resumable: run it again and entries already copied are skipped.
 */
export async function pullCache(options: PullOptions): Promise<TransferResult> {
  const { from, into } = options;
  await from.probe();
  const manifest = await from.manifest();
  if (!manifest) throw new CacheError('BAD_OPTION', `nothing is published at ${from.url} (no manifest.json)`);
  const now = Date.now();
  return transfer(manifest.entries, options, async (entry) => {
    if (entry.expiresAt !== 0 && entry.expiresAt <= now) return 'skipped';
    const held = await into.head(entry.key);
    if (held && held.storedAt >= entry.storedAt) return 'skipped';
    let record;
    try {
      record = await from.get(entry.key);
    } catch (error) {
      if (error instanceof CacheError && error.code === 'CORRUPT') return 'failed';
      throw error;
    }
    if (!record) return 'failed';
    await into.set(record);
    return 'copied';
  });
}

/**
 * Publishes a tier's live entries to an HTTP store: uploads each entry the published
 * manifest lacks (or lists an older copy of), then writes the manifest, with checkpoints
 * along the way. Adds and updates; never removes what others published.
 */
export async function pushCache(options: PushOptions): Promise<TransferResult> {
  const { from, to } = options;
  await to.probe();
  const published = new Map<string, ManifestEntry>((await to.manifest())?.entries.map((entry) => [entry.key, entry]) ?? []);
  const now = Date.now();
  const metas = (await from.list()).filter((meta) => meta.expiresAt === 0 || meta.expiresAt > now);
  const checkpointEvery = Math.max(1, options.checkpointEvery ?? 100);
  const namespace = to.url.slice(to.url.lastIndexOf('/') + 1);
  const writeManifest = () => to.putManifest(buildManifest(namespace, published.values(), options.layer));
  let sinceCheckpoint = 0;
  const result = await transfer(metas, options, async (meta) => {
    const listed = published.get(meta.key);
    if (listed && listed.storedAt >= meta.storedAt) return 'skipped';
    const record = await from.get(meta.key).catch(() => undefined);
    if (!record) return 'failed';
    published.set(meta.key, manifestEntry(record, await to.put(record)));
    if (++sinceCheckpoint >= checkpointEvery) {
      sinceCheckpoint = 0;
      await writeManifest();
    }
    return 'copied';
  }, () => (sinceCheckpoint > 0 ? writeManifest() : Promise.resolve()));
  await writeManifest();
  return result;
}

type Outcome = 'copied' | 'skipped' | 'failed';

async function transfer<E extends Pick<TierEntryMeta, 'key'> & { size: number; bytes?: number }>(
  entries: readonly E[],
  options: TransferCommon,
  one: (entry: E) => Promise<Outcome>,
  onStop: () => Promise<void> = async () => {},
): Promise<TransferResult> {
  const started = Date.now();
  const { signal } = options;
  const sizeOf = (entry: E) => entry.bytes ?? entry.size;
  const progress: TransferProgress = { done: 0, total: entries.length, bytes: 0, totalBytes: entries.reduce((sum, entry) => sum + sizeOf(entry), 0), copied: 0, skipped: 0, failed: 0 };
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < entries.length && !signal?.aborted && !failure) {
      const entry = entries[next++];
      let outcome: Outcome;
      try {
        outcome = await one(entry);
      } catch (error) {
        failure ??= { error };
        return;
      }
      progress[outcome]++;
      progress.done++;
      if (outcome === 'copied') progress.bytes += sizeOf(entry);
      options.onProgress?.({ ...progress });
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, options.concurrency ?? 4), entries.length) }, worker));
  if (signal?.aborted || failure) {
    // Keep what was done findable (a push's manifest), then report why it stopped.
    await onStop().catch(() => {});
    throw signal?.aborted ? abortErrorOf(signal, 'the transfer') : failure!.error;
  }
  return { ...progress, ms: Date.now() - started };
}
