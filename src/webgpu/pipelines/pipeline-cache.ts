// Layer 3: WebGPU compute pipelines. Two tiers:
//   memory     per device, a map of Promise<GPUComputePipeline> by key, so
//              concurrent requests for one pipeline share one compile;
//   persistent the pipeline's record (WGSL, entry point, layout, constants,
//              adapter and features; never a binary) in IndexedDB or files,
//              through the cache toolkit. prewarm() compiles every stored
//              record for this adapter in the background when a device starts,
//              so the browser's own shader cache is hit before the first
//              evaluation asks.
// Pipelines are created with createComputePipelineAsync and an explicit layout.
import { createCache, type Cache, type CacheInfo } from '../../cache/cache.js';
import type { VacuumResult } from '../../cache/management/vacuum.js';
import type { ByteSerializer } from '../../cache/serializers/serializer.js';
import { FileTier } from '../../cache/tiers/file-tier.js';
import type { TierSpec } from '../../cache/tiers/resolve-tiers.js';
import type { TierRecord } from '../../cache/tiers/tier.js';
import { TraceError } from '../../errors/index.js';
import { defaultPersistence, layerDirectory, type LayerPersistence } from '../../trace-cache/persistence.js';
import { SHADER_STAGE_COMPUTE } from '../device/constants.js';
import {
  decodePipelineRecord, encodePipelineRecord, pipelineKey, PIPELINE_FORMAT_VERSION,
  type BindingKind, type PipelineRecord, type PipelineRequest,
} from './pipeline-record.js';

/** The device a pipeline is made for, with what its key names of it. */
export interface PipelineTarget {
  device: GPUDevice;
  /** The device's features, sorted. */
  features: string[];
  /** The adapter, as one string. */
  adapter: string;
}

/** Options of {@link PipelineCache}. */
export interface PipelineCacheOptions {
  /** Cache name: IndexedDB database / directory. Default 'pipelines'. */
  name?: string;
  /** The persistent tier of the records. Default: IndexedDB where it exists, else files in Node. */
  persistence?: LayerPersistence;
  /** Root of the layers' file stores (Node): records go to `<root>/pipelines`. */
  root?: string;
  /** Exact directory of the file store. */
  dir?: string;
  /** IndexedDB factory (tests). */
  indexedDB?: IDBFactory;
  /** Keep other tabs coherent. Default true. */
  sync?: boolean;
}

/** Layer 3's numbers: the record store's, with pipeline counts in place of record lookups. */
export interface PipelineLayerInfo extends CacheInfo {
  layer: 3;
  /** Pipeline requests answered from the memory tier (compiled or being compiled already). */
  hits: number;
  /** Pipeline requests that had to compile. */
  misses: number;
  /** Pipelines compiled by this process: on request and by prewarm. */
  computed: number;
  /** Of those, compiled by prewarm from stored records. */
  prewarmed: number;
  /** Milliseconds spent in createComputePipelineAsync, summed. */
  compileMs: number;
}

interface DeviceEntry {
  pipelines: Map<string, Promise<GPUComputePipeline>>;
  layouts: Map<string, { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout }>;
}

const serializer: ByteSerializer = {
  name: 'phasekit-pipeline-v1',
  encode: (value) => encodePipelineRecord(value as PipelineRecord),
  decode: (bytes) => decodePipelineRecord(bytes),
};

const BUFFER_TYPE: Record<BindingKind, GPUBufferBindingType> = { uniform: 'uniform', 'read-only-storage': 'read-only-storage', storage: 'storage' };

/** Compute pipelines by content key: a per-device memory map in front of stored records. */
export class PipelineCache {
  /** The record store (toolkit cache). */
  readonly cache: Cache<PipelineRecord>;
  readonly persistence: LayerPersistence;
  private readonly fileTier: FileTier | null;
  private devices = new WeakMap<GPUDevice, DeviceEntry>();
  private readonly counts = { hits: 0, misses: 0, computed: 0, prewarmed: 0, compileMs: 0 };

  constructor(options: PipelineCacheOptions = {}) {
    const name = options.name ?? 'pipelines';
    this.persistence = options.persistence ?? defaultPersistence();
    this.fileTier = this.persistence === 'file' ? new FileTier({ name, dir: options.dir ?? layerDirectory(name, options.root), serializer }) : null;
    const tiers: TierSpec[] = this.fileTier ? ['memory', this.fileTier] : this.persistence === 'none' ? ['memory'] : ['memory', this.persistence];
    this.cache = createCache<PipelineRecord>({
      name, tiers, policy: 'frecency', maxEntries: 256, serializer, version: PIPELINE_FORMAT_VERSION,
      sizeOf: (r) => r.code.length + 256, indexedDB: options.indexedDB, sync: options.sync,
    });
  }

  /** The pipeline for `request` on `target`'s device: from memory, else compiled (once, however many ask at once) and its record stored. */
  async pipeline(target: PipelineTarget, request: PipelineRequest): Promise<GPUComputePipeline> {
    const record: PipelineRecord = { code: request.code, entryPoint: request.entryPoint, layout: request.layout, constants: request.constants ?? {}, features: target.features, adapter: target.adapter };
    const key = await this.keyOf(record);
    const entry = this.entryOf(target.device);
    const live = entry.pipelines.get(key);
    if (live) { this.counts.hits++; return live; }
    this.counts.misses++;
    const made = this.compile(target.device, entry, key, record, false);
    const storing = this.store(key, record);
    this.storing.add(storing);
    void storing.finally(() => this.storing.delete(storing));
    return made;
  }

  /** The explicit layout of `layout`'s bindings on `device` (made once per device). */
  layoutFor(device: GPUDevice, layout: BindingKind[]): { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout } {
    const entry = this.entryOf(device);
    const id = layout.join(',');
    let made = entry.layouts.get(id);
    if (!made) {
      const group = device.createBindGroupLayout({
        entries: layout.map((kind, binding) => ({ binding, visibility: SHADER_STAGE_COMPUTE, buffer: { type: BUFFER_TYPE[kind] } })),
      });
      made = { group, pipeline: device.createPipelineLayout({ bindGroupLayouts: [group] }) };
      entry.layouts.set(id, made);
    }
    return made;
  }

  /**
   * Compiles every stored record made for this adapter and feature set into the memory
   * tier. Records that fail their hash are dropped and counted as corrupt; a record that
   * no longer compiles is dropped too.
   */
  prewarm(target: PipelineTarget, options: { signal?: AbortSignal } = {}): Promise<{ warmed: number; skipped: number; failed: number; ms: number }> {
    this.lastPrewarm = this.warm(target, options);
    return this.lastPrewarm;
  }

  /** The latest prewarm (the one a starting device runs in the background), or null. */
  lastPrewarm: Promise<{ warmed: number; skipped: number; failed: number; ms: number }> | null = null;

  private async warm(target: PipelineTarget, options: { signal?: AbortSignal }): Promise<{ warmed: number; skipped: number; failed: number; ms: number }> {
    const t0 = performance.now();
    const out = { warmed: 0, skipped: 0, failed: 0, ms: 0 };
    const entry = this.entryOf(target.device);
    const features = [...target.features].sort().join(',');
    const work: Promise<unknown>[] = [];
    for (const key of await this.cache.keys()) {
      if (options.signal?.aborted) break;
      let record: PipelineRecord | undefined;
      try {
        record = await this.cache.get(key);
      } catch {
        out.failed++;
        continue;
      }
      if (!record) continue;
      if ((await pipelineKey(encodePipelineRecord(record))) !== key) {
        await this.cache.markCorrupt(key);
        out.failed++;
        continue;
      }
      if (record.adapter !== target.adapter || [...record.features].sort().join(',') !== features || entry.pipelines.has(key)) { out.skipped++; continue; }
      work.push(this.compile(target.device, entry, key, record, true).then(
        () => { out.warmed++; },
        async () => { out.failed++; await this.cache.delete(key).catch(() => false); },
      ));
    }
    await Promise.all(work);
    out.ms = performance.now() - t0;
    return out;
  }

  /** Layer 3's numbers. */
  async info(): Promise<PipelineLayerInfo> {
    const info = await this.cache.info();
    const { hits, misses, computed, prewarmed, compileMs } = this.counts;
    return { ...info, layer: 3, hits, misses, hitRate: hits + misses ? hits / (hits + misses) : NaN, computed, prewarmed, compileMs };
  }

  /** Forgets every stored record, and every live pipeline (they are recompiled on demand). */
  async clear(): Promise<void> {
    await this.cache.clear();
    this.devices = new WeakMap();
  }

  /** Stored records as archive records (values: their canonical bytes). */
  async exportRecords(): Promise<TierRecord<Uint8Array>[]> {
    const records: TierRecord<Uint8Array>[] = [];
    const now = Date.now();
    for (const key of await this.cache.keys()) {
      const record = await this.cache.get(key).catch(() => undefined);
      if (!record) continue;
      const value = encodePipelineRecord(record);
      records.push({ key, value, storedAt: now, accessedAt: now, expiresAt: 0, size: value.byteLength, hits: 0, version: PIPELINE_FORMAT_VERSION });
    }
    return records;
  }

  /** Stores archive records after checking each (shape, then SHA-256 against its key); throws TraceError on a bad one. */
  async importRecords(records: TierRecord<Uint8Array>[]): Promise<number> {
    const checked: [string, PipelineRecord][] = [];
    for (const r of records) {
      let record: PipelineRecord;
      try {
        record = decodePipelineRecord(r.value as Uint8Array);
      } catch (e) {
        throw new TraceError('MALFORMED', `pipeline ${r.key.slice(0, 12)}…: ${(e as Error).message}`);
      }
      if ((await pipelineKey(encodePipelineRecord(record))) !== r.key) throw new TraceError('CHECKSUM_MISMATCH', `pipeline ${r.key.slice(0, 12)}… does not hash to its key`);
      checked.push([r.key, record]);
    }
    for (const [key, record] of checked) await this.cache.set(key, record);
    return checked.length;
  }

  /** Drops stored records not used for `maxAgeDays`, then the least valuable beyond `maxBytes`. */
  vacuum(options: { maxAgeDays?: number; maxBytes?: number } = {}): Promise<VacuumResult[]> {
    return this.cache.vacuum(options);
  }

  /** The file store's directory (Node, file persistence). */
  async directory(): Promise<string | undefined> {
    return this.fileTier?.directory();
  }

  /** Waits until every record of a pipeline compiled so far is stored (they are written in the background). */
  async flush(): Promise<void> {
    while (this.storing.size) await Promise.all(this.storing);
  }

  /** Stores the records still being written, then closes the record store. */
  async close(): Promise<void> {
    await this.flush();
    return this.cache.close();
  }

  private readonly storing = new Set<Promise<void>>();

  // Keys by the record's parts, the WGSL first: a repeated request hashes nothing (V8 keeps a string's hash on the string).
  private readonly keys = new Map<string, Map<string, string>>();
  private async keyOf(record: PipelineRecord): Promise<string> {
    const rest = JSON.stringify([record.entryPoint, record.layout, record.constants, record.features, record.adapter]);
    let byRest = this.keys.get(record.code);
    const known = byRest?.get(rest);
    if (known) return known;
    const key = await pipelineKey(encodePipelineRecord(record));
    if (!byRest) this.keys.set(record.code, (byRest = new Map()));
    byRest.set(rest, key);
    return key;
  }

  private entryOf(device: GPUDevice): DeviceEntry {
    let entry = this.devices.get(device);
    if (!entry) {
      entry = { pipelines: new Map(), layouts: new Map() };
      this.devices.set(device, entry);
    }
    return entry;
  }

  private compile(device: GPUDevice, entry: DeviceEntry, key: string, record: PipelineRecord, prewarm: boolean): Promise<GPUComputePipeline> {
    this.counts.computed++;
    if (prewarm) this.counts.prewarmed++;
    const t0 = performance.now();
    const made = (async () => {
      const layout = this.layoutFor(device, record.layout).pipeline;
      const module = device.createShaderModule({ code: record.code });
      const constants = Object.keys(record.constants).length ? record.constants : undefined;
      return device.createComputePipelineAsync({ layout, compute: { module, entryPoint: record.entryPoint, ...(constants ? { constants } : {}) } });
    })().finally(() => { this.counts.compileMs += performance.now() - t0; });
    entry.pipelines.set(key, made);
    made.catch(() => { if (entry.pipelines.get(key) === made) entry.pipelines.delete(key); });
    return made;
  }

  // A record that cannot be stored (quota, a read-only directory, a closed cache) costs a
  // recompile after the next reload, nothing more: the evaluation that asked goes on.
  private async store(key: string, record: PipelineRecord): Promise<void> {
    try {
      if (!(await this.cache.has(key))) await this.cache.set(key, record);
    } catch {
      this.storeFailures++;
    }
  }

  /** Records that could not be stored (they are compiled again after a reload). */
  storeFailures = 0;
}
