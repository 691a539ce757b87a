import { CacheError } from '../errors.js';

/** Options of {@link RemoteHealth}. */
export interface RemoteHealthOptions {
  /** First wait before trying an unreachable store again (default 1000 ms); doubles per failed try. */
  retryAfterMs?: number;
  /** Longest wait between tries (default 30 000 ms). */
  maxRetryAfterMs?: number;
  /** Where the one warning per outage goes (default console.warn). */
  warn?: (message: string) => void;
}

/**
 * Whether a remote store is worth calling. After a failure the store counts as down: calls
 * skip it (the cache runs on its local tiers) until a retry time that backs off
 * exponentially; the first call after that time probes it again. One warning per outage.
 */
export class RemoteHealth {
  /** Outages seen (each warned about once). */
  outages = 0;
  private down = false;
  private nextTryAt = 0;
  private waitMs: number;
  private readonly retryAfterMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly warn: (message: string) => void;

  constructor(private readonly label: string, options: RemoteHealthOptions = {}) {
    this.retryAfterMs = options.retryAfterMs ?? 1000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.waitMs = this.retryAfterMs;
    this.warn = options.warn ?? ((message) => console.warn(message));
  }

  /** False during an outage, until the next retry time. */
  get up(): boolean {
    return !this.down || Date.now() >= this.nextTryAt;
  }

  /** Epoch ms when a call may next reach the store (now, when up). */
  get retryAt(): number {
    return this.down ? this.nextTryAt : 0;
  }

  /** Records a failed call: starts (and warns about) an outage, or backs off further. */
  failed(cause: unknown): void {
    if (!this.down) {
      this.down = true;
      this.outages++;
      this.waitMs = this.retryAfterMs;
      this.warn(`phasekit cache: ${this.label} is unreachable (${describe(cause)}); working on local tiers, retrying in the background`);
    } else {
      this.waitMs = Math.min(this.waitMs * 2, this.maxRetryAfterMs);
    }
    this.nextTryAt = Date.now() + this.waitMs;
  }

  /** Records a successful call: the outage, if any, is over. */
  succeeded(): void {
    this.down = false;
    this.waitMs = this.retryAfterMs;
  }

  /** The error a call that found the store unreachable throws. */
  unavailable(cause: unknown): CacheError {
    return new CacheError('TIER_UNAVAILABLE', `${this.label} is unreachable: ${describe(cause)}`, { cause });
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
    return `${cause.message}${typeof code === 'string' && !cause.message.includes(code) ? ` [${code}]` : ''}${inner}`;
  }
  return String(cause);
}
