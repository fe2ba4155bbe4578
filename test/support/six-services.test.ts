import { describe, expect, it } from 'vitest';
import { wiringFromTopology } from './six-services.js';

describe('the six-services harness wiring', () => {
  it("comes from innover.yaml's calls through the realm model: one client per caller with exactly the roles its calls grant", async () => {
    const { calls, clients } = await wiringFromTopology();
    expect(calls.get('payment')).toEqual(['wallet', 'profile', 'rule-engine', 'forex', 'ledger']);
    expect(calls.get('ledger')).toEqual([]);
    const payment = clients.find((client) => client.id === 'payment-service');
    expect(payment?.secret).toBe('payment-secret');
    expect([...(payment?.roles ?? [])].sort()).toEqual(['forex-read', 'forex-write', 'ledger-read', 'ledger-write', 'profile-read', 'rule-engine-read', 'rule-engine-write', 'wallet-read']);
    expect(clients.map((client) => client.id).sort()).toEqual(['payment-service', 'wallet-service']);
  });
});
