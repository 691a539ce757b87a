// The demo site's main page: the gallery computed in a worker pool, its plots,
// the inference panel, the cache panel, the status line and the service worker.
import { ready, models, Graph } from '../src/index.js';
import { Session } from './compute/session.js';
import { ModelForm } from './gallery/model-form.js';
import { Gallery, type ComputationRecord } from './gallery/gallery.js';
import { ProgressView } from './panels/progress.js';
import { StatusLine } from './panels/status-line.js';
import { CachePanel } from './panels/cache-panel.js';
import { InferencePanel } from './inference/inference-panel.js';
import { registerServiceWorker } from './status/service-worker.js';

declare global {
  interface Window {
    /** The library, for the console. */
    phasekit: { ready: typeof ready; models: typeof models; Graph: typeof Graph };
    /** The page's parts, for tests and the console. */
    demo: { session: Session; gallery: Gallery; cache: CachePanel; inference: InferencePanel; status: StatusLine; computations: ComputationRecord[] };
    /** Resolves once the kernel is loaded and the first model is on the page. */
    demoReady: Promise<void>;
  }
}
window.phasekit = { ready, models, Graph };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const session = new Session();
const status = new StatusLine(session);
const computations: ComputationRecord[] = [];
const cache = new CachePanel($('cache'), session, computations);
let gallery: Gallery;
const form = new ModelForm(() => {
  gallery.inputsChanged();
  inference.inputsChanged();
});
const progress = new ProgressView($('progress'), $<HTMLProgressElement>('progress-bar'), $('progress-label'));
gallery = new Gallery(session, form, progress, (record) => {
  computations.push(record);
  inference.modelComputed(record);
  void cache.refresh();
  status.refresh();
});
const inference = new InferencePanel($('inference'), session, () => void cache.refresh());
window.demo = { session, gallery, cache, inference, status, computations };

registerServiceWorker({
  onNeedRefresh: (update) => {
    $('update-banner').hidden = false;
    $('update-reload').onclick = update;
  },
  onOfflineReady: () => status.setOffline('ready: this page works without a network'),
  onUnsupported: (why) => status.setOffline(why),
});

window.demoReady = (async () => {
  const started = performance.now();
  await ready();
  status.setKernel(`ready in ${Math.round(performance.now() - started)} ms on this page (WebAssembly; each worker loads its own)`);
  await gallery.compute();
  await cache.refresh();
  // The WebGPU backend, where this build has one, registers cache layer 3 as it loads.
  void status.checkWebGpu().then(() => cache.refresh());
})();
window.demoReady.catch((error: unknown) => status.setKernel(`failed to load: ${String(error)}`));
