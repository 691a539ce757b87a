// The fixture's module worker: the same comparison, computed off the main thread.
import { compare } from './run.js';

self.onmessage = async (event: MessageEvent<{ n: number; rows: number; observations: number; precision: 'f32' | 'df64' }>) => {
  const { n, rows, observations, precision } = event.data;
  try {
    self.postMessage({ ok: true, result: await compare(n, rows, observations, 'webgpu', precision) });
  } catch (e) {
    self.postMessage({ ok: false, error: `${(e as Error).name}: ${(e as Error).message}` });
  }
};
