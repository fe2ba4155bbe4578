import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import type { Output } from '../../src/command.js';

// Real buf (npm @bufbuild/buf) and the local protoc-gen-es plugin, on copies of the repo's protos.
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const generatedFolder = join('services', 'proto', 'src', 'generated');

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

/** A project root holding a copy of protos/ and the generated package's manifest, nothing generated yet. */
async function scratchProject(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'innover-proto-test-'));
  await cp(join(repo, 'protos'), join(root, 'protos'), { recursive: true });
  await mkdir(join(root, 'services', 'proto'), { recursive: true });
  await cp(join(repo, 'services', 'proto', 'package.json'), join(root, 'services', 'proto', 'package.json'));
  return root;
}

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

describe('innover proto', () => {
  it('regenerates exactly the committed package, and --check then finds no drift', async () => {
    const root = await scratchProject();
    roots.push(root);
    const out = capture();
    expect(await main(['proto', '--json'], { root, out })).toBe(0);
    const result = JSON.parse(out.stdout) as { changes: unknown[]; package: { name: string; directory: string }; events: { topic: string; consumers: string[] }[] };
    expect(result.package).toMatchObject({ name: '@innover/proto', directory: 'services/proto' });
    expect(result.events.find((event) => event.topic === 'ledger.transfer-changed.v1')?.consumers).toEqual(['wallet']);
    const fresh = await filesUnder(join(root, generatedFolder));
    const committed = await filesUnder(join(repo, generatedFolder));
    expect([...fresh.keys()].sort()).toEqual([...committed.keys()].sort());
    for (const [path, content] of fresh) expect(content, path).toBe(committed.get(path));
    const check = capture();
    expect(await main(['proto', '--check'], { root, out: check })).toBe(0);
    expect(check.stdout).toContain('generated code is up to date');
    expect(check.stdout).toMatch(/ledger\.transfer-changed\.v1 +consumed by wallet/);
  });

  it('--check on the repository itself finds no drift', async () => {
    const out = capture();
    expect(await main(['proto', '--check'], { root: repo, out })).toBe(0);
  });

  it('--check names drifting, missing and stale files and exits 1; a plain run repairs them', async () => {
    const root = await scratchProject();
    roots.push(root);
    expect(await main(['proto'], { root, out: capture() })).toBe(0);
    const generated = join(root, generatedFolder);
    await writeFile(join(generated, 'events.ts'), '// edited by hand\n');
    await rm(join(generated, 'wallet', 'v1', 'wallet_pb.ts'));
    await mkdir(join(generated, 'old', 'v1'), { recursive: true });
    await writeFile(join(generated, 'old', 'v1', 'old_pb.ts'), '// left over\n');

    const check = capture();
    expect(await main(['proto', '--check'], { root, out: check })).toBe(1);
    expect(check.stdout).toContain('services/proto/src/generated/events.ts: differs from what protos/ generates');
    expect(check.stdout).toContain('services/proto/src/generated/wallet/v1/wallet_pb.ts: missing');
    expect(check.stdout).toContain('services/proto/src/generated/old/v1/old_pb.ts: stale');
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
    await writeFile(file, text.replace('string quote_id = 1;', 'strin quote_id = 1;').replace('string rate = 6;', 'Rat rate = 6;'));
    const out = capture();
    expect(await main(['proto'], { root, out })).toBe(1);
    const lines = out.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^innover: protos\/forex\/v1\/forex\.proto:\d+:3: cannot find `strin` in this scope$/),
      expect.stringMatching(/^innover: protos\/forex\/v1\/forex\.proto:\d+:3: cannot find `Rat` in this scope$/),
    ]);
    expect(out.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
    await expect(readdir(join(root, 'services', 'proto'))).resolves.toEqual(['package.json']);
  });

  it('refuses a consumed event that the protos do not define, in one line, and writes nothing', async () => {
    const root = await scratchProject();
    roots.push(root);
    await writeFile(join(root, 'innover.yaml'), 'services:\n  - name: wallet\n    hostPort: 8104\n    consumes: [ledger.entries-postd.v1]\n');
    const out = capture();
    expect(await main(['proto'], { root, out })).toBe(1);
    expect(out.stderr).toMatch(
      /^innover: innover\.yaml: services\[0\]\.consumes\[0\]: no event in protos\/ is published to 'ledger\.entries-postd\.v1': use one of .*ledger\.transfer-changed\.v1.*, or add the message to protos\/ledger\/v1\/ and run innover proto\n$/,
    );
    await expect(readdir(join(root, 'services', 'proto'))).resolves.toEqual(['package.json']);
  });

  it('refuses to run without the generated package, saying how to restore it', async () => {
    const root = await scratchProject();
    roots.push(root);
    await rm(join(root, 'services', 'proto'), { recursive: true });
    const out = capture();
    expect(await main(['proto'], { root, out })).toBe(1);
    expect(out.stderr).toBe(
      'innover: services/proto/package.json not found: the generated package @innover/proto is missing; restore it (git checkout services/proto) and rerun innover proto\n',
    );
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
