import { CountMinSketch } from './count-min-sketch.js';
import type { EvictionPolicy } from './policy.js';
import { SlotQueue } from './slot-queue.js';
import { SlotRings } from './slot-rings.js';
import { WindowClimber } from './window-climber.js';

// The segments of W-TinyLFU (Einziger, Friedman & Manes 2017), each in recency order: the
// window a queue (entries only join at its new end and leave at its old one, so a ring
// buffer serves without relinking scattered slots), probation and protected rings. An entry
// pushed out of the window is a CANDIDATE (in no segment) until the eviction round of the
// same write, where it duels the probation victim; if no eviction was needed it is admitted
// on the next insert.
const WINDOW = 0;
const PROBATION = 1;
const PROTECTED = 2;
const CANDIDATE = 3;
const SEGMENT = 3;
// Flag beside the segment: hit since the entry last moved. A hit only sets it; the entry is
// moved (to the front of its ring, or from probation to protected) when it reaches the end
// of its ring: CLOCK's second chance on each segment. The order in which entries leave is
// that of the LRU rings up to hits not yet applied, and a hit costs two byte writes instead
// of relinking a list.
const REFERENCED = 4;
// An entry's state (see FrecencyPolicy.states): segment and flag in the low byte, access count above.
const COUNT_SHIFT = 8;
const ONE_COUNT = 1 << COUNT_SHIFT;
const MAX_STATE_COUNT = 255 << COUNT_SHIFT;
const FLAGS = ONE_COUNT - 1;

// A newcomer must be estimated at least this much more popular than the victim to replace
// it. Ties alone (Caffeine's rule) are not enough: right after the sketch halves its
// counts, every key seen since is one ahead of the keys about to be seen again, and on a
// loop that one-count lead evicts exactly the entries needed next.
const ADMISSION_MARGIN = 2;

// The climber's longest sample, in capacities: half the interval between two halvings of the
// counts. Longer samples (Caffeine takes 10) leave a recency-heavy workload too long in a
// small window; shorter ones let Zipf's noise walk the window away from its best size.
const SAMPLE_UNITS = 4;

/** Options for {@link FrecencyPolicy}. */
export interface FrecencyPolicyOptions {
  /** Entry capacity of the tier; when absent, segment sizes follow the resident count. */
  capacity?: number;
  /** Share of capacity given to the admission window at first (default 0.01, Caffeine's starting point). */
  windowShare?: number;
  /** Share of the main space kept for entries hit at least twice (default 0.8). */
  protectedShare?: number;
  /** Adapt the window share to the workload by hill climbing on the hit rate (default true). */
  adaptive?: boolean;
}

/**
 * Frequency and recency combined (W-TinyLFU): new entries enter an LRU window; leaving it,
 * they are admitted to the segmented-LRU main space only if a count-min sketch says they
 * are used more often than the entry they would replace. A one-pass scan therefore cannot
 * flush the hot set. A hill climber sizes the window to the workload: large (towards LRU)
 * when recency pays, small when frequency does.
 */
export class FrecencyPolicy implements EvictionPolicy {
  readonly name = 'frecency' as const;
  readonly usesKeyHash = true;
  private readonly window: SlotQueue;
  // Probation and protected (ring WINDOW is unused).
  private readonly rings: SlotRings;
  // The entry last pushed out of the window, -1 when none: an insert pushes out at most one,
  // and admits a candidate left from before first.
  private candidate = -1;
  private readonly sketch: CountMinSketch;
  private readonly climber: WindowClimber | undefined;
  // Per slot, its segment (with the REFERENCED flag) and access count in one word, so that an
  // entry's state is one memory access. Counts of resident entries are kept here rather than
  // in the sketch: a hit then costs one increment instead of four scattered counter updates.
  // Aged with the sketch.
  private states: Uint16Array;
  // The same memory as 32-bit words, for aging.
  private stateWords: Uint32Array;
  // 0 when unknown (byte budgets only): segment limits then follow the resident count.
  private readonly capacity: number;
  private windowShare: number;
  private readonly protectedShare: number;
  // Segment limits, kept current when the capacity is known (0 otherwise: computed per call).
  private windowLimit = 0;
  private protectedLimit = 0;
  // The climber's sample: accesses once the tier is full (before that every miss is compulsory),
  // one capacity's worth more per sample up to SAMPLE_UNITS capacities (see sampleSize()).
  private readonly sampleUnit: number;
  private samplesTaken = 0;
  private full = false;
  private sampleHits = 0;
  private sampleMisses = 0;
  private sinceAging = 0;
  private readonly agingPeriod: number;
  // Accesses at which the next aging or climbing step may be due (see schedule()), so that a
  // miss checks one number.
  private nextStep = 0;
  private windowMoved = true;
  // A get that missed is usually followed by a set of the same key: one access, counted once.
  private missedKey: string | undefined;
  private missedCount = 0;

  constructor(slots: number, options: FrecencyPolicyOptions = {}) {
    this.capacity = options.capacity !== undefined && Number.isFinite(options.capacity) ? options.capacity : 0;
    this.windowShare = options.windowShare ?? 0.01;
    this.protectedShare = options.protectedShare ?? 0.8;
    const basis = this.capacity || 4096;
    this.sampleUnit = basis;
    this.agingPeriod = 8 * basis;
    this.sketch = new CountMinSketch({ capacity: basis, sampleSize: Infinity });
    if (options.adaptive !== false) this.climber = new WindowClimber({ growFirst: this.windowFor(basis) <= 1 });
    this.window = new SlotQueue(slots);
    this.rings = new SlotRings(slots, 3);
    this.states = new Uint16Array(roundUp2(slots));
    this.stateWords = new Uint32Array(this.states.buffer);
    this.resize();
    this.schedule();
  }

  grow(slots: number): void {
    this.window.grow(slots);
    this.rings.grow(slots);
    if (slots <= this.states.length) return;
    const states = new Uint16Array(roundUp2(slots));
    states.set(this.states);
    this.states = states;
    this.stateWords = new Uint32Array(states.buffer);
  }

  insert(slot: number, key: string, hash: number): void {
    // Candidates still here survived the last eviction round: they are admitted.
    if (this.candidate !== -1) {
      this.admit(this.candidate);
      this.candidate = -1;
    }
    // The sketch knows the key's accesses while not resident; from now on they are counted here.
    let count: number;
    if (this.missedKey !== undefined && key === this.missedKey) {
      count = this.missedCount;
      this.missedKey = undefined;
    } else {
      count = this.sketch.incrementAndEstimate(hash);
      this.countMiss();
    }
    // Make room in the window first, so that the newcomer is never the one pushed out.
    if (this.window.size >= this.windowMax(1)) {
      const leaving = this.leaveWindow();
      this.setSegment(leaving, CANDIDATE);
      this.candidate = leaving;
    }
    this.window.push(slot);
    this.states[slot] = (count << COUNT_SHIFT) | WINDOW;
  }

  touch(slot: number): void {
    this.sampleHits++;
    const state = this.states[slot];
    this.states[slot] = (state < MAX_STATE_COUNT ? state + ONE_COUNT : state) | REFERENCED;
  }

  recordMiss(key: string, hash: number): void {
    this.missedKey = key;
    this.missedCount = this.sketch.incrementAndEstimate(hash);
    this.countMiss();
  }

  remove(slot: number): void {
    this.detach(slot);
  }

  evict(): number {
    if (!this.full) {
      this.full = true;
      this.sampleHits = this.sampleMisses = this.sinceAging = 0;
      this.schedule();
    }
    const candidate = this.candidate;
    let victim = this.mainVictim();
    if (candidate !== -1) {
      this.candidate = -1;
      if (victim === -1 || (this.states[candidate] & REFERENCED) !== 0) {
        // Main is empty (nothing to duel with), or the candidate was hit while waiting: admitted.
        this.admit(candidate);
        if (victim === -1) victim = candidate;
      } else if (this.states[candidate] >>> COUNT_SHIFT >= (this.states[victim] >>> COUNT_SHIFT) + ADMISSION_MARGIN) {
        this.admit(candidate);
      } else {
        return candidate; // on no ring already
      }
    }
    if (victim !== -1) {
      this.detach(victim);
      return victim;
    }
    return this.window.size !== 0 ? this.leaveWindow() : -1;
  }

  clear(): void {
    this.window.clear();
    this.rings.reset();
    this.candidate = -1;
    this.sketch.clear();
    this.climber?.reset();
    this.full = false;
    this.samplesTaken = 0;
    this.sampleHits = this.sampleMisses = this.sinceAging = 0;
    this.missedKey = undefined;
    this.schedule();
  }

  // Aging and climbing are checked on misses only: without misses nothing is admitted.
  private countMiss(): void {
    const accesses = ++this.sampleMisses + this.sampleHits;
    if (accesses >= this.nextStep) this.step(accesses);
  }

  private step(accesses: number): void {
    if (accesses - this.sinceAging >= this.agingPeriod) {
      this.sinceAging = accesses;
      this.sketch.age();
      this.halveCounts();
    }
    if (this.full && this.climber && accesses >= this.sampleSize()) this.climb();
    this.schedule();
  }

  // Halves the count of each state (two per word), keeps its segment and flag. A method of its
  // own: a long loop in step() would be compiled on its own there and leave step() deoptimizing.
  private halveCounts(): void {
    const words = this.stateWords;
    for (let i = 0; i < words.length; i++) words[i] = (words[i] & 0x00ff00ff) | ((words[i] >>> 1) & 0x7f007f00);
  }

  // The access count at which step() has something to do: the next aging, or the end of the
  // climber's sample once the tier is full. Both only move inside step() or on a reset.
  private schedule(): void {
    const climbAt = this.full && this.climber ? this.sampleSize() : Infinity;
    this.nextStep = Math.min(this.sinceAging + this.agingPeriod, climbAt);
  }

  // One hill-climbing step: move the window share, then bring the segments within their new limits.
  private climb(): void {
    const hits = this.sampleHits;
    const accesses = hits + this.sampleMisses;
    const rate = hits / accesses;
    this.sinceAging -= accesses;
    this.sampleHits = this.sampleMisses = 0;
    // No window size hits anything during a scan: such a sample says nothing, and the walk
    // would grow the window (the hit rate "held") and let the scan flush the main space.
    if (hits === 0) {
      (this.climber as WindowClimber).forgetRate();
      return;
    }
    this.samplesTaken++;
    const basis = this.capacity || this.resident();
    const before = this.windowFor(basis);
    this.windowShare = Math.min(1, Math.max(0, this.windowShare + (this.climber as WindowClimber).adjust(rate, this.windowMoved, accesses)));
    this.windowMoved = this.windowFor(basis) !== before;
    this.resize();
    const rings = this.rings;
    // A smaller window hands its oldest entries to probation at once (Caffeine does the same);
    // a larger one fills as main loses entries to eviction.
    const windowMax = this.windowMax(0);
    while (this.window.size > windowMax) {
      const slot = this.leaveWindow();
      rings.pushMru(PROBATION, slot);
      this.setSegment(slot, PROBATION);
    }
    this.limitProtected();
  }

  // Short samples first: the opening steps are large and a wrong one is cheap to undo, while
  // a recency-heavy workload loses most of its hits for as long as the window stays small.
  // Later, finer steps need the precision of longer samples.
  private sampleSize(): number {
    return Math.min(SAMPLE_UNITS, 1 + this.samplesTaken) * this.sampleUnit;
  }

  private resize(): void {
    if (this.capacity === 0) return;
    this.windowLimit = this.windowFor(this.capacity);
    this.protectedLimit = Math.max(1, Math.floor((this.capacity - this.windowLimit) * this.protectedShare));
  }

  // At least one entry, and at least one left for main.
  private windowFor(basis: number): number {
    return Math.max(1, Math.min(basis - 1, Math.floor(basis * this.windowShare)));
  }

  private resident(): number {
    const sizes = this.rings.sizes;
    return this.window.size + sizes[PROBATION] + sizes[PROTECTED] + (this.candidate !== -1 ? 1 : 0);
  }

  // The window's limit once `pending` more entries are resident.
  private windowMax(pending: number): number {
    if (this.windowLimit !== 0) return this.windowLimit;
    return this.windowFor(this.resident() + pending);
  }

  private protectedMax(): number {
    if (this.protectedLimit !== 0) return this.protectedLimit;
    const resident = this.resident();
    return Math.max(1, Math.floor((resident - this.windowFor(resident)) * this.protectedShare));
  }

  // Moves a slot to the front of another ring, forgetting its hits (they were applied).
  private move(slot: number, from: number, to: number): void {
    this.rings.unlink(from, slot);
    this.rings.pushMru(to, slot);
    this.setSegment(slot, to);
  }

  // The least recent entry of a non-empty ring once the hits it holds are applied: an entry
  // hit since it last moved goes to the front instead, unflagged.
  private oldestUnreferenced(ring: number): number {
    const rings = this.rings;
    const states = this.states;
    for (;;) {
      const slot = rings.lru(ring);
      if ((states[slot] & REFERENCED) === 0) return slot;
      states[slot] &= ~REFERENCED;
      rings.touch(ring, slot);
    }
  }

  // Takes the window's oldest entry off once the hits it holds are applied (an entry hit since
  // it joined rejoins at the new end, unflagged), and returns it.
  private leaveWindow(): number {
    const window = this.window;
    const states = this.states;
    for (;;) {
      const slot = window.shift();
      if ((states[slot] & REFERENCED) === 0) return slot;
      states[slot] &= ~REFERENCED;
      window.push(slot);
    }
  }

  // Demotes the protected segment's least recent unhit entries to probation while it is over its limit.
  private limitProtected(): void {
    const protectedMax = this.protectedMax();
    while (this.rings.sizes[PROTECTED] > protectedMax) this.move(this.oldestUnreferenced(PROTECTED), PROTECTED, PROBATION);
  }

  // The probation victim once its hits are applied (an entry hit on probation is promoted to
  // protected), or the protected one when probation is empty; -1 when main is empty.
  private mainVictim(): number {
    const rings = this.rings;
    const states = this.states;
    for (;;) {
      const slot = rings.lru(PROBATION);
      if (slot === -1) return rings.sizes[PROTECTED] !== 0 ? this.oldestUnreferenced(PROTECTED) : -1;
      if ((states[slot] & REFERENCED) === 0) return slot;
      // A second hit in main earns protection.
      this.move(slot, PROBATION, PROTECTED);
      this.limitProtected();
    }
  }

  // Takes a slot off its ring, or out of candidacy.
  private detach(slot: number): void {
    const segment = this.states[slot] & SEGMENT;
    if (segment === WINDOW) this.window.remove(slot);
    else if (segment !== CANDIDATE) this.rings.unlink(segment, slot);
    else this.candidate = -1;
  }

  // A hit while waiting stays flagged: probation's scan then promotes the entry.
  private admit(candidate: number): void {
    this.rings.pushMru(PROBATION, candidate);
    this.states[candidate] = (this.states[candidate] & ~SEGMENT) | PROBATION;
  }

  // Puts the slot in `segment`, clearing its REFERENCED flag and keeping its count.
  private setSegment(slot: number, segment: number): void {
    this.states[slot] = (this.states[slot] & ~FLAGS) | segment;
  }
}

function roundUp2(n: number): number {
  return (n + 1) & ~1;
}
