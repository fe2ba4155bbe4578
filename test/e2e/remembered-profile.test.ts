import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { keepRememberedProfile } from './remembered-profile.js';

function project(state?: Record<string, unknown>): { root: string; file: string } {
  const root = mkdtempSync(join(tmpdir(), 'innover-remembered-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, '.innover'));
  const file = join(root, '.innover', 'state.json');
  if (state) writeFileSync(file, JSON.stringify(state));
  return { root, file };
}

const read = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

describe('keepRememberedProfile', () => {
  it("puts back the developer's profile after a run that remembered lite, keeping the run's build records", () => {
    const { root, file } = project({ profile: 'full' });
    const restore = keepRememberedProfile(root);
    writeFileSync(file, JSON.stringify({ profile: 'lite', builds: { 'innover-e2e': { fingerprint: 'f', images: {} } } }));
    restore();
    expect(read(file)).toEqual({ profile: 'full', builds: { 'innover-e2e': { fingerprint: 'f', images: {} } } });
  });

  it('forgets the profile when none was remembered before', () => {
    const { root, file } = project();
    const restore = keepRememberedProfile(root);
    writeFileSync(file, JSON.stringify({ profile: 'lite', builds: {} }));
    restore();
    expect(read(file)).toEqual({ builds: {} });
  });
});
