import { CacheError } from '../errors.js';
import { openRecord, readHead, sealRecord } from '../remote/envelope.js';
import { RemoteHealth, type RemoteHealthOptions } from '../remote/health.js';
import { checkNamespace } from '../remote/namespace.js';
import { RedisConnection, type RedisArgument, type RedisClientLike, type RedisClusterLike } from '../remote/redis-connection.js';
import { acquireRedisLock } from '../remote/redis-lock.js';
import { WriteQueue, type WriteQueueOptions, type WriteQueueStats } from '../remote/write-queue.js';
import { binarySerializer } from '../serializers/binary.js';
import type { ByteSerializer } from '../serializers/serializer.js';
import { metaOf, type CacheTier, type TierEntryMeta, type TierLock, type TierRecord } from './tier.js';

/** Options of {@link redisTier}. */
export interface RedisTierOptions extends RemoteHealthOptions {
  /** Server URL, redis:// or rediss:// (with user:password@ where needed). The tier connects and closes. */
  url?: string;
  /** A node-redis (v5+) client or cluster to use instead of `url`; you connect and close it. */
  client?: RedisClientLike | RedisClusterLike;
  /** `url` names one node of a Redis Cluster (default false). */
  cluster?: boolean;
  /** Keys live under `{prefix}{namespace}:` (default prefix 'phasekit:'). */
  prefix?: string;
  /** Separates caches sharing a server (default 'default'): letters, digits, `.`, `_`, `-`. */
  namespace?: string;
  /** Tier name in stats (default 'redis'). */
  name?: string;
  /** How values become bytes (default binary: typed arrays raw, the rest JSON). Every process must use the same. */
  serializer?: ByteSerializer;
  /** Wait for a connection (default 2000 ms). */
  connectTimeoutMs?: number;
  /** Wait for one command (default 2000 ms). */
  commandTimeoutMs?: number;
  /** Lease of a `getOrCompute` lock: how long a crashed holder blocks others (default 10 000 ms; renewed while alive). */
  lockLeaseMs?: number;
  /** Bounds of the queue that keeps writes made while Redis is unreachable, to replay them when it returns. */
  queue?: Pick<WriteQueueOptions<unknown>, 'maxEntries' | 'maxBytes' | 'attempts' | 'retryDelayMs' | 'concurrency'>;
  /** How long `close()` waits for queued writes (default 2000 ms). */
  closeTimeoutMs?: number;
}

/** What the Redis server reports, summed over nodes. */
export interface RedisServerStats {
  /** Server version (of the first node). */
  version: string;
  /** Nodes answering (1 unless a cluster). */
  nodes: number;
  /** Bytes the servers use. */
  usedMemory: number;
  /** Lookups that found / did not find a key, server-wide. */
  keyspaceHits: number;
  keyspaceMisses: number;
  /** Keys the servers evicted for memory, and expired. */
  evictedKeys: number;
  expiredKeys: number;
  /** Keys in the servers' databases, all namespaces. */
  keys: number;
}

/** Counters of a {@link RedisTier} beyond the cache's own. */
export interface RedisTierStats {
  /** Outages seen (each warned about once). */
  outages: number;
  /** Writes made while Redis was unreachable, waiting or replayed. */
  replay: WriteQueueStats;
}

type PendingWrite = { kind: 'set'; record: TierRecord } | { kind: 'delete' };

// A set member's expiry follows its longest-lived member: persistent if any member is.
const ADD_TO_SET = `
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SADD', KEYS[1], ARGV[1])
local at = tonumber(ARGV[2])
if at == 0 then redis.call('PERSIST', KEYS[1])
elseif existed == 0 then redis.call('PEXPIREAT', KEYS[1], at)
elseif redis.call('PTTL', KEYS[1]) >= 0 then redis.call('PEXPIREAT', KEYS[1], at, 'GT') end
return 1`;
const TOUCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'a', ARGV[1])
return redis.call('HINCRBY', KEYS[1], 'n', 1)`;

/*
 * Layout under {prefix}{namespace}:
 *   e:<key>  hash { h: envelope head (meta + checksum), v: value bytes, a: accessedAt, n: hits }, expiring at expiresAt
 *   t:<tag>  set of keys carrying the tag;  d:<key>  set of keys depending on it
 *   l:<key>  getOrCompute lock (token, PX lease)
 * Every command touches one key, so a namespace spreads over a cluster's slots.
 */

/**
 * A tier in Redis (or Valkey, or a Redis Cluster), shared by every process that names the
 * same server and namespace. TTLs become Redis expiry; tags and dependencies are Redis sets,
 * so invalidation reads a set instead of scanning; `getOrCompute` locks across processes.
 * While Redis is unreachable the tier is empty and silent (one warning): writes wait in a
 * bounded queue and are replayed, in order per key, when it returns. Node only.
 */
export class RedisTier implements CacheTier {
  readonly name: string;
  readonly shared = true;
  private readonly base: string;
  private readonly serializer: ByteSerializer;
  private readonly health: RemoteHealth;
  private readonly connection: RedisConnection;
  private readonly replay: WriteQueue<PendingWrite>;

  constructor(private readonly options: RedisTierOptions) {
    this.name = options.name ?? 'redis';
    this.base = `${options.prefix ?? 'phasekit:'}${checkNamespace(options.namespace ?? 'default')}:`;
    this.serializer = options.serializer ?? binarySerializer;
    const where = options.url ? redactUrl(options.url) : 'the given client';
    this.health = new RemoteHealth(`Redis (${where}, namespace ${options.namespace ?? 'default'})`, options);
    this.connection = new RedisConnection(options, this.health);
    this.replay = new WriteQueue<PendingWrite>({
      ...options.queue,
      apply: (key, op) => (op.kind === 'set' ? this.write(op.record) : this.remove([key])),
      sizeOf: (op) => (op.kind === 'set' ? op.record.size : 0),
      retryAt: () => this.health.retryAt,
    });
  }

  async get(key: string): Promise<TierRecord | undefined> {
    const pending = this.replay.pending(key);
    if (pending) return pending.kind === 'set' ? pending.record : undefined;
    if (!this.health.up) return undefined;
    const entry = this.entryKey(key);
    // Reads counted by `touch` matter to listings and eviction, not to the value: not fetched here.
    const [head, payload] = (await this.connection.send(entry, ['HMGET', entry, 'h', 'v'], true)) as (Buffer | null)[];
    if (!head || !payload) return undefined;
    return openRecord({ head, payload }, key, this.serializer);
  }

  async head(key: string): Promise<TierEntryMeta | undefined> {
    const pending = this.replay.pending(key);
    if (pending) return pending.kind === 'set' ? metaOf(pending.record) : undefined;
    if (!this.health.up) return undefined;
    const entry = this.entryKey(key);
    const [head, accessed, hits] = (await this.connection.send(entry, ['HMGET', entry, 'h', 'a', 'n'], true)) as (Buffer | null)[];
    if (!head) return undefined;
    const meta = readHead(head, key);
    return { ...meta, ...touched(meta, accessed, hits) };
  }

  /** Writes now when Redis is up and nothing waits; otherwise queues the write for replay. Never throws for an outage. */
  async set(record: TierRecord): Promise<void> {
    await this.writeOrQueue(record.key, { kind: 'set', record });
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.writeOrQueue(key, { kind: 'delete' });
  }

  /** Removes every key of this namespace (needs Redis: throws CacheError `TIER_UNAVAILABLE` while it is down). */
  async clear(): Promise<void> {
    this.replay.clear();
    if (!this.health.up) throw this.health.unavailable('still down');
    for await (const keys of this.connection.scan(`${escapeGlob(this.base)}*`)) {
      await Promise.all(keys.map((key) => this.connection.send(key, ['UNLINK', key])));
    }
  }

  async list(): Promise<TierEntryMeta[]> {
    if (!this.health.up) return [];
    const prefix = this.entryKey('');
    const metas: TierEntryMeta[] = [];
    for await (const entries of this.connection.scan(`${escapeGlob(prefix)}*`)) {
      const heads = await Promise.all(entries.map((entry) => this.connection.send(entry, ['HMGET', entry, 'h', 'a', 'n'], true) as Promise<(Buffer | null)[]>));
      heads.forEach(([head, accessed, hits], i) => {
        if (!head) return; // expired between SCAN and HMGET
        try {
          const meta = readHead(head, entries[i].slice(prefix.length));
          metas.push({ ...meta, ...touched(meta, accessed, hits) });
        } catch {
          // A damaged entry is left for `get` to find, count and drop.
        }
      });
    }
    return metas;
  }

  async touch(key: string, accessedAt: number): Promise<void> {
    if (!this.health.up) return;
    const entry = this.entryKey(key);
    await this.connection.send(entry, ['EVAL', TOUCH, '1', entry, String(accessedAt)]);
  }

  /** Reads the tag's (or dependency's) set; members whose entry is gone are removed from it. */
  async query(field: 'tags' | 'dependsOn', value: string): Promise<string[]> {
    if (!this.health.up) return [];
    const set = this.setKey(field, value);
    const members = ((await this.connection.send(set, ['SMEMBERS', set], true)) as Buffer[]).map((member) => member.toString());
    const exists = await Promise.all(members.map((key) => this.connection.send(this.entryKey(key), ['EXISTS', this.entryKey(key)], true)));
    const gone = members.filter((_, i) => exists[i] !== 1);
    if (gone.length > 0) await this.connection.send(set, ['SREM', set, ...gone]);
    return members.filter((_, i) => exists[i] === 1);
  }

  lock(key: string, signal?: AbortSignal): Promise<TierLock | undefined> {
    if (!this.health.up) return Promise.resolve(undefined);
    return acquireRedisLock(this.connection, { lockKey: `${this.base}l:${key}`, entryKey: this.entryKey(key), leaseMs: this.options.lockLeaseMs ?? 10_000 }, signal);
  }

  /** Checks Redis answers; throws CacheError `TIER_UNAVAILABLE` when not. */
  async probe(): Promise<void> {
    await this.connection.send(undefined, ['PING']);
  }

  /** Memory, hits, misses, evictions and key counts as the server reports them (INFO). */
  async serverStats(): Promise<RedisServerStats> {
    const infos = await this.connection.info();
    const field = (info: string, name: string) => Number(new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1] ?? 0);
    const sum = (name: string) => infos.reduce((total, info) => total + field(info, name), 0);
    const keys = infos.reduce((total, info) => total + [...info.matchAll(/^db\d+:keys=(\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0), 0);
    return {
      version: /^(?:redis|valkey)_version:(\S+)/m.exec(infos[0] ?? '')?.[1] ?? 'unknown',
      nodes: infos.length,
      usedMemory: sum('used_memory'),
      keyspaceHits: sum('keyspace_hits'),
      keyspaceMisses: sum('keyspace_misses'),
      evictedKeys: sum('evicted_keys'),
      expiredKeys: sum('expired_keys'),
      keys,
    };
  }

  /** Outages and the replay queue. */
  stats(): RedisTierStats {
    return { outages: this.health.outages, replay: this.replay.stats() };
  }

  /** Waits until writes queued during an outage have been replayed; false when `timeoutMs` passed first. */
  flush(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    return this.replay.flush(options);
  }

  /** Waits (up to `closeTimeoutMs`) for queued writes, then closes the connection it opened. */
  async close(): Promise<void> {
    if (this.health.up) await this.replay.flush({ timeoutMs: this.options.closeTimeoutMs ?? 2000 });
    this.replay.close();
    await this.connection.close();
  }

  private async writeOrQueue(key: string, op: PendingWrite): Promise<void> {
    // Behind queued writes a new one must wait its turn, or a replay could overwrite it.
    if (!this.health.up || this.replay.size > 0) return this.replay.enqueue(key, op);
    try {
      await (op.kind === 'set' ? this.write(op.record) : this.remove([key]));
    } catch (error) {
      if (!(error instanceof CacheError && error.code === 'TIER_UNAVAILABLE')) throw error;
      this.replay.enqueue(key, op);
    }
  }

  private async write(record: TierRecord): Promise<void> {
    const { head, payload } = await sealRecord(record, this.serializer);
    const entry = this.entryKey(record.key);
    const at = String(record.expiresAt);
    const sets = [...(record.tags ?? []).map((tag) => this.setKey('tags', tag)), ...(record.dependsOn ?? []).map((dep) => this.setKey('dependsOn', dep))];
    // Issued together: node-redis pipelines them on one connection, in this order.
    await Promise.all([
      this.connection.send(entry, ['HSET', entry, 'h', buffer(head), 'v', buffer(payload), 'a', String(record.accessedAt), 'n', String(record.hits)]),
      this.connection.send(entry, record.expiresAt === 0 ? ['PERSIST', entry] : ['PEXPIREAT', entry, at]),
      ...sets.map((set) => this.connection.send(set, ['EVAL', ADD_TO_SET, '1', set, record.key, at])),
    ]);
  }

  private async remove(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map(async (key) => {
      const entry = this.entryKey(key);
      const head = (await this.connection.send(entry, ['HGET', entry, 'h'], true)) as Buffer | null;
      await this.connection.send(entry, ['UNLINK', entry]);
      let meta: TierEntryMeta | undefined;
      try {
        meta = head ? readHead(head, key) : undefined;
      } catch {
        meta = undefined; // damaged: its sets lose the key lazily, in `query`
      }
      const sets = [...(meta?.tags ?? []).map((tag) => this.setKey('tags', tag)), ...(meta?.dependsOn ?? []).map((dep) => this.setKey('dependsOn', dep))];
      await Promise.all(sets.map((set) => this.connection.send(set, ['SREM', set, key])));
    }));
  }

  private entryKey(key: string): string {
    return `${this.base}e:${key}`;
  }

  private setKey(field: 'tags' | 'dependsOn', value: string): string {
    return `${this.base}${field === 'tags' ? 't' : 'd'}:${value}`;
  }
}

/** A tier in Redis. See {@link RedisTierOptions}; give `url` or `client`. */
export function redisTier(options: RedisTierOptions): RedisTier {
  return new RedisTier(options);
}

function touched(meta: TierEntryMeta, accessed: Buffer | null | undefined, hits: Buffer | null | undefined): Pick<TierEntryMeta, 'accessedAt' | 'hits'> {
  return { accessedAt: Math.max(meta.accessedAt, Number(accessed?.toString() ?? 0) || 0), hits: Number(hits?.toString() ?? meta.hits) || 0 };
}

function buffer(bytes: Uint8Array): RedisArgument {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
