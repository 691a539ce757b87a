// A real redis-server (Debian's package) on a free loopback port, for tests and benchmarks.
// Missing binary is a failure, not a skip: CI installs it (scripts/setup.sh).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One running server; `stop` and `start` restart it on the same port (empty: nothing is saved). */
export interface RedisServer {
  url: string;
  port: number;
  /** Stops it (SIGTERM, or SIGKILL for a crash). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again after `stop`. */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. */
  dispose(): Promise<void>;
}

const running = new Set<ChildProcess>();
// Never leave a server behind, whatever way the test process ends.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Throws a clear error when redis-server is not installed. */
export function requireRedisServer(): void {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error("redis-server is not installed: the Redis tier tests need Debian's redis-server (run scripts/setup.sh, or apt-get install redis-server)");
  }
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts a redis-server with no persistence on a free loopback port. */
export async function startRedis(extraArgs: string[] = []): Promise<RedisServer> {
  requireRedisServer();
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'phasekit-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = await launch(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs]);
  };
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const current = child;
    child = undefined;
    if (current) await halt(current, signal);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Three masters forming a Redis Cluster (no replicas) on free loopback ports. */
export async function startRedisCluster(): Promise<{ url: string; nodes: RedisServer[]; dispose(): Promise<void> }> {
  const nodes: RedisServer[] = [];
  for (let i = 0; i < 3; i++) nodes.push(await startRedis(['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${i}.conf`, '--cluster-node-timeout', '2000']));
  const create = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 20_000 });
  if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stderr || create.stdout}`);
  for (const deadline = Date.now() + 10_000; ; ) {
    const ok = nodes.every((node) => /cluster_state:ok/.test(spawnSync('redis-cli', ['-p', String(node.port), 'cluster', 'info'], { encoding: 'utf8' }).stdout));
    if (ok) break;
    if (Date.now() > deadline) throw new Error('the Redis Cluster did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url: nodes[0].url, nodes, dispose: async () => void (await Promise.all(nodes.map((node) => node.dispose()))) };
}

function launch(args: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready to accept connections/.test(output)) {
        clearTimeout(timer);
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve(child);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.once('error', fail);
    child.once('exit', (code) => {
      running.delete(child);
      fail(new Error(`redis-server exited (${code}) before it was ready:\n${output}`));
    });
  });
}

function halt(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
