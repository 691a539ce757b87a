import { CacheError } from '../errors.js';
import { abortErrorOf, throwIfAborted } from '../../errors/phasekit-error.js';
import type { TierLock } from '../tiers/tier.js';
import type { RedisConnection } from './redis-connection.js';

// Fencing: a holder renews or releases only while its own token is still under the key,
// so a holder whose lease ran out (a long pause) can never free a successor's lock.
const RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 100;

/** Where a lock lives and what it guards. */
export interface RedisLockTarget {
  /** The lock's own Redis key. */
  lockKey: string;
  /** The entry it guards: once that exists, waiting ends. */
  entryKey: string;
  /** Lease: the lock expires this long after its last renewal (renewed every third of it). */
  leaseMs: number;
}

/**
 * Takes the lock with `SET NX PX` and a random token, polling (5 ms, growing to 100 ms)
 * while another process holds it, until this process gets it or the guarded entry
 * appears. Resolves undefined when Redis is unreachable, so the caller computes alone.
 */
export async function acquireRedisLock(connection: RedisConnection, target: RedisLockTarget, signal?: AbortSignal): Promise<TierLock | undefined> {
  const token = crypto.randomUUID();
  const { lockKey, entryKey, leaseMs } = target;
  let poll = FIRST_POLL_MS;
  try {
    for (;;) {
      throwIfAborted(signal, 'waiting for the Redis lock');
      if ((await connection.send(lockKey, ['SET', lockKey, token, 'NX', 'PX', String(leaseMs)])) === 'OK') {
        return new HeldRedisLock(connection, lockKey, token, leaseMs);
      }
      if ((await connection.send(entryKey, ['EXISTS', entryKey], true)) === 1) return NOT_NEEDED;
      await sleep(poll, signal);
      poll = Math.min(poll * 1.5, MAX_POLL_MS);
    }
  } catch (error) {
    if (error instanceof CacheError && error.code === 'TIER_UNAVAILABLE') return undefined;
    throw error;
  }
}

const NOT_NEEDED: TierLock = { release: async () => {} };

class HeldRedisLock implements TierLock {
  private readonly renewal: ReturnType<typeof setInterval>;
  private released = false;

  constructor(private readonly connection: RedisConnection, private readonly key: string, private readonly token: string, leaseMs: number) {
    this.renewal = setInterval(() => void this.renew(leaseMs), Math.max(1, Math.floor(leaseMs / 3)));
    // A long computation keeps its lock; the timer alone never keeps Node alive.
    (this.renewal as { unref?: () => void }).unref?.();
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.renewal);
    await this.connection.send(this.key, ['EVAL', RELEASE, '1', this.key, this.token]);
  }

  private async renew(leaseMs: number): Promise<void> {
    const renewed = await this.connection.send(this.key, ['EVAL', RENEW, '1', this.key, this.token, String(leaseMs)]).catch(() => 1);
    // Lost (expired and maybe taken): stop renewing; the value computed is still written, harmlessly.
    if (renewed === 0) clearInterval(this.renewal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortErrorOf(signal!, 'waiting for the Redis lock'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
