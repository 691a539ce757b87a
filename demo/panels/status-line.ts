// The status line: kernel, workers (alive, busy, replaced), WebGPU (adapter or why
// not) and offline readiness, kept current while the page is open.
import type { Session } from '../compute/session.js';
import { webGpuStatus, type WebGpuStatus } from '../status/webgpu.js';

const $status = (name: string) => document.querySelector<HTMLElement>(`[data-status="${name}"]`)!;

/** The line under the header. */
export class StatusLine {
  /** The WebGPU probe's answer, once asked for (see checkWebGpu). */
  webgpu: Promise<WebGpuStatus> | null = null;

  constructor(private readonly session: Session) {
    this.refresh();
    setInterval(() => this.refresh(), 1000);
  }

  /** Asks for WebGPU once (starting a device takes a moment: the page asks after its first results). */
  checkWebGpu(): Promise<WebGpuStatus> {
    this.webgpu ??= webGpuStatus().then((s) => {
      const span = $status('webgpu');
      span.textContent = s.available ? `WebGPU: ${s.detail}` : `WebGPU: none (${s.detail}); computing in WebAssembly`;
      span.dataset.available = String(s.available);
      return s;
    });
    return this.webgpu;
  }

  setKernel(text: string): void {
    $status('kernel').textContent = `kernel: ${text}`;
  }

  setOffline(text: string): void {
    $status('offline').textContent = `offline: ${text}`;
  }

  /** Workers from the pool's counters. */
  refresh(): void {
    const s = this.session.pool.stats();
    const replaced = s.crashed + s.timedOut + s.aborted;
    $status('workers').textContent = `workers: ${s.workers} of ${s.size} running, ${s.busy} busy${s.queued ? `, ${s.queued} queued` : ''}${replaced ? `, ${replaced} replaced (${s.aborted} cancelled)` : ''}`;
  }
}
