// Main-thread bundle sizes of phasekit's entry points, as a browser app would ship
// them: each entry bundled alone by esbuild (minified ES modules, browser platform,
// dependencies included, code splitting on), counting the bytes loaded at start —
// the entry chunk and the chunks it imports statically — gzipped. Chunks behind a
// dynamic import() (loaded only when needed) and worker entries (separate files that
// `new Worker(new URL(...))` loads) are not main-thread start-up bytes.
//   npx tsx bench/bundle/size.ts [root]   (root: another checkout, to compare)
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = resolve(process.argv[2] ?? '.');
const entries: Record<string, string> = {
  'phasekit/pool': 'src/pool/index.ts',
  'phasekit/cache': 'src/cache/index.ts',
  phasekit: 'src/index.ts',
  'kernel worker (browser)': existsSync(resolve(root, 'workers/browser.ts')) ? 'workers/browser.ts' : 'src/pool/kernel-worker.ts',
};

console.log(`bundle sizes of ${root}`);
console.log('| entry | minified bytes | gzip bytes | inputs |');
console.log('|---|--:|--:|--:|');
for (const [name, entry] of Object.entries(entries)) {
  const out = await build({
    entryPoints: [resolve(root, entry)], bundle: true, minify: true, format: 'esm', platform: 'browser',
    target: 'es2022', write: false, metafile: true, logLevel: 'silent', splitting: true, outdir: '/tmp/phasekit-bundle',
    // Node-only modules are reached through process.getBuiltinModule or guarded dynamic imports.
    external: ['node:*'],
  });
  const outputs = out.metafile.outputs;
  const first = Object.keys(outputs).find((path) => outputs[path].entryPoint)!;
  const loaded = new Set<string>();
  const visit = (path: string): void => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const i of outputs[path].imports) if (i.kind === 'import-statement' && outputs[i.path]) visit(i.path);
  };
  visit(first);
  const wanted = new Set([...loaded].map((path) => resolve(path)));
  const files = out.outputFiles.filter((f) => wanted.has(f.path));
  const bytes = files.reduce((n, f) => n + f.contents.byteLength, 0);
  const gzip = files.reduce((n, f) => n + gzipSync(f.contents, { level: 9 }).byteLength, 0);
  const inputs = new Set([...loaded].flatMap((path) => Object.keys(outputs[path].inputs)));
  console.log(`| ${name} | ${bytes} | ${gzip} | ${inputs.size} |`);
}
