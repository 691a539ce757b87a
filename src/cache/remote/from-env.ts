import { remoteFromEnv } from './remote-env.js';
import type { ByteSerializer } from '../serializers/serializer.js';
import { HttpTier, type HttpTierOptions } from '../tiers/http-tier.js';
import { RedisTier, type RedisTierOptions } from '../tiers/redis-tier.js';

/** Options of {@link remoteTierFromEnv}. */
export interface RemoteTierFromEnvOptions {
  /** Namespace on the remote store (default 'default'). */
  namespace?: string;
  /** How values become bytes; every process sharing the store must use the same. */
  serializer?: ByteSerializer;
  /** Where to read the variables (default process.env). */
  env?: Record<string, string | undefined>;
  /** Extra options for an HTTP tier (write-back is on by default here). */
  http?: Partial<HttpTierOptions>;
  /** Extra options for a Redis tier. */
  redis?: Partial<RedisTierOptions>;
}

/**
 * The remote tier the environment asks for, or undefined when it asks for none:
 * `PHASEKIT_CACHE_REMOTE=redis://…|rediss://…|http://…|https://…`, else
 * `PHASEKIT_REDIS_URL=redis://…`. An HTTP remote writes back (asynchronously); point
 * it at a read-only server and the writes are simply refused and counted. Throws
 * CacheError `BAD_OPTION`, naming the variable, for a value of another kind.
 */
export function remoteTierFromEnv(options: RemoteTierFromEnvOptions = {}): HttpTier | RedisTier | undefined {
  const remote = remoteFromEnv(options.env);
  if (!remote) return undefined;
  const common = { namespace: options.namespace, serializer: options.serializer };
  if (remote.kind === 'redis') return new RedisTier({ ...common, ...options.redis, url: remote.url });
  return new HttpTier({ writeBack: true, ...common, ...options.http, baseUrl: remote.url });
}
