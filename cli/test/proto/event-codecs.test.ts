import { describe, expect, it } from 'vitest';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { eventCodecs, paymentEvaluatedCodec, paymentInitiatedCodec } from '../../../services/payment/src/generated/events.js';
import { PaymentStatus } from '../../../services/payment/src/generated/payment/v1/payment_pb.js';
import { Decision } from '../../../services/payment/src/generated/rule-engine/v1/rule-engine_pb.js';
import { eventCodecs as walletEventCodecs, walletOpenedCodec } from '../../../services/wallet/src/generated/events.js';

// The committed generated code, exercised as the services use it for Kafka payloads.
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

  it('carries decision and reasons of an evaluation, and lists codecs by type name', () => {
    const decoded = paymentEvaluatedCodec.decode(
      paymentEvaluatedCodec.encode({
        evaluation: { paymentId: 'p-1', decision: Decision.DECLINE, reasons: [{ code: 'AMOUNT_OVER_LIMIT', message: 'over 10000.00', ruleId: 'r-7' }] },
      }),
    );
    expect(decoded.evaluation?.decision).toBe(Decision.DECLINE);
    expect(decoded.evaluation?.reasons.map((reason) => reason.code)).toEqual(['AMOUNT_OVER_LIMIT']);
    expect(Object.keys(eventCodecs).sort()).toEqual([
      'innover.ledger.v1.TransferChanged',
      'innover.payment.v1.PaymentInitiated',
      'innover.payment.v1.PaymentStatusChanged',
      'innover.rule_engine.v1.PaymentEvaluated',
    ]);
  });

  it('has a message for each event the wallet publishes: wallet opened and balance changed', () => {
    expect(Object.keys(walletEventCodecs).filter((name) => name.startsWith('innover.wallet.'))).toEqual([
      'innover.wallet.v1.WalletBalanceChanged',
      'innover.wallet.v1.WalletOpened',
    ]);
    const decoded = walletOpenedCodec.decode(walletOpenedCodec.encode({ walletId: 'w-1', customerId: 'c-1', currencyCode: 'EUR' }));
    expect(decoded).toMatchObject({ $typeName: 'innover.wallet.v1.WalletOpened', walletId: 'w-1', customerId: 'c-1', currencyCode: 'EUR' });
  });
});
