// The kernel worker for browsers (a module worker): serves the kernel's method
// table to the pool over the worker's own global scope.
import type { Endpoint } from 'comlink';
import { kernelMethods, serve } from '../src/worker/index.js';

serve(kernelMethods, globalThis as unknown as Endpoint);
