// SHA-256 by hash-wasm, for platforms without WebCrypto (pages served over plain
// http). A module of its own so that the dynamic import() of it carries sha256 only.
export { sha256 } from 'hash-wasm';
