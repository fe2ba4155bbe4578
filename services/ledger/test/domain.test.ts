import { describe, expect, it } from 'vitest';
import { accountSpec, availableOf, balanceOf, isCreditNormal, matchesSpec, withinLimits } from '../src/domain/accounts.js';
import type { Account } from '../src/domain/accounts.js';
import { uuidV5 } from '../src/domain/ids.js';
import { platformAccountOf, platformAccounts } from '../src/domain/platform-accounts.js';
import { accountsOverLimit, countersDelta, resolve, sameRequest, transferRequest, unbalancedCurrencies } from '../src/domain/transfers.js';
import type { Transfer } from '../src/domain/transfers.js';

const counters = { postedDebitsMinor: 0, postedCreditsMinor: 0, pendingDebitsMinor: 0, pendingCreditsMinor: 0 };
const wallet: Account = { id: 'a', code: 'wallet:1', currency: 'EUR', type: 'liability', allowNegative: false, ...counters, postedCreditsMinor: 1_000, postedDebitsMinor: 200, pendingDebitsMinor: 300 };

describe('normal balances', () => {
  it('liability, equity and revenue are credit-normal; asset and expense debit-normal', () => {
    expect((['liability', 'equity', 'revenue', 'asset', 'expense'] as const).map(isCreditNormal)).toEqual([true, true, true, false, false]);
  });

  it('balance is credits − debits for credit-normal accounts and debits − credits for debit-normal ones, posted only', () => {
    expect(balanceOf(wallet)).toBe(800);
    expect(balanceOf({ ...wallet, type: 'asset' })).toBe(-800);
    expect(availableOf(wallet)).toBe(500);
    // A debit-normal account holds its pending credits against the balance.
    expect(availableOf({ ...wallet, type: 'expense', postedDebitsMinor: 1_000, postedCreditsMinor: 0, pendingCreditsMinor: 400 })).toBe(600);
  });

  it('an account that may not go negative keeps balance − reservations ≥ 0; allowNegative lifts that', () => {
    expect(withinLimits({ ...wallet, pendingDebitsMinor: 800 })).toBe(true);
    expect(withinLimits({ ...wallet, pendingDebitsMinor: 801 })).toBe(false);
    expect(withinLimits({ ...wallet, pendingDebitsMinor: 801, allowNegative: true })).toBe(true);
  });
});

describe('accountSpec', () => {
  it('defaults allowNegative to false for an ordinary account', () => {
    expect(accountSpec({ code: 'wallet:1', currency: 'EUR', type: 'liability' })).toEqual({ spec: { code: 'wallet:1', currency: 'EUR', type: 'liability', allowNegative: false } });
  });

  it('takes type and allowNegative of platform accounts from the seed, and refuses a body that contradicts it', () => {
    expect(platformAccounts.map((account) => [account.prefix, account.type, account.allowNegative])).toEqual([
      ['settlement:', 'asset', true],
      ['fx:', 'equity', true],
    ]);
    expect(accountSpec({ code: 'settlement:EUR', currency: 'EUR', type: 'asset' })).toEqual({ spec: { code: 'settlement:EUR', currency: 'EUR', type: 'asset', allowNegative: true } });
    expect(accountSpec({ code: 'fx:USD', currency: 'EUR', type: 'equity' })).toMatchObject({ problem: { path: 'currency' } });
    expect(accountSpec({ code: 'fx:USD', currency: 'USD', type: 'asset' })).toMatchObject({ problem: { path: 'type' } });
    expect(accountSpec({ code: 'settlement:EUR', currency: 'EUR', type: 'asset', allowNegative: false })).toMatchObject({ problem: { path: 'allowNegative' } });
    expect(platformAccountOf('wallet:1')).toBeUndefined();
  });

  it('matches an existing account only when code, currency, type and allowNegative agree', () => {
    const spec = { code: 'wallet:1', currency: 'EUR', type: 'liability' as const, allowNegative: false };
    expect(matchesSpec(wallet, spec)).toBe(true);
    expect(matchesSpec(wallet, { ...spec, currency: 'USD' })).toBe(false);
    expect(matchesSpec(wallet, { ...spec, allowNegative: true })).toBe(false);
  });
});

describe('balancing', () => {
  it('balances per currency: a cross-currency transfer balances each currency through fx accounts', () => {
    expect(
      unbalancedCurrencies([
        { currency: 'EUR', direction: 'debit', amountMinor: 1_000 },
        { currency: 'EUR', direction: 'credit', amountMinor: 1_000 },
        { currency: 'USD', direction: 'debit', amountMinor: 1_080 },
        { currency: 'USD', direction: 'credit', amountMinor: 1_080 },
      ]),
    ).toEqual([]);
  });

  it('names every currency whose debits and credits differ, even when the totals agree across currencies', () => {
    expect(
      unbalancedCurrencies([
        { currency: 'EUR', direction: 'debit', amountMinor: 1_000 },
        { currency: 'USD', direction: 'credit', amountMinor: 1_000 },
      ]),
    ).toEqual(['EUR', 'USD']);
    expect(unbalancedCurrencies([{ currency: 'EUR', direction: 'debit', amountMinor: 1 }])).toEqual(['EUR']);
  });
});

describe('counters', () => {
  const entries = [
    { accountId: 'a', direction: 'debit' as const, amountMinor: 300 },
    { accountId: 'b', direction: 'credit' as const, amountMinor: 300 },
  ];

  it('reserve adds to pending, post moves pending to posted, release takes it out, post-at-once adds to posted', () => {
    expect(countersDelta(entries, 'reserve').get('a')).toEqual({ ...counters, pendingDebitsMinor: 300 });
    expect(countersDelta(entries, 'post').get('b')).toEqual({ ...counters, pendingCreditsMinor: -300, postedCreditsMinor: 300 });
    expect(countersDelta(entries, 'release').get('a')).toEqual({ ...counters, pendingDebitsMinor: -300 });
    expect(countersDelta(entries, 'post-at-once').get('a')).toEqual({ ...counters, postedDebitsMinor: 300 });
  });

  it('sums several entries on one account, and finds the accounts a transfer would push over their limit', () => {
    const deltas = countersDelta([...entries, { accountId: 'a', direction: 'debit', amountMinor: 201 }, { accountId: 'b', direction: 'credit', amountMinor: 201 }], 'reserve');
    expect(deltas.get('a')?.pendingDebitsMinor).toBe(501);
    expect(accountsOverLimit([wallet, { ...wallet, id: 'b', code: 'wallet:2' }], deltas).map((account) => account.code)).toEqual(['wallet:1']);
    expect(accountsOverLimit([wallet], countersDelta([{ accountId: 'a', direction: 'debit', amountMinor: 500 }], 'reserve'))).toEqual([]);
  });
});

describe('transfer requests', () => {
  const body = { id: '6F1C5F3A-8A8E-4B43-9C1A-2B9E0E8C1D11', entries: [{ accountId: '0E1C5F3A-8A8E-4B43-9C1A-2B9E0E8C1D11', direction: 'debit' as const, amountMinor: 5 }] };

  it('applies defaults: not pending, no timeout; pending gets 300 s; ids lowercased; reference null', () => {
    expect(transferRequest(body)).toEqual({ id: body.id.toLowerCase(), entries: [{ ...body.entries[0], accountId: body.entries[0]!.accountId.toLowerCase() }], pending: false, timeoutSeconds: null, reference: null });
    expect(transferRequest({ ...body, pending: true }).timeoutSeconds).toBe(300);
    expect(transferRequest({ ...body, pending: true, timeoutSeconds: 30 }).timeoutSeconds).toBe(30);
  });

  it('is the same request only with the same entries in order, mode, timeout and reference', () => {
    const request = transferRequest({ ...body, pending: true });
    const stored: Transfer = { id: request.id, status: 'pending', twoPhase: true, timeoutSeconds: 300, reference: null, createdAt: new Date(), expiresAt: new Date(), entries: request.entries.map((entry) => ({ ...entry, currency: 'EUR' })) };
    expect(sameRequest(stored, request)).toBe(true);
    expect(sameRequest(stored, { ...request, reference: 'x' })).toBe(false);
    expect(sameRequest(stored, { ...request, timeoutSeconds: 60 })).toBe(false);
    expect(sameRequest(stored, { ...request, pending: false })).toBe(false);
    expect(sameRequest(stored, { ...request, entries: [{ ...request.entries[0]!, amountMinor: 6 }] })).toBe(false);
  });
});

describe('the two-phase state machine', () => {
  const transfer = (status: Transfer['status']) => ({ id: 't', status });

  it('posts or voids a pending transfer; past its timeout it can be voided but not posted', () => {
    expect(resolve(transfer('pending'), 'post', false)).toEqual({ kind: 'apply', status: 'posted', movement: 'post' });
    expect(resolve(transfer('pending'), 'void', false)).toEqual({ kind: 'apply', status: 'voided', movement: 'release' });
    expect(resolve(transfer('pending'), 'post', true)).toMatchObject({ kind: 'refuse', code: 'transfer_expired' });
    expect(resolve(transfer('pending'), 'void', true)).toMatchObject({ kind: 'apply', status: 'voided' });
  });

  it('repeating the action changes nothing; the other action on a resolved transfer is refused', () => {
    expect(resolve(transfer('posted'), 'post', false)).toEqual({ kind: 'unchanged' });
    expect(resolve(transfer('voided'), 'void', false)).toEqual({ kind: 'unchanged' });
    expect(resolve(transfer('expired'), 'void', true)).toEqual({ kind: 'unchanged' });
    expect(resolve(transfer('posted'), 'void', false)).toMatchObject({ kind: 'refuse', status: 409, code: 'transfer_already_resolved' });
    expect(resolve(transfer('voided'), 'post', false)).toMatchObject({ kind: 'refuse', status: 409, code: 'transfer_already_resolved' });
    expect(resolve(transfer('expired'), 'post', true)).toMatchObject({ kind: 'refuse', status: 409, code: 'transfer_expired' });
  });
});

describe('uuidV5', () => {
  it('matches the RFC 9562 example (DNS namespace, www.example.com)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });
});
