import { describe, expect, it } from 'vitest';
import { HttpTier, RedisTier, remoteTierFromEnv } from '../../src/cache/index.js';

describe('remoteTierFromEnv', () => {
  it('gives no tier when neither variable is set', () => {
    expect(remoteTierFromEnv({ env: {} })).toBeUndefined();
  });

  it('gives a Redis tier for PHASEKIT_CACHE_REMOTE=redis://… or PHASEKIT_REDIS_URL', () => {
    expect(remoteTierFromEnv({ env: { PHASEKIT_CACHE_REMOTE: 'redis://127.0.0.1:6379' } })).toBeInstanceOf(RedisTier);
    expect(remoteTierFromEnv({ env: { PHASEKIT_REDIS_URL: 'rediss://h:6380' } })).toBeInstanceOf(RedisTier);
  });

  it('gives a writing HTTP tier for an http(s) URL, under the namespace asked for', () => {
    const tier = remoteTierFromEnv({ env: { PHASEKIT_CACHE_REMOTE: 'https://cdn.example/caches/' }, namespace: 'traces' });
    expect(tier).toBeInstanceOf(HttpTier);
    expect((tier as HttpTier).url).toBe('https://cdn.example/caches/traces');
    expect((tier as HttpTier).stats().writeBack).toBeDefined();
  });

  it('prefers PHASEKIT_CACHE_REMOTE over PHASEKIT_REDIS_URL', () => {
    expect(remoteTierFromEnv({ env: { PHASEKIT_CACHE_REMOTE: 'https://a.example', PHASEKIT_REDIS_URL: 'redis://b' } })).toBeInstanceOf(HttpTier);
  });

  it('names the variable when its value is of another kind', () => {
    expect(() => remoteTierFromEnv({ env: { PHASEKIT_CACHE_REMOTE: 'ftp://x' } })).toThrow(/PHASEKIT_CACHE_REMOTE must be a redis:\/\/, rediss:\/\/, http:\/\/ or https:\/\/ URL/);
    expect(() => remoteTierFromEnv({ env: { PHASEKIT_REDIS_URL: 'https://x' } })).toThrow(/PHASEKIT_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
  });
});
