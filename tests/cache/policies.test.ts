import { describe, expect, it } from 'vitest';
import { CountMinSketch, hashString, MemoryTier, type PolicyName } from '../../src/cache/index.js';
import { SlotQueue } from '../../src/cache/policy/slot-queue.js';
import { WindowClimber } from '../../src/cache/policy/window-climber.js';

function tierWith(policy: PolicyName, maxEntries: number): MemoryTier<number> {
  return new MemoryTier<number>({ maxEntries, policy });
}

function access(tier: MemoryTier<number>, key: string): boolean {
  if (tier.get(key) !== undefined) return true;
  tier.set(key, 1);
  return false;
}

describe('LRU policy', () => {
  it('evicts the least recently used entry', () => {
    const tier = tierWith('lru', 3);
    for (const key of ['a', 'b', 'c']) tier.set(key, 1);
    tier.get('a');
    tier.set('d', 1);
    expect([...tier.keys()].sort()).toEqual(['a', 'c', 'd']);
  });
});

describe('LFU policy', () => {
  it('evicts the least frequently used entry', () => {
    const tier = tierWith('lfu', 3);
    for (const key of ['a', 'b', 'c']) tier.set(key, 1);
    tier.get('a');
    tier.get('a');
    tier.get('c');
    tier.set('d', 1);
    expect([...tier.keys()].sort()).toEqual(['a', 'c', 'd']);
  });

  it('breaks frequency ties by recency', () => {
    const tier = tierWith('lfu', 2);
    tier.set('a', 1);
    tier.set('b', 1);
    tier.set('c', 1);
    expect([...tier.keys()].sort()).toEqual(['b', 'c']);
  });

  it('keeps working after an explicit delete of the least frequent entry', () => {
    const tier = tierWith('lfu', 2);
    tier.set('a', 1);
    tier.get('a');
    tier.set('b', 1);
    tier.delete('b');
    tier.set('c', 1);
    tier.set('d', 1);
    expect(tier.size).toBe(2);
    expect(tier.has('a')).toBe(true);
  });
});

describe('frecency policy (W-TinyLFU)', () => {
  it('keeps a hot set through a one-pass scan that LRU loses it to', () => {
    const hot = Array.from({ length: 50 }, (_, i) => `hot${i}`);
    const survivors = (policy: PolicyName): number => {
      const tier = tierWith(policy, 100);
      for (let round = 0; round < 5; round++) for (const key of hot) access(tier, key);
      for (let i = 0; i < 1000; i++) access(tier, `scan${i}`);
      return hot.filter((key) => tier.has(key)).length;
    };
    expect(survivors('lru')).toBe(0);
    expect(survivors('frecency')).toBeGreaterThanOrEqual(45);
  });

  it('admits a newcomer that becomes more popular than the residents', () => {
    const tier = tierWith('frecency', 10);
    for (let i = 0; i < 10; i++) access(tier, `k${i}`);
    for (let round = 0; round < 4; round++) {
      tier.get('newcomer');
      tier.set('newcomer', 1);
      for (let i = 0; i < 3; i++) access(tier, `filler${round}-${i}`);
    }
    expect(tier.has('newcomer')).toBe(true);
  });

  it('beats LRU on a loop slightly larger than capacity', () => {
    const hits = (policy: PolicyName): number => {
      const tier = tierWith(policy, 100);
      let count = 0;
      for (let round = 0; round < 20; round++) for (let i = 0; i < 110; i++) if (access(tier, `k${i}`)) count++;
      return count;
    };
    expect(hits('lru')).toBe(0);
    expect(hits('frecency')).toBeGreaterThan(1000);
  });

  it('comes within a point of the optimum on a long loop (no churn when the sketch halves its counts)', () => {
    const tier = tierWith('frecency', 100);
    let misses = 0;
    const rounds = 2000;
    for (let round = 0; round < rounds; round++) for (let i = 0; i < 110; i++) if (!access(tier, `k${i}`)) misses++;
    // Belady keeps 99 keys fixed and cycles the last slot: 11 misses a round.
    expect(misses / (rounds * 110)).toBeLessThan(11 / 110 + 0.01);
  });

  it('grows its window towards LRU when recency pays', () => {
    // Each access repeats one of the last 150 new keys with probability 0.7, else brings a new key.
    const missRatio = (policy: PolicyName): number => {
      const tier = tierWith(policy, 100);
      let state = 7;
      const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
      let newest = 0;
      let misses = 0;
      const n = 400_000;
      for (let i = 0; i < n; i++) {
        const key = random() < 0.7 ? newest - Math.floor(random() ** 2 * Math.min(150, newest)) : ++newest;
        if (!access(tier, `k${key}`)) misses++;
      }
      return misses / n;
    };
    const lru = missRatio('lru');
    const adaptive = missRatio('frecency');
    expect(adaptive).toBeLessThan(lru + 0.06); // a fixed 1 % window misses about twice as often as LRU here
  });

  it('promotes an entry hit on probation instead of evicting it when it comes up for eviction', () => {
    const tier = tierWith('frecency', 100);
    for (let i = 0; i < 100; i++) access(tier, `k${i}`);
    access(tier, 'k0'); // a hit: applied when k0 reaches the end of its segment
    for (let i = 0; i < 60; i++) {
      // Three misses make each newcomer popular enough to displace a resident seen once.
      for (let miss = 0; miss < 3; miss++) tier.get(`new${i}`);
      tier.set(`new${i}`, 1);
    }
    const residents = Array.from({ length: 100 }, (_, i) => `k${i}`).filter((key) => tier.has(key));
    expect(residents).toContain('k0');
    expect(residents.length).toBeLessThan(50);
  });

  it('is no worse than LRU once its window has adapted to recency-biased traffic', () => {
    // As the test above, at capacity 100 over 400k accesses (samples of 100–400 accesses).
    const missRatio = (policy: PolicyName): number => {
      const tier = tierWith(policy, 100);
      let state = 7;
      const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
      let newest = 0;
      let misses = 0;
      const n = 400_000;
      for (let i = 0; i < n; i++) {
        const key = random() < 0.7 ? newest - Math.floor(random() ** 2 * Math.min(150, newest)) : ++newest;
        if (!access(tier, `k${key}`)) misses++;
      }
      return misses / n;
    };
    expect(missRatio('frecency')).toBeLessThan(missRatio('lru') + 0.005);
  });

  it('holds exactly its capacity under churn', () => {
    const tier = tierWith('frecency', 64);
    for (let i = 0; i < 10_000; i++) access(tier, `k${(i * 7919) % 300}`);
    expect(tier.size).toBe(64);
  });

  it('respects a byte budget without an entry budget', () => {
    const tier = new MemoryTier<ArrayBuffer>({ maxBytes: 4096, policy: 'frecency' });
    for (let i = 0; i < 200; i++) tier.set(`k${i % 37}`, new ArrayBuffer(256));
    expect(tier.bytes).toBeLessThanOrEqual(4096);
    expect(tier.size).toBe(16);
  });
});

describe('SlotQueue', () => {
  function drain(queue: SlotQueue): number[] {
    const out: number[] = [];
    while (queue.size !== 0) out.push(queue.shift());
    return out;
  }

  it('hands slots back oldest first, skipping those removed from the middle', () => {
    const queue = new SlotQueue(8);
    for (const slot of [3, 1, 4, 5]) queue.push(slot);
    queue.remove(1);
    queue.remove(5);
    expect(queue.oldest()).toBe(3);
    queue.push(1);
    expect(drain(queue)).toEqual([3, 4, 1]);
    expect(queue.oldest()).toBe(-1);
  });

  it('keeps its order when holes fill its buffer and it squeezes them out', () => {
    const queue = new SlotQueue(4);
    // Each round leaves a hole behind the slots still queued; eight rounds fill the buffer.
    for (const slot of [0, 1, 2]) queue.push(slot);
    for (let round = 0; round < 12; round++) {
      queue.remove(1);
      queue.push(1);
    }
    queue.remove(0);
    queue.push(3);
    queue.remove(2);
    expect(drain(queue)).toEqual([1, 3]);
  });

  it('keeps its order through removals that fill the buffer with holes, and through growth', () => {
    let slots = 4;
    const queue = new SlotQueue(slots);
    const reference: number[] = [];
    let state = 7;
    const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296;
    for (let step = 0; step < 20_000; step++) {
      const action = random();
      if (action < 0.5 && reference.length < slots) {
        let slot = 0;
        while (reference.includes(slot)) slot++;
        queue.push(slot);
        reference.push(slot);
      } else if (action < 0.7 && reference.length !== 0) {
        expect(queue.shift()).toBe(reference.shift());
      } else if (action < 0.97 && reference.length !== 0) {
        const [slot] = reference.splice(Math.floor(random() * reference.length), 1);
        queue.remove(slot);
      } else if (slots < 64) {
        queue.grow((slots *= 2));
      }
      expect(queue.size).toBe(reference.length);
    }
    expect(drain(queue)).toEqual(reference);
  });
});

describe('WindowClimber', () => {
  it('keeps its direction while the hit rate holds and reverses when it drops', () => {
    const climber = new WindowClimber({ initialStep: 0.1, stepDecay: 1 });
    expect(climber.adjust(0.5, true)).toBe(-0.1); // first sample: shrink
    expect(climber.adjust(0.5, true)).toBe(-0.1); // no worse: keep going
    expect(climber.adjust(0.49, true)).toBe(0.1); // worse: turn round
  });

  it('shrinks its step as it goes', () => {
    const climber = new WindowClimber({ initialStep: 0.1, stepDecay: 0.5 });
    climber.adjust(0.5, true);
    expect(climber.adjust(0.5, true)).toBeCloseTo(-0.05);
    expect(climber.adjust(0.5, true)).toBeCloseTo(-0.025);
  });

  it('takes a full step again when the hit rate jumps', () => {
    const climber = new WindowClimber({ initialStep: 0.1, stepDecay: 0.5, restartThreshold: 0.05 });
    climber.adjust(0.5, true);
    climber.adjust(0.5, true);
    expect(climber.adjust(0.3, true)).toBe(0.1);
  });

  it('doubles its step after a move that raised the hit rate', () => {
    const climber = new WindowClimber({ initialStep: 0.1, stepDecay: 1, acceleration: 2, gainThreshold: 0.002 });
    expect(climber.adjust(0.5, true)).toBe(-0.1);
    expect(climber.adjust(0.52, true)).toBe(-0.1); // better: keep going, next step doubled
    expect(climber.adjust(0.53, true)).toBeCloseTo(-0.2);
  });

  it('keeps an accelerated step on a jump up and turns round with a fresh one on a drop', () => {
    const climber = new WindowClimber({ initialStep: 0.1, stepDecay: 1, acceleration: 2, restartThreshold: 0.05 });
    climber.adjust(0.2, true);
    climber.adjust(0.3, true); // a jump up: step doubled to 0.2
    expect(climber.adjust(0.4, true)).toBeCloseTo(-0.2);
    expect(climber.adjust(0.2, true)).toBeCloseTo(0.1); // a drop: the other way, initial step
  });

  it('reads a change within the noise of small samples as no new workload', () => {
    const climber = new WindowClimber({ initialStep: 0.1, restartThreshold: 0.05 });
    climber.adjust(0.5, true);
    // 100 accesses per sample: 6 points is within three standard errors of the difference.
    expect(climber.adjust(0.44, false, 100)).toBe(0);
    expect(climber.adjust(0.2, false, 100)).toBe(0.1);
  });

  it('compares the sample after a forgotten one with none', () => {
    const climber = new WindowClimber({ initialStep: 0.1, stepDecay: 1 });
    climber.adjust(0.5, true);
    climber.forgetRate();
    expect(climber.adjust(0.1, true)).toBe(-0.1); // no drop seen: no turn
  });

  it('stays put at a bound until the workload changes', () => {
    const climber = new WindowClimber({ initialStep: 0.1, restartThreshold: 0.05 });
    climber.adjust(0.5, true);
    expect(climber.adjust(0.48, false)).toBe(0); // the window could not move: the drop is noise
    expect(climber.adjust(0.3, false)).toBe(0.1); // a workload-sized drop: explore the other way
  });
});

describe('CountMinSketch', () => {
  it('estimates counts without undercounting', () => {
    const sketch = new CountMinSketch({ capacity: 1024, sampleSize: 1e9 });
    for (let i = 0; i < 7; i++) sketch.increment(hashString('popular'));
    sketch.increment(hashString('rare'));
    expect(sketch.frequency(hashString('popular'))).toBeGreaterThanOrEqual(7);
    expect(sketch.frequency(hashString('rare'))).toBeGreaterThanOrEqual(1);
    expect(sketch.frequency(hashString('rare'))).toBeLessThan(7);
  });

  it('saturates counts at 15', () => {
    const sketch = new CountMinSketch({ capacity: 64, sampleSize: 1e9 });
    for (let i = 0; i < 100; i++) sketch.increment(hashString('x'));
    expect(sketch.frequency(hashString('x'))).toBe(15);
  });

  it('ages each counter to half without disturbing its neighbours', () => {
    const sketch = new CountMinSketch({ capacity: 16, sampleSize: 1e9 });
    for (let i = 0; i < 15; i++) sketch.increment(hashString('hot'));
    for (let i = 0; i < 3; i++) sketch.increment(hashString('warm'));
    sketch.age();
    expect(sketch.frequency(hashString('hot'))).toBe(7);
    expect(sketch.frequency(hashString('warm'))).toBeLessThanOrEqual(1 + 7); // a collision may add the hot key's count
    expect(sketch.frequency(hashString('warm'))).toBeGreaterThanOrEqual(1);
  });

  it('halves every count after sampleSize additions, so old popularity fades', () => {
    const sketch = new CountMinSketch({ capacity: 64, sampleSize: 20 });
    for (let i = 0; i < 12; i++) sketch.increment(hashString('old'));
    for (let i = 0; i < 8; i++) sketch.increment(hashString(`new${i}`));
    expect(sketch.frequency(hashString('old'))).toBeLessThanOrEqual(7);
  });
});
