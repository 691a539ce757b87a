// The kernel worker for Node (worker_threads): serves the kernel's method table
// to the pool over parentPort.
import { parentPort } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { kernelMethods, serve } from '../src/worker/index.js';

if (!parentPort) throw new Error('phasekit: workers/node.js is a worker_threads entry; start it with new Worker(...)');
serve(kernelMethods, nodeEndpoint(parentPort));
