import { describe, expect, it } from 'vitest';
import { isUuid, uuidV5 } from '../src/uuid.js';

const dns = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const url = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

describe('uuidV5', () => {
  it('matches RFC 9562 Appendix A.4 (DNS namespace, www.example.com)', () => {
    expect(uuidV5(dns, 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('matches the widely published vectors of Python uuid.uuid5', () => {
    expect(uuidV5(dns, 'python.org')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidV5(url, 'http://python.org/')).toBe('4c565f0d-3f5a-5890-b41b-20cf47701c5e');
    expect(uuidV5(url, 'http://www.ietf.org/rfc/rfc4122.txt')).toBe('d0690b3c-b29d-52e7-81b0-d573b503f2d4');
    expect(uuidV5(dns, 'ünïcødé')).toBe('274666bc-618d-5ba1-8813-eed3e880cca6');
  });

  it('is deterministic, version 5 and RFC variant, and differs per name and namespace', () => {
    const topUp = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const id = uuidV5(topUp, 'top-up');
    expect(uuidV5(topUp.toUpperCase(), 'top-up')).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidV5(topUp, 'reserve')).not.toBe(id);
    expect(uuidV5(dns, 'top-up')).not.toBe(id);
    expect(isUuid(id)).toBe(true);
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('wallet-1', 'top-up')).toThrow(/namespace must be a UUID/);
  });
});
