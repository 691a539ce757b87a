/** The eviction policies the memory tier offers. */
export type PolicyName = 'lru' | 'lfu' | 'frecency';

/**
 * Decides which resident entry leaves the memory tier next. The tier owns the slots
 * (small integers); a policy only orders them. Implementations keep their state in
 * typed arrays indexed by slot so that a hit costs no allocation.
 */
export interface EvictionPolicy {
  /** Policy name, for stats and messages. */
  readonly name: PolicyName;
  /**
   * Whether {@link insert} and {@link recordMiss} read the key's hash (`hashString`):
   * the tier then computes it once, for its index and the policy. Other policies get 0.
   */
  readonly usesKeyHash: boolean;
  /** Makes room for slot numbers below `slots`. */
  grow(slots: number): void;
  /** A new entry took `slot`; `key` and its `hash` let frequency sketches count it. */
  insert(slot: number, key: string, hash: number): void;
  /** The entry in `slot` was read or overwritten. */
  touch(slot: number): void;
  /** A lookup for `key` (with this `hash`) missed; admission filters count it. */
  recordMiss(key: string, hash: number): void;
  /** The entry in `slot` left for a reason of its own (delete, expiry). */
  remove(slot: number): void;
  /** Chooses and detaches the slot to evict next, -1 when nothing is resident. */
  evict(): number;
  /** Forgets every slot. */
  clear(): void;
}
