import { describe, test, expect } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRawCsv } from '../../../lib/market/data/parse-raw.js';

const dir = path.resolve(process.cwd(), '../shared/data/market');
const present = existsSync(dir);
if (!present) console.warn(`skipping real-file tests: ${dir} does not exist`);
const maybe = present ? test : test.skip;

const load = (ticker: string) => {
  const text = readFileSync(path.join(dir, `${ticker}.csv`), 'utf8');
  return { text, ...parseRawCsv(text, { file: `${ticker}.csv`, ticker, onBadRows: 'error', maxDropShare: 0.01, maxGapDays: 20, onGap: 'error', maxDailyMove: 0.75 }) };
};

describe('real market files', () => {
  maybe.each(['NVDA', 'ORCL', 'YHOO', 'SPX'])('%s parses with every row kept', (ticker) => {
    const { text, bars, dq } = load(ticker);
    const dataLines = text.trim().split('\n').length - 1;
    expect(bars.date).toHaveLength(dataLines);
    expect(dq.dropped).toBe(0);
    expect(dq.findings.filter((f) => f.level === 'error')).toEqual([]);
    // Ascending, unique dates.
    expect(bars.date.filter((d, i) => i > 0 && !(d > bars.date[i - 1]!))).toEqual([]);
  });

  maybe('SPX (an index) has adj_factor 1 everywhere', () => {
    const { bars } = load('SPX');
    expect(bars.adj_factor.every((f) => f === 1)).toBe(true);
    expect(bars.close).toEqual(bars.raw_close);
  });

  maybe('NVDA: dividend-only adjustment, and no adjusted jump that the raw data lacks', () => {
    const { text, bars } = load('NVDA');
    expect(Math.min(...bars.adj_factor)).toBeGreaterThan(0.9);
    expect(Math.max(...bars.adj_factor)).toBeLessThanOrEqual(1);
    // Independent reading of the raw columns.
    const rows = text.trim().split('\n').slice(1).map((l) => l.split(','));
    const rawClose = rows.map((r) => Number(r[4]));
    const adjClose = rows.map((r) => Number(r[5]));
    expect(Array.from(bars.close)).toEqual(adjClose);
    let worst = 0;
    for (let i = 1; i < rawClose.length; i++) {
      const raw = Math.log(rawClose[i]! / rawClose[i - 1]!);
      const adj = Math.log(bars.close[i]! / bars.close[i - 1]!);
      worst = Math.max(worst, Math.abs(adj - raw));
    }
    // A dividend moves the adjusted return by its yield; anything bigger would be an invented jump.
    expect(worst).toBeLessThan(0.01);
    // Dollar volume is preserved by the adjustment.
    const rawVolume = rows.map((r) => Number(r[6]));
    for (const i of [0, 1000, rows.length - 1]) {
      expect(bars.close[i]! * bars.volume[i]!).toBeCloseTo(rawClose[i]! * rawVolume[i]!, 0);
    }
  });
});
