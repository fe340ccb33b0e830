import { describe, expect, it } from '@jest/globals';
import { formatDuration, parseDuration } from './duration.js';

describe('durations', () => {
  it.each([
    ['15m', 900_000],
    ['5s', 5000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['90', 90_000],
    ['1.5s', 1500]
  ])('parses %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '5 minutes', '5x', 'm5', '-5s'])('rejects %p', text =>
    expect(parseDuration(text)).toBeUndefined()
  );

  it('formats for people', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(185_000)).toBe('3m 05s');
    expect(formatDuration(3_720_000)).toBe('1h 02m');
  });
});
