/**
 * Hits and misses in one-second buckets over the last hour, for hit rates over a
 * sliding window. A ring of typed arrays: recording is two array writes.
 */
export class HitWindow {
  private readonly seconds: Float64Array;
  private readonly hits: Uint32Array;
  private readonly misses: Uint32Array;

  constructor(private readonly spanSeconds = 3600) {
    this.seconds = new Float64Array(spanSeconds).fill(-1);
    this.hits = new Uint32Array(spanSeconds);
    this.misses = new Uint32Array(spanSeconds);
  }

  /** Counts one lookup at time `now` (epoch ms). */
  record(hit: boolean, now: number): void {
    const second = Math.floor(now / 1000);
    const bucket = second % this.spanSeconds;
    if (this.seconds[bucket] !== second) {
      this.seconds[bucket] = second;
      this.hits[bucket] = 0;
      this.misses[bucket] = 0;
    }
    if (hit) this.hits[bucket]++;
    else this.misses[bucket]++;
  }

  /** Hits and misses within the last `windowMs` (capped at the span) before `now`. */
  totals(windowMs: number, now: number): { hits: number; misses: number } {
    const newest = Math.floor(now / 1000);
    const oldest = newest - Math.min(this.spanSeconds, Math.ceil(windowMs / 1000)) + 1;
    let hits = 0;
    let misses = 0;
    for (let bucket = 0; bucket < this.spanSeconds; bucket++) {
      const second = this.seconds[bucket];
      if (second >= oldest && second <= newest) {
        hits += this.hits[bucket];
        misses += this.misses[bucket];
      }
    }
    return { hits, misses };
  }

  /** Forgets everything. */
  clear(): void {
    this.seconds.fill(-1);
  }
}
