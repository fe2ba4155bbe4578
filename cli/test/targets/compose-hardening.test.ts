import { describe, expect, it } from 'vitest';
import { planStack } from '../../src/plan/plan-stack.js';
import { renderCompose } from '../../src/targets/compose/render.js';
import { defaultStack } from '../topology/fixtures.js';

const topology = defaultStack();
const profiles = Object.keys(topology.profiles);

describe('Compose hardening from the plan', () => {
  it.each(profiles)('%s: every container drops all capabilities and cannot gain privileges', (profile) => {
    for (const [name, service] of Object.entries(renderCompose(planStack(topology, profile)).services)) {
      expect(service.cap_drop, name).toEqual(['ALL']);
      expect(service.security_opt, name).toEqual(['no-new-privileges:true']);
    }
  });

  it('adds back only what the root-started images need, and nothing for the services', () => {
    const added = Object.fromEntries(Object.entries(renderCompose(planStack(topology, 'lite')).services).map(([name, service]) => [name, service.cap_add ?? []]));
    expect(added).toMatchObject({
      postgres: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID'],
      redis: ['CHOWN', 'DAC_OVERRIDE', 'SETGID', 'SETUID'],
      nginx: ['CHOWN', 'DAC_OVERRIDE', 'SETGID', 'SETUID', 'NET_BIND_SERVICE'],
      redpanda: [],
      payment: [],
      'payment-worker': [],
    });
  });

  it('runs the service containers on a read-only root filesystem with a tmpfs /tmp (the worker heartbeat)', () => {
    const compose = renderCompose(planStack(topology, 'full'));
    for (const service of topology.services) {
      for (const name of [service.name, `${service.name}-worker`]) {
        expect(compose.services[name], name).toMatchObject({ read_only: true, tmpfs: ['/tmp'] });
      }
    }
    expect(compose.services['keycloak']!.read_only).toBeUndefined();
  });
});
