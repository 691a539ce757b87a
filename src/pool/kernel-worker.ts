// The kernel worker's entry module: the one file a pool starts, in browsers
// (module workers) and in Node (worker_threads) alike.
import { kernelMethods } from './methods.js';
import { serve } from './serve.js';

serve(kernelMethods);
