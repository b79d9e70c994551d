import { describe, test, expect } from '@jest/globals';
import {
  addTradingDays,
  easterSunday,
  dayToIso,
  isTradingDay,
  nextTradingDay,
  previousTradingDay,
  tradingDays,
} from '../../../lib/core/calendar.js';

// Hand list taken from the published NYSE holiday schedules.
const NYSE_HOLIDAYS: Record<number, string[]> = {
  2021: ['2021-01-01', '2021-01-18', '2021-02-15', '2021-04-02', '2021-05-31', '2021-07-05', '2021-09-06', '2021-11-25', '2021-12-24'],
  2022: ['2022-01-17', '2022-02-21', '2022-04-15', '2022-05-30', '2022-06-20', '2022-07-04', '2022-09-05', '2022-11-24', '2022-12-26'],
  2023: ['2023-01-02', '2023-01-16', '2023-02-20', '2023-04-07', '2023-05-29', '2023-06-19', '2023-07-04', '2023-09-04', '2023-11-23', '2023-12-25'],
  2024: ['2024-01-01', '2024-01-15', '2024-02-19', '2024-03-29', '2024-05-27', '2024-06-19', '2024-07-04', '2024-09-02', '2024-11-28', '2024-12-25'],
};

function weekdaysOf(year: number): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
    const d = new Date(t);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

describe('NYSE holidays', () => {
  test.each(Object.keys(NYSE_HOLIDAYS).map(Number))('the trading days of %i are the weekdays minus the hand-listed holidays', (year) => {
    const holidays = new Set(NYSE_HOLIDAYS[year]);
    const expected = weekdaysOf(year).filter((d) => !holidays.has(d));
    expect(tradingDays(`${year}-01-01`, `${year}-12-31`)).toEqual(expected);
    for (const h of holidays) expect(isTradingDay(h)).toBe(false);
  });

  test('known yearly counts: 2021 252, 2022 251, 2023 250, 2024 252', () => {
    expect(tradingDays('2021-01-01', '2021-12-31')).toHaveLength(252);
    expect(tradingDays('2022-01-01', '2022-12-31')).toHaveLength(251);
    expect(tradingDays('2023-01-01', '2023-12-31')).toHaveLength(250);
    expect(tradingDays('2024-01-01', '2024-12-31')).toHaveLength(252);
  });

  test('New Year on a Saturday is not observed on the Friday before (2021-12-31 traded)', () => {
    expect(isTradingDay('2021-12-31')).toBe(true);
  });

  test('MLK day only from 1998, Juneteenth only from 2022', () => {
    expect(isTradingDay('1997-01-20')).toBe(true); // 3rd Monday of Jan 1997
    expect(isTradingDay('1998-01-19')).toBe(false);
    expect(isTradingDay('2021-06-18')).toBe(true); // would be the observed Juneteenth
    expect(isTradingDay('2023-06-19')).toBe(false);
  });

  test('Easter Sunday matches known dates', () => {
    const known = ['2000-04-23', '2019-04-21', '2024-03-31', '2025-04-20', '2038-04-25', '1818-03-22'];
    for (const iso of known) expect(dayToIso(easterSunday(Number(iso.slice(0, 4))))).toBe(iso);
  });
});

describe('navigation', () => {
  test('next and previous skip weekends and holidays', () => {
    expect(nextTradingDay('2023-12-22')).toBe('2023-12-26');
    expect(previousTradingDay('2024-01-02')).toBe('2023-12-29');
    expect(nextTradingDay('2024-03-28')).toBe('2024-04-01');
    expect(previousTradingDay('2024-07-05')).toBe('2024-07-03');
  });

  test('addTradingDays agrees with indexing into tradingDays', () => {
    const days = tradingDays('2022-11-01', '2023-03-31');
    for (let i = 0; i < days.length; i += 7) {
      for (const n of [1, 5, 20]) {
        if (i + n < days.length) expect(addTradingDays(days[i]!, n)).toBe(days[i + n]);
        if (i - n >= 0) expect(addTradingDays(days[i]!, -n)).toBe(days[i - n]);
      }
    }
    expect(addTradingDays('2023-12-23', 0)).toBe('2023-12-26');
    expect(addTradingDays('2023-12-27', 0)).toBe('2023-12-27');
  });

  test('inclusive bounds, empty when start > end', () => {
    expect(tradingDays('2024-01-02', '2024-01-04')).toEqual(['2024-01-02', '2024-01-03', '2024-01-04']);
    expect(tradingDays('2024-01-05', '2024-01-04')).toEqual([]);
  });

  test('bad dates are rejected by name', () => {
    expect(() => isTradingDay('2023-02-30')).toThrow("invalid date '2023-02-30'");
    expect(() => tradingDays('01/02/2023', '2023-02-01')).toThrow("invalid date '01/02/2023'");
  });
});
