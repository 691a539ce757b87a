// A small static file server that also accepts PUT and DELETE (as nginx with dav_methods,
// WebDAV or S3 would), for the HTTP tier's tests, e2e spec and benchmark. Objects get an
// ETag and `Cache-Control: immutable`; manifests `no-cache`. CORS is open, so pages on
// another origin (the e2e preview server) can read and write.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';

/** A running store. */
export interface HttpStore {
  /** Base URL (no trailing slash). */
  url: string;
  /** The directory served. */
  dir: string;
  /** Every request seen, in order ("GET /ns/key"). */
  requests: string[];
  /** Refuse writes with 405, as a plain static server would. */
  readOnly: boolean;
  /** Delay before answering each request, in ms. */
  delayMs: number;
  /** Stops listening and drops open connections (the server is "down"). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Stops and removes the directory. */
  dispose(): Promise<void>;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, PUT, DELETE, OPTIONS',
  'access-control-allow-headers': '*',
  'access-control-expose-headers': 'ETag, Content-Length',
};

/** Starts a store on a free loopback port, serving `dir` (default: a new temporary directory). */
export async function startHttpStore(options: { dir?: string; port?: number } = {}): Promise<HttpStore> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'phasekit-http-store-')));
  let server: Server | undefined;
  let port = options.port ?? 0;
  const store: HttpStore = {
    url: '',
    dir,
    requests: [],
    readOnly: false,
    delayMs: 0,
    async start() {
      server = createServer((request, response) => {
        store.requests.push(`${request.method} ${request.url}`);
        setTimeout(() => void handle(store, request, response).catch((error: unknown) => {
          if (!response.headersSent) response.writeHead(500, CORS);
          response.end(String(error));
        }), store.delayMs);
      });
      await new Promise<void>((done) => server!.listen(port, '127.0.0.1', done));
      port = (server.address() as { port: number }).port;
      store.url = `http://127.0.0.1:${port}`;
    },
    async stop() {
      const current = server;
      server = undefined;
      if (!current) return;
      current.closeAllConnections();
      await new Promise<void>((done) => current.close(() => done()));
    },
    async dispose() {
      await store.stop();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
  await store.start();
  return store;
}

async function handle(store: HttpStore, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = resolve(store.dir, ...new URL(request.url ?? '/', 'http://x').pathname.split('/').filter(Boolean).map(decodeURIComponent));
  if (!path.startsWith(resolve(store.dir) + sep)) return end(response, 403);
  switch (request.method) {
    case 'OPTIONS':
      return end(response, 204);
    case 'GET':
    case 'HEAD': {
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) return end(response, 404);
      const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
      const headers = {
        ...CORS,
        etag,
        'content-type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        'cache-control': path.endsWith('manifest.json') ? 'no-cache' : 'public, max-age=31536000, immutable',
      };
      if (request.headers['if-none-match'] === etag) return void response.writeHead(304, headers).end();
      response.writeHead(200, { ...headers, 'content-length': info.size });
      return void response.end(request.method === 'HEAD' ? undefined : await readFile(path));
    }
    case 'PUT': {
      if (store.readOnly) return end(response, 405);
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      await mkdir(dirname(path), { recursive: true });
      // Written aside and renamed, so a reader never sees half an object.
      const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temp, Buffer.concat(chunks));
      await rename(temp, path);
      return end(response, 201);
    }
    case 'DELETE':
      if (store.readOnly) return end(response, 405);
      await rm(path, { force: true });
      return end(response, 204);
    default:
      return end(response, 405);
  }
}

function end(response: ServerResponse, status: number): void {
  response.writeHead(status, CORS).end();
}
