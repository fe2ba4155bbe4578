import { z } from 'zod';
import { crashPoints } from '../domain/saga.ts';
import type { CrashPoint } from '../domain/saga.ts';

/** The payment service's own settings, from the environment (the kit's cover the rest). */
export interface PaymentSettings {
  /** PAYMENT_RECONCILE_INTERVAL_MS (10 000): how often the reconciler runs. */
  reconcileIntervalMs: number;
  /** PAYMENT_STALLED_AFTER_MS (30 000): a non-terminal payment untouched this long is re-enqueued. */
  stalledAfterMs: number;
  /** PAYMENT_RESERVATION_TIMEOUT_SECONDS (300): the pending transfer's timeout; longer than the reconciler needs to resume a payment. */
  reservationTimeoutSeconds: number;
  /** PAYMENT_CRASH_AFTER (test only, ignored when NODE_ENV=production): the worker kills itself after this point. */
  crashAfter: CrashPoint | undefined;
}

const integer = (fallback: number, minimum: number) => z.coerce.number().int().min(minimum).default(fallback);
const schema = z.object({
  PAYMENT_RECONCILE_INTERVAL_MS: integer(10_000, 100),
  PAYMENT_STALLED_AFTER_MS: integer(30_000, 100),
  PAYMENT_RESERVATION_TIMEOUT_SECONDS: integer(300, 1),
  PAYMENT_CRASH_AFTER: z.enum(crashPoints).optional(),
  NODE_ENV: z.string().optional(),
});

/** Parses the settings; throws one line naming the variable and the fix. */
export function parsePaymentSettings(environment: Record<string, string | undefined>): PaymentSettings {
  const present = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`payment: invalid configuration: ${String(issue?.path[0] ?? '')}: ${issue?.message ?? 'invalid'}`);
  }
  const env = parsed.data;
  // The reservation must outlive the time the reconciler takes to notice a stalled payment and resume it.
  const resumeWithinMs = env.PAYMENT_RECONCILE_INTERVAL_MS + env.PAYMENT_STALLED_AFTER_MS;
  if (env.PAYMENT_RESERVATION_TIMEOUT_SECONDS * 1_000 <= resumeWithinMs) {
    throw new Error(
      `payment: invalid configuration: PAYMENT_RESERVATION_TIMEOUT_SECONDS: ${env.PAYMENT_RESERVATION_TIMEOUT_SECONDS} s must be longer than PAYMENT_RECONCILE_INTERVAL_MS + PAYMENT_STALLED_AFTER_MS (${resumeWithinMs} ms); raise it or lower those`,
    );
  }
  return {
    reconcileIntervalMs: env.PAYMENT_RECONCILE_INTERVAL_MS,
    stalledAfterMs: env.PAYMENT_STALLED_AFTER_MS,
    reservationTimeoutSeconds: env.PAYMENT_RESERVATION_TIMEOUT_SECONDS,
    crashAfter: env.NODE_ENV === 'production' ? undefined : env.PAYMENT_CRASH_AFTER,
  };
}
