import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineTask, sampleTasks } from '../src/tasks.js';
import { scheduleProblems } from '../src/worker.js';

const tasks = { ...sampleTasks, reconcile: defineTask(z.object({ limit: z.number().int().default(100) }), async () => null) };

describe('scheduleProblems', () => {
  it('accepts schedules of tasks the worker runs, with arguments their schema takes', () => {
    expect(scheduleProblems([{ task: 'reconcile', everyMs: 5_000 }, { task: 'add', everyMs: 1, args: { a: 1, b: 2 } }], tasks)).toEqual([]);
  });

  it('names each problem once: an unknown task, refused arguments, a bad interval, a task scheduled twice', () => {
    expect(
      scheduleProblems(
        [
          { task: 'expire-transfers', everyMs: 1_000 },
          { task: 'add', everyMs: 1_000 },
          { task: 'reconcile', everyMs: 0 },
          { task: 'reconcile', everyMs: 1.5 },
        ],
        tasks,
      ),
    ).toEqual([
      'schedules[0].task: no task "expire-transfers" in this worker; it runs: add, reconcile, slow',
      'schedules[1].args: task add refuses them: a: must be a number; b: must be a number',
      'schedules[2].everyMs: must be a whole number of milliseconds greater than 0 (got 0)',
      'schedules[3].everyMs: must be a whole number of milliseconds greater than 0 (got 1.5)',
      'schedules[3].task: reconcile is scheduled twice; keep one entry per task',
    ]);
  });
});
