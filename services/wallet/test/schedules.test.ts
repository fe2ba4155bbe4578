import { describe, expect, it } from 'vitest';
import { sampleTasks } from '@innover/kit';
import { scheduleProblems } from '@innover/kit/worker';
import { wallet } from '../src/service.js';

describe('the wallet worker’s schedule', () => {
  it('runs the completer and reaper of the idempotency keys every minute, a task the worker has', () => {
    expect(wallet.schedules).toEqual([{ task: 'maintain-idempotency-keys', everyMs: 60_000 }]);
    expect(Object.keys(wallet.tasks ?? {})).toEqual(['maintain-idempotency-keys']);
    expect(scheduleProblems(wallet.schedules ?? [], { ...sampleTasks, ...wallet.tasks })).toEqual([]);
  });
});
