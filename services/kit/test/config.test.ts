import { describe, expect, it } from 'vitest';
import { parseConfig, parseTaskRoutes } from '../src/config.js';

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const result = parseConfig({ SERVICE_NAME: 'payment' }, 'api', { version: '1.2.3' });
    expect(result).toEqual({
      ok: true,
      config: {
        serviceName: 'payment',
        serviceVersion: '1.2.3',
        port: 8000,
        logLevel: 'info',
        databaseUrl: undefined,
        redisUrl: undefined,
        kafkaBrokers: undefined,
        otlpEndpoint: undefined,
        auth: undefined,
        calls: { urls: {}, auth: undefined, timeoutMs: 5_000 },
        queueName: 'payment',
        taskRoutes: {},
        worker: { concurrency: 1, lockDurationMs: 10_000, stalledIntervalMs: 10_000, heartbeatFile: '/tmp/innover-worker-heartbeat' },
        shutdownTimeoutMs: 10_000,
        databaseStartTimeoutMs: 60_000,
      },
    });
  });

  it('reads every dependency and derives the JWKS URL from the issuer', () => {
    const result = parseConfig(
      {
        SERVICE_NAME: 'payment',
        DATABASE_URL: 'postgresql://payment@cockroach1:26257/payment?sslmode=disable',
        REDIS_URL: 'redis://:password@redis:6379/0',
        KAFKA_BROKERS: 'redpanda:29092, redpanda2:29092',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318/',
        OIDC_ISSUER_URL: 'http://localhost:8080/realms/innover',
        TASK_ROUTES: 'add=payment,settle-payment=payment-slow',
        WORKER_CONCURRENCY: '50',
      },
      'worker',
    );
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config.kafkaBrokers).toEqual(['redpanda:29092', 'redpanda2:29092']);
    expect(result.config.otlpEndpoint).toBe('http://otel-collector:4318');
    expect(result.config.auth).toEqual({ issuer: 'http://localhost:8080/realms/innover', jwksUrl: 'http://localhost:8080/realms/innover/protocol/openid-connect/certs', audience: 'innover-api' });
    expect(result.config.taskRoutes).toEqual({ add: 'payment', 'settle-payment': 'payment-slow' });
    expect(result.config.worker.concurrency).toBe(50);
  });

  it('keeps a separate JWKS URL (internal network) from the expected issuer', () => {
    const result = parseConfig({ SERVICE_NAME: 'payment', OIDC_ISSUER_URL: 'http://localhost:8080/realms/innover', OIDC_JWKS_URL: 'http://keycloak:8080/realms/innover/protocol/openid-connect/certs' }, 'api');
    expect(result.ok && result.config.auth).toEqual({ issuer: 'http://localhost:8080/realms/innover', jwksUrl: 'http://keycloak:8080/realms/innover/protocol/openid-connect/certs', audience: 'innover-api' });
  });

  it('reads the called services from SERVICE_CALLS and their <UPPER_SNAKE>_URL, and the client credentials', () => {
    const result = parseConfig(
      {
        SERVICE_NAME: 'payment',
        SERVICE_CALLS: 'ledger, rule-engine,ledger',
        LEDGER_URL: 'http://ledger:8000/',
        RULE_ENGINE_URL: 'http://rule-engine:8000',
        PROFILE_URL: 'http://profile:8000',
        OIDC_TOKEN_URL: 'http://keycloak:8080/realms/innover/protocol/openid-connect/token',
        OIDC_CLIENT_ID: 'payment-service',
        OIDC_CLIENT_SECRET: 's3cret',
        SERVICE_CALL_TIMEOUT_MS: '2500',
      },
      'api',
    );
    if (!result.ok) throw new Error(result.problems.join('\n'));
    // PROFILE_URL alone calls nothing: only SERVICE_CALLS decides.
    expect(result.config.calls).toEqual({
      urls: { ledger: 'http://ledger:8000', 'rule-engine': 'http://rule-engine:8000' },
      auth: { tokenUrl: 'http://keycloak:8080/realms/innover/protocol/openid-connect/token', clientId: 'payment-service', clientSecret: 's3cret' },
      timeoutMs: 2_500,
    });
  });

  it('reports a missing or bad service URL and incomplete client credentials, one line each, never the secret', () => {
    const result = parseConfig({ SERVICE_NAME: 'payment', SERVICE_CALLS: 'ledger,rule-engine,forex', LEDGER_URL: 'ledger:8000', FOREX_URL: 'http://user:pw@forex:8000', OIDC_CLIENT_SECRET: 'hunter2' }, 'api');
    expect(result).toEqual({
      ok: false,
      problems: [
        'LEDGER_URL: must be a URL starting with http:// or https:// (got "ledger:8000")',
        'RULE_ENGINE_URL: is required because SERVICE_CALLS names rule-engine, e.g. RULE_ENGINE_URL=http://rule-engine:8000',
        'OIDC_TOKEN_URL: is required when OIDC_CLIENT_SECRET is set; service calls with tokens need OIDC_TOKEN_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET',
        'OIDC_CLIENT_ID: is required when OIDC_CLIENT_SECRET is set; service calls with tokens need OIDC_TOKEN_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET',
      ],
    });
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(parseConfig({ SERVICE_NAME: 'payment', SERVICE_CALLS: 'Ledger' }, 'api')).toEqual({ ok: false, problems: ['SERVICE_CALLS: must be comma-separated service names, e.g. ledger,rule-engine (got "Ledger")'] });
  });

  it('treats empty values as unset', () => {
    const result = parseConfig({ SERVICE_NAME: 'payment', DATABASE_URL: '', OIDC_ISSUER_URL: '' }, 'api');
    expect(result.ok && [result.config.databaseUrl, result.config.auth]).toEqual([undefined, undefined]);
  });

  it('reports one line per problem, naming the variable and the fix, without leaking credentials', () => {
    const result = parseConfig({ SERVICE_NAME: 'Payment', PORT: 'eighty', DATABASE_URL: 'mysql://user:hunter2@db/x', KAFKA_BROKERS: 'redpanda', WORKER_CONCURRENCY: '0' }, 'worker');
    expect(result).toEqual({
      ok: false,
      problems: [
        'SERVICE_NAME: must be lower-case kebab-case, e.g. payment (got "Payment")',
        'PORT: must be a port number (got "eighty")',
        'DATABASE_URL: must be a URL starting with postgresql:// or postgres:// (got "mysql://***@db/x")',
        'KAFKA_BROKERS: must be comma-separated host:port pairs, e.g. redpanda:29092 (got "redpanda")',
        'WORKER_CONCURRENCY: must be greater than 0 (got "0")',
        'REDIS_URL: is required by the worker, e.g. REDIS_URL=redis://:password@redis:6379/0',
      ],
    });
  });

  it('never echoes a password that broke the URL, and says to percent-encode it', () => {
    const result = parseConfig({ SERVICE_NAME: 'payment', REDIS_URL: 'redis://:se/cr@et@redis:6379/0', DATABASE_URL: 'postgresql://payment:p/w#1@db:26257/payment' }, 'worker');
    expect(result).toEqual({
      ok: false,
      problems: [
        'DATABASE_URL: is not a valid URL; percent-encode special characters of the user name and password (e.g. "/" as %2F, "@" as %40) (got "postgresql://***@db:26257/payment")',
        'REDIS_URL: is not a valid URL; percent-encode special characters of the user name and password (e.g. "/" as %2F, "@" as %40) (got "redis://***@redis:6379/0")',
      ],
    });
    expect(JSON.stringify(result)).not.toMatch(/se\/cr|p\/w/);
  });

  it('requires SERVICE_NAME', () => {
    expect(parseConfig({}, 'api')).toEqual({ ok: false, problems: ['SERVICE_NAME: is required, e.g. SERVICE_NAME=payment'] });
  });

  it('parses task routes', () => {
    expect(parseTaskRoutes('add=a, slow=b')).toEqual({ add: 'a', slow: 'b' });
    expect(parseTaskRoutes(undefined)).toEqual({});
  });
});
