import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import type { Output } from '../../src/command.js';

// Real buf (npm @bufbuild/buf) and the local protoc-gen-es plugin, on copies of the repo's protos.
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const services = ['profile', 'payment', 'ledger', 'wallet', 'rule-engine', 'forex'];

function capture(): Output & { stdout: string; stderr: string } {
  const out = {
    stdout: '',
    stderr: '',
    isTTY: false,
    write: (text: string) => void (out.stdout += text),
    info: (text: string) => void (out.stderr += `${text}\n`),
    warn: (text: string) => void (out.stderr += `innover: ${text}\n`),
  };
  return out;
}

async function filesUnder(directory: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.set(relative(directory, join(entry.parentPath, entry.name)), await readFile(join(entry.parentPath, entry.name), 'utf8'));
  }
  return files;
}

/** A project root holding a copy of protos/ and empty service packages. */
async function scratchProject(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'innover-proto-test-'));
  await cp(join(repo, 'protos'), join(root, 'protos'), { recursive: true });
  for (const service of services) await mkdir(join(root, 'services', service, 'src'), { recursive: true });
  return root;
}

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

describe('innover proto', () => {
  it('regenerates exactly the committed code, and --check then finds no drift', async () => {
    const root = await scratchProject();
    roots.push(root);
    const out = capture();
    expect(await main(['proto', '--json'], { root, out })).toBe(0);
    const result = JSON.parse(out.stdout) as { changes: unknown[]; services: { service: string; events: string[] }[] };
    expect(result.services.map((service) => service.service)).toEqual(services);
    expect(result.services.find((service) => service.service === 'ledger')?.events).toContain('innover.payment.v1.PaymentInitiated');
    for (const service of services) {
      const fresh = await filesUnder(join(root, 'services', service, 'src', 'generated'));
      const committed = await filesUnder(join(repo, 'services', service, 'src', 'generated'));
      expect([...fresh.keys()].sort(), service).toEqual([...committed.keys()].sort());
      for (const [path, content] of fresh) expect(content, `${service}/${path}`).toBe(committed.get(path));
    }
    const check = capture();
    expect(await main(['proto', '--check'], { root, out: check })).toBe(0);
    expect(check.stdout).toContain('generated code is up to date');
  });

  it('--check on the repository itself finds no drift', async () => {
    const out = capture();
    expect(await main(['proto', '--check'], { root: repo, out })).toBe(0);
  });

  it('--check names drifting, missing and stale files and exits 1; a plain run repairs them', async () => {
    const root = await scratchProject();
    roots.push(root);
    expect(await main(['proto'], { root, out: capture() })).toBe(0);
    const generated = join(root, 'services', 'wallet', 'src', 'generated');
    await writeFile(join(generated, 'events.ts'), '// edited by hand\n');
    await rm(join(generated, 'wallet', 'v1', 'wallet_pb.ts'));
    await mkdir(join(generated, 'old', 'v1'), { recursive: true });
    await writeFile(join(generated, 'old', 'v1', 'old_pb.ts'), '// left over\n');

    const check = capture();
    expect(await main(['proto', '--check'], { root, out: check })).toBe(1);
    expect(check.stdout).toContain('services/wallet/src/generated/events.ts: differs from what protos/ generates');
    expect(check.stdout).toContain('services/wallet/src/generated/wallet/v1/wallet_pb.ts: missing');
    expect(check.stdout).toContain('services/wallet/src/generated/old/v1/old_pb.ts: stale');
    expect(await readFile(join(generated, 'events.ts'), 'utf8')).toBe('// edited by hand\n');

    const repair = capture();
    expect(await main(['proto'], { root, out: repair })).toBe(0);
    expect(repair.stdout).toContain('wrote 2 file(s), removed 1');
    expect(await readdir(generated)).not.toContain('old');
    expect(await main(['proto', '--check'], { root, out: capture() })).toBe(0);
  });

  it('fails on a bad proto with one line per error, naming file:line:column, and writes nothing', async () => {
    const root = await scratchProject();
    roots.push(root);
    const file = join(root, 'protos', 'forex', 'v1', 'forex.proto');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('string quote_id = 1;', 'strin quote_id = 1;').replace('string rate = 4;', 'Rat rate = 4;'));
    const out = capture();
    expect(await main(['proto'], { root, out })).toBe(1);
    const lines = out.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^innover: protos\/forex\/v1\/forex\.proto:\d+:3: cannot find `strin` in this scope$/),
      expect.stringMatching(/^innover: protos\/forex\/v1\/forex\.proto:\d+:3: cannot find `Rat` in this scope$/),
    ]);
    expect(out.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
    await expect(readdir(join(root, 'services', 'forex', 'src'))).resolves.toEqual([]);
  });

  it('the protos pass buf lint (STANDARD, with the two layout exceptions of protos/buf.yaml)', async () => {
    const { execa } = await import('execa');
    const lint = await execa(join(repo, 'node_modules', '.bin', 'buf'), ['lint', 'protos'], { cwd: repo, reject: false, all: true });
    expect(lint.all).toBe('');
    expect(lint.exitCode).toBe(0);
  });

  it('refuses to run without protos/buf.yaml, saying where it looked', async () => {
    const root = await mkdtemp(join(tmpdir(), 'innover-proto-empty-'));
    roots.push(root);
    const out = capture();
    expect(await main(['proto'], { root, out })).toBe(1);
    expect(out.stderr).toBe(`innover: protos/buf.yaml not found in ${root}: run innover proto from the project root\n`);
  });
});
