import type { CommandContext } from '../../src/command.js';
import type { Clients } from '../../src/clients/clients.js';
import { createContext, type ContextOverrides } from '../../src/context.js';
import { captureOutput, strictFake } from './run-cli.js';

export { strictFake };

/**
 * A command context for unit tests: captured output, no process environment, and only the client
 * fakes given. Asking for any other client throws (`test context has no 'http' client`), and each
 * fake made with `strictFake` throws on a call it does not define, so a side effect the test did
 * not expect fails loudly instead of reaching a real Docker, Redis, HTTP endpoint or buf.
 */
export function testContext(
  clients: Partial<Clients>,
  overrides: Omit<ContextOverrides, 'clients' | 'out'> = {},
): CommandContext & { out: ReturnType<typeof captureOutput> } {
  const out = captureOutput();
  return Object.assign(createContext({ env: {}, ...overrides, clients, out }), { out });
}

/** An `http` client whose probes answer from `answers` (by URL) and record what was asked. */
export function fakeHttp(answers: Record<string, boolean> = {}): Clients['http'] & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    probe: async (url) => {
      asked.push(url);
      if (!(url in answers)) throw new Error(`unexpected call: http.probe(${url})`);
      return answers[url] ?? false;
    },
  };
}
