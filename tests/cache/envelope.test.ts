import { describe, expect, it } from 'vitest';
import { binarySerializer, jsonSerializer, type TierRecord } from '../../src/cache/index.js';
import { openRecord, readHead, sealRecord, splitEnvelope } from '../../src/cache/remote/envelope.js';

const record: TierRecord = { key: 'k', value: new Float64Array([1, 2]), storedAt: 5, accessedAt: 6, expiresAt: 0, size: 16, hits: 0, tags: ['t'], version: 2 };

const joined = (head: Uint8Array, payload: Uint8Array) => {
  const bytes = new Uint8Array(head.byteLength + payload.byteLength);
  bytes.set(head);
  bytes.set(payload, head.byteLength);
  return bytes;
};

describe('the remote integrity envelope', () => {
  it('round-trips a record with its metadata, as two parts and as one byte string', async () => {
    const sealed = await sealRecord(record, binarySerializer);
    expect(await openRecord(sealed, 'k', binarySerializer)).toEqual(record);
    expect(await openRecord(splitEnvelope(joined(sealed.head, sealed.payload), 'k'), 'k', binarySerializer)).toEqual(record);
    expect(readHead(sealed.head, 'k')).toMatchObject({ key: 'k', tags: ['t'], version: 2 });
  });

  it('rejects a flipped bit anywhere in the value', async () => {
    const { head, payload } = await sealRecord(record, binarySerializer);
    for (const at of [0, 5, payload.byteLength - 1]) {
      const damaged = payload.slice();
      damaged[at] ^= 1;
      await expect(openRecord({ head, payload: damaged }, 'k', binarySerializer)).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringMatching(/checksum/) });
    }
  });

  it('rejects a changed header field even when the JSON stays valid', async () => {
    const { head, payload } = await sealRecord(record, binarySerializer);
    const text = new TextDecoder().decode(head);
    const forged = new TextEncoder().encode(text.replace('"storedAt":5', '"storedAt":7'));
    await expect(openRecord({ head: forged, payload }, 'k', binarySerializer)).rejects.toMatchObject({ code: 'CORRUPT' });
  });

  it('rejects a truncated value, another key, another envelope version and another serializer', async () => {
    const { head, payload } = await sealRecord(record, binarySerializer);
    await expect(openRecord({ head, payload: payload.subarray(1) }, 'k', binarySerializer)).rejects.toThrow(/value bytes/);
    await expect(openRecord({ head, payload }, 'other', binarySerializer)).rejects.toThrow(/holds the entry of key "k"/);
    const future = head.slice();
    new DataView(future.buffer).setUint32(4, 99, true);
    await expect(openRecord({ head: future, payload }, 'k', binarySerializer)).rejects.toThrow(/envelope version 99/);
    await expect(openRecord({ head, payload }, 'k', jsonSerializer)).rejects.toThrow(/serializer "binary"/);
  });

  it('rejects bytes that are not an envelope at all', () => {
    expect(() => splitEnvelope(new Uint8Array(3), 'k')).toThrow(/too short/);
    expect(() => readHead(new TextEncoder().encode('<html>not found, but served with 200</html>'), 'k')).toThrow(/not a phasekit remote entry/);
  });
});
