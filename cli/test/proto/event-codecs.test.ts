import { describe, expect, it } from 'vitest';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { eventCodecs, eventCodecsByTopic, paymentInitiatedCodec, paymentStatusChangedCodec, transferChangedCodec, walletOpenedCodec } from '@innover/proto/events.js';
import { TransferStatus } from '@innover/proto/ledger/v1/ledger_pb.js';
import { eventMetadata } from '@innover/proto/metadata.js';
import { PaymentStatus } from '@innover/proto/payment/v1/payment_pb.js';
import topics from '../../../services/proto/src/generated/topics.json' with { type: 'json' };

// The committed generated package (@innover/proto), exercised as the services use it for Kafka payloads.
describe('generated event codecs', () => {
  it('round-trips a PaymentInitiated through protobuf binary, money exact as a string', () => {
    const bytes = paymentInitiatedCodec.encode({
      metadata: { eventId: 'e-1', source: 'payment', occurredAt: timestampFromDate(new Date('2026-01-02T03:04:05Z')) },
      payment: {
        paymentId: 'p-1',
        payerCustomerId: 'c-1',
        payeeCustomerId: 'c-2',
        amount: { currencyCode: 'USD', minorUnits: '9007199254740993' },
        status: PaymentStatus.PENDING,
      },
    });
    expect(bytes).toBeInstanceOf(Uint8Array);
    const decoded = paymentInitiatedCodec.decode(bytes);
    expect(decoded.$typeName).toBe('innover.payment.v1.PaymentInitiated');
    expect(decoded.payment?.amount?.minorUnits).toBe('9007199254740993');
    expect(decoded.payment?.status).toBe(PaymentStatus.PENDING);
    expect(decoded.metadata?.occurredAt?.seconds).toBe(BigInt(Date.parse('2026-01-02T03:04:05Z') / 1000));
  });

  it('carries a transition of the saga with its reason, and lists codecs by type name', () => {
    const decoded = paymentStatusChangedCodec.decode(
      paymentStatusChangedCodec.encode({
        paymentId: 'p-1',
        previousStatus: PaymentStatus.SCREENING,
        status: PaymentStatus.REJECTED,
        reason: { code: 'rule_rejected', message: 'amount over 10000.00 EUR' },
      }),
    );
    expect(decoded).toMatchObject({ $typeName: 'innover.payment.v1.PaymentStatusChanged', paymentId: 'p-1', previousStatus: PaymentStatus.SCREENING, status: PaymentStatus.REJECTED });
    expect(decoded.reason?.code).toBe('rule_rejected');
    expect(Object.keys(eventCodecs)).toEqual(expect.arrayContaining(['innover.payment.v1.PaymentInitiated', 'innover.payment.v1.PaymentStatusChanged']));
    expect(eventCodecs['innover.payment.v1.PaymentStatusChanged']).toBe(paymentStatusChangedCodec);
  });

  it('has no event of the rule engine, which publishes nothing', () => {
    expect(Object.keys(eventCodecs).filter((name) => name.startsWith('innover.rule_engine.'))).toEqual([]);
    expect(Object.keys(topics).filter((topic) => topic.startsWith('rule-engine.'))).toEqual([]);
  });

  it('has a message for each event the wallet publishes: wallet opened and balance changed', () => {
    expect(Object.keys(eventCodecs).filter((name) => name.startsWith('innover.wallet.'))).toEqual([
      'innover.wallet.v1.WalletBalanceChanged',
      'innover.wallet.v1.WalletOpened',
    ]);
    const decoded = walletOpenedCodec.decode(walletOpenedCodec.encode({ walletId: 'w-1', customerId: 'c-1', currencyCode: 'EUR' }));
    expect(decoded).toMatchObject({ $typeName: 'innover.wallet.v1.WalletOpened', walletId: 'w-1', customerId: 'c-1', currencyCode: 'EUR' });
  });

  it('names each codec\'s topic, lists the codecs by topic, and topics.json lists the same topics', () => {
    expect(transferChangedCodec.topic).toBe('ledger.transfer-changed.v1');
    expect(paymentInitiatedCodec.topic).toBe('payment.initiated.v1');
    expect(eventCodecsByTopic['ledger.transfer-changed.v1']).toBe(transferChangedCodec);
    expect(Object.keys(topics).sort()).toEqual(Object.keys(eventCodecsByTopic).sort());
    expect(Object.entries(topics)).toEqual(expect.arrayContaining([['ledger.transfer-changed.v1', 'innover.ledger.v1.TransferChanged']]));
  });

  it('builds every event\'s metadata with one helper: fresh id and now by default, or the given ones', () => {
    const before = Date.now();
    const fresh = eventMetadata({ source: 'ledger' });
    expect(fresh.$typeName).toBe('innover.common.v1.EventMetadata');
    expect(fresh.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(eventMetadata({ source: 'ledger' }).eventId).not.toBe(fresh.eventId);
    expect(fresh).toMatchObject({ source: 'ledger', correlationId: '' });
    expect(Number(fresh.occurredAt?.seconds) * 1000).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);

    const given = eventMetadata({ source: 'ledger', correlationId: 'p-1', eventId: 'e-1', occurredAt: new Date('2026-01-02T03:04:05Z') });
    expect(given).toMatchObject({ eventId: 'e-1', source: 'ledger', correlationId: 'p-1' });
    const decoded = transferChangedCodec.decode(
      transferChangedCodec.encode({ metadata: given, transferId: 't-1', status: TransferStatus.PENDING, entries: [], reference: 'r' }),
    );
    expect(decoded.metadata?.occurredAt?.seconds).toBe(BigInt(Date.parse('2026-01-02T03:04:05Z') / 1000));
    expect(decoded).toMatchObject({ transferId: 't-1', status: TransferStatus.PENDING, reference: 'r' });
  });
});
