// How the file tier names things: entry files by a digest of the key, temporary files by
// their writer, so that an abandoned one can be recognised and swept.

type Crypto = typeof import('node:crypto');

/** Entry files end with this. */
export const ENTRY_SUFFIX = '.entry';

// A lone surrogate (a UTF-16 unit that is half of a pair without its other half).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Hex SHA-256 naming the entry file of `key`. Well-formed keys hash their UTF-8 bytes (as
 * phasekit always did). UTF-8 cannot encode lone surrogates (they all become U+FFFD), so
 * other keys hash a 0xFF byte, which never occurs in UTF-8, then their UTF-16 code units:
 * distinct keys always hash distinct bytes.
 */
export function keyDigest(crypto: Crypto, key: string): string {
  const hash = crypto.createHash('sha256');
  if (!LONE_SURROGATE.test(key)) return hash.update(key, 'utf8').digest('hex');
  return hash.update(Uint8Array.of(0xff)).update(key, 'utf16le').digest('hex');
}

/** The entry file name of `key`. */
export function entryName(crypto: Crypto, key: string): string {
  return keyDigest(crypto, key) + ENTRY_SUFFIX;
}

/** Who wrote a temporary file: a short tag of the host name, the process id, a counter. */
export interface TempWriter {
  /** 8 hex digits of the writer's host name digest; absent in names written by phasekit 0.1. */
  host?: string;
  pid: number;
}

let counter = 0;

/** A fresh temporary name next to `entryFile`: `<entry>.<host>-<pid>-<n>.tmp`. */
export function tempName(entryFile: string, host: string): string {
  return `${entryFile}.${host}-${process.pid}-${counter++}.tmp`;
}

const TEMP = /\.entry\.(?:([0-9a-f]{8})-)?(\d+)-\d+\.tmp$/;

/** The writer of a temporary file name, or undefined when `name` is not one. */
export function tempWriter(name: string): TempWriter | undefined {
  const match = TEMP.exec(name);
  if (!match) return undefined;
  return { ...(match[1] ? { host: match[1] } : {}), pid: Number(match[2]) };
}

/** 8 hex digits naming this host in temporary file names. */
export function hostTag(crypto: Crypto, hostname: string): string {
  return crypto.createHash('sha256').update(hostname).digest('hex').slice(0, 8);
}

/**
 * Whether a temporary file was abandoned: older than `staleMs`, or written on this host by
 * a process that is gone. (A live writer renames its file within moments; one killed
 * mid-write leaves it forever.)
 */
export function isAbandoned(writer: TempWriter, modifiedMs: number, now: number, staleMs: number, host: string): boolean {
  if (now - modifiedMs > staleMs) return true;
  return writer.host === host && writer.pid !== process.pid && !processAlive(writer.pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as { code?: string }).code === 'EPERM';
  }
}
