// The demo's kernel worker: the kernel's methods plus the demo's (a module worker).
import type { Endpoint } from 'comlink';
import { kernelMethods, serve } from '../../src/worker/index.js';
import { demoMethods } from './demo-methods.js';

serve({ ...kernelMethods, ...demoMethods }, globalThis as unknown as Endpoint);
