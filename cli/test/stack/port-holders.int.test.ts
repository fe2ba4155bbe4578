import { createServer, type AddressInfo, type Server } from 'node:net';
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPortHolders } from '../../src/host/port-holders.js';

// Reads this machine's /proc: who listens on a port `innover doctor` wants.
describe('findPortHolders (Linux /proc)', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    if (server.listening) server.close();
  });

  it('names the process listening on a port by pid and program, and leaves free ports out', async () => {
    const holders = await findPortHolders([port]);
    expect(holders.get(port)).toEqual({ port, pid: process.pid, command: basename(process.argv0) });
    server.close();
    await new Promise((resolve) => server.once('close', resolve));
    expect((await findPortHolders([port])).has(port)).toBe(false);
  });
});
