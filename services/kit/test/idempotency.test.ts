import { describe, expect, it } from 'vitest';
import { canonicalJson, invalidKeyReason, requestFingerprint } from '../src/idempotency.js';
import { OUTBOX_SHARDS, shardOf } from '../src/outbox.js';

describe('idempotency fingerprints', () => {
  it('canonicalJson sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('hashes method, path and body: key order does not matter, anything else does', () => {
    const base = requestFingerprint({ method: 'post', path: '/payments', body: { amountMinor: 100, currency: 'EUR' } });
    expect(requestFingerprint({ method: 'POST', path: '/payments', body: { currency: 'EUR', amountMinor: 100 } })).toBe(base);
    expect(requestFingerprint({ method: 'POST', path: '/payments', body: { currency: 'EUR', amountMinor: 101 } })).not.toBe(base);
    expect(requestFingerprint({ method: 'POST', path: '/transfers', body: { currency: 'EUR', amountMinor: 100 } })).not.toBe(base);
    expect(requestFingerprint({ method: 'PUT', path: '/payments', body: { currency: 'EUR', amountMinor: 100 } })).not.toBe(base);
  });

  it('accepts keys of 1 to 255 characters', () => {
    expect(invalidKeyReason(undefined)).toMatch(/required/);
    expect(invalidKeyReason('')).toMatch(/required/);
    expect(invalidKeyReason('k'.repeat(255))).toBeUndefined();
    expect(invalidKeyReason('k'.repeat(256))).toMatch(/at most 255/);
  });
});

describe('outbox shards', () => {
  it('are stable and spread keys over all shards', () => {
    expect(shardOf('payment-1')).toBe(shardOf('payment-1'));
    const seen = new Set(Array.from({ length: 400 }, (_, index) => shardOf(`key-${index}`)));
    expect(seen.size).toBe(OUTBOX_SHARDS);
    expect(Math.max(...seen)).toBe(OUTBOX_SHARDS - 1);
  });
});
