import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths pino blanks out wherever they appear in a log object. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'password',
  'token',
  'accessToken',
  '*.password',
  '*.token',
  'config.redisUrl',
  'config.databaseUrl',
  'clientSecret',
  '*.clientSecret',
  'config.calls.auth.clientSecret',
];

/**
 * Structured JSON logger. Each line carries `service`, and `trace_id`/`span_id` whenever a span is active,
 * so logs and traces join up in Jaeger/Loki without any per-call effort.
 */
export function createLogger(options: { serviceName: string; level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.serviceName },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const spanContext = trace.getActiveSpan()?.spanContext();
        // Without an SDK spans are non-recording with all-zero ids: those are no trace to join.
        if (!spanContext || !isSpanContextValid(spanContext)) return {};
        return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
      },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
