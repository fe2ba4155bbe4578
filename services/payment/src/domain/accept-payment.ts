/** The checks of `POST /payments` before anything is stored (issue 10's payment contract). */
import type { Wallet, Wallets } from './ports.ts';

export interface PaymentRequest {
  payerWalletId: string;
  payeeWalletId: string;
  amountMinor: number;
  currency: string;
  reference?: string | undefined;
}

/** Why a request is refused: the HTTP status and error code of the contract. */
export interface Refusal {
  status: 404 | 422;
  code: 'same_wallet' | 'wallet_not_found' | 'currency_mismatch';
  message: string;
}

/** Both wallets, or why not: same wallet (422), an unknown wallet (404), a currency other than the payer's (422). */
export async function checkPaymentRequest(request: PaymentRequest, wallets: Wallets): Promise<{ payer: Wallet; payee: Wallet } | Refusal> {
  if (request.payerWalletId === request.payeeWalletId) return { status: 422, code: 'same_wallet', message: 'payerWalletId and payeeWalletId are the same wallet; pay another wallet' };
  const [payer, payee] = await Promise.all([wallets.get(request.payerWalletId), wallets.get(request.payeeWalletId)]);
  if (!payer) return { status: 404, code: 'wallet_not_found', message: `payerWalletId: no wallet ${request.payerWalletId}` };
  if (!payee) return { status: 404, code: 'wallet_not_found', message: `payeeWalletId: no wallet ${request.payeeWalletId}` };
  if (payer.currency !== request.currency) return { status: 422, code: 'currency_mismatch', message: `currency: the payer wallet holds ${payer.currency}, not ${request.currency}; send currency ${payer.currency}` };
  return { payer, payee };
}
