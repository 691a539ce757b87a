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
  /**
   * Where a file tier reads an entry of `byteLength` bytes (optional): for a serializer whose
   * `decode` would copy the bytes anyway (into WebAssembly memory, say), reading there saves
   * the copy and a second buffer. `decode` is then given a view into it and takes it over;
   * one that never reaches `decode` goes back through `releaseBuffer`. Used by synchronous
   * reads only, so nothing runs between the allocation and `decode`.
   */
  readBuffer?(byteLength: number): Uint8Array;
  /** Frees a buffer from `readBuffer` that `decode` never received. */
  releaseBuffer?(buffer: Uint8Array): void;
}

/** A serializer whose stored form is bytes, as file and remote tiers need. */
export type ByteSerializer = Serializer<Uint8Array>;
