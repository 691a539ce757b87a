// `phasekit demo`: serves the built demo page (dist-demo/) on localhost, which
// browsers treat as a secure context (module workers, IndexedDB, WebGPU).
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { packageRoot } from './package-root.js';
import { UsageError } from './args.js';
import type { Command } from './command.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.webmanifest': 'application/manifest+json', '.map': 'application/json',
};

/** dist-demo/ of this package. */
export const demoRoot = join(packageRoot(), 'dist-demo') + sep;

/** Serves the files under `root` on 127.0.0.1:`port` (0: any free port); resolves once listening. */
export function serveDemo(root: string, port: number): Promise<Server> {
  const base = resolve(root);
  const server = createServer(async (request, response) => {
    let path: string;
    try { path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname); } catch { path = ''; }
    if (path.endsWith('/')) path += 'index.html';
    const file = resolve(base, `.${path}`);
    if (!path || !file.startsWith(base + sep)) { response.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' }).end(body);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  return new Promise((done, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(e.code === 'EADDRINUSE' ? new UsageError(`port ${port} is in use; pick another with --port`) : e));
    server.listen(port, '127.0.0.1', () => done(server));
  });
}

/** The `demo` command: serve until interrupted. */
export const demoCommand: Command = {
  positionals: [],
  summary: 'serve the built demo page (dist-demo/) on localhost until Ctrl-C',
  flags: { port: { kind: 'integer', min: 0, description: 'port on 127.0.0.1 (default 4173; 0: any free port)' } },
  async run(args, io) {
    if (!existsSync(resolve(demoRoot, 'index.html'))) throw new UsageError(`${demoRoot} has no built demo; run \`npm run build\` first`);
    const server = await serveDemo(demoRoot, (args.flags.port as number | undefined) ?? 4173);
    const address = server.address();
    io.stdout(`phasekit demo: http://localhost:${typeof address === 'object' && address ? address.port : ''}/ (Ctrl-C to stop)\n`);
    await new Promise<void>((done) => {
      const stop = () => { server.close(() => done()); server.closeAllConnections(); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
};
