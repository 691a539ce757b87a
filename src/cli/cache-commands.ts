// `phasekit cache …`: every cache layer's file store (Node), managed from scripts.
// Root directory: --dir, else $PHASEKIT_CACHE_DIR, else <XDG cache dir>/phasekit;
// layer `name` lives in <root>/<name>.
import { readFile, writeFile } from 'node:fs/promises';
import { CacheError } from '../cache/errors.js';
import { TraceError } from '../errors/index.js';
import { LAYER_NAMES, type CacheLayer } from '../layer-registry/layer.js';
import { closeCacheLayers, configureCacheLayers, layerDirectories } from '../cache-layers/configure.js';
import { cacheInfo, clearCache, exportCache, importCache, vacuum } from '../cache-layers/management.js';
import { ready } from '../kernel/module.js';
import { UsageError, type FlagSpec, type ParsedArgs } from './args.js';
import { printJSON, type Command, type CommandGroup } from './command.js';
import { cacheStoreCommands } from './cache-store-commands.js';

const dirFlag: Record<string, FlagSpec> = { dir: { kind: 'string', description: 'cache root directory (default $PHASEKIT_CACHE_DIR or ~/.cache/phasekit)' } };
const layerFlag: FlagSpec = { kind: 'string', choices: [...LAYER_NAMES, 'all'], description: `which layer (${LAYER_NAMES.join('|')}|all, default all)` };

function command(summary: string, positionals: string[], flags: Record<string, FlagSpec>, run: (args: ParsedArgs) => Promise<unknown>): Command {
  return {
    summary, positionals, flags: { ...dirFlag, ...flags },
    async run(args, io) {
      // Records are verified (and traces rebuilt) in the kernel.
      await ready();
      // Layer 3's store is managed here like the others (loading it starts no GPU).
      (await import('../webgpu/pipelines/pipeline-layer.js')).registerPipelineLayer();
      configureCacheLayers({ persistence: 'file', root: args.flags.dir as string | undefined, sync: false });
      try {
        printJSON(io, await run(args));
      } catch (e) {
        // A directory that cannot be read or written is the caller's to fix (exit 2), not a phasekit failure.
        if (e instanceof CacheError && e.code === 'TIER_UNAVAILABLE') throw new UsageError(e.message);
        throw e;
      } finally {
        await closeCacheLayers();
      }
    },
  };
}

const layerOf = (args: ParsedArgs) => (args.flags.layer as CacheLayer | 'all' | undefined) ?? 'all';

async function status(): Promise<Record<string, unknown>> {
  const info = await cacheInfo();
  const dirs = await layerDirectories();
  const out: Record<string, unknown> = {};
  for (const [name, layer] of Object.entries(info)) out[name] = { layer: layer.layer, dir: dirs[name], ...layer.tiers.file, corrupt: layer.corrupt };
  return out;
}

/** The `cache` group. */
export const cacheCommands: CommandGroup = {
  summary: 'manage the cache layers (status|clear|export|import|vacuum) and any named cache in a directory, Redis or over HTTP',
  subcommands: {
    status: command('entries, bytes, oldest/newest store times and corrupt records removed, of each layer', [], {}, status),
    clear: command('remove every entry of a layer (--layer, default all)', [], { layer: layerFlag }, async (args) => {
      await clearCache({ layer: layerOf(args) });
      return { cleared: layerOf(args) };
    }),
    export: command('write every entry (of --layer, default all) to one file', ['<file>'], { layer: layerFlag }, async (args) => {
      const bytes = await exportCache({ layer: layerOf(args) });
      await writeFile(args.positionals[0], bytes);
      return { bytes: bytes.byteLength, file: args.positionals[0] };
    }),
    import: command('load a file written by `cache export` (every entry verified)', ['<file>'], {}, async (args) => {
      const file = args.positionals[0];
      let bytes: Uint8Array;
      try { bytes = new Uint8Array(await readFile(file)); } catch (e) { throw new UsageError(`cannot read ${file}: ${(e as Error).message}`); }
      try {
        return { imported: await importCache(bytes) };
      } catch (e) {
        // A damaged or foreign file is bad input, not a phasekit failure.
        if (e instanceof CacheError || e instanceof TraceError) throw new UsageError(`${file} is not a usable cache export: ${e.message}`);
        throw e;
      }
    }),
    vacuum: command('drop entries unused for --max-age-days, then the least valuable beyond --max-mb (per layer), and stored evaluators that fail their content key', [], {
      'max-age-days': { kind: 'integer', min: 0, description: 'drop entries not used for this many days' },
      'max-mb': { kind: 'integer', min: 0, description: 'then keep at most this many MiB per layer' },
      layer: layerFlag,
    }, async (args) => {
      const days = args.flags['max-age-days'] as number | undefined, mb = args.flags['max-mb'] as number | undefined;
      const results = await vacuum({ layer: layerOf(args), ...(days !== undefined ? { maxAgeDays: days } : {}), ...(mb !== undefined ? { maxBytes: mb * 1048576 } : {}) });
      const out: Record<string, unknown> = {};
      for (const [name, [result]] of Object.entries(results)) out[name] = { removed: result?.removed ?? 0, freedBytes: result?.freedBytes ?? 0, remainingBytes: result?.remainingBytes ?? 0, corrupt: result?.corrupt ?? 0 };
      return out;
    }),
    ...cacheStoreCommands,
  },
};
