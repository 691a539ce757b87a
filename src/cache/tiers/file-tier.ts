import { CacheError } from '../errors.js';
import { binarySerializer } from '../serializers/binary.js';
import type { ByteSerializer } from '../serializers/serializer.js';
import { crc32 as crc32Js } from './crc32.js';
import { encodeEntryPrefix, entryLayout, parseEntryHeader, verifyValue, type Crc32, type EntryHeader } from './file-entry-format.js';
import { ENTRY_SUFFIX, entryName, hostTag, isAbandoned, tempName, tempWriter } from './file-names.js';
import { metaOf, type CacheTier, type TierEntryMeta, type TierRecord, type TierScan } from './tier.js';

/** The calls the file tier makes; `node:fs/promises` by default. */
export type FileSystem = Pick<typeof import('node:fs/promises'), 'open' | 'readFile' | 'readdir' | 'rename' | 'rm' | 'mkdir' | 'utimes' | 'stat'>;

/** Options for {@link FileTier}. */
export interface FileTierOptions {
  /** Cache name; the default directory is `<XDG cache dir>/phasekit/<name>`. */
  name: string;
  /** Directory to use instead ($XDG_CACHE_HOME, else ~/.cache, is the default root). */
  dir?: string;
  /** How values become bytes (default binary: ArrayBuffer and typed arrays raw, the rest JSON). */
  serializer?: ByteSerializer;
  /** A temporary file older than this is an abandoned write and is removed (default 10 minutes). */
  staleTempMs?: number;
  /** File system to use (default `node:fs/promises`): any object with the same calls. */
  fs?: FileSystem;
  /** Entries up to this many bytes are read synchronously (default 256 KiB): briefly blocking beats four thread-pool trips. */
  syncReadBytes?: number;
}

type Path = typeof import('node:path');

type FileHandle = Awaited<ReturnType<FileSystem['open']>>;

interface Loaded {
  fs: FileSystem;
  /** Node's synchronous fs, for small reads; null with a caller's own `fs` (its calls are async only). */
  sync: SyncFs | null;
  readFlags: number;
  crc32: Crc32;
  path: Path;
  dir: string;
  nameOf: (key: string) => string;
  host: string;
}

// Larger files are not entries this tier wrote (Node cannot read them into one buffer).
const MAX_ENTRY_BYTES = 2 ** 31 - 1;
// The first read of a header: enough for nearly every header in one call.
const FIRST_READ = 4096;
// Files handled at once by list/clear: enough to overlap I/O, few enough for any fd limit.
const CONCURRENCY = 32;

// Specifiers in variables keep browser bundlers from trying to resolve Node built-ins.
const FS_MODULE = 'node:fs/promises';
const PATH_MODULE = 'node:path';
const OS_MODULE = 'node:os';
const CRYPTO_MODULE = 'node:crypto';
const FS_CONSTANTS_MODULE = 'node:fs';
const ZLIB_MODULE = 'node:zlib';

/**
 * Entries as files in a directory (Node), one per key (see tiers/file-entry-format.ts).
 * Writes go to a temporary file renamed into place, so readers never see half an entry.
 *
 * Nothing on disk can crash or mislead it: a junk, truncated or misplaced file is CORRUPT
 * (dropped and counted); temporary files of killed writers are swept by `list`, `clear`
 * and vacuuming; a directory deleted meanwhile is recreated by the next write; file system
 * failures surface as CacheError `TIER_UNAVAILABLE` (or `QUOTA_EXCEEDED`) naming the path.
 */
export class FileTier implements CacheTier {
  readonly name = 'file';
  readonly shared = true;
  private readonly serializer: ByteSerializer;
  private readonly staleTempMs: number;
  private modules: Promise<Loaded> | undefined;
  private corruptFound = 0;
  /** mtime of entries read synchronously since their last touch (bounded: cleared past RECENT_READS). */
  private readonly recentReads = new Map<string, number>();

  constructor(private readonly options: FileTierOptions) {
    this.serializer = options.serializer ?? binarySerializer;
    this.staleTempMs = options.staleTempMs ?? 10 * 60_000;
  }

  /** The directory entries live in. */
  async directory(): Promise<string> {
    return (await this.load()).dir;
  }

  async get(key: string): Promise<TierRecord | undefined> {
    const file = await this.fileOf(key);
    const { sync, readFlags, crc32 } = await this.load();
    // A small entry is read synchronously: four thread-pool round trips (open, stat, read,
    // close) cost more than the read, and blocking for at most syncReadBytes is brief.
    // Read so, it may go straight into the serializer's own buffer (readBuffer).
    const s = this.serializer;
    const buffer = sync && s.readBuffer && s.releaseBuffer ? { get: (n: number) => s.readBuffer!(n), release: (b: Uint8Array) => s.releaseBuffer!(b) } : undefined;
    const stat = { mtimeMs: NaN };
    let bytes = sync ? readSmallSync(sync, file, readFlags, this.options.syncReadBytes ?? SYNC_READ_BYTES, buffer, stat) : null;
    this.noteRead(key, stat.mtimeMs);
    const lent = bytes && buffer ? bytes : null; // the serializer's until decode takes it over
    if (bytes === null) bytes = await this.readWhole(file);
    if (bytes === undefined) return undefined;
    let decoding = false;
    try {
      const header = parseEntryHeader(bytes, file, crc32);
      const { meta, codec, valueOffset } = header;
      if (!s.verifiesItself) verifyValue(header, bytes.subarray(valueOffset), file, crc32);
      if (meta.key !== key) throw new CacheError('CORRUPT', `${file} holds entry "${meta.key}", not "${key}"`);
      if (codec !== s.name) throw new CacheError('CORRUPT', `entry "${key}" was written by serializer "${codec}", not "${s.name}"`);
      decoding = true;
      return { ...meta, value: s.decode(bytes.subarray(valueOffset)) };
    } catch (cause) {
      if (cause instanceof CacheError || !decoding) throw cause;
      throw new CacheError('CORRUPT', `${file}: unreadable value`, { cause });
    } finally {
      if (lent && !decoding) buffer!.release(lent);
    }
  }

  private noteRead(key: string, mtimeMs: number): void {
    if (!Number.isFinite(mtimeMs)) return;
    if (this.recentReads.size >= RECENT_READS) this.recentReads.clear();
    this.recentReads.set(key, mtimeMs);
  }

  /** The whole file, or undefined when it does not exist. */
  private async readWhole(file: string): Promise<Uint8Array | undefined> {
    const opened = await this.open(file);
    if (!opened) return undefined;
    const { handle, size } = opened;
    try {
      if (size > MAX_ENTRY_BYTES) throw new CacheError('CORRUPT', `${file}: ${size} bytes is too large to be an entry`);
      // One positional read for the whole file: FileHandle.readFile goes in 512 KiB round
      // trips through the thread pool, which dominated the time of a multi-megabyte hit.
      const bytes = new Uint8Array(size);
      let read = 0;
      while (read < size) {
        const { bytesRead } = await handle.read(bytes, read, size - read, read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      if (read < size) throw new CacheError('CORRUPT', `${file}: shorter than its size (${read} of ${size} bytes)`);
      return bytes;
    } catch (error) {
      throw fsError(error, 'read', file);
    } finally {
      await handle.close().catch(() => {});
    }
  }

  async head(key: string): Promise<TierEntryMeta | undefined> {
    const file = await this.fileOf(key);
    const header = await this.readOrDrop(file);
    if (!header) return undefined;
    if (header.meta.key !== key) {
      await this.drop(file);
      return undefined;
    }
    return header.meta;
  }

  checkValue(value: unknown): void {
    this.serializer.check?.(value);
  }

  async set(record: TierRecord): Promise<void> {
    const { fs, dir, host, crc32 } = await this.load();
    const file = await this.fileOf(record.key);
    const payload = this.serializer.encode(record.value);
    const prefix = encodeEntryPrefix({ ...metaOf(record), size: payload.byteLength }, this.serializer.name, payload, crc32);
    const temp = tempName(file, host);
    try {
      await this.writeTemp(temp, [prefix, payload]).catch(async (error) => {
        if (codeOf(error) !== 'ENOENT') throw error;
        // The directory is gone (never made, or deleted meanwhile): make it and try again.
        await fs.mkdir(dir, { recursive: true });
        await this.writeTemp(temp, [prefix, payload]);
      });
      await fs.rename(temp, file);
      const accessed = new Date(record.accessedAt);
      await fs.utimes(file, accessed, accessed);
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => {});
      throw fsError(error, 'write', file);
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    const { fs } = await this.load();
    const files = await Promise.all(keys.map((key) => this.fileOf(key)));
    const failed = await settleAll(files, (file) => fs.rm(file, { force: true }));
    if (failed.length > 0) throw fsError(failed[0].error, `delete ${failed.length} of ${files.length} entries, e.g.`, failed[0].item);
  }

  /** Removes every entry and every abandoned temporary file; throws `TIER_UNAVAILABLE` when any of them stays. */
  async clear(): Promise<void> {
    const { fs, path, dir } = await this.load();
    const names = await this.names();
    const entries = names.filter((name) => name.endsWith(ENTRY_SUFFIX)).map((name) => path.join(dir, name));
    const failed = await settleAll(entries, (file) => fs.rm(file, { force: true }));
    await this.sweepTemps(names);
    if (failed.length > 0) throw fsError(failed[0].error, `clear ${dir}: could not remove ${failed.length} of ${entries.length} entries, e.g.`, failed[0].item);
  }

  async list(): Promise<TierEntryMeta[]> {
    return (await this.scan()).entries;
  }

  /** Entry metadata, with writes under way counted apart; drops junk entry files and abandoned temporary files on the way. */
  async scan(): Promise<TierScan> {
    const { path, dir, nameOf } = await this.load();
    const names = await this.names();
    const entries: TierEntryMeta[] = [];
    await forEachLimited(names.filter((name) => name.endsWith(ENTRY_SUFFIX)), async (name) => {
      const file = path.join(dir, name);
      const header = await this.readOrDrop(file);
      if (!header) return;
      // A file not named after its key (junk, or a copy) would answer for the wrong key.
      if (nameOf(header.meta.key) !== name) await this.drop(file);
      else entries.push(header.meta);
    });
    return { entries, pending: await this.sweepTemps(names) };
  }

  takeCorrupt(): number {
    const found = this.corruptFound;
    this.corruptFound = 0;
    return found;
  }

  async touch(key: string, accessedAt: number): Promise<void> {
    // A file just read with an access time this recent needs no system call to say so again.
    const modified = this.recentReads.get(key);
    this.recentReads.delete(key);
    if (modified !== undefined && accessedAt - modified >= 0 && accessedAt - modified < TOUCH_SLACK_MS) return;
    const { fs } = await this.load();
    const at = new Date(accessedAt);
    await fs.utimes(await this.fileOf(key), at, at).catch(() => {}); // mtime: reads leave it alone (atime is relatime-noisy)
  }

  // The header of an entry file, its access time from the mtime; undefined when the file is
  // gone. Reads at most the header, whatever the file claims.
  private async readHeader(file: string): Promise<EntryHeader | undefined> {
    const opened = await this.open(file);
    if (!opened) return undefined;
    const { handle, size, mtimeMs } = opened;
    const { crc32 } = await this.load();
    try {
      const first = new Uint8Array(Math.min(size, FIRST_READ));
      const { bytesRead } = await handle.read(first, 0, first.byteLength, 0);
      const { prefixBytes, headerBytes } = entryLayout(first.subarray(0, bytesRead), size, file);
      let bytes = first.subarray(0, bytesRead);
      if (prefixBytes + headerBytes > bytesRead) {
        bytes = new Uint8Array(prefixBytes + headerBytes);
        bytes.set(first.subarray(0, bytesRead));
        const rest = await handle.read(bytes, bytesRead, bytes.byteLength - bytesRead, bytesRead);
        if (bytesRead + rest.bytesRead < bytes.byteLength) throw new CacheError('CORRUPT', `${file}: truncated header`);
      }
      const { valueOffset: _valueOffset, ...header } = parseEntryHeader(bytes, file, crc32, size);
      return { ...header, meta: { ...header.meta, accessedAt: Math.max(header.meta.accessedAt, Math.floor(mtimeMs)) } };
    } catch (error) {
      throw fsError(error, 'read', file);
    } finally {
      await handle.close().catch(() => {});
    }
  }

  // Opens an entry file for reading; undefined when it does not exist. Non-blocking, and
  // anything but a regular file (a FIFO would block a read forever) is CORRUPT.
  private async open(file: string): Promise<{ handle: FileHandle; size: number; mtimeMs: number } | undefined> {
    const { fs, readFlags } = await this.load();
    let handle: FileHandle;
    try {
      handle = await fs.open(file, readFlags);
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return undefined;
      throw fsError(error, 'open', file);
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new CacheError('CORRUPT', `${file}: not a regular file`);
      return { handle, size: stats.size, mtimeMs: stats.mtimeMs };
    } catch (error) {
      await handle.close().catch(() => {});
      throw fsError(error, 'read', file);
    }
  }

  // The header, or undefined after dropping an unreadable file.
  private async readOrDrop(file: string): Promise<EntryHeader | undefined> {
    try {
      return await this.readHeader(file);
    } catch (error) {
      if (!(error instanceof CacheError && error.code === 'CORRUPT')) throw error;
      await this.drop(file);
      return undefined;
    }
  }

  // Removes a corrupt file and counts it (once: a file that cannot be removed is found again next time, uncounted).
  private async drop(file: string): Promise<void> {
    const { fs } = await this.load();
    try {
      await fs.rm(file);
      this.corruptFound++;
    } catch {
      // Gone already, or not removable: either way it is never returned.
    }
  }

  // Removes abandoned temporary files; counts the others (writes under way).
  private async sweepTemps(names: readonly string[]): Promise<TierScan['pending']> {
    const { fs, path, dir, host } = await this.load();
    const pending = { records: 0, bytes: 0 };
    const now = Date.now();
    await forEachLimited(names, async (name) => {
      const writer = tempWriter(name);
      if (!writer) return;
      const file = path.join(dir, name);
      try {
        const { mtimeMs, size } = await fs.stat(file);
        if (isAbandoned(writer, mtimeMs, now, this.staleTempMs, host)) {
          await fs.rm(file, { force: true });
        } else {
          pending.records++;
          pending.bytes += size;
        }
      } catch (error) {
        // Renamed into place or removed meanwhile: nothing left to count.
        if (codeOf(error) !== 'ENOENT') throw fsError(error, 'sweep', file);
      }
    });
    return pending;
  }

  private async writeTemp(temp: string, parts: Uint8Array[]): Promise<void> {
    const { fs } = await this.load();
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writev(parts);
    } finally {
      await handle.close();
    }
  }

  // Names in the directory; none when it does not exist (yet, or any more).
  private async names(): Promise<string[]> {
    const { fs, dir } = await this.load();
    try {
      return await fs.readdir(dir);
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return [];
      throw fsError(error, 'read directory', dir);
    }
  }

  private async fileOf(key: string): Promise<string> {
    const { path, dir, nameOf } = await this.load();
    return path.join(dir, nameOf(key));
  }

  private load(): Promise<Loaded> {
    return (this.modules ??= (async () => {
      const { fs: nodeFs, sync: nodeSync, path, os, crypto, constants, zlib } = await nodeModules();
      const fs: FileSystem = this.options.fs ?? nodeFs;
      const sync = this.options.fs ? null : nodeSync;
      const crc32: Crc32 = (bytes) => (bytes.byteLength <= JS_CRC_BYTES ? crc32Js(bytes) : zlib().crc32(bytes));
      const root = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
      const dir = this.options.dir ?? path.join(root, 'phasekit', this.options.name);
      // The directory is made by the first write, not here: reading a missing one is just empty.
      const readFlags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
      return { fs, sync, readFlags, crc32, path, dir, nameOf: (key: string) => entryName(crypto, key), host: hostTag(crypto, os.hostname()) };
    })());
  }
}

let loadedModules: Promise<NodeModules> | null = null;

type SyncFs = Pick<typeof import('node:fs'), 'openSync' | 'fstatSync' | 'readSync' | 'closeSync'>;

interface NodeModules {
  fs: FileSystem;
  sync: SyncFs;
  path: Path;
  os: typeof import('node:os');
  crypto: typeof import('node:crypto');
  constants: typeof import('node:fs').constants;
  /** zlib, loaded on first use: a small entry's header is checked without it. */
  zlib: () => typeof import('node:zlib');
}

// Checksums of up to this many bytes (an entry's header, a small value) are computed in JavaScript.
const JS_CRC_BYTES = 4096;

type GetBuiltinModule = (id: string) => unknown;

// Node's modules, once per process: a tier made per request (or a cache reopened) would
// otherwise pay for them on its first read, several times the read itself. Where Node has
// process.getBuiltinModule (20.16 and later) they come from it, synchronously and without an
// ES module namespace, whose creation runs every lazy getter of the module (fs's promises and
// streams, crypto's webcrypto: milliseconds in a fresh process). The promise-based fs is then
// loaded by the first asynchronous call, which a small read does not make.
function nodeModules(): Promise<NodeModules> {
  return (loadedModules ??= (async () => {
    const proc = (globalThis as { process?: { getBuiltinModule?: GetBuiltinModule } }).process;
    if (proc?.getBuiltinModule) {
      const getBuiltin = (id: string) => proc.getBuiltinModule!(id);
      const nodeFs = getBuiltin('node:fs') as typeof import('node:fs');
      let zlib: typeof import('node:zlib') | undefined;
      return {
        fs: new Proxy({} as FileSystem, { get: (_, name) => nodeFs.promises[name as keyof FileSystem] }),
        sync: nodeFs, path: getBuiltin('node:path') as Path, os: getBuiltin('node:os') as typeof import('node:os'),
        crypto: getBuiltin('node:crypto') as typeof import('node:crypto'), constants: nodeFs.constants,
        zlib: () => (zlib ??= getBuiltin('node:zlib') as typeof import('node:zlib')),
      };
    }
    const [fs, path, os, crypto, nodeFs, zlib] = await Promise.all([
      import(/* @vite-ignore */ FS_MODULE) as Promise<FileSystem>,
      import(/* @vite-ignore */ PATH_MODULE) as Promise<Path>,
      import(/* @vite-ignore */ OS_MODULE) as Promise<typeof import('node:os')>,
      import(/* @vite-ignore */ CRYPTO_MODULE) as Promise<typeof import('node:crypto')>,
      import(/* @vite-ignore */ FS_CONSTANTS_MODULE) as Promise<typeof import('node:fs')>,
      import(/* @vite-ignore */ ZLIB_MODULE) as Promise<typeof import('node:zlib')>,
    ]);
    return { fs, sync: nodeFs, path, os, crypto, constants: nodeFs.constants, zlib: () => zlib };
  })());
}

// Entries up to this size are read synchronously (see get).
const SYNC_READ_BYTES = 256 * 1024;
// Access times are kept to this precision (a minute: vacuuming goes by days, eviction by
// order): a hit on a file touched within it skips the utimes call, a thread-pool trip.
const TOUCH_SLACK_MS = 60_000;
const RECENT_READS = 1024;

/**
 * `file` read synchronously when it is at most `limit` bytes (into `buffer.get`'s buffer when
 * given; its mtime into `stat`); undefined when it does not exist, null when it is larger
 * (the caller reads it asynchronously). Opened non-blocking and checked to be a regular file
 * first, as the asynchronous path is: a FIFO never blocks.
 */
function readSmallSync(fs: SyncFs, file: string, flags: number, limit: number,
  buffer?: { get(n: number): Uint8Array; release(b: Uint8Array): void }, stat?: { mtimeMs: number }): Uint8Array | undefined | null {
  let fd: number;
  try {
    fd = fs.openSync(file, flags);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw fsError(error, 'open', file);
  }
  try {
    const stats = fs.fstatSync(fd);
    if (!stats.isFile()) throw new CacheError('CORRUPT', `${file}: not a regular file`);
    if (stats.size > limit || stats.size > MAX_ENTRY_BYTES) return null;
    if (stat) stat.mtimeMs = stats.mtimeMs;
    const bytes = buffer ? buffer.get(stats.size) : new Uint8Array(stats.size);
    try {
      let read = 0;
      while (read < bytes.length) {
        const n = fs.readSync(fd, bytes, read, bytes.length - read, read);
        if (n === 0) break;
        read += n;
      }
      if (read < bytes.length) throw new CacheError('CORRUPT', `${file}: shorter than its size (${read} of ${bytes.length} bytes)`);
    } catch (error) {
      buffer?.release(bytes);
      throw error;
    }
    return bytes;
  } catch (error) {
    throw fsError(error, 'read', file);
  } finally {
    try { fs.closeSync(fd); } catch { /* already unusable: nothing to release */ }
  }
}

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

/** A file system failure as a CacheError naming the path: QUOTA_EXCEEDED when full, else TIER_UNAVAILABLE. */
function fsError(error: unknown, action: string, path: string): CacheError {
  if (error instanceof CacheError) return error;
  const code = codeOf(error);
  const detail = code ?? (error instanceof Error ? error.message : String(error));
  if (code === 'ENOSPC' || code === 'EDQUOT') return new CacheError('QUOTA_EXCEEDED', `disk full: cannot ${action} ${path} (${code})`, { cause: error });
  return new CacheError('TIER_UNAVAILABLE', `cannot ${action} ${path} (${detail})`, { cause: error });
}

// Runs `task` on every item, at most CONCURRENCY at once; rejects with the first failure after all have settled.
async function forEachLimited<T>(items: readonly T[], task: (item: T) => Promise<void>): Promise<void> {
  const failed = await settleAll(items, task);
  if (failed.length > 0) throw failed[0].error;
}

// Runs `task` on every item, at most CONCURRENCY at once; returns the failures.
async function settleAll<T>(items: readonly T[], task: (item: T) => Promise<unknown>): Promise<{ item: T; error: unknown }[]> {
  const failed: { item: T; error: unknown }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await task(item);
      } catch (error) {
        failed.push({ item, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return failed;
}
