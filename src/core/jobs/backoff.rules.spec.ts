import { backoffDelayMs, isValidJobKey } from './backoff.rules.js';

describe('backoffDelayMs', () => {
  it.each([
    [1, 0, 500],
    [1, 1, 1000],
    [2, 0, 1000],
    [3, 1, 4000],
    [10, 1, 60000],
    [10, 0, 30000],
  ])('attempt %i with random %d waits %i ms', (attempt, random, expected) => {
    expect(backoffDelayMs(attempt, random, { baseMs: 1000, maxMs: 60000 })).toBe(expected);
  });
});

describe('isValidJobKey', () => {
  it.each([
    ['doi-publish-1234', true],
    ['credit.recompute_9', true],
    ['has:colon', false],
    ['', false],
    ['space in', false],
  ])('%s -> %s', (key, ok) => {
    expect(isValidJobKey(key)).toBe(ok);
  });
});
