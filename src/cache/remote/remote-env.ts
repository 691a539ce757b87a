// Which remote store the environment names, read without loading any tier code:
// PHASEKIT_CACHE_REMOTE=redis://…|rediss://…|http://…|https://…, else PHASEKIT_REDIS_URL.
import { CacheError } from '../errors.js';

/** A remote store named by the environment. */
export interface RemoteFromEnv {
  kind: 'redis' | 'http';
  url: string;
  /** The variable it came from. */
  variable: 'PHASEKIT_CACHE_REMOTE' | 'PHASEKIT_REDIS_URL';
}

/** The remote store the environment names, or undefined; CacheError BAD_OPTION (naming the variable) for a URL of another kind. */
export function remoteFromEnv(env: Record<string, string | undefined> = typeof process !== 'undefined' ? process.env : {}): RemoteFromEnv | undefined {
  const remote = env.PHASEKIT_CACHE_REMOTE?.trim();
  const redisUrl = env.PHASEKIT_REDIS_URL?.trim();
  const variable = remote ? 'PHASEKIT_CACHE_REMOTE' : redisUrl ? 'PHASEKIT_REDIS_URL' : undefined;
  const url = remote || redisUrl;
  if (!variable || !url) return undefined;
  if (/^rediss?:\/\//.test(url)) return { kind: 'redis', url, variable };
  if (variable === 'PHASEKIT_CACHE_REMOTE' && /^https?:\/\//.test(url)) return { kind: 'http', url, variable };
  const expected = variable === 'PHASEKIT_CACHE_REMOTE' ? 'redis://, rediss://, http:// or https://' : 'redis:// or rediss://';
  throw new CacheError('BAD_OPTION', `${variable} must be a ${expected} URL, got ${JSON.stringify(url)}`);
}
