import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { kafkaListenerPort, peerLabels, redpandaStartCommand } from './peers.js';

/** The value after `--name` in an argument list. */
function flag(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

describe('the Kafka peer start command (redpandaStartCommand)', () => {
  it('listens on every interface of the container and advertises the mapped host port on 127.0.0.1', () => {
    const args = redpandaStartCommand(41234);
    expect(args.slice(0, 2)).toEqual(['redpanda', 'start']);
    expect(kafkaListenerPort).toBe(9092);
    expect(flag(args, '--kafka-addr')).toBe('0.0.0.0:9092');
    // Clients connect to whatever the broker advertises: from the host that is 127.0.0.1:P, not the container's port.
    expect(flag(args, '--advertise-kafka-addr')).toBe('127.0.0.1:41234');
  });

  it("runs as Redpanda's docs run a broker in a container: dev-container mode, one core, a fixed memory budget", () => {
    const args = redpandaStartCommand(41234);
    expect(flag(args, '--mode')).toBe('dev-container');
    expect(flag(args, '--smp')).toBe('1');
    expect(flag(args, '--memory')).toMatch(/^\d+M$/);
    expect(args.filter((arg) => arg.startsWith('--'))).toEqual(['--mode', '--smp', '--memory', '--kafka-addr', '--advertise-kafka-addr']);
  });
});

describe('peer container labels', () => {
  it('mark the container as a test peer and name its kind and owner (pid, start and host)', () => {
    expect(peerLabels('redis', process.pid)).toEqual({
      'innover.test-peer': 'true',
      'innover.test-peer.kind': 'redis',
      'innover.test-peer.owner-pid': String(process.pid),
      'innover.test-peer.owner-host': hostname(),
      'innover.test-peer.owner-start': expect.stringMatching(/^[0-9a-f-]{36}:\d+$/),
    });
  });
});
