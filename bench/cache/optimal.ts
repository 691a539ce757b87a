/**
 * Belady's OPT miss count (evict the key used furthest in the future): the lower bound
 * any policy of this capacity can reach on `trace`, counting compulsory misses.
 */
export function optimalMisses(trace: Int32Array, capacity: number): number {
  // nextUse[i]: where trace[i]'s key comes next (Infinity-like when never).
  const never = trace.length;
  const nextUse = new Int32Array(trace.length);
  const seenAt = new Map<number, number>();
  for (let i = trace.length - 1; i >= 0; i--) {
    nextUse[i] = seenAt.get(trace[i]) ?? never;
    seenAt.set(trace[i], i);
  }
  // Resident keys by their next use, in a max-heap with lazy deletion (stale entries skipped).
  const residentNext = new Map<number, number>();
  const heapKeys: number[] = [];
  const heapNext: number[] = [];
  const push = (key: number, next: number): void => {
    let i = heapKeys.length;
    heapKeys.push(key);
    heapNext.push(next);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heapNext[parent] >= next) break;
      heapKeys[i] = heapKeys[parent];
      heapNext[i] = heapNext[parent];
      i = parent;
    }
    heapKeys[i] = key;
    heapNext[i] = next;
  };
  const pop = (): number => {
    const top = heapKeys[0];
    const lastKey = heapKeys.pop() as number;
    const lastNext = heapNext.pop() as number;
    if (heapKeys.length > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= heapKeys.length) break;
        if (child + 1 < heapKeys.length && heapNext[child + 1] > heapNext[child]) child++;
        if (heapNext[child] <= lastNext) break;
        heapKeys[i] = heapKeys[child];
        heapNext[i] = heapNext[child];
        i = child;
      }
      heapKeys[i] = lastKey;
      heapNext[i] = lastNext;
    }
    return top;
  };
  let misses = 0;
  for (let i = 0; i < trace.length; i++) {
    const key = trace[i];
    if (!residentNext.has(key)) {
      misses++;
      if (residentNext.size >= capacity) {
        // The heap top may be stale (its key was used since); skip until a current one.
        for (;;) {
          const next = heapNext[0];
          const victim = pop();
          if (residentNext.get(victim) === next) {
            residentNext.delete(victim);
            break;
          }
        }
      }
    }
    residentNext.set(key, nextUse[i]);
    push(key, nextUse[i]);
  }
  return misses;
}
