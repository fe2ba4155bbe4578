import { describe, expect, it } from 'vitest';
import { runReadiness } from '../src/readiness.js';

describe('runReadiness', () => {
  it('is ok when every configured check passes, and lists only those', async () => {
    const report = await runReadiness([{ name: 'sql', check: async () => undefined }]);
    expect(report.status).toBe('ok');
    expect(Object.keys(report.checks)).toEqual(['sql']);
  });

  it('fails when one check fails or hangs past the timeout, keeping the detail', async () => {
    const report = await runReadiness(
      [
        { name: 'sql', check: async () => undefined },
        { name: 'redis', check: () => Promise.reject(new Error('connection refused')) },
        { name: 'kafka', check: () => new Promise(() => undefined) },
      ],
      50,
    );
    expect(report.status).toBe('failing');
    expect(report.checks['sql']?.status).toBe('ok');
    expect(report.checks['redis']).toMatchObject({ status: 'failing', error: 'connection refused' });
    expect(report.checks['kafka']).toMatchObject({ status: 'failing', error: 'kafka timed out after 50 ms' });
  });

  it('is ok with no dependencies configured', async () => {
    expect(await runReadiness([])).toEqual({ status: 'ok', checks: {} });
  });
});
