import { CacheError } from '../errors.js';
import type { RemoteHealth } from './health.js';

/** An argument of a Redis command. */
export type RedisArgument = string | Buffer;

/** Options node-redis takes per command. */
interface CommandOptions {
  typeMapping?: Record<number, unknown>;
  timeout?: number;
}

/** The part of a node-redis (v5+) client the Redis tier uses: `createClient()`'s result. */
export interface RedisClientLike {
  sendCommand(args: readonly RedisArgument[], options?: CommandOptions): Promise<unknown>;
  readonly isReady?: boolean;
}

/** The part of a node-redis (v5+) cluster the Redis tier uses: `createCluster()`'s result. */
export interface RedisClusterLike {
  sendCommand(firstKey: RedisArgument | undefined, isReadonly: boolean | undefined, args: readonly RedisArgument[], options?: CommandOptions): Promise<unknown>;
  readonly masters: readonly unknown[];
  nodeClient(node: never): Promise<RedisClientLike> | RedisClientLike;
}

/** Options of {@link RedisConnection}. */
export interface RedisConnectionOptions {
  /** Server URL (redis:// or rediss://); the connection is made, and closed, by the tier. */
  url?: string;
  /** A connected node-redis client or cluster to use instead; the caller keeps owning it. */
  client?: RedisClientLike | RedisClusterLike;
  /** Treat `url` as one node of a Redis Cluster. */
  cluster?: boolean;
  /** Wait for a connection (default 2000 ms). */
  connectTimeoutMs?: number;
  /** Wait for one command's reply (default 2000 ms). */
  commandTimeoutMs?: number;
}

// RESP type byte of a bulk string ('$'): mapping it to Buffer makes replies binary-safe.
// Hard-coded (it is the protocol's) so that a caller's client works without importing node-redis here.
const BLOB_STRING = 36;
// A variable keeps browser bundlers from resolving the optional Node-only package.
const CLIENT_MODULE = '@redis/client';
// Replies that mean "not now" rather than "no": the server is loading, busy or failing over.
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY)\b/;

type Owned = { client: RedisClientLike | RedisClusterLike; close: () => Promise<void> };

/**
 * Commands to one Redis server or cluster: binary replies, a time limit on every command,
 * connection failures reported to `health` (and turned into CacheError
 * `TIER_UNAVAILABLE`) instead of being queued until the server returns.
 */
export class RedisConnection {
  private owned: Promise<Owned> | undefined;
  // The client once connected: the hot path reaches it without awaiting.
  private connected: RedisClientLike | RedisClusterLike | undefined;
  private readonly options: CommandOptions;

  constructor(private readonly config: RedisConnectionOptions, private readonly health: RemoteHealth) {
    if (!config.client && !config.url) throw new CacheError('BAD_OPTION', 'a Redis tier needs a `url` or a `client`');
    if (config.url && !/^rediss?:\/\//.test(config.url)) throw new CacheError('BAD_OPTION', `Redis URL must start with redis:// or rediss://, got ${JSON.stringify(config.url)}`);
    this.options = { typeMapping: { [BLOB_STRING]: Buffer }, timeout: config.commandTimeoutMs ?? 2000 };
  }

  /** Runs one command (routed by `key` on a cluster); bulk strings come back as Buffers. */
  async send(key: string | undefined, args: readonly RedisArgument[], readonly = false): Promise<unknown> {
    try {
      const client = this.config.client ?? this.connected ?? (await this.client());
      const reply = isCluster(client) ? await client.sendCommand(key, readonly, args, this.options) : await client.sendCommand(args, this.options);
      this.health.succeeded();
      return reply;
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** Every key matching a SCAN pattern, in batches; on a cluster, from every master. */
  async *scan(match: string): AsyncGenerator<string[]> {
    const client = await this.client();
    const nodes: RedisClientLike[] = isCluster(client) ? await Promise.all(client.masters.map((node) => client.nodeClient(node as never))) : [client];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const reply = (await this.onNode(node, ['SCAN', cursor, 'MATCH', match, 'COUNT', '1000'])) as [Buffer, Buffer[]];
        cursor = reply[0].toString();
        if (reply[1].length > 0) yield reply[1].map((key) => key.toString());
      } while (cursor !== '0');
    }
  }

  /** INFO of every node (one for a single server). */
  async info(): Promise<string[]> {
    const client = await this.client();
    const nodes: RedisClientLike[] = isCluster(client) ? await Promise.all(client.masters.map((node) => client.nodeClient(node as never))) : [client];
    return Promise.all(nodes.map(async (node) => String(await this.onNode(node, ['INFO']))));
  }

  /** Closes a connection this object opened; a caller's client is left alone. */
  async close(): Promise<void> {
    const owned = this.owned;
    this.owned = undefined;
    this.connected = undefined;
    if (owned) await (await owned.catch(() => undefined))?.close();
  }

  private async onNode(node: RedisClientLike, args: readonly RedisArgument[]): Promise<unknown> {
    try {
      return await node.sendCommand(args, this.options);
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** A server's refusal becomes CacheError `REJECTED`; anything else marks Redis down and becomes `TIER_UNAVAILABLE`. */
  private failure(error: unknown): unknown {
    if (error instanceof CacheError) return error;
    if (!isUnavailable(error)) return new CacheError('REJECTED', `Redis refused: ${(error as Error).message}`, { cause: error });
    this.health.failed(error);
    return this.health.unavailable(error);
  }

  private async client(): Promise<RedisClientLike | RedisClusterLike> {
    if (this.config.client) return this.config.client;
    this.owned ??= this.connect().catch((error: unknown) => {
      this.owned = undefined; // the next call (after the health backoff) tries afresh
      throw error;
    });
    return (this.connected = (await this.owned).client);
  }

  private async connect(): Promise<Owned> {
    type Module = typeof import('@redis/client');
    let module: Module;
    try {
      module = await import(/* @vite-ignore */ CLIENT_MODULE);
    } catch (cause) {
      throw new CacheError('BAD_OPTION', 'the Redis tier needs the @redis/client package (npm install @redis/client), or pass `client`', { cause });
    }
    let connected = false;
    const socket = {
      connectTimeout: this.config.connectTimeoutMs ?? 2000,
      // Until the first connection, give up at once so the caller learns the server is not there;
      // after it, reconnect in the background while the cache runs on its local tiers.
      reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(50 * 2 ** retries, 5000) : cause),
    };
    // Commands fail at once while disconnected instead of queueing until the server returns.
    const common = { disableOfflineQueue: true, socket };
    const url = this.config.url!;
    if (this.config.cluster) {
      const cluster = module.createCluster({ rootNodes: [{ url }], defaults: common });
      cluster.on('error', (error: unknown) => this.health.failed(error));
      await cluster.connect();
      connected = true;
      return { client: cluster as unknown as RedisClusterLike, close: () => cluster.close() };
    }
    const client = module.createClient({ url, ...common });
    // Without a listener node-redis would crash the process on a socket error.
    client.on('error', (error: unknown) => this.health.failed(error));
    try {
      await client.connect();
    } catch (error) {
      client.destroy();
      throw error;
    }
    connected = true;
    return { client: client as unknown as RedisClientLike, close: () => client.close() };
  }
}

function isCluster(client: RedisClientLike | RedisClusterLike): client is RedisClusterLike {
  return 'masters' in client && typeof (client as RedisClusterLike).nodeClient === 'function';
}

/** True unless the server answered with an error reply that is not about availability. */
function isUnavailable(error: unknown): boolean {
  for (let proto = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === 'ErrorReply') return TRANSIENT_REPLY.test((error as Error).message);
  }
  return true;
}
