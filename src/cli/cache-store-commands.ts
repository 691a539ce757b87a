// `phasekit cache get|set|delete|stats|cleanup|warm|invalidate|pull|push`: any named cache,
// in a directory, in Redis or on an HTTP store. Values are strings (`--type json`: JSON values);
// output is one line of JSON. Defaults come from the environment:
//   PHASEKIT_CACHE_DIR     root of file stores (a cache lives in <root>/<name>; else <XDG cache dir>/phasekit/<name>)
//   PHASEKIT_REDIS_URL     --redis-url (PHASEKIT_CACHE_REMOTE when it is a redis:// URL)
//   PHASEKIT_CACHE_REMOTE  --url for --store http (when it is an http(s):// URL)
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCache, type Cache } from '../cache/cache.js';
import { CacheError } from '../cache/errors.js';
import { warm } from '../cache/management/warm.js';
import { checkNamespace } from '../cache/remote/namespace.js';
import { pullCache, pushCache, type TransferProgress, type TransferResult } from '../cache/remote/transfer.js';
import { FileTier } from '../cache/tiers/file-tier.js';
import { HttpTier } from '../cache/tiers/http-tier.js';
import { RedisTier } from '../cache/tiers/redis-tier.js';
import type { CacheTier } from '../cache/tiers/tier.js';
import { UsageError, type FlagSpec, type ParsedArgs } from './args.js';
import { printJSON, type Command } from './command.js';
import type { CliIO } from './io.js';

const storeFlags: Record<string, FlagSpec> = {
  name: { kind: 'string', description: "the cache's name: its directory, Redis namespace or URL folder (default 'default')" },
  store: { kind: 'string', choices: ['file', 'redis', 'http'], description: 'where the cache lives (default file)' },
  dir: { kind: 'string', description: 'directory of a file store (default $PHASEKIT_CACHE_DIR/<name> or ~/.cache/phasekit/<name>)' },
  'redis-url': { kind: 'string', description: 'Redis server for --store redis (default $PHASEKIT_REDIS_URL)' },
  url: { kind: 'string', description: 'HTTP store base URL for --store http (default $PHASEKIT_CACHE_REMOTE)' },
};
const ttlFlag: Record<string, FlagSpec> = { ttl: { kind: 'integer', min: 0, description: 'time to live in seconds (0: forever)' } };

/** An opened store: the cache over it and its one lower tier. */
interface Store {
  cache: Cache<unknown>;
  tier: CacheTier;
  /** Where it is: a directory or a URL. */
  location: string;
}

function flag(args: ParsedArgs, name: string): string | undefined {
  return args.flags[name] as string | undefined;
}

function envUrl(pattern: RegExp, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = process.env[name]?.trim();
    if (value && pattern.test(value)) return value;
  }
  return undefined;
}

/**
 * Where a tier's outage warnings go: stderr, but only once the store has answered; a store
 * that fails the first contact is reported by the error line alone.
 */
class Warnings {
  contacted = false;
  constructor(private readonly io: CliIO) {}
  readonly warn = (message: string): void => {
    if (this.contacted) this.io.stderr(`${message}\n`);
  };
}

/** The lower tier the flags (or environment) name; nothing is contacted yet. */
function tierFor(args: ParsedArgs, warnings: Warnings): { tier: CacheTier; location: string } {
  const name = checkNamespace(flag(args, 'name') ?? 'default');
  const { warn } = warnings;
  switch (flag(args, 'store') ?? 'file') {
    case 'redis': {
      const url = flag(args, 'redis-url') ?? envUrl(/^rediss?:\/\//, 'PHASEKIT_REDIS_URL', 'PHASEKIT_CACHE_REMOTE');
      if (!url) throw new UsageError('--store redis needs --redis-url or $PHASEKIT_REDIS_URL');
      return { tier: new RedisTier({ url, namespace: name, warn }), location: `${url.replace(/\/\/[^@/]*@/, '//***@')} (namespace ${name})` };
    }
    case 'http': {
      const url = flag(args, 'url') ?? envUrl(/^https?:\/\//, 'PHASEKIT_CACHE_REMOTE');
      if (!url) throw new UsageError('--store http needs --url or $PHASEKIT_CACHE_REMOTE');
      const tier = new HttpTier({ baseUrl: url, namespace: name, writeBack: true, warn });
      return { tier, location: tier.url };
    }
    default: {
      const root = process.env.PHASEKIT_CACHE_DIR || undefined;
      // Traces are stored with their own serializer: read as generic values they would look corrupt and be dropped.
      if (name === 'traces' && !root && !flag(args, 'dir')) throw new UsageError("'traces' is the trace layer's store: use phasekit cache status|clear|export|import|vacuum");
      const tier = new FileTier({ name, dir: flag(args, 'dir') ?? (root && join(root, name)) });
      return { tier, location: '' };
    }
  }
}

/** Checks remote stores answer (a store that is not there is bad input: exit 2). */
async function contact(tiers: CacheTier[], warnings: Warnings): Promise<void> {
  for (const tier of tiers) if (tier instanceof RedisTier || tier instanceof HttpTier) await tier.probe();
  warnings.contacted = true;
}

/** Opens the store named by the flags. */
async function openStore(args: ParsedArgs, io: CliIO): Promise<Store> {
  const warnings = new Warnings(io);
  const { tier, location } = tierFor(args, warnings);
  await contact([tier], warnings);
  const cache = createCache<unknown>({ name: flag(args, 'name') ?? 'default', tiers: ['memory', tier], sync: false, sweepIntervalMs: 0 });
  return { cache, tier, location: tier instanceof FileTier ? await tier.directory() : location };
}

/** Writes still queued (HTTP write-back, or Redis replay after an outage) must land before the command reports success. */
async function settle(store: Store): Promise<void> {
  const { tier } = store;
  if (!(tier instanceof HttpTier || tier instanceof RedisTier)) return;
  await tier.flush({ timeoutMs: 30_000 });
  const stats = tier instanceof HttpTier ? tier.stats().writeBack : tier.stats().replay;
  if (stats && (stats.failed > 0 || stats.overflowed > 0 || stats.pending > 0)) throw new CacheError('REJECTED', `${store.location} did not accept the write`);
}

function storeCommand(summary: string, positionals: string[], flags: Record<string, FlagSpec>, run: (store: Store, args: ParsedArgs, io: CliIO) => Promise<unknown>): Command {
  return {
    summary, positionals, flags: { ...storeFlags, ...flags },
    async run(args, io) {
      await usageErrors(async () => {
        const store = await openStore(args, io);
        try {
          const result = await run(store, args, io);
          await settle(store);
          printJSON(io, result);
        } finally {
          await store.cache.close();
        }
      });
    },
  };
}

/** Store and transfer failures are about the input (a path, URL, file or server given): exit 2 with one line. */
async function usageErrors(task: () => Promise<void>): Promise<void> {
  try {
    await task();
  } catch (error) {
    if (error instanceof CacheError) throw new UsageError(error.message);
    throw error;
  }
}

/** JSON for a value: strings and JSON values as they are, bytes as base64. */
function printable(value: unknown): unknown {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return { type: value.constructor.name, bytes: bytes.byteLength, base64: Buffer.from(bytes).toString('base64') };
  }
  return value;
}

const ttlMs = (args: ParsedArgs) => (args.flags.ttl === undefined ? undefined : (args.flags.ttl as number) * 1000);
const expiresIn = (ms: number) => (ms === Infinity ? null : ms);

async function readWarmFile(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

function isArchive(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x43 && bytes[3] === 0x41; // "PKCA"
}

function parseObject(bytes: Uint8Array, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${file} is neither a JSON object of key → value nor a cache archive`);
  return value as Record<string, unknown>;
}

function progressPrinter(io: CliIO, verb: string): (progress: TransferProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 500 && p.done !== p.total) return;
    last = now;
    io.stderr(`${verb}: ${p.done}/${p.total} entries, ${(p.bytes / 1048576).toFixed(1)}/${(p.totalBytes / 1048576).toFixed(1)} MiB\n`);
  };
}

const summary = ({ copied, skipped, failed, bytes, ms }: TransferResult) => ({ copied, skipped, failed, bytes, ms });

function transferCommand(verb: 'pull' | 'push', summaryLine: string): Command {
  return {
    summary: summaryLine,
    positionals: ['<url>'],
    flags: { ...storeFlags, store: { kind: 'string', choices: ['file', 'redis'], description: `the local store to ${verb === 'pull' ? 'fill' : 'publish'} (default file)` }, concurrency: { kind: 'integer', min: 1, description: 'objects in flight at once (default 4)' } },
    async run(args, io) {
      await usageErrors(async () => {
        const warnings = new Warnings(io);
        const { tier: local } = tierFor(args, warnings);
        const remote = new HttpTier({ baseUrl: args.positionals[0], namespace: flag(args, 'name') ?? 'default', warn: warnings.warn });
        const controller = new AbortController();
        const stop = () => controller.abort(new UsageError(`${verb} interrupted; run it again to resume`));
        process.once('SIGINT', stop);
        try {
          await contact([local, remote], warnings);
          const common = { concurrency: args.flags.concurrency as number | undefined, signal: controller.signal, onProgress: progressPrinter(io, verb) };
          const result = verb === 'pull' ? await pullCache({ ...common, from: remote, into: local }) : await pushCache({ ...common, from: local, to: remote, layer: flag(args, 'name') ?? 'default' });
          printJSON(io, summary(result));
        } finally {
          process.off('SIGINT', stop);
          await local.close?.();
          await remote.close();
        }
      });
    },
  };
}

/** The store commands, merged into the `cache` group. */
export const cacheStoreCommands: Record<string, Command> = {
  get: storeCommand('print the value of KEY from a named cache (--store file|redis|http)', ['<key>'], {}, async ({ cache }, args) => {
    const [key] = args.positionals;
    const value = await cache.get(key);
    if (value === undefined) return { key, found: false };
    return { key, found: true, value: printable(value), expiresInMs: expiresIn(await cache.getTTL(key)) };
  }),
  set: storeCommand('store VALUE (a string; with --type json, a JSON value) under KEY', ['<key>', '<value>'], {
    ...ttlFlag,
    type: { kind: 'string', choices: ['string', 'json'], description: 'how to read VALUE (default string)' },
  }, async ({ cache }, args) => {
    const [key, text] = args.positionals;
    let value: unknown = text;
    if (args.flags.type === 'json') {
      try {
        value = JSON.parse(text);
      } catch {
        throw new UsageError(`VALUE is not JSON: '${text.length > 40 ? `${text.slice(0, 40)}…` : text}'`);
      }
    }
    await cache.set(key, value, { ttl: ttlMs(args) });
    return { key, stored: true, expiresInMs: expiresIn(await cache.getTTL(key)) };
  }),
  delete: storeCommand('remove KEY (and what depends on it)', ['<key>'], {}, async ({ cache }, args) => ({ key: args.positionals[0], deleted: await cache.delete(args.positionals[0]) })),
  stats: storeCommand('entries, bytes and age of a named cache; server figures for Redis', [], {}, async ({ cache, tier, location }, args) => {
    const occupancy = (await cache.tierOccupancy())[tier.name];
    return {
      name: flag(args, 'name') ?? 'default', store: flag(args, 'store') ?? 'file', location, ...occupancy,
      ...(tier instanceof RedisTier ? { server: await tier.serverStats() } : {}),
    };
  }),
  cleanup: storeCommand('remove expired entries', [], {}, async ({ cache }) => ({ removed: await cache.sweep() })),
  warm: storeCommand('load entries from FILE: a JSON object of key → value, or a cache archive', [], {
    from: { kind: 'string', required: true, description: 'JSON object or archive (from Cache#export) to load' },
    ...ttlFlag,
  }, async ({ cache }, args) => {
    const file = flag(args, 'from')!;
    const bytes = await readWarmFile(file);
    if (isArchive(bytes)) return { imported: await cache.import(bytes) };
    const entries = parseObject(bytes, file);
    const { warmed, skipped, failed } = await warm(cache, { keys: Object.keys(entries), load: (key) => entries[key], ttl: ttlMs(args) });
    return { warmed, skipped, failed };
  }),
  invalidate: storeCommand("remove every key matching PATTERN ('*' any run, '?' one character) and its dependents", ['<pattern>'], {}, async ({ cache }, args) => ({
    invalidated: await cache.invalidatePattern(args.positionals[0]),
  })),
  pull: transferCommand('pull', 'copy the cache published at URL (namespace --name) into a local store; resumable'),
  push: transferCommand('push', 'publish a local store to URL (namespace --name) with a manifest; resumable'),
};
