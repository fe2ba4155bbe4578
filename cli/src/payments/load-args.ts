/**
 * The flags of `innover load payments`, checked before anything is contacted: each bad value is one
 * line naming the flag and the fix (a usage error, exit 2).
 */
import { UsageError } from '../command.js';

export const loadVias = ['direct', 'gateway'] as const;
export type LoadVia = (typeof loadVias)[number];
export const loadScenarios = ['payments'] as const;

/** The flags as commander hands them over (strings, or the registry's defaults). */
export interface RawLoadArgs {
  scenario?: unknown;
  count?: unknown;
  concurrency?: unknown;
  crossCurrency?: unknown;
  via?: unknown;
  timeout?: unknown;
  rate?: unknown;
}

export interface LoadSettings {
  count: number;
  concurrency: number;
  crossCurrency: number;
  via: LoadVia;
  timeoutSeconds: number;
  /** Payments started per second (open loop); undefined: each lane starts its next as soon as one ends. */
  ratePerSecond?: number;
}

const text = (value: unknown): string => (typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '');
const decimal = /^(\d+(\.\d*)?|\.\d+)$/;

export function parseLoadArgs(raw: RawLoadArgs): LoadSettings {
  const scenario = text(raw.scenario ?? 'payments');
  if (!(loadScenarios as readonly string[]).includes(scenario)) throw new UsageError(`innover load ${scenario}: unknown scenario; use innover load payments`);

  const countText = text(raw.count ?? '100');
  const count = Number(countText);
  if (!/^\d+$/.test(countText) || !Number.isSafeInteger(count) || count < 1) throw new UsageError(`--count '${countText}': give a whole number of payments, at least 1 (e.g. --count 100)`);

  const concurrencyText = text(raw.concurrency ?? '10');
  const concurrency = Number(concurrencyText);
  if (!/^\d+$/.test(concurrencyText) || concurrency < 1 || concurrency > count) {
    throw new UsageError(`--concurrency '${concurrencyText}': give a whole number from 1 to --count (${count})`);
  }

  const crossText = text(raw.crossCurrency ?? '0');
  const crossCurrency = Number(crossText);
  if (!decimal.test(crossText) || crossCurrency > 1) throw new UsageError(`--cross-currency '${crossText}': give the fraction of cross-currency payments, from 0 to 1 (e.g. 0.3)`);

  const via = text(raw.via ?? 'direct');
  if (!(loadVias as readonly string[]).includes(via)) throw new UsageError(`--via '${via}': use direct (the services' published ports) or gateway (the WSO2 gateway)`);

  const timeoutText = text(raw.timeout ?? '120');
  const timeoutSeconds = Number(timeoutText);
  if (!decimal.test(timeoutText) || !(timeoutSeconds > 0)) throw new UsageError(`--timeout '${timeoutText}': give the seconds the payments may take, above 0 (e.g. --timeout 120)`);

  let ratePerSecond: number | undefined;
  if (raw.rate !== undefined) {
    const rateText = text(raw.rate);
    ratePerSecond = Number(rateText);
    if (!decimal.test(rateText) || !(ratePerSecond > 0)) throw new UsageError(`--rate '${rateText}': give the payments to start per second, above 0 (e.g. --rate 50)`);
  }

  return { count, concurrency, crossCurrency, via: via as LoadVia, timeoutSeconds, ...(ratePerSecond === undefined ? {} : { ratePerSecond }) };
}
