// The service worker (vite-plugin-pwa / Workbox): it precaches the app shell, the
// scripts, the worker and the kernel, so the site works offline; when a new
// version is deployed the page offers to reload instead of switching under you.
import { registerSW } from 'virtual:pwa-register';

/** What the page does about the service worker's news. */
export interface ServiceWorkerHandlers {
  /** A new version is waiting; `update()` activates it and reloads. */
  onNeedRefresh(update: () => Promise<void>): void;
  /** Everything is precached. */
  onOfflineReady(): void;
  /** No service worker here, and why. */
  onUnsupported(why: string): void;
}

/** Registers the service worker (production builds only; the dev server has none). */
export function registerServiceWorker(handlers: ServiceWorkerHandlers): void {
  if (!('serviceWorker' in navigator)) return handlers.onUnsupported('unavailable: this browser has no service workers');
  if (import.meta.env.DEV) return handlers.onUnsupported('not in the development server (build the site for offline use)');
  const update = registerSW({
    onNeedRefresh: () => handlers.onNeedRefresh(() => update(true)),
    onOfflineReady: () => handlers.onOfflineReady(),
    onRegisterError: (error: unknown) => handlers.onUnsupported(`the service worker failed to register: ${String(error)}`),
  });
  // A page opened again after everything was precached gets no onOfflineReady: say so from the controller.
  if (navigator.serviceWorker.controller) handlers.onOfflineReady();
}
