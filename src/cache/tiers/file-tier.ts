import { CacheError, isQuotaError } from '../errors.js';
import { binarySerializer } from '../serializers/binary.js';
import type { ByteSerializer } from '../serializers/serializer.js';
import { metaOf, type CacheTier, type TierEntryMeta, type TierRecord } from './tier.js';

/** Options for {@link FileTier}. */
export interface FileTierOptions {
  /** Cache name; the default directory is `<XDG cache dir>/phasekit/<name>`. */
  name: string;
  /** Directory to use instead ($XDG_CACHE_HOME, else ~/.cache, is the default root). */
  dir?: string;
  /** How values become bytes (default binary: ArrayBuffer and typed arrays raw, the rest JSON). */
  serializer?: ByteSerializer;
}

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

/*
 * One file per entry, named by the SHA-256 of its key:
 *   "PKCE"  u32 LE header-length  header (UTF-8 JSON: TierEntryMeta + codec)  value bytes
 * Access times live in the file's mtime (set by `touch`), so a read never rewrites a (possibly huge) file.
 */
const MAGIC = 'PKCE';
const SUFFIX = '.entry';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
let tempCounter = 0;

// Specifiers in variables keep browser bundlers from trying to resolve Node built-ins.
const FS_MODULE = 'node:fs/promises';
const PATH_MODULE = 'node:path';
const OS_MODULE = 'node:os';
const CRYPTO_MODULE = 'node:crypto';

/** Entries as files in a directory (Node). Writes go to a temporary file renamed into place, so readers never see half an entry. */
export class FileTier implements CacheTier {
  readonly name = 'file';
  readonly shared = true;
  private readonly serializer: ByteSerializer;
  private modules: Promise<{ fs: Fs; path: Path; dir: string; digest: (key: string) => string }> | undefined;

  constructor(private readonly options: FileTierOptions) {
    this.serializer = options.serializer ?? binarySerializer;
  }

  /** The directory entries live in. */
  async directory(): Promise<string> {
    return (await this.load()).dir;
  }

  async get(key: string): Promise<TierRecord | undefined> {
    const bytes = await this.read(await this.fileOf(key));
    if (!bytes) return undefined;
    const { meta, codec, offset } = parseHeader(bytes, key);
    if (codec !== this.serializer.name) throw new CacheError('CORRUPT', `entry "${key}" was written by serializer "${codec}", not "${this.serializer.name}"`);
    return { ...meta, value: this.serializer.decode(bytes.subarray(offset)) };
  }

  async head(key: string): Promise<TierEntryMeta | undefined> {
    return this.readHeader(await this.fileOf(key));
  }

  async set(record: TierRecord): Promise<void> {
    const { fs } = await this.load();
    const file = await this.fileOf(record.key);
    const payload = this.serializer.encode(record.value);
    const header = encoder.encode(JSON.stringify({ ...metaOf(record), size: payload.byteLength, codec: this.serializer.name }));
    const prefix = new Uint8Array(8 + header.byteLength);
    prefix.set(encoder.encode(MAGIC));
    new DataView(prefix.buffer).setUint32(4, header.byteLength, true);
    prefix.set(header, 8);
    const temp = `${file}.${process.pid}-${tempCounter++}.tmp`;
    try {
      const handle = await fs.open(temp, 'w');
      try {
        await handle.writev([prefix, payload]);
      } finally {
        await handle.close();
      }
      await fs.rename(temp, file);
      const accessed = new Date(record.accessedAt);
      await fs.utimes(file, accessed, accessed);
    } catch (error) {
      await fs.rm(temp, { force: true });
      if (isQuotaError(error)) throw new CacheError('QUOTA_EXCEEDED', `disk full writing ${file}`, { cause: error });
      throw error;
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    const { fs } = await this.load();
    await Promise.all(keys.map(async (key) => fs.rm(await this.fileOf(key), { force: true })));
  }

  async clear(): Promise<void> {
    const { fs, path, dir } = await this.load();
    const names = await fs.readdir(dir);
    await Promise.all(names.filter((name) => name.endsWith(SUFFIX)).map((name) => fs.rm(path.join(dir, name), { force: true })));
  }

  async list(): Promise<TierEntryMeta[]> {
    const { fs, path, dir } = await this.load();
    const names = (await fs.readdir(dir)).filter((name) => name.endsWith(SUFFIX));
    const metas = await Promise.all(names.map((name) => this.readHeader(path.join(dir, name)).catch(() => undefined)));
    return metas.filter((meta): meta is TierEntryMeta => meta !== undefined);
  }

  async touch(key: string, accessedAt: number): Promise<void> {
    const { fs } = await this.load();
    const at = new Date(accessedAt);
    await fs.utimes(await this.fileOf(key), at, at).catch(() => {}); // mtime: reads leave it alone (atime is relatime-noisy)
  }

  private async readHeader(file: string): Promise<TierEntryMeta | undefined> {
    const { fs } = await this.load();
    let handle;
    try {
      handle = await fs.open(file, 'r');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const start = new Uint8Array(8);
      await handle.read(start, 0, 8, 0);
      const length = new DataView(start.buffer).getUint32(4, true);
      const bytes = new Uint8Array(8 + length);
      bytes.set(start);
      await handle.read(bytes, 8, length, 8);
      const { meta } = parseHeader(bytes, file);
      const { mtimeMs } = await handle.stat();
      return { ...meta, accessedAt: Math.max(meta.accessedAt, Math.floor(mtimeMs)) };
    } finally {
      await handle.close();
    }
  }

  private async read(file: string): Promise<Uint8Array | undefined> {
    const { fs } = await this.load();
    try {
      const data = await fs.readFile(file);
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private async fileOf(key: string): Promise<string> {
    const { path, dir, digest } = await this.load();
    return path.join(dir, digest(key) + SUFFIX);
  }

  private load(): Promise<{ fs: Fs; path: Path; dir: string; digest: (key: string) => string }> {
    return (this.modules ??= (async () => {
      const fs: Fs = await import(/* @vite-ignore */ FS_MODULE);
      const path: Path = await import(/* @vite-ignore */ PATH_MODULE);
      const os: typeof import('node:os') = await import(/* @vite-ignore */ OS_MODULE);
      const crypto: typeof import('node:crypto') = await import(/* @vite-ignore */ CRYPTO_MODULE);
      const root = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
      const dir = this.options.dir ?? path.join(root, 'phasekit', this.options.name);
      await fs.mkdir(dir, { recursive: true });
      const digest = (key: string): string => crypto.createHash('sha256').update(key).digest('hex');
      return { fs, path, dir, digest };
    })());
  }
}

function parseHeader(bytes: Uint8Array, where: string): { meta: TierEntryMeta; codec: string; offset: number } {
  if (bytes.byteLength < 8 || decoder.decode(bytes.subarray(0, 4)) !== MAGIC) throw new CacheError('CORRUPT', `${where}: not a cache entry`);
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  if (8 + length > bytes.byteLength) throw new CacheError('CORRUPT', `${where}: truncated header`);
  try {
    const { codec, ...meta } = JSON.parse(decoder.decode(bytes.subarray(8, 8 + length))) as TierEntryMeta & { codec: string };
    return { meta, codec, offset: 8 + length };
  } catch (cause) {
    throw new CacheError('CORRUPT', `${where}: unreadable header`, { cause });
  }
}
