import { createSHA256, type IHasher } from 'hash-wasm';
import { stableSerialize } from './stable-serialize.js';

/** Options of {@link argumentKey}. */
export interface ArgumentKeyOptions {
  /** Keys longer than this are replaced by `sha256:<hex>` (default 128). */
  maxLength?: number;
}

let hasher: Promise<IHasher> | undefined;

/**
 * A deterministic cache key for a list of arguments: their canonical serialization
 * when short, else its SHA-256 (hash-wasm) over the text and any large binary parts.
 */
export async function argumentKey(args: readonly unknown[], options: ArgumentKeyOptions = {}): Promise<string> {
  const { text, binaries } = stableSerialize(args);
  if (binaries.length === 0 && text.length <= (options.maxLength ?? 128)) return text;
  // One hasher serves every call: init → update → digest runs without awaiting in between.
  const sha = await (hasher ??= createSHA256());
  sha.init();
  sha.update(text);
  for (const binary of binaries) sha.update(binary);
  return `sha256:${sha.digest('hex')}`;
}
