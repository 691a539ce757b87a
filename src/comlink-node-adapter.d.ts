// comlink ships this adapter as .mjs with a .d.ts that TypeScript does not pair with it.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  /** Wraps a worker_threads Worker or MessagePort as a Comlink endpoint. */
  export default function nodeEndpoint(nep: {
    postMessage(message: any, transfer?: readonly any[]): void;
    on(type: string, listener: (...args: any[]) => void): unknown;
    off(type: string, listener: (...args: any[]) => void): unknown;
    start?: () => void;
  }): Endpoint;
}
