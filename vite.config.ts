import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';

// Every .html under demo/ (but public/, copied as it is) is a page: the demo itself
// plus the fixture pages the real-browser tests (e2e/) and benchmarks (bench/) drive.
function htmlPages(dir: string): Record<string, string> {
  const pages: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) { if (path !== join('demo', 'public')) Object.assign(pages, htmlPages(path)); }
    else if (name.endsWith('.html')) pages[relative('demo', path).replace(/\.html$/, '')] = resolve(path);
  }
  return pages;
}

/** Pages get the kernel as a file (a hashed asset the service worker precaches), not as base64 inside the scripts. */
function kernelAsFile(): Plugin {
  return {
    name: 'phasekit-kernel-as-file',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === './wasm-source.js' && importer && resolve(importer) === resolve('src/kernel/module.ts')) return resolve('demo/kernel-asset.ts');
      return null;
    },
  };
}

/** Files served as they are under a path of the site: the browser build and the notebook page's plotting scripts. */
function staticFiles(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const plot = join(dirname(require.resolve('@observablehq/plot')), '..'); // its main module is src/index.js
  const d3 = dirname(createRequire(join(plot, 'package.json')).resolve('d3'));
  const files: Record<string, string> = {
    'vendor/plot.umd.min.js': join(plot, 'dist/plot.umd.min.js'),
    'vendor/d3.min.js': join(d3, 'd3.min.js'),
  };
  if (existsSync('dist/browser'))
    for (const name of readdirSync('dist/browser')) if (!name.endsWith('.d.ts')) files[`browser/${name}`] = resolve('dist/browser', name);
  const results = latestBenchResults();
  if (results) files['bench-results/latest.json'] = results;
  return files;
}

/** The newest bench-results/<date>.json, if any. */
function latestBenchResults(): string | undefined {
  if (!existsSync('bench-results')) return undefined;
  const names = readdirSync('bench-results').filter((n) => /^\d{4}-\d{2}-\d{2}.*\.json$/.test(n)).sort();
  return names.length ? resolve('bench-results', names[names.length - 1]) : undefined;
}

/** Serves staticFiles() in development and emits them into the build. */
function siteFiles(): Plugin {
  return {
    name: 'phasekit-site-files',
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const path = decodeURIComponent((request.url ?? '').split('?')[0]).replace(/^\//, '');
        const file = staticFiles()[path];
        if (!file) return next();
        response.setHeader('content-type', path.endsWith('.wasm') ? 'application/wasm' : path.endsWith('.json') ? 'application/json' : 'text/javascript');
        response.end(readFileSync(file));
      });
    },
    generateBundle() {
      if (!existsSync('dist/browser/phasekit.js')) this.error('dist/browser is not built: run `npm run build:browser` first (npm run build does)');
      for (const [fileName, file] of Object.entries(staticFiles())) this.emitFile({ type: 'asset', fileName, source: readFileSync(file) });
    },
  };
}

export default defineConfig({
  root: 'demo',
  base: './',
  build: {
    outDir: '../dist-demo',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: htmlPages('demo') },
  },
  plugins: [
    kernelAsFile(),
    siteFiles(),
    VitePWA({
      strategies: 'generateSW',
      registerType: 'prompt',
      injectRegister: false,
      filename: 'sw.js',
      manifestFilename: 'manifest.webmanifest',
      // The manifest is demo/public/manifest.webmanifest, linked by each page with its own
      // relative path (the plugin would inject './manifest.webmanifest' into every page, wrong below the root).
      manifest: false,
      workbox: {
        // The app shell, scripts, the worker, the kernel and the notebook's files; not the
        // test and benchmark fixtures, and not bench results (they change without a deploy).
        globPatterns: ['**/*.{html,js,css,wasm,svg,png,webmanifest}'],
        globIgnores: ['**/e2e/**', 'bench/**', 'assets/bench/**', 'bench-results/**', '**/*.map',
          // the kernel workers of the e2e fixture pages
          'assets/faulty-worker-*.js', 'assets/browser-*.js'],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        cleanupOutdatedCaches: true,
        navigateFallback: null,
      },
    }),
  ],
  worker: { format: 'es', plugins: () => [kernelAsFile()] },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
});
