import { describe, expect, it } from 'vitest';
import { stepId, uuidv5 } from '../src/domain/uuidv5.js';

const dns = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const url = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

describe('uuidv5', () => {
  it('matches RFC 9562 appendix A.4 (www.example.com in the DNS namespace)', () => {
    expect(uuidv5('www.example.com', dns)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it("matches CPython's uuid.uuid5 for more names and namespaces, UTF-8 included", () => {
    expect(uuidv5('python.org', dns)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidv5('http://www.ietf.org/rfc/rfc4122.txt', url)).toBe('d0690b3c-b29d-52e7-81b0-d573b503f2d4');
    expect(uuidv5('ünïcødé', dns)).toBe('274666bc-618d-5ba1-8813-eed3e880cca6');
    expect(uuidv5('reserve', '0F8FAD5B-D9CB-469F-A165-70867728950E')).toBe('72e4657f-127f-5838-aa9b-4a80a685d4ba');
  });

  it('derives step ids from the payment id: stable, distinct per step, version 5 with the RFC variant', () => {
    const payment = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(stepId(payment, 'reserve')).toBe('72e4657f-127f-5838-aa9b-4a80a685d4ba');
    expect(stepId(payment, 'reserve')).not.toBe(stepId(payment, 'post'));
    expect(stepId(payment, 'reserve')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidv5('x', 'not-a-uuid')).toThrow(/namespace must be a UUID/);
  });
});
