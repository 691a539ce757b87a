// The cache panel: phasekit's layers (1 traces, 2 compiled evaluators, 3 WebGPU
// pipelines) and the page's own toolkit caches, each with what is stored, hits,
// misses, hit rate and hottest keys; clear per layer, export to a file, import a
// file, vacuum; the origin's storage estimate and a persist button; and cold
// against warm timings of the computations so far.
import { cacheInfo, clearCache, exportCache, importCache, vacuum, LAYER_NAMES, type CacheLayer, type LayerInfo } from '../../src/index.js';
import { storageEstimate, persistStorage, type Cache } from '../../src/cache/index.js';
import type { Session } from '../compute/session.js';
import type { WorkerLayerStats } from '../worker/demo-methods.js';
import type { ComputationRecord } from '../gallery/gallery.js';
import { formatBytes, formatMs, formatNumber, formatPercent } from '../format/numbers.js';
import { describeError } from './errors.js';
import { element } from './element.js';

/** One row of the panel's table. */
interface Row {
  id: string;
  name: string;
  what: string;
  stored: { entries: number; bytes: number } | null;
  hits: number;
  misses: number;
  computed: number;
  hottest: { key: string; hits: number }[];
  /** Null for a layer not loaded in this page. */
  clear: (() => Promise<void>) | null;
}

const LAYER_WHAT: Record<CacheLayer, string> = {
  traces: 'layer 1: traces of graph structures',
  evaluators: 'layer 2: compiled evaluators',
  pipelines: 'layer 3: WebGPU pipelines',
};

/** Entries and bytes in the persistent tier (IndexedDB) of a cache's info. */
function storedOf(info: { tiers: Record<string, { entries: number; bytes: number }> }): { entries: number; bytes: number } | null {
  const tier = info.tiers.indexeddb;
  return tier ? { entries: tier.entries, bytes: tier.bytes } : null;
}

/** A table that scrolls sideways on narrow screens, reachable by keyboard. */
function scrollable(label: string, table: HTMLTableElement): HTMLElement {
  const box = element('div', { className: 'table-scroll', tabIndex: 0 }, table);
  box.setAttribute('role', 'region');
  box.setAttribute('aria-label', label);
  return box;
}

const shortKey = (key: string) => (key.length > 14 ? `${key.slice(0, 12)}…` : key);

/** The panel. */
export class CachePanel {
  private readonly rows: HTMLTableSectionElement;
  private readonly message: HTMLElement;
  private readonly storage: HTMLElement;
  private readonly timings: HTMLTableSectionElement;
  private reading: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly root: HTMLElement, private readonly session: Session, private readonly computations: ComputationRecord[]) {
    this.rows = element('tbody');
    this.message = element('p', { className: 'muted', id: 'cache-message' });
    this.message.setAttribute('role', 'status');
    this.storage = element('p', { id: 'storage-line' });
    this.timings = element('tbody', { id: 'cold-warm-rows' });
    const maxAge = element('input', { id: 'vacuum-days', type: 'number', min: '0', step: 'any', value: '30' });
    const maxMb = element('input', { id: 'vacuum-mb', type: 'number', min: '0', step: 'any', value: '256' });
    const file = element('input', { id: 'cache-import-file', type: 'file', accept: '.phasekit-cache,application/octet-stream' });
    file.addEventListener('change', () => void this.importFile(file));
    root.append(
      element('h2', { id: 'cache-title' }, 'Cache'),
      element('p', { className: 'muted' }, 'What phasekit keeps. IndexedDB is shared by this page and its workers; hits and misses are the workers\' (each keeps its own memory tier) plus this page\'s.'),
      scrollable('Cache layers and toolkit caches', element('table', { className: 'cache-table' },
        element('caption', { className: 'visually-hidden' }, 'Cache layers and toolkit caches'),
        element('thead', {}, element('tr', {}, ...['cache', 'stored (IndexedDB)', 'hits', 'misses', 'hit rate', 'built here', 'hottest keys', ''].map((h) => element('th', { scope: 'col' }, h)))),
        this.rows)),
      element('div', { className: 'actions' },
        this.button('cache-refresh', 'Refresh', () => this.refresh()),
        this.button('cache-clear-all', 'Clear everything', () => this.clearAll()),
        this.button('cache-export', 'Export to a file', () => this.exportFile()),
        element('label', { className: 'file-button', htmlFor: 'cache-import-file' }, 'Import a file', file)),
      element('div', { className: 'actions vacuum' },
        element('label', { htmlFor: 'vacuum-days' }, 'unused for more than (days)'), maxAge,
        element('label', { htmlFor: 'vacuum-mb' }, 'keep at most (MB)'), maxMb,
        this.button('cache-vacuum', 'Vacuum', () => this.vacuum(Number(maxAge.value), Number(maxMb.value)))),
      this.message,
      element('div', { className: 'storage' }, this.storage, this.button('storage-persist', 'Persist storage', () => this.persist())),
      element('h3', {}, 'Cold against warm'),
      scrollable('Cold against warm timings', element('table', { className: 'cold-warm' },
        element('caption', { className: 'visually-hidden' }, 'First and latest computation of each model'),
        element('thead', {}, element('tr', {}, ...['model', 'first time', 'latest', 'latest from', 'speed-up'].map((h) => element('th', { scope: 'col' }, h)))),
        this.timings)),
    );
  }

  private button(id: string, text: string, action: () => Promise<unknown>): HTMLButtonElement {
    const button = element('button', { id, type: 'button', textContent: text });
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await action();
      } catch (error) {
        this.say(describeError(error), true);
      } finally {
        button.disabled = false;
      }
    });
    return button;
  }

  private say(text: string, isError = false): void {
    this.message.textContent = text;
    this.message.className = isError ? 'error' : 'muted';
  }

  /**
   * Re-reads every layer and cache. One read at a time; a call during a read waits for a
   * fresh one (the running read may predate what the caller just changed), and calls
   * waiting together share it.
   */
  refresh(): Promise<void> {
    if (this.queued) return this.queued;
    const next: Promise<void> = (this.reading ?? Promise.resolve()).catch(() => {}).then(() => {
      this.queued = null;
      this.reading = next;
      return this.read();
    }).finally(() => { if (this.reading === next) this.reading = null; });
    this.queued = next;
    return next;
  }

  private async read(): Promise<void> {
    const [layers, workers, estimate] = await Promise.all([cacheInfo(), this.workerStats(), storageEstimate()]);
    const rows: Row[] = LAYER_NAMES.map((name) => this.layerRow(name, layers[name], workers));
    rows.push(await this.toolkitRow('demo-graphs', 'toolkit cache: built graphs', this.session.graphCache, () => this.session.forgetGraphs()));
    rows.push(await this.toolkitRow('demo-curves', 'toolkit cache: density and cdf curves', this.session.curveCache));
    this.rows.replaceChildren(...rows.map((row) => this.renderRow(row)));
    this.storage.textContent = estimate
      ? `Storage of this site: ${formatBytes(estimate.usage)} used of ${formatBytes(estimate.quota)} (${formatPercent(estimate.fraction)}); ${estimate.persisted ? 'persistent: the browser will not evict it' : 'not persistent: the browser may evict it under pressure'}.`
      : 'This browser does not report storage use.';
    this.storage.dataset.persisted = String(estimate?.persisted ?? false);
    this.renderTimings();
  }

  /** Each worker's counters (one call per worker slot; skipped while the pool is busy). */
  private async workerStats(): Promise<{ worker: string; traces: WorkerLayerStats; evaluators: WorkerLayerStats }[]> {
    const { pool } = this.session;
    const stats = pool.stats();
    if (stats.busy > 0 || stats.queued > 0) return this.lastWorkerStats;
    // Idle workers take one call each, so `size` calls at once reach every worker.
    const answers = await Promise.all(Array.from({ length: pool.size }, () => pool.call('cacheStats', null, undefined).catch(() => null)));
    const byWorker = new Map(answers.filter((a) => a !== null).map((a) => [a.worker, a]));
    this.lastWorkerStats = [...byWorker.values()];
    return this.lastWorkerStats;
  }
  private lastWorkerStats: { worker: string; traces: WorkerLayerStats; evaluators: WorkerLayerStats }[] = [];

  private layerRow(name: CacheLayer, info: LayerInfo | undefined, workers: { traces: WorkerLayerStats; evaluators: WorkerLayerStats }[]): Row {
    const inWorkers = name === 'pipelines' ? [] : workers.map((w) => w[name]);
    const sum = (pick: (s: WorkerLayerStats) => number) => inWorkers.reduce((total, s) => total + pick(s), 0);
    const hottest = new Map<string, number>();
    for (const s of inWorkers) for (const { key, hits } of s.hottest) hottest.set(key, (hottest.get(key) ?? 0) + hits);
    return {
      id: name, name: name, what: info ? LAYER_WHAT[name] : `${LAYER_WHAT[name]} (not loaded: no WebGPU backend in this build)`,
      stored: info ? storedOf(info) : null,
      hits: sum((s) => s.hits) + (info?.hits ?? 0), misses: sum((s) => s.misses) + (info?.misses ?? 0),
      computed: sum((s) => s.computed) + (info?.computed ?? 0),
      hottest: [...hottest].map(([key, hits]) => ({ key, hits })).filter((h) => h.hits > 0).sort((a, b) => b.hits - a.hits).slice(0, 3),
      clear: info ? () => clearCache({ layer: name }) : null,
    };
  }

  private async toolkitRow<V>(id: string, what: string, cache: Cache<V>, alsoForget?: () => void): Promise<Row> {
    const info = await cache.info();
    return {
      id, name: id, what, stored: storedOf(info), hits: info.hits, misses: info.misses, computed: info.computed,
      hottest: cache.hottestKeys(3).filter((h) => h.hits > 0),
      clear: async () => { alsoForget?.(); await cache.clear(); },
    };
  }

  private renderRow(row: Row): HTMLTableRowElement {
    const lookups = row.hits + row.misses;
    const tr = element('tr', {}, 
      element('th', { scope: 'row' }, element('span', { className: 'cache-name' }, row.name), element('br'), element('small', { className: 'muted' }, row.what)),
      element('td', { className: 'num' }, row.stored ? `${row.stored.entries.toLocaleString('en-US')} · ${formatBytes(row.stored.bytes)}` : '—'),
      element('td', { className: 'num' }, String(row.hits)),
      element('td', { className: 'num' }, String(row.misses)),
      element('td', { className: 'num' }, lookups ? formatPercent(row.hits / lookups) : '—'),
      element('td', { className: 'num' }, String(row.computed)),
      element('td', {}, row.hottest.length ? row.hottest.map((h) => `${shortKey(h.key)} (${h.hits})`).join(', ') : '—'),
      element('td', {}, !row.clear ? '' : this.button(`cache-clear-${row.id}`, 'Clear', async () => {
        await row.clear!();
        await this.refresh();
        this.say(`Cleared ${row.name}.`);
      })),
    );
    tr.dataset.cache = row.id;
    tr.dataset.entries = String(row.stored?.entries ?? 0);
    return tr;
  }

  private renderTimings(): void {
    const byKey = new Map<string, ComputationRecord[]>();
    for (const c of this.computations) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
    this.timings.replaceChildren(...[...byKey].map(([key, list]) => {
      const first = list[0], latest = list[list.length - 1];
      const from = latest.steps.map((s) => `${s.step}: ${s.from}`).join('; ');
      return element('tr', {},
        element('td', {}, `${first.title} (${key.startsWith('json:') ? 'JSON' : key.split(':')[1]})`),
        element('td', { className: 'num' }, `${formatMs(first.totalMs)}${first.cold ? ' (cold)' : ''}`),
        element('td', { className: 'num' }, list.length > 1 ? formatMs(latest.totalMs) : '—'),
        element('td', {}, list.length > 1 ? from : 'compute it again to compare'),
        element('td', { className: 'num' }, list.length > 1 ? `${formatNumber(first.totalMs / latest.totalMs, 3)}×` : '—'));
    }));
  }

  private async clearAll(): Promise<void> {
    await clearCache({ layer: 'all' });
    this.session.forgetGraphs();
    await Promise.all([this.session.graphCache.clear(), this.session.curveCache.clear()]);
    await this.refresh();
    this.say('Cleared every layer and cache.');
  }

  private async exportFile(): Promise<void> {
    const bytes = await exportCache();
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
    const link = element('a', { href: url, download: `phasekit-${new Date().toISOString().slice(0, 10)}.phasekit-cache` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    this.say(`Exported ${formatBytes(bytes.byteLength)} (every layer's stored entries, checksummed).`);
  }

  private async importFile(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    // The message comes after the table is current, so that what it says is on screen.
    let message: string, isError = false;
    try {
      const imported = await importCache(new Uint8Array(await file.arrayBuffer()));
      message = `Imported ${imported} ${imported === 1 ? 'entry' : 'entries'} from ${file.name}; every one was verified first.`;
    } catch (error) {
      message = `Nothing imported from ${file.name}: ${describeError(error)}`;
      isError = true;
    }
    await this.refresh();
    this.say(message, isError);
  }

  private async vacuum(maxAgeDays: number, maxMb: number): Promise<void> {
    if (!(maxAgeDays >= 0) || !(maxMb >= 0)) throw new RangeError('vacuum needs a number of days and of megabytes, 0 or more');
    const result = await vacuum({ maxAgeDays, maxBytes: maxMb * 1024 * 1024 });
    const all = Object.values(result).flat();
    const removed = all.reduce((n, r) => n + (r?.removed ?? 0), 0), freed = all.reduce((n, r) => n + (r?.freedBytes ?? 0), 0);
    await this.refresh();
    this.say(`Vacuum removed ${removed} ${removed === 1 ? 'entry' : 'entries'} (${formatBytes(freed)}).`);
  }

  private async persist(): Promise<void> {
    const granted = await persistStorage();
    await this.refresh();
    this.say(granted ? 'The browser agreed to keep this site\'s storage.' : 'The browser did not grant persistent storage (browsers grant it to installed or often-used sites).');
  }
}
