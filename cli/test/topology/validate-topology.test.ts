import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/topology/load.js';
import { validateTopology } from '../../src/topology/validate.js';

const six = [
  { name: 'profile', hostPort: 8101 },
  { name: 'payment', hostPort: 8102 },
  { name: 'ledger', hostPort: 8103 },
];

describe('validateTopology: one line per problem, with its path and fix', () => {
  it.each([
    ['a wrong type', { services: [...six, { name: 'wallet', hostPort: 'high' }] }, 'services[3].hostPort: expected number, received string'],
    ['an unknown field', { services: [{ name: 'profile', hostPort: 8101, colour: 'red' }] }, "services[0]: unknown field 'colour': remove or fix the spelling"],
    ['a bad name', { services: [{ name: 'Bad_Name', hostPort: 8101 }] }, 'services[0].name: use lowercase letters, digits and dashes, starting with a letter'],
    ['a duplicate service', { services: [{ name: 'a', hostPort: 8101 }, { name: 'a', hostPort: 8102 }] }, "services[1].name: 'a' is already services[0]: give each service its own name"],
    ['a service named like infrastructure', { services: [{ name: 'redis', hostPort: 8101 }] }, "services[0].name: 'redis' is an infrastructure container's name: pick another name"],
    ['a service named like a cockroach node', { services: [{ name: 'cockroach2', hostPort: 8101 }] }, "services[0].name: 'cockroach2' is an infrastructure container's name: pick another name"],
    ['a service named like a worker', { services: [{ name: 'pay', hostPort: 8101 }, { name: 'pay-worker', hostPort: 8102 }] }, "services[1].name: 'pay-worker' is the worker container of services[0]: pick another name"],
    ['a host port collision', { services: [{ name: 'a', hostPort: 6379 }] }, 'infrastructure.redis.hostPort: host port 6379 is already used by services[0].hostPort: pick another port'],
    ['an unknown default profile', { defaultProfile: 'nope' }, "defaultProfile: no profile named 'nope': use one of core, identity, gateway, observability, lite, full"],
    ['a bad memory size', { resources: { default: { cpus: 1, memory: 'lots' } } }, "resources.default.memory: use a Docker memory size such as '256m' or '1g'"],
    ['an unknown engine', { database: { engine: 'mysql' } }, 'database.engine: expected one of "cockroach"|"postgres"'],
    ['services without redis', { profiles: { solo: { components: ['services'] } } }, "profiles.solo.components: 'services' needs 'redis' (the workers' queues): add redis"],
    ['not a mapping', [1], 'the topology must be a mapping of fields (see innover.schema.json)'],
  ])('%s', (_, input, message) => {
    const result = validateTopology(input);
    expect(result.value).toBeUndefined();
    expect(result.errors).toEqual([message]);
  });

  describe('services[].calls', () => {
    const callers = (calls: unknown[], extra: Record<string, unknown> = {}) => ({
      services: [{ name: 'payment', hostPort: 8102, calls }, { name: 'ledger', hostPort: 8103 }],
      ...extra,
    });
    it.each([
      ['an unknown service', callers([{ service: 'ledgr', access: 'write' }]), "services[0].calls[0].service: no service named 'ledgr': use one of ledger"],
      ['a self-call', callers([{ service: 'payment', access: 'read' }]), "services[0].calls[0].service: 'payment' is this service itself: remove the call (a service calls its own code directly)"],
      [
        'a duplicate',
        callers([{ service: 'ledger', access: 'read' }, { service: 'ledger', access: 'write' }]),
        "services[0].calls[1].service: 'ledger' is already calls[0]: keep one entry (access 'write' grants read too)",
      ],
      ['an unknown access', callers([{ service: 'ledger', access: 'admin' }]), 'services[0].calls[0].access: expected one of "read"|"write"'],
      ['an unknown field', callers([{ service: 'ledger', access: 'read', role: 'x' }]), "services[0].calls[0]: unknown field 'role': remove or fix the spelling"],
      [
        "a caller whose secret would be a built-in client's",
        { services: [{ name: 'smoke', hostPort: 8102, calls: [{ service: 'ledger', access: 'read' }] }, { name: 'ledger', hostPort: 8103 }] },
        "services[0].name: a caller named 'smoke' would keep its secret in SMOKE_CLIENT_SECRET, a built-in client's key: rename the service",
      ],
      [
        'a callee whose URL variable the stack sets',
        { services: [{ name: 'payment', hostPort: 8102, calls: [{ service: 'database', access: 'read' }] }, { name: 'database', hostPort: 8103 }] },
        "services[0].calls[0].service: 'database' would be reached through DATABASE_URL, which the stack sets for another purpose: rename that service",
      ],
      [
        "an extra client named like a caller's",
        callers([{ service: 'ledger', access: 'read' }], { keycloak: { extraClients: [{ clientId: 'payment-service' }] } }),
        "keycloak.extraClients[0].clientId: 'payment-service' is the client of services[0] (its calls): pick another clientId",
      ],
    ])('refuses %s', (_, input, message) => {
      const result = validateTopology(input);
      expect(result.value).toBeUndefined();
      expect(result.errors).toEqual([message]);
    });

    it('defaults to no calls, and the shipped services call as the payment flow needs', () => {
      expect(validateTopology(callers([])).value!.services[1]!.calls).toEqual([]);
      const shipped = validateTopology({}).value!.services;
      expect(Object.fromEntries(shipped.filter((service) => service.calls.length > 0).map((service) => [service.name, service.calls]))).toEqual({
        payment: [
          { service: 'wallet', access: 'read' },
          { service: 'profile', access: 'read' },
          { service: 'rule-engine', access: 'write' },
          { service: 'forex', access: 'write' },
          { service: 'ledger', access: 'write' },
        ],
        wallet: [
          { service: 'profile', access: 'read' },
          { service: 'ledger', access: 'write' },
        ],
      });
    });

    it("innover.yaml, whose services list replaces the defaults, states the shipped calls", async () => {
      const project = await loadTopology(fileURLToPath(new URL('../../..', import.meta.url)));
      const listed = new Map(project.services.map((service) => [service.name, service.calls]));
      // Every shipped service, with its shipped calls; a service the user added (innover new service) may sit beside them.
      const shipped = validateTopology({}).value!.services;
      expect(shipped.map((service) => [service.name, listed.get(service.name)])).toEqual(shipped.map((service) => [service.name, service.calls]));
    });
  });

  it('accepts the defaults and a user profile', () => {
    const result = validateTopology({ profiles: { mine: { components: ['services', 'redis', 'database'], database: 'postgres' } } });
    expect(result.errors).toEqual([]);
    expect(Object.keys(result.value!.profiles)).toContain('mine');
  });
});
