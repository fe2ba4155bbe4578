import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { EntryDirection, ledgerTransferChangedCodec, TransferStatus } from '../src/clients/ledger-events.js';
import { toTransferChange } from '../src/entry-points/subscriptions.js';

describe('toTransferChange', () => {
  it('reads ledger.transfer-changed.v1 off the wire: status, entries with exact minor units, reference, event time', () => {
    const bytes = ledgerTransferChangedCodec.encode({
      metadata: { eventId: 'e-1', source: 'ledger', occurredAt: timestampFromDate(new Date('2026-02-03T04:05:06.789Z')) },
      transferId: 't-1',
      status: TransferStatus.PENDING,
      entries: [
        { accountId: 'a-1', direction: EntryDirection.DEBIT, amount: { currencyCode: 'EUR', minorUnits: '9007199254740991' } },
        { accountId: 'a-2', direction: EntryDirection.CREDIT, amount: { currencyCode: 'EUR', minorUnits: '9007199254740991' } },
      ],
      reference: 'payment:p-1',
    });
    expect(toTransferChange(ledgerTransferChangedCodec.decode(bytes))).toEqual({
      transferId: 't-1',
      status: 'pending',
      entries: [
        { accountId: 'a-1', direction: 'debit', amountMinor: 9_007_199_254_740_991, currency: 'EUR' },
        { accountId: 'a-2', direction: 'credit', amountMinor: 9_007_199_254_740_991, currency: 'EUR' },
      ],
      reference: 'payment:p-1',
      at: '2026-02-03T04:05:06.789Z',
    });
  });

  it('maps every status and skips a message without one', () => {
    const statuses = [TransferStatus.POSTED, TransferStatus.VOIDED, TransferStatus.EXPIRED].map((status) => toTransferChange(ledgerTransferChangedCodec.decode(ledgerTransferChangedCodec.encode({ transferId: 't', status })))?.status);
    expect(statuses).toEqual(['posted', 'voided', 'expired']);
    expect(toTransferChange(ledgerTransferChangedCodec.decode(ledgerTransferChangedCodec.encode({ transferId: 't' })))).toBeUndefined();
  });

  it('refuses an amount that is not a safe integer rather than rounding it', () => {
    const message = ledgerTransferChangedCodec.decode(ledgerTransferChangedCodec.encode({ transferId: 't', status: TransferStatus.POSTED, entries: [{ accountId: 'a', direction: EntryDirection.CREDIT, amount: { currencyCode: 'EUR', minorUnits: '9007199254740993' } }] }));
    expect(() => toTransferChange(message)).toThrow(/safe integer/);
  });
});
