/** One dependency probe; `check` rejects when the dependency is unusable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface CheckOutcome {
  status: 'ok' | 'failing';
  latencyMs: number;
  error?: string;
}

export interface ReadinessReport {
  status: 'ok' | 'failing';
  checks: Record<string, CheckOutcome>;
}

/** Rejects after `ms` so one hung dependency cannot hold the readiness answer. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs all checks in parallel, each bounded by `timeoutMs`. Only configured dependencies are passed in. */
export async function runReadiness(checks: ReadinessCheck[], timeoutMs = 1_500): Promise<ReadinessReport> {
  const outcomes = await Promise.all(
    checks.map(async (entry): Promise<[string, CheckOutcome]> => {
      const started = performance.now();
      try {
        await withTimeout(entry.check(), timeoutMs, entry.name);
        return [entry.name, { status: 'ok', latencyMs: Math.round((performance.now() - started) * 10) / 10 }];
      } catch (error) {
        return [entry.name, { status: 'failing', latencyMs: Math.round((performance.now() - started) * 10) / 10, error: (error as Error).message }];
      }
    }),
  );
  const failing = outcomes.some(([, outcome]) => outcome.status !== 'ok');
  return { status: failing ? 'failing' : 'ok', checks: Object.fromEntries(outcomes) };
}
