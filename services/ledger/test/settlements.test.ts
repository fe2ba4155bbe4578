import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { PaymentStatus, PaymentStatusChangedSchema } from '@innover/proto/payment/v1/payment_pb.js';
import { postingsFor } from '../src/domain/settlements.js';

const approved = create(PaymentStatusChangedSchema, {
  paymentId: 'p1',
  previousStatus: PaymentStatus.PENDING,
  status: PaymentStatus.APPROVED,
  payment: { paymentId: 'p1', payerCustomerId: 'alice', payeeCustomerId: 'bob', amount: { currencyCode: 'EUR', minorUnits: '250' } },
});

describe('postingsFor', () => {
  it('debits the payer and credits the payee of an approved payment under one reference, summing to zero', () => {
    const postings = postingsFor(approved);
    expect(postings).toEqual([
      { account: 'alice', amountMinor: -250, currency: 'EUR', reference: 'payment:p1' },
      { account: 'bob', amountMinor: 250, currency: 'EUR', reference: 'payment:p1' },
    ]);
    expect(postings.reduce((sum, posting) => sum + posting.amountMinor, 0)).toBe(0);
  });

  it('posts nothing for other transitions', () => {
    expect(postingsFor({ ...approved, status: PaymentStatus.DECLINED })).toEqual([]);
  });
});
