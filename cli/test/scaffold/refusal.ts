import { expect } from 'vitest';
import { UserError } from '../../src/command.js';

/** The message of the UserError `run` throws; fails the test when it throws none or another error. */
export function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('did not refuse');
}
