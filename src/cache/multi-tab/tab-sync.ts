/** What one tab tells the others about a cache. */
export type TabSyncMessage =
  /** These keys changed or left the shared tiers: drop memory copies. */
  | { type: 'evict'; keys: string[] }
  /** Every key starting with `prefix` left ('' for the whole cache). */
  | { type: 'clear'; prefix: string };

/**
 * Keeps the memory tiers of several tabs (or workers, or Node threads) coherent over a
 * BroadcastChannel per cache name. Where BroadcastChannel is absent it does nothing.
 */
export class TabSync {
  private readonly channel: BroadcastChannel | undefined;

  constructor(cacheName: string, onMessage: (message: TabSyncMessage) => void) {
    if (typeof BroadcastChannel !== 'function') return;
    this.channel = new BroadcastChannel(`phasekit-cache:${cacheName}`);
    this.channel.onmessage = (event: MessageEvent<TabSyncMessage>) => onMessage(event.data);
    // Node keeps the process alive for an open channel; a cache must not.
    (this.channel as { unref?: () => void }).unref?.();
  }

  /** True when messages actually travel. */
  get connected(): boolean {
    return this.channel !== undefined;
  }

  /** Tells the other tabs (never this one). */
  post(message: TabSyncMessage): void {
    this.channel?.postMessage(message);
  }

  /** Stops listening and sending. */
  close(): void {
    this.channel?.close();
  }
}
