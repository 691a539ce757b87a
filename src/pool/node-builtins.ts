// Node built-ins, reached without an import statement so that bundlers building
// for browsers see nothing to resolve (process.getBuiltinModule: Node ≥ 20.16).
import type * as WorkerThreads from 'node:worker_threads';
import type * as Os from 'node:os';

interface Builtins {
  'node:worker_threads': typeof WorkerThreads;
  'node:os': typeof Os;
}

/** The Node built-in `id`, or undefined outside Node. */
export function nodeBuiltin<K extends keyof Builtins>(id: K): Builtins[K] | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(id) as Builtins[K] | undefined;
}
