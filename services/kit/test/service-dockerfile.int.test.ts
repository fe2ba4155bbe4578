import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { repositoryRoot } from '../../../test/support/service-process.js';

// The service image template must follow from the topology alone: a seventh service needs no Dockerfile edit.
const dockerfile = readFileSync(join(repositoryRoot, 'templates/service.Dockerfile'), 'utf8');

/** The `RUN` instruction of a stage, continuation lines joined. */
function runOfStage(stage: string): string {
  const body = dockerfile.split(/^FROM /m).find((part) => new RegExp(`AS ${stage}\\s*$`, 'm').test(part.split('\n')[0] ?? ''));
  const run = /^RUN ((?:.*\\\n)*.*)$/m.exec(body ?? '')?.[1];
  if (!run) throw new Error(`no RUN in stage ${stage} of templates/service.Dockerfile`);
  return run.replace(/\\\n/g, ' ');
}

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

describe('templates/service.Dockerfile', () => {
  it('names no service (only the shared kit) and needs no registry frontend', () => {
    const services = readdirSync(join(repositoryRoot, 'services')).filter((name) => name !== 'kit');
    expect(services.length).toBeGreaterThanOrEqual(6);
    for (const service of services) expect(dockerfile).not.toMatch(new RegExp(`\\b${service}\\b`));
    expect(dockerfile).not.toMatch(/^#\s*syntax=/im);
    expect(dockerfile).not.toContain('--parents');
  });

  it('keeps exactly services/<name>/package.json in the manifests stage, for any service folder', () => {
    const context = mkdtempSync(join(tmpdir(), 'innover-manifests-'));
    onTestFinished(() => rmSync(context, { recursive: true, force: true }));
    const files = ['services/kit/package.json', 'services/kit/src/index.ts', 'services/fraud/package.json', 'services/fraud/src/api.ts', 'services/fraud/migrations/001.sql', 'services/fraud/test/fixtures/package.json', 'services/fraud/tsconfig.json'];
    for (const file of files) {
      mkdirSync(dirname(join(context, file)), { recursive: true });
      writeFileSync(join(context, file), '{}');
    }
    execFileSync('sh', ['-c', runOfStage('manifests')], { cwd: context });
    expect(filesUnder(context)).toEqual(['services/fraud/package.json', 'services/kit/package.json']);
  });
});
