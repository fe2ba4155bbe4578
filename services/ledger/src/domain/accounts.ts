/**
 * Accounts and their balances (pure rules). After TigerBeetle's data model: an account keeps cumulative
 * posted and pending debits and credits; its balance is derived, credits − debits for the credit-normal
 * types (liability, equity, revenue) and debits − credits for the debit-normal ones (asset, expense). An
 * account that may not go negative keeps balance − pending debits (credit-normal) or balance − pending
 * credits (debit-normal) ≥ 0: TigerBeetle's `debits_must_not_exceed_credits` and
 * `credits_must_not_exceed_debits`, where a reservation counts against the balance at once.
 */
import { platformAccountOf } from './platform-accounts.ts';

export const accountTypes = ['asset', 'liability', 'equity', 'revenue', 'expense'] as const;
export type AccountType = (typeof accountTypes)[number];
export type Direction = 'debit' | 'credit';

export interface Counters {
  postedDebitsMinor: number;
  postedCreditsMinor: number;
  pendingDebitsMinor: number;
  pendingCreditsMinor: number;
}

export interface Account extends Counters {
  id: string;
  code: string;
  currency: string;
  type: AccountType;
  allowNegative: boolean;
}

/** What never changes about an account once it is open: everything but its counters. */
export type AccountInfo = Omit<Account, keyof Counters>;

/** What `POST /accounts` asks for, defaults applied. */
export interface AccountSpec {
  code: string;
  currency: string;
  type: AccountType;
  allowNegative: boolean;
}

export function isCreditNormal(type: AccountType): boolean {
  return type === 'liability' || type === 'equity' || type === 'revenue';
}

/** Posted balance in the account's normal direction. */
export function balanceOf(account: Pick<Account, 'type'> & Counters): number {
  return isCreditNormal(account.type) ? account.postedCreditsMinor - account.postedDebitsMinor : account.postedDebitsMinor - account.postedCreditsMinor;
}

/** The balance less what reservations hold against it: what a no-negative account keeps ≥ 0. */
export function availableOf(account: Pick<Account, 'type'> & Counters): number {
  return balanceOf(account) - (isCreditNormal(account.type) ? account.pendingDebitsMinor : account.pendingCreditsMinor);
}

/** True when the account may hold these counters: always for `allowNegative`, else available ≥ 0. */
export function withinLimits(account: Pick<Account, 'type' | 'allowNegative'> & Counters): boolean {
  return account.allowNegative || availableOf(account) >= 0;
}

export function addCounters(counters: Counters, delta: Counters): Counters {
  return {
    postedDebitsMinor: counters.postedDebitsMinor + delta.postedDebitsMinor,
    postedCreditsMinor: counters.postedCreditsMinor + delta.postedCreditsMinor,
    pendingDebitsMinor: counters.pendingDebitsMinor + delta.pendingDebitsMinor,
    pendingCreditsMinor: counters.pendingCreditsMinor + delta.pendingCreditsMinor,
  };
}

export const zeroCounters: Counters = { postedDebitsMinor: 0, postedCreditsMinor: 0, pendingDebitsMinor: 0, pendingCreditsMinor: 0 };

/**
 * The spec of a `POST /accounts` body, or the problem with it. A platform code (platform-accounts.ts) takes
 * its type and `allowNegative` from the seed and its currency from the code.
 */
export function accountSpec(body: { code: string; currency: string; type: AccountType; allowNegative?: boolean | undefined }): { spec: AccountSpec } | { problem: { path: string; message: string } } {
  const platform = platformAccountOf(body.code);
  if (!platform) return { spec: { code: body.code, currency: body.currency, type: body.type, allowNegative: body.allowNegative ?? false } };
  const currency = body.code.slice(platform.prefix.length);
  if (currency !== body.currency) return { problem: { path: 'currency', message: `platform account ${body.code} is in ${currency}: send currency ${currency}, or another code` } };
  if (body.type !== platform.type) return { problem: { path: 'type', message: `platform account ${body.code} is of type ${platform.type}: send type ${platform.type}` } };
  if (body.allowNegative !== undefined && body.allowNegative !== platform.allowNegative) return { problem: { path: 'allowNegative', message: `platform account ${body.code} has allowNegative ${String(platform.allowNegative)}: send that or omit it` } };
  return { spec: { code: body.code, currency, type: platform.type, allowNegative: platform.allowNegative } };
}

/** Whether an existing account is what a repeated `POST /accounts` asks for (then 200, else 409 account_exists). */
export function matchesSpec(account: Account, spec: AccountSpec): boolean {
  return account.code === spec.code && account.currency === spec.currency && account.type === spec.type && account.allowNegative === spec.allowNegative;
}

/** The `GET /accounts/:id` body. */
export function accountView(account: Account): Account & { balanceMinor: number } {
  return {
    id: account.id,
    code: account.code,
    currency: account.currency,
    type: account.type,
    allowNegative: account.allowNegative,
    postedDebitsMinor: account.postedDebitsMinor,
    postedCreditsMinor: account.postedCreditsMinor,
    pendingDebitsMinor: account.pendingDebitsMinor,
    pendingCreditsMinor: account.pendingCreditsMinor,
    balanceMinor: balanceOf(account),
  };
}
