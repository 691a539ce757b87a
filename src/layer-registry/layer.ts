// What the management API needs from each cache layer: the same verbs for
// traces (layer 1), compiled evaluators (layer 2) and WebGPU pipelines (layer 3).
import type { CacheInfo } from '../cache/cache.js';
import type { VacuumResult } from '../cache/management/vacuum.js';
import type { TierRecord } from '../cache/tiers/tier.js';

/** Names of phasekit's cache layers, in layer order. */
export const LAYER_NAMES = ['traces', 'evaluators', 'pipelines'] as const;

/** A cache layer: 'traces' (1), 'evaluators' (2), 'pipelines' (3). */
export type CacheLayer = (typeof LAYER_NAMES)[number];

/** One layer's numbers, as `cacheInfo()` reports them: its toolkit cache's info plus the layer number. */
export interface LayerInfo extends CacheInfo {
  /** Layer number: 1 traces, 2 compiled evaluators, 3 WebGPU pipelines. */
  layer: 1 | 2 | 3;
}

/** The verbs each layer offers the management API. */
export interface LayerHandle {
  readonly layer: 1 | 2 | 3;
  readonly name: CacheLayer;
  info(): Promise<LayerInfo>;
  clear(): Promise<void>;
  /** Stored entries as archive records (values: the entry's verified binary form). */
  exportRecords(): Promise<TierRecord<Uint8Array>[]>;
  /** Verifies and stores archive records; returns how many were imported. */
  importRecords(records: TierRecord<Uint8Array>[]): Promise<number>;
  vacuum(options: { maxAgeDays?: number; maxBytes?: number }): Promise<VacuumResult[]>;
  /** Layers registered later (3) follow configureCacheLayers / closeCacheLayers / layerDirectories through these. */
  configure?(options: { persistence?: 'indexeddb' | 'file' | 'none'; root?: string; sync?: boolean }): void;
  close?(): Promise<void>;
  directory?(): Promise<string | undefined>;
  /** Layers with something to warm at start-up (3: compiles stored pipelines) do it here; prewarm() runs it in the background. */
  prewarm?(): Promise<unknown>;
}

