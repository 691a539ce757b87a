import { defineConfig } from 'vite';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

// Every .html under demo/ is a page: the demo itself plus the fixture pages the
// real-browser tests (e2e/) drive. Listing them here keeps vite's multi-page build automatic.
function htmlPages(dir: string): Record<string, string> {
  const pages: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) Object.assign(pages, htmlPages(path));
    else if (name.endsWith('.html')) pages[relative('demo', path).replace(/\.html$/, '')] = resolve(path);
  }
  return pages;
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
  worker: { format: 'es' },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
});
