import { describe, expect, it } from 'vitest';
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

  it('accepts the defaults and a user profile', () => {
    const result = validateTopology({ profiles: { mine: { components: ['services', 'redis', 'database'], database: 'postgres' } } });
    expect(result.errors).toEqual([]);
    expect(Object.keys(result.value!.profiles)).toContain('mine');
  });
});
