import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/command.js';
import { parseLoadArgs } from '../../src/payments/load-args.js';

const refusal = (raw: Parameters<typeof parseLoadArgs>[0]): string => {
  try {
    parseLoadArgs(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).problems).toHaveLength(1);
    return (error as UsageError).message;
  }
  throw new Error('accepted');
};

describe('innover load payments flags', () => {
  it('defaults: 100 payments, 10 in flight, none cross-currency, direct, 120 s', () => {
    expect(parseLoadArgs({ scenario: 'payments' })).toEqual({ count: 100, concurrency: 10, crossCurrency: 0, via: 'direct', timeoutSeconds: 120 });
    expect(parseLoadArgs({ scenario: 'payments', count: '300', concurrency: '20', crossCurrency: '0.3', via: 'gateway', timeout: '2.5' })).toEqual({
      count: 300,
      concurrency: 20,
      crossCurrency: 0.3,
      via: 'gateway',
      timeoutSeconds: 2.5,
    });
    expect(parseLoadArgs({ scenario: 'payments', count: '1', concurrency: '1', crossCurrency: '1' })).toMatchObject({ count: 1, concurrency: 1, crossCurrency: 1 });
    expect(parseLoadArgs({ scenario: 'payments', rate: '42.5' })).toMatchObject({ ratePerSecond: 42.5 });
  });

  it('refuses each bad value in one line naming the flag and the fix', () => {
    expect(refusal({ scenario: 'orders' })).toBe('innover load orders: unknown scenario; use innover load payments');
    for (const count of ['0', '-1', '1.5', 'ten', '']) expect(refusal({ scenario: 'payments', count })).toMatch(/^--count '.*': give a whole number of payments, at least 1/);
    for (const concurrency of ['0', '11', '2.5', 'x']) expect(refusal({ scenario: 'payments', count: '10', concurrency })).toMatch(/^--concurrency '.*': give a whole number from 1 to --count \(10\)$/);
    for (const crossCurrency of ['1.5', '-0.1', 'half', '2']) expect(refusal({ scenario: 'payments', crossCurrency })).toMatch(/^--cross-currency '.*': give the fraction of cross-currency payments, from 0 to 1/);
    expect(refusal({ scenario: 'payments', via: 'nginx' })).toBe("--via 'nginx': use direct (the services' published ports) or gateway (the WSO2 gateway)");
    for (const rate of ['0', '-5', 'fast', '']) expect(refusal({ scenario: 'payments', rate })).toMatch(/^--rate '.*': give the payments to start per second, above 0/);
    for (const timeout of ['0', '-5', 'soon']) expect(refusal({ scenario: 'payments', timeout })).toMatch(/^--timeout '.*': give the seconds the payments may take, above 0/);
  });
});
