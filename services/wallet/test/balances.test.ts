import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { movements } from '../src/domain/balances.js';
import { EntryDirection, LedgerEntriesPostedSchema } from '@innover/proto/ledger/v1/ledger_pb.js';

describe('movements', () => {
  it('turns debits into negative and credits into positive amounts per customer', () => {
    const event = create(LedgerEntriesPostedSchema, {
      transactionId: 't1',
      entries: [
        { accountId: 'alice', direction: EntryDirection.DEBIT, amount: { currencyCode: 'EUR', minorUnits: '250' } },
        { accountId: 'bob', direction: EntryDirection.CREDIT, amount: { currencyCode: 'EUR', minorUnits: '250' } },
        { accountId: 'nobody', direction: EntryDirection.UNSPECIFIED, amount: { currencyCode: 'EUR', minorUnits: '1' } },
      ],
    });
    expect(movements(event)).toEqual([
      { customerId: 'alice', currency: 'EUR', amountMinor: -250 },
      { customerId: 'bob', currency: 'EUR', amountMinor: 250 },
    ]);
  });
});
