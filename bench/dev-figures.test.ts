import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { devFigures, editedFile, markRoute, median, percentile, seenText, type DevMeasurements } from './dev-figures.ts';

const source = 'a\n    if (!payment) throw new HttpError(404, \'payment_not_found\', `no payment ${id}`);\nb\n';

describe('markRoute', () => {
  it('adds the token to the route text and changes nothing else', () => {
    const marked = markRoute(source, '41-3');
    expect(marked).toBe('a\n    if (!payment) throw new HttpError(404, \'payment_not_found\', `no payment ${id} (dev-bench 41-3)`);\nb\n');
    expect(marked).toContain(seenText('41-3'));
  });

  it('edits the real route file, whose text it finds once', () => {
    const real = readFileSync(new URL(`../${editedFile}`, import.meta.url), 'utf8');
    expect(markRoute(real, 'x').length).toBe(real.length + ' (dev-bench x)'.length);
  });

  it('refuses a file a killed run left marked, naming the fix', () => {
    expect(() => markRoute(markRoute(source, '1'), '2')).toThrow(/killed run\): git checkout services\/payment/);
  });

  it('refuses a file without the text, or with it twice', () => {
    expect(() => markRoute('nothing here', '1')).toThrow(/exactly once/);
    expect(() => markRoute(source + source, '1')).toThrow(/exactly once/);
  });

  it('refuses a token that would break the source', () => {
    expect(() => markRoute(source, 'a`b')).toThrow(/marker token/);
  });
});

describe('percentile and median', () => {
  const twenty = Array.from({ length: 20 }, (_, index) => 20 - index); // 20..1, unsorted

  it('takes the nearest rank', () => {
    expect(percentile(twenty, 0.5)).toBe(10);
    expect(percentile(twenty, 0.95)).toBe(19);
    expect(percentile(twenty, 1)).toBe(20);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it('averages the middle two of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('devFigures', () => {
  const measured: DevMeasurements = {
    dev: [900, 1000, 1100, 1200],
    missed: 0,
    timeoutMs: 30_000,
    reported: [0.8, 0.9, 1.0],
    rebuild: [40_000, 50_000, 45_000],
    rebuildCommand: 'innover up payment',
    load: [1.234, 2.5, 0.71],
  };
  const byName = (figures: ReturnType<typeof devFigures>, part: string) => figures.find((figure) => figure.name.includes(part));

  it('reports p50, p95 and max in seconds against the targets, and the rebuild ratio', () => {
    const figures = devFigures(measured);
    expect(byName(figures, 'p50')).toMatchObject({ value: 1, unit: 's', target: '<= 1.5', pass: true });
    expect(byName(figures, 'p95')).toMatchObject({ value: 1.2, target: '<= 3', pass: true });
    expect(byName(figures, 'max')).toMatchObject({ value: 1.2, target: 'report' });
    expect(byName(figures, 'no request saw')).toMatchObject({ value: 0, pass: true });
    expect(byName(figures, 'own reload lines')).toMatchObject({ value: 0.9 });
    expect(byName(figures, '(rebuild)')).toMatchObject({ value: 45, unit: 's' });
    expect(byName(figures, '/ innover dev')).toMatchObject({ value: 45, unit: 'ratio', target: 'report', pass: true });
    expect(byName(figures, 'machine load')).toMatchObject({ value: '1.2/2.5/0.7' });
  });

  it('misses a target when the loop is slow', () => {
    const figures = devFigures({ ...measured, dev: [1600, 1700, 3100] });
    expect(byName(figures, 'p50')?.pass).toBe(false);
    expect(byName(figures, 'p95')?.pass).toBe(false);
  });

  it('counts a save never seen as the timeout, so it shows in p95 and max', () => {
    const figures = devFigures({ ...measured, missed: 1 });
    expect(byName(figures, 'no request saw')).toMatchObject({ value: 1, target: '0', pass: false });
    expect(byName(figures, 'max')?.value).toBe(30);
    expect(byName(figures, 'p95')).toMatchObject({ value: 30, pass: false });
    expect(byName(figures, 'p50')?.name).toContain('(5 saves)');
  });

  it('leaves out the reload lines when dev printed none', () => {
    expect(byName(devFigures({ ...measured, reported: [] }), 'own reload lines')).toBeUndefined();
  });
});
