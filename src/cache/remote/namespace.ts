import { CacheError } from '../errors.js';

// Namespaces become URL path segments, directory names and Redis key prefixes (and SCAN
// patterns): restricting them to these characters makes every one of those safe as is.
const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Returns `namespace` when it is usable by every remote tier; throws CacheError `BAD_OPTION` otherwise. */
export function checkNamespace(namespace: string): string {
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    throw new CacheError('BAD_OPTION', `namespace must be 1–100 letters, digits, '.', '_' or '-' (starting with a letter or digit), got ${JSON.stringify(namespace)}`);
  }
  return namespace;
}
