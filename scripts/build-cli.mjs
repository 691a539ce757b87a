// Bundles the command line (dist/src/cli/main.js and everything it imports from dist/src/)
// into one module beside it, dist/src/cli/bundle.js, which bin/phasekit.js runs. Node spent
// 125–212 ms resolving and loading the 201 modules one by one on every call; the bundle loads
// in 66–84 ms. Dependencies stay imports of node_modules. The bundle sits at the same depth as
// the modules it replaces, so the paths they make from import.meta.url (the kernel worker
// script, the package root) resolve to the same files. Runs after build:lib.
//
// The Node kernel worker (dist/workers/node.js, which the pool starts in worker_threads) is
// bundled in place the same way: each worker loaded its modules one by one too, about 90 ms of
// a CLI call with --timeout-ms (moments of a small graph: 441-454 ms, bundled 340-380 ms) and
// of every pool's start in Node. Its source map described the unbundled file: removed.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/src/cli/bundle.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});

await build({
  entryPoints: ['dist/workers/node.js'],
  outfile: 'dist/workers/node.js',
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
await rm('dist/workers/node.js.map', { force: true });
