import { describe, expect, it } from 'vitest';
import { postingsFor, settledPayment } from '../src/domain/settlements.js';

describe('postingsFor', () => {
  it('debits the payer and credits the payee under one reference, summing to zero', () => {
    const postings = postingsFor(settledPayment.parse({ paymentId: 'p1', payerId: 'alice', payeeId: 'bob', amountMinor: 250, currency: 'EUR', status: 'settled' }));
    expect(postings).toEqual([
      { account: 'alice', amountMinor: -250, currency: 'EUR', reference: 'payment:p1' },
      { account: 'bob', amountMinor: 250, currency: 'EUR', reference: 'payment:p1' },
    ]);
    expect(postings.reduce((sum, posting) => sum + posting.amountMinor, 0)).toBe(0);
  });
});
