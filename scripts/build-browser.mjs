// Builds dist/browser/, one folder a page can import from with no bundler and no
// import map (plain <script type="module">, Observable, JupyterLite):
//   phasekit.js         the library and its worker pool (browser/phasekit.ts)
//   phasekit-worker.js  the kernel worker (workers/browser.ts)
//   chunk-*.js          code both share, loaded once (beside the entries: modules find
//                       phasekit.wasm and the worker relative to their own URL)
//   phasekit.wasm       the kernel, fetched by both (browser/kernel-file.ts)
// Dependencies (comlink, hash-wasm, idb) are bundled in. Runs after build:wasm and
// build:lib; the declarations (phasekit.d.ts) are tsc's.
import { build } from 'esbuild';
import { copyFileSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';

const out = 'dist/browser';
if (!existsSync('build/phasekit.wasm')) throw new Error('build/phasekit.wasm is missing: run `npm run build:wasm` first');

// tsc compiled browser/ file by file; keep its declarations, the bundle replaces its code.
if (existsSync(out)) for (const name of readdirSync(out)) if (!name.endsWith('.d.ts')) rmSync(join(out, name), { recursive: true });

/** The kernel is fetched as a file beside the bundle instead of decoded from the base64 module. */
const kernelFromFile = {
  name: 'kernel-from-file',
  setup(b) {
    b.onResolve({ filter: /^\.\/wasm-source\.js$/ }, (args) =>
      args.importer.endsWith(join('src', 'kernel', 'module.ts')) ? { path: resolve('browser/kernel-file.ts') } : undefined);
  },
};

const result = await build({
  entryPoints: { phasekit: 'browser/phasekit.ts', 'phasekit-worker': 'workers/browser.ts' },
  outdir: out,
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  plugins: [kernelFromFile],
});
copyFileSync('build/phasekit.wasm', join(out, 'phasekit.wasm'));

// A page without an import map can resolve relative imports only.
const problems = [];
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  for (const { path, external } of output.imports) if (external) problems.push(`${file} imports '${path}'`);
  for (const input of Object.keys(output.inputs)) if (input.includes('wasm-binary.generated')) problems.push(`${file} embeds the base64 kernel`);
}
if (problems.length) throw new Error(`dist/browser is not self-contained:\n  ${problems.join('\n  ')}`);

const sizes = readdirSync(out, { recursive: true })
  .map(String)
  .filter((name) => /\.(js|wasm)$/.test(name) && statSync(join(out, name)).isFile())
  .map((name) => `${name} ${(statSync(join(out, name)).size / 1024).toFixed(0)} KB (gzip ${(gzipSync(readFileSync(join(out, name))).length / 1024).toFixed(0)} KB)`);
console.log(`dist/browser: ${sizes.join(', ')}`);
