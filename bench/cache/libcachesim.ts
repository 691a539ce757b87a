// Reference miss ratios from libCacheSim (github.com/1a1a11a/libCacheSim), an independent
// C simulator, on the very traces of this run. libCacheSim is not on npm: build it with
// scripts/build-libcachesim.sh and point LIBCACHESIM at its `cachesim` binary.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** libCacheSim's names of the policies we compare against, with how we label them. */
export const REFERENCE_POLICIES: readonly (readonly [algorithm: string, label: string])[] = [
  ['WTinyLFU', 'W-TinyLFU'],
  ['LFUDA', 'LFUDA'],
  ['S3FIFO', 'S3-FIFO'],
  ['ARC', 'ARC'],
  ['LIRS', 'LIRS'],
  ['LRU', 'LRU'],
];

/** Where the binary is: $LIBCACHESIM, else the place scripts/build-libcachesim.sh puts it. */
export function libCacheSimBinary(): string | undefined {
  const candidates = [process.env.LIBCACHESIM, join(process.cwd(), 'bench/cache/.libcachesim/cachesim')];
  return candidates.find((path): path is string => !!path && existsSync(path));
}

const run = promisify(execFile);
// Some of its policies never finish on some traces (LFUDA on recency-biased ones): give up.
const TIMEOUT_MS = 30_000;

/**
 * Miss ratio (0–1) per reference policy for `trace` at `capacity` entries, by running
 * `cachesim` on it as a text trace of key ids; undefined where a run failed or timed out.
 */
export async function referenceMissRatios(binary: string, trace: Int32Array, capacity: number): Promise<Record<string, number | undefined>> {
  const dir = await mkdtemp(join(tmpdir(), 'phasekit-libcachesim-'));
  try {
    const file = join(dir, 'trace.txt');
    // Ids from 1: libCacheSim reads 0 as "no id".
    await writeFile(file, Array.from(trace, (key) => key + 1).join('\n') + '\n');
    const ratios: Record<string, number | undefined> = {};
    for (const [algorithm, label] of REFERENCE_POLICIES) {
      // cwd: it writes a result file next to where it runs.
      try {
        const { stdout, stderr } = await run(binary, [file, 'txt', algorithm, String(capacity), '--ignore-obj-size', '1'], { cwd: dir, timeout: TIMEOUT_MS, maxBuffer: 1 << 26 });
        const match = /miss ratio ([0-9.]+)/.exec(stdout + stderr);
        ratios[label] = match ? Number(match[1]) : undefined;
      } catch {
        ratios[label] = undefined;
      }
    }
    return ratios;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Miss ratios recorded in issue #14 (libCacheSim on streams like ours, capacity 1 000),
 * printed when libCacheSim is not available. Recorded, not measured in this run.
 */
export const RECORDED_REFERENCES: Record<string, Record<string, number>> = {
  zipf: { 'W-TinyLFU': 0.5457, LFUDA: 0.5451, 'S3-FIFO': 0.5498, ARC: 0.5549, LRU: 0.6582 },
  scan: { 'W-TinyLFU': 0.5672 },
  loop: { LIRS: 0.1009, 'W-TinyLFU': 0.1013, OPT: 0.0918 },
};
