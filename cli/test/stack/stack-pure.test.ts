import { describe, expect, it } from 'vitest';
import { formatPorts, uptimeFromStatus } from '../../src/use-cases/container-status.js';
import { logPrefixer } from '../../src/output/log-prefix.js';
import { listeningSockets, programName } from '../../src/host/port-holders.js';
import { stackUrls, urlsAsEnv } from '../../src/plan/stack-urls.js';
import { formatTable } from '../../src/output/table.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { defaultStack } from '../topology/fixtures.js';

describe('stack rendering helpers', () => {
  it('reads uptime out of the docker status text', () => {
    expect(uptimeFromStatus('Up 5 minutes (healthy)')).toBe('5 minutes');
    expect(uptimeFromStatus('Up About an hour')).toBe('About an hour');
    expect(uptimeFromStatus('Up 3 seconds (health: starting)')).toBe('3 seconds');
    expect(uptimeFromStatus('Exited (0) 2 minutes ago')).toBe('');
  });

  it('shows the bind address only when it is not every interface', () => {
    expect(formatPorts([{ hostIp: '127.0.0.1', hostPort: 8102, containerPort: 8000, protocol: 'tcp' }, { hostIp: '0.0.0.0', hostPort: 80, containerPort: 80, protocol: 'tcp' }])).toBe(
      '127.0.0.1:8102->8000, 80->80',
    );
  });

  it('pads table columns to the widest cell, without trailing spaces', () => {
    expect(formatTable(['A', 'LONGER'], [['wide cell', 'x'], ['b', '']])).toBe('A          LONGER\nwide cell  x\nb');
  });

  it('prefixes log lines with padded container names, plain when not on a terminal', async () => {
    const prefix = await logPrefixer(['payment', 'payment-worker'], false);
    expect(prefix('payment')).toBe('payment        | ');
    const coloured = await logPrefixer(['payment'], true);
    expect(coloured('payment')).toContain('payment | ');
  });

  it('finds listening sockets in /proc/net/tcp', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:0050 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 999 1 0000000000000000 100 0 0 10 0',
    ].join('\n');
    expect(listeningSockets(table)).toEqual([{ port: 8080, inode: '12345' }]);
  });

  it('names a port holder by its program, never by its arguments or a thread name', () => {
    expect(programName('/opt/node24/bin/node\0-e\0listen()\0', 'MainThread\n')).toBe('node');
    expect(programName('redis-server *:6379\0\0', 'redis-server\n')).toBe('redis-server');
    expect(programName('/usr/bin/redis-server\0--requirepass\0secret\0', 'redis-server\n')).toBe('redis-server');
    expect(programName('', 'kworker/0:1\n')).toBe('kworker/0:1');
    expect(programName('', '')).toBeUndefined();
  });

  it('urls keys are valid env names and unique', () => {
    const topology = defaultStack();
    const urls = stackUrls(topology, planStack(topology, 'full'));
    const keys = urls.map((entry) => entry.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key).toMatch(/^[A-Z][A-Z0-9_]*$/);
    expect(urlsAsEnv(urls).split('\n')).toHaveLength(urls.length);
  });

  it('lists the gateway WebSocket endpoints with the WSO2 ones', () => {
    const topology = defaultStack();
    const byKey = Object.fromEntries(stackUrls(topology, planStack(topology, 'gateway')).map((entry) => [entry.key, entry]));
    expect(byKey['WSO2_GATEWAY_WS_URL']).toMatchObject({ url: 'ws://localhost:9099' });
    expect(byKey['WSO2_GATEWAY_WSS_URL']).toMatchObject({ url: 'wss://localhost:8099' });
  });
});
