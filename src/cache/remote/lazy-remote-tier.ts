// The environment's remote tier, with its code loaded on first use: a cache that
// may share through Redis or HTTP costs nothing (no tier code in a browser bundle,
// no client loaded) unless the environment actually names a store.
import type { ByteSerializer } from '../serializers/serializer.js';
import type { CacheTier, TierLock } from '../tiers/tier.js';
import { remoteFromEnv } from './remote-env.js';

/** The remote tier PHASEKIT_CACHE_REMOTE / PHASEKIT_REDIS_URL name, loaded lazily; undefined when they name none. */
export function lazyRemoteTierFromEnv(options: { namespace: string; serializer?: ByteSerializer; env?: Record<string, string | undefined> }): CacheTier | undefined {
  const remote = remoteFromEnv(options.env);
  if (!remote) return undefined;
  let loading: Promise<CacheTier | undefined> | null = null;
  const tier = () => (loading ??= import('./from-env.js').then((m): CacheTier | undefined => m.remoteTierFromEnv(options)));
  return {
    name: remote.kind,
    shared: true,
    get: async (key) => (await tier())?.get(key),
    head: async (key) => (await tier())?.head(key),
    set: async (record) => { await (await tier())?.set(record); },
    delete: async (keys) => { await (await tier())?.delete(keys); },
    clear: async () => { await (await tier())?.clear(); },
    list: async () => (await tier())?.list() ?? [],
    touch: async (key, at) => { await (await tier())?.touch?.(key, at); },
    query: async (field, value) => {
      const t = await tier();
      if (t?.query) return t.query(field, value);
      return (await t?.list() ?? []).filter((m) => (m[field] ?? []).includes(value)).map((m) => m.key);
    },
    lock: async (key, signal): Promise<TierLock | undefined> => (await tier())?.lock?.(key, signal),
    close: async () => { if (loading) await (await loading)?.close?.(); },
  };
}
