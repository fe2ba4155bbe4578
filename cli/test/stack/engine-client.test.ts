import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { engineClientOver, type EngineTransport, exitCodeFromStatus, healthFromStatus, LogDemultiplexer, toSummary, type LogLine } from '../../src/clients/engine-client.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

const info = (overrides: Partial<Dockerode.ContainerInfo> = {}): Dockerode.ContainerInfo =>
  ({
    Id: 'abc123def4567890',
    Names: ['/innover-payment-1'],
    Image: 'innover/payment:local',
    ImageID: 'sha256:1',
    Command: 'node dist/main.js',
    Created: 1_700_000_000,
    Ports: [
      { IP: '127.0.0.1', PrivatePort: 8000, PublicPort: 8102, Type: 'tcp' },
      { IP: '::1', PrivatePort: 8000, PublicPort: 8102, Type: 'tcp' },
      { PrivatePort: 9000, Type: 'tcp' },
    ],
    Labels: { 'com.docker.compose.project': 'innover', 'com.docker.compose.service': 'payment' },
    State: 'running',
    Status: 'Up 3 minutes (healthy)',
    HostConfig: { NetworkMode: 'innover_default' },
    NetworkSettings: { Networks: {} },
    Mounts: [],
    ...overrides,
  }) as Dockerode.ContainerInfo;

describe('container summaries from one list call', () => {
  it('maps name, service, state, health and published ports (one row per port)', () => {
    expect(toSummary(info())).toEqual({
      id: 'abc123def4567890',
      name: 'innover-payment-1',
      service: 'payment',
      project: 'innover',
      image: 'innover/payment:local',
      state: 'running',
      health: 'healthy',
      exitCode: undefined,
      status: 'Up 3 minutes (healthy)',
      createdAt: 1_700_000_000,
      ports: [{ hostIp: '127.0.0.1', hostPort: 8102, containerPort: 8000, protocol: 'tcp' }],
    });
  });

  it('reads health and exit codes from the status text', () => {
    expect(healthFromStatus('Up 3 seconds (health: starting)')).toBe('starting');
    expect(healthFromStatus('Up 3 seconds (unhealthy)')).toBe('unhealthy');
    expect(healthFromStatus('Up 3 seconds')).toBe('none');
    expect(exitCodeFromStatus('Exited (137) 5 seconds ago')).toBe(137);
    expect(exitCodeFromStatus('Restarting (1) 2 seconds ago')).toBe(1);
    expect(exitCodeFromStatus('Up 1 second')).toBeUndefined();
  });

  it('asks the engine once, filtered by the compose project label, and drops one-off containers', async () => {
    const calls: unknown[] = [];
    const transport: EngineTransport = {
      listContainers: async (options) => {
        calls.push(options);
        return [info(), info({ Id: 'oneoff', Labels: { 'com.docker.compose.oneoff': 'True', 'com.docker.compose.service': 'payment' } })];
      },
      ping: async () => undefined,
      info: async () => ({ NCPU: 4 }),
      dockerode: async () => {
        throw new Error('the poll must not load dockerode');
      },
    };
    const list = await engineClientOver(transport, '/var/run/docker.sock').listContainers({ project: 'innover' });
    expect(calls).toEqual([{ all: true, filters: { label: ['com.docker.compose.project=innover'] } }]);
    expect(list.map((entry) => entry.id)).toEqual(['abc123def4567890']);
    // The CPU count comes from the same light transport, without dockerode.
    expect(await engineClientOver(transport, '/var/run/docker.sock').cpuCount()).toBe(4);
  });

  it('turns a missing daemon into one line with the fix', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' });
    const transport: EngineTransport = {
      listContainers: async () => Promise.reject(refused),
      ping: async () => Promise.reject(refused),
      info: async () => Promise.reject(refused),
      dockerode: async () => ({ getImage: () => ({ inspect: () => Promise.reject(refused) }) }) as unknown as Dockerode,
    };
    const engine = engineClientOver(transport, '/var/run/docker.sock');
    await expect(engine.listContainers({ project: 'innover' })).rejects.toThrow(
      'Docker is not reachable at /var/run/docker.sock: start the Docker engine (e.g. sudo systemctl start docker) or set DOCKER_HOST',
    );
    await expect(engine.ping()).rejects.toMatchObject({ name: 'UserError' });
    await expect(engine.cpuCount()).rejects.toMatchObject({ name: 'UserError' });
    await expect(engine.imageIds(['innover/payment:local'])).rejects.toMatchObject({ name: 'UserError' });
  });
});

describe('log demultiplexing', () => {
  it('splits framed stdout and stderr into lines, across chunk boundaries', () => {
    const lines: LogLine[] = [];
    const demultiplexer = new LogDemultiplexer((line) => lines.push(line));
    const bytes = Buffer.concat([frame(1, 'first line\nsecond '), frame(2, 'oops\n'), frame(1, 'half\n')]);
    demultiplexer.push(bytes.subarray(0, 5));
    demultiplexer.push(bytes.subarray(5, 30));
    demultiplexer.push(bytes.subarray(30));
    demultiplexer.end();
    expect(lines).toEqual([
      { stream: 'stdout', text: 'first line' },
      { stream: 'stderr', text: 'oops' },
      { stream: 'stdout', text: 'second half' },
    ]);
  });

  it('passes the raw stream of a TTY container through as stdout', () => {
    const lines: LogLine[] = [];
    const demultiplexer = new LogDemultiplexer((line) => lines.push(line));
    demultiplexer.push(Buffer.from('hello from a tty\nno newline'));
    demultiplexer.end();
    expect(lines).toEqual([
      { stream: 'stdout', text: 'hello from a tty' },
      { stream: 'stdout', text: 'no newline' },
    ]);
  });
});
