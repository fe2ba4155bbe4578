import { describe, expect, it } from 'vitest';
import { notInProfileDetail, planSmoke, type SmokeCheckSpec } from '../../src/smoke/smoke-plan.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { defaultStack, smallStack } from '../topology/fixtures.js';

const endpoints = { WSO2_GATEWAY_URL: 'https://localhost:8243/' };
const plan = (profile: string) => {
  const topology = defaultStack();
  return planSmoke({ topology, plan: planStack(topology, profile), endpoints });
};
const byName = (specs: SmokeCheckSpec[], name: string) => specs.find((spec) => spec.name === name);

describe('planSmoke', () => {
  it('lite: services, SQL, Redis, Kafka and workers are checked; Keycloak, gateway and traces are not in profile', () => {
    const specs = plan('lite');
    expect(specs.map((spec) => [spec.name, spec.kind])).toEqual([
      ['containers', 'containers'],
      ...['profile', 'payment', 'ledger', 'wallet', 'rule-engine', 'forex'].map((service) => [`http ${service}`, 'http']),
      ['redis', 'redis'],
      ['kafka', 'kafka'],
      ...['profile', 'payment', 'ledger', 'wallet', 'rule-engine', 'forex'].map((service) => [`sql ${service}`, 'sql']),
      ['keycloak', 'not-in-profile'],
      ['gateway', 'not-in-profile'],
      ...['profile', 'payment', 'ledger', 'wallet', 'rule-engine', 'forex'].map((service) => [`worker ${service}`, 'worker']),
      ['trace', 'not-in-profile'],
      ['payment', 'payment'],
      ['payment trace', 'not-in-profile'],
    ]);
    expect(byName(specs, 'gateway')).toEqual({ kind: 'not-in-profile', name: 'gateway', missing: ['wso2', 'keycloak'] });
    expect(byName(specs, 'trace')).toEqual({ kind: 'not-in-profile', name: 'trace', missing: ['otel-collector', 'jaeger'] });
    expect(byName(specs, 'payment trace')).toEqual({ kind: 'not-in-profile', name: 'payment trace', missing: ['otel-collector', 'jaeger'] });
  });

  it('lite: the payment goes straight to each published port, without a token (no Keycloak, so the services check none)', () => {
    expect(byName(plan('lite'), 'payment')).toEqual({
      kind: 'payment',
      name: 'payment',
      urls: {
        profile: 'http://127.0.0.1:8101',
        payment: 'http://127.0.0.1:8102',
        ledger: 'http://127.0.0.1:8103',
        wallet: 'http://127.0.0.1:8104',
        'rule-engine': 'http://127.0.0.1:8105',
        forex: 'http://127.0.0.1:8106',
      },
      withToken: false,
    });
  });

  it('full: the payment uses the smoke token, and its trace is looked up in Jaeger', () => {
    const specs = plan('full');
    expect(byName(specs, 'payment')).toMatchObject({ kind: 'payment', withToken: true });
    expect(byName(specs, 'payment trace')).toMatchObject({
      kind: 'payment-trace',
      withToken: true,
      jaegerUrl: 'http://127.0.0.1:16686',
      urls: { payment: 'http://127.0.0.1:8102', wallet: 'http://127.0.0.1:8104' },
    });
  });

  it('the payment rows are not in profile without a broker, or in a topology without the flow services', () => {
    const core = defaultStack();
    const noBroker = planSmoke({ topology: core, plan: planStack(core, 'identity'), endpoints });
    expect(byName(noBroker, 'payment')).toEqual({ kind: 'not-in-profile', name: 'payment', missing: ['services', 'database', 'redis', 'redpanda'] });
    const small = smallStack();
    const specs = planSmoke({ topology: small, plan: planStack(small, 'tiny'), endpoints });
    expect(byName(specs, 'payment')).toEqual({
      kind: 'not-in-profile',
      name: 'payment',
      missing: ['redpanda'],
      missingServices: ['profile', 'payment', 'ledger', 'wallet', 'rule-engine', 'forex'],
    });
    const row = byName(specs, 'payment');
    expect(row?.kind === 'not-in-profile' && notInProfileDetail(row)).toBe('needs redpanda, the services profile, payment, ledger, wallet, rule-engine, forex');
  });

  it('lite: health through the published port and through Nginx; SQL as the service user on PostgreSQL', () => {
    const specs = plan('lite');
    expect(byName(specs, 'http rule-engine')).toEqual({
      kind: 'http',
      name: 'http rule-engine',
      service: 'rule-engine',
      targets: [
        { label: ':8105/health', url: 'http://127.0.0.1:8105/health' },
        { label: ':8105/readiness', url: 'http://127.0.0.1:8105/readiness' },
        { label: 'nginx /svc/rule-engine/health', url: 'http://127.0.0.1:80/svc/rule-engine/health' },
        { label: 'nginx /svc/rule-engine/readiness', url: 'http://127.0.0.1:80/svc/rule-engine/readiness' },
      ],
    });
    expect(byName(specs, 'sql rule-engine')).toEqual({
      kind: 'sql',
      name: 'sql rule-engine',
      service: 'rule-engine',
      host: '127.0.0.1',
      port: 5432,
      user: 'rule_engine',
      database: 'rule_engine',
      engine: 'postgres',
    });
    expect(byName(specs, 'worker payment')).toEqual({ kind: 'worker', name: 'worker payment', service: 'payment', queue: 'payment', redisHost: '127.0.0.1', redisPort: 6379 });
  });

  it('full: every check runs; gateway URLs follow the API contexts; SQL on CockroachDB', () => {
    const specs = plan('full');
    expect(specs.some((spec) => spec.kind === 'not-in-profile')).toBe(false);
    expect(byName(specs, 'gateway rule-engine')).toEqual({ kind: 'gateway', name: 'gateway rule-engine', api: 'rule-engine', url: 'https://localhost:8243/api/rules/health' });
    expect(byName(specs, 'keycloak')).toEqual({ kind: 'keycloak', name: 'keycloak', issuerUrl: 'http://localhost/auth/realms/innover', clientId: 'innover-smoke' });
    expect(byName(specs, 'kafka')).toEqual({ kind: 'kafka', name: 'kafka', brokers: ['127.0.0.1:9092'], topic: 'innover-smoke' });
    expect(byName(specs, 'sql payment')).toMatchObject({ port: 26257, engine: 'cockroach', user: 'payment' });
    expect(byName(specs, 'trace forex')).toEqual({
      kind: 'trace',
      name: 'trace forex',
      service: 'forex',
      requestUrl: 'http://127.0.0.1:8106/health',
      jaegerUrl: 'http://127.0.0.1:16686',
    });
  });

  it('core: no Nginx, so health only through the published ports', () => {
    const specs = plan('core');
    const http = byName(specs, 'http payment');
    expect(http?.kind === 'http' && http.targets.map((target) => target.label)).toEqual([':8102/health', ':8102/readiness']);
  });

  it('uses the published APIs of wso2/api-config.yaml when given', () => {
    const topology = defaultStack();
    const specs = planSmoke({ topology, plan: planStack(topology, 'full'), endpoints, gatewayApis: [{ name: 'Payments', context: '/pay' }] });
    expect(specs.filter((spec) => spec.kind === 'gateway')).toEqual([
      { kind: 'gateway', name: 'gateway Payments', api: 'Payments', url: 'https://localhost:8243/pay/health' },
    ]);
  });
});
