import { formatWindow } from './sustained-failure.sweep';

describe('formatWindow', () => {
  it('uses the largest unit that divides the window', () => {
    expect([5 * 86_400_000, 36 * 3_600_000, 90 * 60_000, 10_000, 1500].map(formatWindow)).toEqual([
      '5d',
      '36h',
      '90m',
      '10s',
      '1500ms',
    ]);
  });
});
