// A restart as it really happens: one compile + E[T] in a process of its own, from the
// shipped build (dist/, plain JavaScript, as a user's program loads it), against a trace
// directory that is empty (cold) or holds the trace (hit). Nothing in the process has run
// before, so both sides pay for first-time JavaScript and WebAssembly code alike.
//   node bench/traces/fresh-process.mjs <coalescent|rabbits> <size> <dir>
// Prints the milliseconds of compile + E[T] (the graph is built before the clock starts).
import { compile, createTraceCache, models, ready } from '../../dist/src/index.js';

const [family, size, dir] = process.argv.slice(2);
await ready();
const graph = family === 'rabbits' ? models.rabbits(Number(size)) : models.coalescent(Number(size));
const theta = family === 'rabbits' ? [1, 2, 4] : [1];
graph.structure();
const cache = createTraceCache({ persistence: 'file', dir, sync: false });
const t0 = performance.now();
(await compile(graph, { store: cache })).expectation({ theta });
const ms = performance.now() - t0;
await cache.close();
process.stdout.write(`${ms}\n`);
