// phasekit/cache: a general tiered cache. Knows nothing about graphs or traces.
export { Cache, createCache } from './cache.js';
export type { CacheStatsSnapshot, TierOccupancy, CacheInfo } from './cache.js';
export type { CacheOptions, SetOptions, ComputeOptions, RemovalReason } from './options.js';
export { NAMESPACE_SEPARATOR } from './options.js';
export { CacheError, isQuotaError } from './errors.js';
export { PhasekitError, AbortError } from '../errors/phasekit-error.js';
export type { CacheErrorCode } from './errors.js';

export { MemoryTier } from './memory-tier.js';
export type { MemoryTierOptions, MemorySetOptions, MemoryEntryInfo, MemoryRemovalReason } from './memory-tier.js';
export { estimateSize } from './size.js';

export type { EvictionPolicy, PolicyName } from './policy/policy.js';
export { createPolicy } from './policy/create-policy.js';
export { LruPolicy } from './policy/lru.js';
export { LfuPolicy } from './policy/lfu.js';
export { FrecencyPolicy } from './policy/frecency.js';
export type { FrecencyPolicyOptions } from './policy/frecency.js';
export { CountMinSketch } from './policy/count-min-sketch.js';
export { hashString } from './policy/string-hash.js';
export type { CountMinSketchOptions } from './policy/count-min-sketch.js';

export type { CacheTier, TierRecord, TierEntryMeta, TierLock, TierScan } from './tiers/tier.js';
export { metaOf } from './tiers/tier.js';
export type { TierSpec } from './tiers/resolve-tiers.js';
export { IndexedDBTier } from './tiers/indexeddb-tier.js';
export type { IndexedDBTierOptions } from './tiers/indexeddb-tier.js';
export { FileTier } from './tiers/file-tier.js';
export { HttpTier, httpTier } from './tiers/http-tier.js';
export type { HttpTierOptions, HttpTierMethod, HttpTierStats } from './tiers/http-tier.js';
export { RedisTier, redisTier } from './tiers/redis-tier.js';
export type { RedisTierOptions, RedisServerStats, RedisTierStats } from './tiers/redis-tier.js';
export type { RedisClientLike, RedisClusterLike } from './remote/redis-connection.js';
export { remoteTierFromEnv } from './remote/from-env.js';
export type { RemoteTierFromEnvOptions } from './remote/from-env.js';
export { pullCache, pushCache } from './remote/transfer.js';
export type { PullOptions, PushOptions, TransferProgress, TransferResult } from './remote/transfer.js';
export type { Manifest, ManifestEntry } from './remote/manifest.js';
export type { RemoteHealthOptions } from './remote/health.js';
export type { WriteQueueStats } from './remote/write-queue.js';
export type { FileTierOptions, FileSystem } from './tiers/file-tier.js';

export type { Serializer, ByteSerializer } from './serializers/serializer.js';
export { structuredCloneSerializer } from './serializers/structured-clone.js';
export { jsonSerializer } from './serializers/json.js';
export { binarySerializer } from './serializers/binary.js';

export { cached } from './compute/cached.js';
export type { CachedOptions, CachedFunction } from './compute/cached.js';
export { argumentKey } from './compute/argument-key.js';
export type { ArgumentKeyOptions } from './compute/argument-key.js';
export { stableSerialize } from './compute/stable-serialize.js';
export type { StableForm } from './compute/stable-serialize.js';

export { warm } from './management/warm.js';
export type { WarmOptions, WarmResult } from './management/warm.js';
export type { VacuumOptions, VacuumResult } from './management/vacuum.js';
export { encodeArchive, decodeArchive } from './management/archive.js';
export { rankForEviction } from './management/eviction-rank.js';
export type { StorageEstimateInfo } from './management/storage.js';
export { storageEstimate, persistStorage } from './management/storage.js';

export type { CacheCounters, TierCounters } from './stats/cache-stats.js';
export type { TabSyncMessage } from './multi-tab/tab-sync.js';
