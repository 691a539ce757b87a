import { CacheError } from '../errors.js';
import { envelopeBytes, openRecord, sealRecord, splitEnvelope } from '../remote/envelope.js';
import { RemoteHealth, type RemoteHealthOptions } from '../remote/health.js';
import { MANIFEST_FILE, metaFromManifest, parseManifest, type Manifest } from '../remote/manifest.js';
import { checkNamespace } from '../remote/namespace.js';
import { WriteQueue, type WriteQueueOptions, type WriteQueueStats } from '../remote/write-queue.js';
import { binarySerializer } from '../serializers/binary.js';
import type { ByteSerializer } from '../serializers/serializer.js';
import { metaOf, type CacheTier, type TierEntryMeta, type TierRecord } from './tier.js';

/** HTTP methods the tier sends. */
export type HttpTierMethod = 'GET' | 'HEAD' | 'PUT' | 'DELETE';

/** Options of {@link httpTier}. */
export interface HttpTierOptions extends RemoteHealthOptions {
  /** Where namespaces live: objects are `{baseUrl}/{namespace}/{key}`. Any static server or CDN reads; PUT-capable ones (S3 presigned, WebDAV, nginx dav_methods) also write. */
  baseUrl: string;
  /** Folder under `baseUrl` (default 'default'): letters, digits, `.`, `_`, `-`. */
  namespace?: string;
  /** Tier name in stats (default 'http'). */
  name?: string;
  /** Write sets and deletes back to the server, asynchronously (default false: read-only). */
  writeBack?: boolean;
  /** How values become bytes (default binary: typed arrays raw, the rest JSON). Readers must use the same. */
  serializer?: ByteSerializer;
  /** Per-request time limit (default 15 000 ms). */
  timeoutMs?: number;
  /** Extra request headers (authorisation, …), fixed or per request. */
  headers?: Record<string, string> | ((method: HttpTierMethod, url: string) => Record<string, string> | Promise<Record<string, string>>);
  /** Turns an object URL into the one to request, e.g. an S3 presigned URL. */
  signUrl?: (url: string, method: HttpTierMethod) => string | Promise<string>;
  /** fetch implementation (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** Aborts every request; the tier then acts as an empty, read-only one. */
  signal?: AbortSignal;
  /** Bounds and retries of the write-back queue. */
  queue?: Pick<WriteQueueOptions<unknown>, 'maxEntries' | 'maxBytes' | 'attempts' | 'retryDelayMs' | 'concurrency'>;
  /** How long `close()` waits for queued writes (default 5000 ms). */
  closeTimeoutMs?: number;
  /** Largest object (or manifest) accepted from the server (default 1 GiB); a larger one is refused unread. */
  maxObjectBytes?: number;
}

/** A write waiting in the queue: a record to PUT, or a DELETE. */
type PendingWrite = { kind: 'set'; record: TierRecord } | { kind: 'delete' };

/** Counters of an {@link HttpTier} beyond the cache's own. */
export interface HttpTierStats {
  /** Objects that failed verification and were rejected. */
  rejected: number;
  /** Outages seen (each warned about once). */
  outages: number;
  /** The write-back queue (absent when read-only). */
  writeBack?: WriteQueueStats;
}

// Keys that are safe as a URL path segment and as a file name keep their name on the
// server (content hashes do); any other key is stored under "~" + SHA-256 of it.
const PLAIN_KEY = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,200}$/;
const REMEMBERED_KEYS = 100_000;
const encoder = new TextEncoder();

/**
 * A content-addressed store over plain HTTP: `GET/PUT/DELETE {baseUrl}/{namespace}/{key}`
 * and a `manifest.json` per namespace. Every object is verified on arrival (envelope
 * checksum, format version, key, serializer) and rejected when it fails. Reads happen
 * on demand; writes, when enabled, go through a bounded background queue. An unreachable
 * server makes the tier empty and silent (one warning) until it answers again.
 */
export class HttpTier implements CacheTier {
  readonly name: string;
  readonly shared = true;
  /** The namespace's URL, without a trailing slash. */
  readonly url: string;
  private readonly namespace: string;
  private readonly serializer: ByteSerializer;
  private readonly health: RemoteHealth;
  private readonly queue: WriteQueue<PendingWrite> | undefined;
  private readonly fetch: typeof fetch;
  // Keys deleted here or rejected as corrupt: never served again until set here.
  private readonly hidden = new Set<string>();
  private clearedAt = 0;
  private rejected = 0;
  private warnedWriteFailure = false;

  constructor(private readonly options: HttpTierOptions) {
    this.namespace = checkNamespace(options.namespace ?? 'default');
    this.url = `${checkBaseUrl(options.baseUrl)}/${this.namespace}`;
    this.name = options.name ?? 'http';
    this.serializer = options.serializer ?? binarySerializer;
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.health = new RemoteHealth(`the HTTP cache at ${this.url}`, options);
    if (options.writeBack) {
      this.queue = new WriteQueue<PendingWrite>({
        ...options.queue,
        apply: async (key, op) => void (op.kind === 'set' ? await this.put(op.record) : await this.remove(key)),
        sizeOf: (op) => (op.kind === 'set' ? op.record.size : 0),
        retryAt: () => this.health.retryAt,
        onGiveUp: (key, _op, reason, error) => this.onGiveUp(key, reason, error),
      });
    }
  }

  async get(key: string): Promise<TierRecord | undefined> {
    const pending = this.queue?.pending(key);
    if (pending) return pending.kind === 'set' ? pending.record : undefined;
    if (this.hidden.has(key)) return undefined;
    const bytes = await this.download(await this.objectUrl(key));
    if (!bytes) return undefined;
    let record: TierRecord;
    try {
      record = await openRecord(splitEnvelope(bytes, key), key, this.serializer);
    } catch (error) {
      this.rejected++;
      this.remember(key);
      throw error;
    }
    return record.storedAt < this.clearedAt ? undefined : record;
  }

  /** Costs a GET of the whole object (static servers keep no metadata apart); a browser's HTTP cache then serves the `get`. */
  async head(key: string): Promise<TierEntryMeta | undefined> {
    const record = await this.get(key);
    return record && metaOf(record);
  }

  async set(record: TierRecord): Promise<void> {
    if (!this.queue || this.options.signal?.aborted) return;
    this.hidden.delete(record.key);
    this.queue.enqueue(record.key, { kind: 'set', record });
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      this.remember(key);
      this.queue?.enqueue(key, { kind: 'delete' });
    }
  }

  /** Hides every entry stored so far; with write-back also deletes the manifest's objects and empties the manifest. */
  async clear(): Promise<void> {
    this.clearedAt = Date.now();
    this.queue?.clear();
    if (!this.queue) return;
    const manifest = await this.manifest();
    for (const entry of manifest?.entries ?? []) this.queue.enqueue(entry.key, { kind: 'delete' });
    if (manifest) await this.putManifest({ ...manifest, updatedAt: Date.now(), entries: [] });
  }

  /** The published entries (the manifest) and this process's queued writes. */
  async list(): Promise<TierEntryMeta[]> {
    const metas = new Map<string, TierEntryMeta>();
    for (const entry of (await this.manifest())?.entries ?? []) {
      if (!this.hidden.has(entry.key) && entry.storedAt >= this.clearedAt) metas.set(entry.key, metaFromManifest(entry));
    }
    for (const meta of this.pendingMetas()) metas.set(meta.key, meta);
    return [...metas.values()];
  }

  /** The namespace's manifest, or undefined when it has none (or the server is unreachable). */
  async manifest(): Promise<Manifest | undefined> {
    const url = `${this.url}/${MANIFEST_FILE}`;
    // Manifests change when a cache is republished: revalidate rather than trust an HTTP cache.
    const bytes = await this.download(url, 'no-cache');
    return bytes && parseManifest(new TextDecoder().decode(bytes), url);
  }

  /** Publishes `manifest` (needs a server that accepts PUT). */
  async putManifest(manifest: Manifest): Promise<void> {
    await this.upload(`${this.url}/${MANIFEST_FILE}`, encoder.encode(JSON.stringify(manifest)), 'application/json');
  }

  /** Seals and uploads one record now, bypassing the queue; resolves to the bytes stored. */
  async put(record: TierRecord): Promise<number> {
    const envelope = await sealRecord(record, this.serializer);
    await this.upload(await this.objectUrl(record.key), new Blob([envelope.head as BlobPart, envelope.payload as BlobPart]), 'application/octet-stream');
    return envelopeBytes(envelope);
  }

  /** Whether the server holds an object for `key` (a HEAD request; its content is not checked). */
  async exists(key: string): Promise<boolean> {
    const response = await this.send('HEAD', await this.objectUrl(key));
    return response !== undefined;
  }

  /** Checks the server answers (the manifest may be absent); throws CacheError `TIER_UNAVAILABLE` when not. */
  async probe(): Promise<void> {
    await this.send('GET', `${this.url}/${MANIFEST_FILE}`, { cache: 'no-cache' }, true);
  }

  /** Waits until queued writes have reached the server; false when `timeoutMs` passed first. */
  flush(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    return this.queue?.flush(options) ?? Promise.resolve(true);
  }

  /** Rejections, outages and the write-back queue. */
  stats(): HttpTierStats {
    return { rejected: this.rejected, outages: this.health.outages, ...(this.queue ? { writeBack: this.queue.stats() } : {}) };
  }

  /** Waits (up to `closeTimeoutMs`) for queued writes, then stops retrying. */
  async close(): Promise<void> {
    if (!this.queue) return;
    await this.queue.flush({ timeoutMs: this.options.closeTimeoutMs ?? 5000 });
    this.queue.close();
  }

  /** The URL of `key`'s object. */
  async objectUrl(key: string): Promise<string> {
    if (PLAIN_KEY.test(key) && key !== MANIFEST_FILE) return `${this.url}/${key}`;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(key)));
    return `${this.url}/~${Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
  }

  private async download(url: string, cache?: RequestCache): Promise<Uint8Array | undefined> {
    const response = await this.send('GET', url, cache ? { cache } : {});
    return response && readBounded(response, this.options.maxObjectBytes ?? 1024 ** 3, url);
  }

  private async upload(url: string, body: BodyInit, type: string): Promise<void> {
    await this.send('PUT', url, { body, headers: { 'content-type': type } }, true);
  }

  private async remove(key: string): Promise<void> {
    await this.send('DELETE', await this.objectUrl(key));
  }

  /**
   * One request, within the time limit. Resolves to the response when 2xx, undefined when
   * 404/410 (or, for reads, while the server is down). Network failures, timeouts, 5xx and
   * 429 mark the server down and throw CacheError `TIER_UNAVAILABLE`; other statuses throw `REJECTED`.
   */
  private async send(method: HttpTierMethod, url: string, init: RequestInit = {}, required = false): Promise<Response | undefined> {
    const { signal } = this.options;
    if (signal?.aborted) {
      if (required) throw new CacheError('CLOSED', `the HTTP tier for ${this.url} was aborted`);
      return undefined;
    }
    if (!this.health.up && !required) {
      if (method === 'GET' || method === 'HEAD') return undefined;
      throw this.health.unavailable('still down');
    }
    let response: Response;
    try {
      const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 15_000);
      const target = (await this.options.signUrl?.(url, method)) ?? url;
      const extra = typeof this.options.headers === 'function' ? await this.options.headers(method, url) : this.options.headers;
      response = await this.fetch(target, {
        ...init,
        method,
        headers: { ...extra, ...(init.headers as Record<string, string> | undefined) },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      if (response.status >= 500 || response.status === 429) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    } catch (error) {
      if (signal?.aborted) throw new CacheError('CLOSED', `the HTTP tier for ${this.url} was aborted`, { cause: error });
      this.health.failed(error);
      throw this.health.unavailable(error);
    }
    this.health.succeeded();
    if (response.ok) return response;
    await response.body?.cancel();
    if (response.status === 404 || response.status === 410) return undefined;
    throw new CacheError('REJECTED', `${method} ${url}: HTTP ${response.status} ${response.statusText}`.trim());
  }

  private *pendingMetas(): Generator<TierEntryMeta> {
    for (const [, op] of this.queue?.waiting() ?? []) if (op.kind === 'set') yield metaOf(op.record);
  }

  private remember(key: string): void {
    this.hidden.delete(key);
    this.hidden.add(key);
    if (this.hidden.size > REMEMBERED_KEYS) this.hidden.delete(this.hidden.values().next().value as string);
  }

  private onGiveUp(key: string, reason: 'overflow' | 'failed', error: unknown): void {
    if (this.warnedWriteFailure) return;
    this.warnedWriteFailure = true;
    const why = reason === 'overflow' ? 'the write-back queue is full' : `every attempt failed (${error instanceof Error ? error.message : String(error)})`;
    console.warn(`phasekit cache: an entry (${JSON.stringify(key)}) was not written back to ${this.url}: ${why}; the local copy is kept. Further failures are counted in stats().writeBack`);
  }
}

/** A tier over an HTTP content-addressed store. See {@link HttpTierOptions}. */
export function httpTier(options: HttpTierOptions): HttpTier {
  return new HttpTier(options);
}

// A misbehaving server must not make this process grow without bound.
async function readBounded(response: Response, limit: number, url: string): Promise<Uint8Array> {
  const tooLarge = () => new CacheError('REJECTED', `${url} is larger than maxObjectBytes (${limit} bytes)`);
  const declared = response.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) {
    await response.body?.cancel();
    throw tooLarge();
  }
  // A declared length is enforced by fetch itself; only an undeclared one needs counting.
  if (declared !== null || !response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (const reader = response.body.getReader(); ; ) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function checkBaseUrl(baseUrl: string): string {
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new CacheError('BAD_OPTION', `baseUrl must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);
  }
  return baseUrl.replace(/\/+$/, '');
}
