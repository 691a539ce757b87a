/**
 * Turns values into what a tier stores and back. IndexedDB can hold structured-clone
 * values as they are; files and remote stores need bytes ({@link ByteSerializer}).
 */
export interface Serializer<Stored = unknown> {
  /** Recorded with each entry so a reader can tell how it was written. */
  readonly name: string;
  /** Value → stored form. Throws CacheError `NOT_SERIALIZABLE` when it cannot. */
  encode(value: unknown): Stored;
  /** Stored form → value. Throws CacheError `CORRUPT` when the data is unreadable. */
  decode(data: Stored): unknown;
  /**
   * Throws CacheError `NOT_SERIALIZABLE` (naming the offending part, e.g. `value.a[3]`)
   * when `decode(encode(value))` would not give back an equal value. Optional; the cache
   * calls it before writing any tier, so a refused value changes nothing.
   */
  check?(value: unknown): void;
  /**
   * True when `decode` checks the stored form's integrity itself (a checksum of its own) and
   * throws CacheError `CORRUPT` on any damage: the file tier then skips its own checksum of
   * the value on reads, which would check the same bytes twice.
   */
  readonly verifiesItself?: boolean;
}

/** A serializer whose stored form is bytes, as file and remote tiers need. */
export type ByteSerializer = Serializer<Uint8Array>;
