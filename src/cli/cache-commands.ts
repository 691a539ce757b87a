// `phasekit cache …`: the trace cache's file store (Node), managed from scripts.
// Directory: --dir, else $PHASEKIT_CACHE_DIR, else <XDG cache dir>/phasekit/traces.
import { readFile, writeFile } from 'node:fs/promises';
import { TraceCache } from '../trace-cache/trace-cache.js';
import { UsageError, type FlagSpec, type ParsedArgs } from './args.js';
import { CacheError } from '../cache/errors.js';
import { TraceError } from '../errors.js';
import { printJSON, type Command, type CommandGroup } from './command.js';

const dirFlag: Record<string, FlagSpec> = { dir: { kind: 'string', description: 'cache directory (default $PHASEKIT_CACHE_DIR or ~/.cache/phasekit/traces)' } };

function command(summary: string, positionals: string[], flags: Record<string, FlagSpec>, run: (cache: TraceCache, args: ParsedArgs) => Promise<unknown>): Command {
  return {
    summary, positionals, flags: { ...dirFlag, ...flags },
    async run(args, io) {
      const cache = new TraceCache({ persistence: 'file', dir: args.flags.dir as string | undefined, sync: false });
      try {
        printJSON(io, await run(cache, args));
      } catch (e) {
        // A directory that cannot be read or written is the caller's to fix (exit 2), not a phasekit failure.
        if (e instanceof CacheError && e.code === 'TIER_UNAVAILABLE') throw new UsageError(e.message);
        throw e;
      } finally {
        await cache.close();
      }
    },
  };
}

async function status(cache: TraceCache) {
  const { tiers } = await cache.info();
  return { traces: { dir: await cache.directory(), ...tiers.file } };
}

/** The `cache` group. */
export const cacheCommands: CommandGroup = {
  summary: 'inspect and manage the persistent trace cache (file store)',
  subcommands: {
    status: command('entries, bytes and oldest/newest store times of each layer', [], {}, status),
    clear: command('remove every entry of a layer (--layer traces|all, default all)', [], {
      layer: { kind: 'string', choices: ['traces', 'all'], description: 'which layer to clear' },
    }, async (cache, args) => {
      await cache.clear();
      return { cleared: ['traces'], layer: args.flags.layer ?? 'all' };
    }),
    export: command('write every entry to one file', ['<file>'], {}, async (cache, args) => {
      const bytes = await cache.export();
      await writeFile(args.positionals[0], bytes);
      return { exported: (await status(cache)).traces.entries, bytes: bytes.byteLength, file: args.positionals[0] };
    }),
    import: command('load a file written by `cache export` (verified)', ['<file>'], {}, async (cache, args) => {
      const file = args.positionals[0];
      let bytes: Uint8Array;
      try { bytes = new Uint8Array(await readFile(file)); } catch (e) { throw new UsageError(`cannot read ${file}: ${(e as Error).message}`); }
      try {
        return { imported: await cache.import(bytes) };
      } catch (e) {
        // A damaged or foreign file is bad input, not a phasekit failure.
        if (e instanceof CacheError || e instanceof TraceError) throw new UsageError(`${file} is not a usable cache export: ${e.message}`);
        throw e;
      }
    }),
    vacuum: command('drop entries unused for --max-age-days, then the least valuable beyond --max-mb', [], {
      'max-age-days': { kind: 'integer', min: 0, description: 'drop entries not used for this many days' },
      'max-mb': { kind: 'integer', min: 0, description: 'then keep at most this many MiB' },
    }, async (cache, args) => {
      const days = args.flags['max-age-days'] as number | undefined, mb = args.flags['max-mb'] as number | undefined;
      const [result] = await cache.vacuum({ ...(days !== undefined ? { maxAgeDays: days } : {}), ...(mb !== undefined ? { maxBytes: mb * 1048576 } : {}) });
      return { removed: result?.removed ?? 0, freedBytes: result?.freedBytes ?? 0, remainingBytes: result?.remainingBytes ?? 0 };
    }),
  },
};
