// Bundles the command line (dist/src/cli/main.js and everything it imports from dist/src/)
// into one module beside it, dist/src/cli/bundle.js, which bin/phasekit.js runs. Node spent
// 125–212 ms resolving and loading the 201 modules one by one on every call; the bundle loads
// in 66–84 ms. Dependencies stay imports of node_modules. The bundle sits at the same depth as
// the modules it replaces, so the paths they make from import.meta.url (the kernel worker
// script, the package root) resolve to the same files. Runs after build:lib.
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
