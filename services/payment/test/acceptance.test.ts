import { describe, expect, it } from 'vitest';
import { checkPaymentRequest } from '../src/domain/accept-payment.js';
import type { Wallet } from '../src/domain/ports.js';
import { decodeCursor, encodeCursor, paymentRequest } from '../src/entry-points/routes.js';
import { parsePaymentSettings } from '../src/entry-points/settings.js';

const payer: Wallet = { id: '11111111-1111-4111-8111-111111111111', customerId: 'c1', currency: 'EUR', ledgerAccountId: 'a1' };
const payee: Wallet = { id: '22222222-2222-4222-8222-222222222222', customerId: 'c2', currency: 'USD', ledgerAccountId: 'a2' };
const wallets = { get: async (id: string) => [payer, payee].find((wallet) => wallet.id === id) };

describe('checkPaymentRequest', () => {
  it('answers both wallets for a valid request', async () => {
    expect(await checkPaymentRequest({ payerWalletId: payer.id, payeeWalletId: payee.id, amountMinor: 5, currency: 'EUR' }, wallets)).toEqual({ payer, payee });
  });

  it.each([
    ['same_wallet', 422, { payerWalletId: payer.id, payeeWalletId: payer.id, currency: 'EUR' }],
    ['wallet_not_found', 404, { payerWalletId: '33333333-3333-4333-8333-333333333333', payeeWalletId: payee.id, currency: 'EUR' }],
    ['wallet_not_found', 404, { payerWalletId: payer.id, payeeWalletId: '33333333-3333-4333-8333-333333333333', currency: 'EUR' }],
    ['currency_mismatch', 422, { payerWalletId: payer.id, payeeWalletId: payee.id, currency: 'USD' }],
  ])('refuses with %s (%i)', async (code, status, request) => {
    expect(await checkPaymentRequest({ amountMinor: 5, ...request }, wallets)).toMatchObject({ code, status });
  });
});

describe('paymentRequest', () => {
  it.each([
    [{ amountMinor: 0 }, 'amountMinor'],
    [{ amountMinor: 1.5 }, 'amountMinor'],
    [{ amountMinor: 2 ** 53 }, 'amountMinor'],
    [{ currency: 'eur' }, 'currency'],
    [{ payerWalletId: 'x' }, 'payerWalletId'],
    [{ payerId: payer.id }, ''],
  ])('refuses %j at %s', (override, path) => {
    const parsed = paymentRequest.safeParse({ payerWalletId: payer.id, payeeWalletId: payee.id, amountMinor: 10, currency: 'EUR', ...override });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path.join('.')).toBe(path);
  });
});

describe('list cursors', () => {
  it('round-trip (created_at, id) and refuse anything else', () => {
    const at = new Date('2026-12-01T10:00:00.123Z');
    expect(decodeCursor(encodeCursor(at, payer.id))).toEqual({ createdAt: at.toISOString(), id: payer.id });
    expect(decodeCursor('not-a-cursor')).toBeUndefined();
    expect(decodeCursor(Buffer.from('["x","y"]').toString('base64url'))).toBeUndefined();
  });
});

describe('parsePaymentSettings', () => {
  it('has defaults: reconcile every 10 s, stalled after 30 s, reservations of 300 s', () => {
    expect(parsePaymentSettings({})).toEqual({ reconcileIntervalMs: 10_000, stalledAfterMs: 30_000, reservationTimeoutSeconds: 300, crashAfter: undefined });
  });

  it('takes a crash point outside production only', () => {
    expect(parsePaymentSettings({ PAYMENT_CRASH_AFTER: 'reserve' }).crashAfter).toBe('reserve');
    expect(parsePaymentSettings({ PAYMENT_CRASH_AFTER: 'reserve', NODE_ENV: 'production' }).crashAfter).toBeUndefined();
    expect(() => parsePaymentSettings({ PAYMENT_CRASH_AFTER: 'nowhere' })).toThrow(/PAYMENT_CRASH_AFTER/);
  });

  it('refuses a reservation timeout not longer than the time the reconciler needs to resume a payment', () => {
    expect(() => parsePaymentSettings({ PAYMENT_RESERVATION_TIMEOUT_SECONDS: '30', PAYMENT_RECONCILE_INTERVAL_MS: '10000', PAYMENT_STALLED_AFTER_MS: '30000' })).toThrow(/PAYMENT_RESERVATION_TIMEOUT_SECONDS: 30 s must be longer/);
    expect(parsePaymentSettings({ PAYMENT_RESERVATION_TIMEOUT_SECONDS: '41', PAYMENT_RECONCILE_INTERVAL_MS: '10000', PAYMENT_STALLED_AFTER_MS: '30000' }).reservationTimeoutSeconds).toBe(41);
  });
});
