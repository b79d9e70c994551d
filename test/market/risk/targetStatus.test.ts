import { describe, expect, test } from '@jest/globals';
import { missedSessions, targetState } from '../../../lib/market/risk/targetStatus.js';

// NYSE sessions counted by hand: 2025-01-01 (New Year's Day) and 2025-01-20 (Martin Luther King
// Jr. Day) are closed, as are weekends.
describe('targetState: a ticker without a bar on the portfolio\'s newest date', () => {
  test('a bar on the date is current', () => {
    expect(targetState('2025-01-03', '2025-01-03', 20, 'close')).toEqual({ status: 'current', missingSessions: 0, keep: true });
  });

  test('missing sessions skip weekends and holidays', () => {
    // after 2024-12-31: 01-02, 01-03 (01-01 closed)
    expect(targetState('2024-12-31', '2025-01-03', 20, 'close')).toEqual({ status: 'late', missingSessions: 2, keep: true });
    // after Friday 2025-01-10: 01-13 .. 01-17, 01-21 (01-20 closed)
    expect(targetState('2025-01-10', '2025-01-21', 20, 'close').missingSessions).toBe(6);
  });

  test('up to max_gap_days missing sessions is late: the last target stands', () => {
    expect(targetState('2025-01-10', '2025-01-21', 6, 'close')).toEqual({ status: 'late', missingSessions: 6, keep: true });
  });

  test('more is an ended history: target 0 with on_delisting close, the last target with hold', () => {
    expect(targetState('2025-01-10', '2025-01-21', 5, 'close')).toEqual({ status: 'ended', missingSessions: 6, keep: false });
    expect(targetState('2025-01-10', '2025-01-21', 5, 'hold')).toEqual({ status: 'ended', missingSessions: 6, keep: true });
    expect(targetState('2019-12-31', '2024-12-31', 20, 'close').status).toBe('ended');
  });

  test('a newest date that is no session (a stray holiday row elsewhere) leaves a ticker current', () => {
    // 2025-01-01 is New Year's Day: a file ending 2024-12-31 has missed no session
    expect(targetState('2024-12-31', '2025-01-01', 20, 'close')).toEqual({ status: 'current', missingSessions: 0, keep: true });
    expect(missedSessions('2024-12-31', '2025-01-01')).toBe(0);
    expect(missedSessions('2024-12-31', '2025-01-02')).toBe(1);
  });

  test('a bad gap limit is an error', () => {
    expect(() => targetState('2025-01-10', '2025-01-21', -1, 'close')).toThrow('maxGapSessions must be an integer >= 0, got -1');
  });
});
