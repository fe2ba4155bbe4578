/**
 * The platform's own accounts: SEED DATA a team replaces with its chart of accounts; the machinery reads only
 * this list. Each entry is a code prefix followed by the ISO 4217 currency (`settlement:EUR`). Such an account
 * is created like any other (`POST /accounts`, idempotent: the same code and body answer 200), on first use,
 * by whoever moves money through it; its type and `allowNegative` are fixed here, so a caller may omit
 * `allowNegative` and a body that contradicts the definition is refused.
 */
import type { AccountType } from './accounts.ts';

export interface PlatformAccount {
  /** The code is `<prefix><CUR>`, CUR the account's currency. */
  prefix: string;
  type: AccountType;
  allowNegative: boolean;
  purpose: string;
}

export const platformAccounts: readonly PlatformAccount[] = [
  {
    prefix: 'settlement:',
    type: 'asset',
    allowNegative: true,
    purpose: 'money the platform holds at its bank, per currency: a top-up debits it and credits the wallet',
  },
  {
    prefix: 'fx:',
    type: 'equity',
    allowNegative: true,
    purpose: "the platform's position per currency: a cross-currency transfer credits fx:<sold> and debits fx:<bought>",
  },
];

/** The platform definition a code belongs to, if any. */
export function platformAccountOf(code: string): PlatformAccount | undefined {
  return platformAccounts.find((account) => code.startsWith(account.prefix));
}

/** `settlement:EUR` for (settlement, EUR). */
export function platformAccountCode(prefix: 'settlement:' | 'fx:' | (string & {}), currency: string): string {
  return `${prefix}${currency}`;
}
