// Traces in lower tiers are their binary format (ArrayBuffer-backed bytes, never
// JSON). Unreadable bytes become CacheError CORRUPT, which the cache turns into
// "drop the record, count it, recompute".
import { CacheError } from '../cache/errors.js';
import type { ByteSerializer } from '../cache/serializers/serializer.js';
import { TraceError } from '../errors/index.js';
import { decodeTrace, encodeTrace, releaseTraceBuffer, traceBuffer } from '../trace/format.js';
import type { Trace } from '../trace/trace.js';

/** Encodes live traces to the binary trace format and back, verifying on the way in. */
export const traceSerializer: ByteSerializer = {
  name: 'phasekit-trace-v1',
  // decodeTrace checks the trace's own checksum (header and payload) before using anything.
  verifiesItself: true,
  encode: (value) => encodeTrace(value as Trace),
  // Files are read into kernel memory, where decodeTrace verifies and adopts them without a copy.
  readBuffer: traceBuffer,
  releaseBuffer: releaseTraceBuffer,
  decode: (bytes) => {
    try {
      return decodeTrace(bytes).trace;
    } catch (e) {
      if (e instanceof TraceError) throw new CacheError('CORRUPT', `stored trace is unusable: ${e.message}`);
      throw e;
    }
  },
};
