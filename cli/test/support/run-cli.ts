import type { Output } from '../../src/command.js';
import type { ContextOverrides } from '../../src/context.js';
import { main } from '../../src/main.js';

/** What an in-process CLI run printed and returned. */
export interface CliRun {
  exitCode: number;
  /** Results (stdout). */
  stdout: string;
  /** Progress and diagnostics (stderr), one entry per line written. */
  stderr: string[];
}

/** Captured output, as the CLI's Output interface. */
export function captureOutput(isTTY = false): Output & { stdout: string; stderr: string[] } {
  const captured = {
    isTTY,
    stdout: '',
    stderr: [] as string[],
    write(text: string) {
      captured.stdout += text;
    },
    info(text: string) {
      captured.stderr.push(text);
    },
    warn(text: string) {
      captured.stderr.push(`innover: ${text}`);
    },
  };
  return captured;
}

/**
 * Runs `innover <argv>` in-process, as bin/ would, with captured output. Pass `clients` fakes so
 * that no real Docker, Keycloak or WSO2 is touched.
 */
export async function runCli(argv: readonly string[], overrides: ContextOverrides = {}): Promise<CliRun> {
  const out = captureOutput();
  const exitCode = await main(argv, { ...overrides, out });
  return { exitCode, stdout: out.stdout, stderr: out.stderr };
}

/**
 * A fake client whose every method throws unless the test provided it, so a command that makes
 * a call the test did not expect fails loudly.
 */
export function strictFake<T extends object>(name: string, methods: Partial<T>): T {
  return new Proxy(methods as T, {
    get(target, property, receiver) {
      if (property === 'then') return undefined;
      if (property in target) return Reflect.get(target, property, receiver) as unknown;
      return () => {
        throw new Error(`unexpected call: ${name}.${String(property)}()`);
      };
    },
  });
}
