import { describe, expect, it } from 'vitest';
import { backoffDelay, parseTaskArgs, queueForTask, redisConnection, TaskArgumentError } from '../src/queue.js';

describe('parseTaskArgs', () => {
  it('maps positional arguments of the sample tasks', () => {
    expect(parseTaskArgs('add', ['1', '2'])).toEqual({ a: 1, b: 2 });
    expect(parseTaskArgs('add', ['-1.5', '2e3'])).toEqual({ a: -1.5, b: 2000 });
    expect(parseTaskArgs('slow', ['5'])).toEqual({ seconds: 5 });
  });

  it('takes one JSON object for other tasks', () => {
    expect(parseTaskArgs('settle-payment', ['{"paymentId":"x"}'])).toEqual({ paymentId: 'x' });
  });

  it('explains what is wrong in one line', () => {
    expect(() => parseTaskArgs('add', ['1'])).toThrow(new TaskArgumentError('add: expects 2 numbers, e.g. "add 1 2" (got 1 arguments)'));
    expect(() => parseTaskArgs('add', ['1', 'two'])).toThrow('add: argument b must be a number (got "two")');
    expect(() => parseTaskArgs('slow', [])).toThrow('slow: expects 1 number of seconds, e.g. "slow 5" (got 0 arguments)');
    expect(() => parseTaskArgs('slow', ['-1'])).toThrow('slow: seconds must be between 0 and 3600 (got -1)');
    expect(() => parseTaskArgs('other', ['[1]'])).toThrow(/other: pass one JSON object argument/);
  });
});

describe('queue helpers', () => {
  it('routes tasks by the topology, falling back to the service queue', () => {
    expect(queueForTask('slow', { slow: 'payment-slow' }, 'payment')).toBe('payment-slow');
    expect(queueForTask('add', { slow: 'payment-slow' }, 'payment')).toBe('payment');
  });

  it('backs off exponentially up to a cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelay(attempt))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('turns a Redis URL into connection options with the password', () => {
    expect(redisConnection('redis://:p%40ss@redis:6380/2')).toEqual({ host: 'redis', port: 6380, password: 'p@ss', db: 2, maxRetriesPerRequest: null });
  });
});
