import { describe, expect, it } from 'vitest';
import { defaultTopology } from '../../src/topology/default-topology.js';
import { consumersOf, consumersOfEventsOf, consumesProblems, producerOf } from '../../src/topology/events.js';
import { validateTopology } from '../../src/topology/validate.js';

const eventTopics = new Set(['ledger.transfer-changed.v1', 'payment.status-changed.v1']);
const services = [
  { name: 'payment', hostPort: 8102, consumes: ['ledger.transfer-changed.v1'] },
  { name: 'ledger', hostPort: 8103, consumes: ['payment.status-changed.v1', 'ledger.transfer-changed.v1'] },
  { name: 'wallet', hostPort: 8104, consumes: ['ledger.transfer-changed.v1'] },
];

describe('services[].consumes', () => {
  it('defaults to the reference flow: the wallet projects the ledger\'s transfers, nothing else consumes', () => {
    const topology = validateTopology({}, { eventTopics }).value!;
    expect(topology.services.map((service) => [service.name, service.consumes])).toEqual([
      ['profile', []],
      ['payment', []],
      ['ledger', []],
      ['wallet', ['ledger.transfer-changed.v1']],
      ['rule-engine', []],
      ['forex', []],
    ]);
    expect(defaultTopology.services.find((service) => service.name === 'wallet')).toMatchObject({ consumes: ['ledger.transfer-changed.v1'] });
  });

  it('refuses an event protos/ does not define, in one line naming the field and the fix', () => {
    const result = validateTopology({ services: [{ name: 'wallet', hostPort: 8104, consumes: ['ledger.transfer-changd.v1'] }] }, { eventTopics });
    expect(result.errors).toEqual([
      "services[0].consumes[0]: no event in protos/ is published to 'ledger.transfer-changd.v1': use one of ledger.transfer-changed.v1, payment.status-changed.v1, or add the message to protos/ledger/v1/ and run innover proto",
    ]);
  });

  it('refuses a repeat, and a name that is no topic, before it looks at protos/', () => {
    expect(consumesProblems({ services: [{ ...validateTopology({}).value!.services[0]!, consumes: ['payment.status-changed.v1', 'payment.status-changed.v1'] }] }, eventTopics)).toEqual([
      "services[0].consumes[1]: 'payment.status-changed.v1' is listed twice: remove the repeat",
    ]);
    expect(validateTopology({ services: [{ name: 'wallet', hostPort: 8104, consumes: ['TransferChanged'] }] }).errors).toEqual([
      "services[0].consumes[0]: use an event topic such as 'ledger.transfer-changed.v1'",
    ]);
  });

  it('is not checked against protos/ when their events are unknown (no generated package)', () => {
    expect(validateTopology({ services: [{ name: 'wallet', hostPort: 8104, consumes: ['kyc.checked.v1'] }] }).errors).toEqual([]);
  });

  it('lists the consumers of an event, and who depends on the events of a service', () => {
    const topology = validateTopology({ services }, { eventTopics }).value!;
    expect(consumersOf(topology, 'ledger.transfer-changed.v1')).toEqual(['payment', 'ledger', 'wallet']);
    expect(consumersOf(topology, 'wallet.opened.v1')).toEqual([]);
    expect(consumersOfEventsOf(topology, 'ledger')).toEqual([
      { topic: 'ledger.transfer-changed.v1', consumer: 'payment' },
      { topic: 'ledger.transfer-changed.v1', consumer: 'wallet' },
    ]);
    expect(consumersOfEventsOf(topology, 'wallet')).toEqual([]);
    expect(producerOf('rule-engine.payment-evaluated.v1')).toBe('rule-engine');
  });
});
