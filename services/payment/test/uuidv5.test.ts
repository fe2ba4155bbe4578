import { describe, expect, it } from 'vitest';
import { stepId } from '../src/domain/uuidv5.js';

// UUIDv5 itself is the kit's (services/kit/test/uuid.test.ts holds the RFC vectors).
describe('stepId', () => {
  it('derives step ids from the payment id: stable, distinct per step, version 5 with the RFC variant', () => {
    const payment = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(stepId(payment, 'reserve')).toBe('72e4657f-127f-5838-aa9b-4a80a685d4ba');
    expect(stepId(payment.toUpperCase(), 'reserve')).toBe(stepId(payment, 'reserve'));
    expect(stepId(payment, 'reserve')).not.toBe(stepId(payment, 'post'));
    expect(stepId(payment, 'reserve')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
