import { describe, test, expect } from '@jest/globals';
import { mean, sampleCorrelation, standardDeviation } from 'simple-statistics';
import { tradingDays } from '../../../lib/core/calendar.js';
import { parseRawCsv } from '../../../lib/market/data/parse-raw.js';
import { generateSampleMarket } from '../../../lib/market/data/sample.js';
import { formatYahooCsv } from '../../../lib/market/data/yahoo-csv.js';
import { bestMatchAccuracy, fitHmmStates } from './gaussian-hmm.js';

interface Csv {
  header: string;
  lines: string[];
  date: string[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  adj: number[];
  volume: number[];
}

// Deliberately naive reader: the test must not trust lib/market/data's own parser.
function readCsv(text: string): Csv {
  const all = text.split('\n');
  expect(all[all.length - 1]).toBe('');
  const lines = all.slice(1, -1);
  const cols = lines.map((l) => l.split(','));
  const num = (j: number): number[] => cols.map((c) => Number(c[j]));
  return { header: all[0]!, lines, date: cols.map((c) => c[0]!), open: num(1), high: num(2), low: num(3), close: num(4), adj: num(5), volume: num(6) };
}

const logRet = (x: number[]): number[] => x.slice(1).map((v, i) => Math.log(v / x[i]!));

const TICKERS = Array.from({ length: 12 }, (_, i) => `S${i}`);
const BASE = { tickers: TICKERS, benchmark: 'BENCH', start: '2010-01-01', end: '2021-12-31', seed: 42 };
const market = generateSampleMarket(BASE);

describe('determinism and layout', () => {
  test('same options give identical text; another seed gives different text', () => {
    const again = generateSampleMarket(BASE);
    expect(Object.keys(again.files)).toEqual(Object.keys(market.files));
    for (const t of Object.keys(market.files)) expect(again.files[t] === market.files[t]).toBe(true);
    expect(again.regimes === market.regimes).toBe(true);
    const other = generateSampleMarket({ ...BASE, tickers: ['S0'], seed: 43 });
    expect(other.files.S0 === market.files.S0).toBe(false);
    expect(other.files.BENCH === market.files.BENCH).toBe(false);
  });

  test('a ticker does not depend on which other tickers are generated', () => {
    const alone = generateSampleMarket({ ...BASE, tickers: ['S3'] });
    expect(alone.files.S3 === market.files.S3).toBe(true);
    expect(alone.files.BENCH === market.files.BENCH).toBe(true);
  });

  test('calendar is the NYSE calendar and every file covers it with the Yahoo layout', () => {
    expect(market.calendar).toEqual(tradingDays('2010-01-01', '2021-12-31'));
    expect(Object.keys(market.files).sort()).toEqual(['BENCH', ...TICKERS].sort());
    const row = /^\d{4}-\d{2}-\d{2}(,\d+\.\d{6}){5},\d+$/;
    for (const text of Object.values(market.files)) {
      const csv = readCsv(text);
      expect(csv.header).toBe('Date,Open,High,Low,Close,Adj Close,Volume');
      expect(csv.date).toEqual(market.calendar);
      expect(csv.lines.filter((line) => !row.test(line))).toEqual([]);
    }
    const regimeLines = market.regimes.trim().split('\n');
    expect(regimeLines[0]).toBe('date,regime');
    expect(regimeLines.slice(1).map((l) => l.split(',')[0])).toEqual(market.calendar);
  });
});

describe('formatYahooCsv', () => {
  test('header, 6 decimals, integer volume, final newline', () => {
    const text = formatYahooCsv({
      date: ['2020-01-02'],
      open: Float64Array.of(1.23456789),
      high: Float64Array.of(2),
      low: Float64Array.of(1),
      close: Float64Array.of(1.5),
      adjClose: Float64Array.of(0.75),
      volume: Float64Array.of(1234.6),
    });
    expect(text).toBe('Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,1.234568,2.000000,1.000000,1.500000,0.750000,1235\n');
  });
});

describe('bars', () => {
  test('every sample file passes the raw-data checks with no finding at all', () => {
    for (const [ticker, text] of Object.entries(market.files)) {
      const { dq } = parseRawCsv(text, { file: `${ticker}.csv`, ticker, onBadRows: 'error', maxDropShare: 0.01, maxGapDays: 20, onGap: 'error', maxDailyMove: 0.75 });
      expect(dq.findings).toEqual([]);
      expect(dq.rows_out).toBe(market.calendar.length);
    }
  });

  test('every row: 0 < low <= min(open, close), max(open, close) <= high, volume >= 1', () => {
    for (const [ticker, text] of Object.entries(market.files)) {
      const b = readCsv(text);
      for (let i = 0; i < b.date.length; i++) {
        const ok = b.low[i]! > 0 && b.low[i]! <= Math.min(b.open[i]!, b.close[i]!) && Math.max(b.open[i]!, b.close[i]!) <= b.high[i]! && b.volume[i]! >= 1;
        if (!ok) throw new Error(`${ticker} ${b.date[i]}: inconsistent bar ${b.lines[i]}`);
      }
    }
  });

  test('opens gap away from the previous close on most days', () => {
    const b = readCsv(market.files.S1!);
    let gaps = 0;
    for (let i = 1; i < b.date.length; i++) if (Math.abs(Math.log(b.open[i]! / b.close[i - 1]!)) > 1e-4) gaps++;
    expect(gaps / (b.date.length - 1)).toBeGreaterThan(0.9);
  });

  test('benchmark volume rises with volatility', () => {
    const b = readCsv(market.files.BENCH!);
    const r = logRet(b.close).map(Math.abs);
    expect(sampleCorrelation(r, b.volume.slice(1))).toBeGreaterThan(0.3);
  });
});

describe('splits and dividends', () => {
  test.each(TICKERS)('%s: at least one split with an unadjusted drop, Adj Close continuous, quarterly dividends', (t) => {
    const b = readCsv(market.files[t]!);
    // Adj Close / Close is constant between events; on an event day it steps by the event's multiplier.
    const factor = b.adj.map((a, i) => a / b.close[i]!);
    let splits = 0;
    let dividends = 0;
    const problems: string[] = [];
    for (let i = 1; i < b.date.length; i++) {
      const step = factor[i - 1]! / factor[i]!;
      const raw = Math.log(b.close[i]! / b.close[i - 1]!);
      const adj = Math.log(b.adj[i]! / b.adj[i - 1]!);
      const ratio = 1 / step;
      if ([2, 3, 4].some((k) => Math.abs(ratio - k) < 0.01)) {
        splits++;
        // The traded close jumps down, the adjusted close does not.
        if (!(raw < -Math.log(ratio) + 0.3) || !(Math.abs(adj) < 0.3)) problems.push(`${b.date[i]} split raw ${raw} adj ${adj}`);
      } else if (Math.abs(step - 1) > 2e-4) {
        dividends++;
        // A quarterly dividend is under 1% of the price and lowers the factor of earlier rows.
        if (!(step > 0.99 && step < 1)) problems.push(`${b.date[i]} dividend step ${step}`);
      }
    }
    expect(problems).toEqual([]);
    expect(splits).toBeGreaterThanOrEqual(1);
    expect(splits).toBeLessThanOrEqual(4);
    const years = b.date.length / 252;
    expect(dividends).toBeGreaterThanOrEqual(Math.floor(4 * years) - 2);
    expect(dividends).toBeLessThanOrEqual(Math.ceil(4 * years) + 1);
    // No adjusted daily move is anywhere near a split-sized jump.
    expect(Math.max(...logRet(b.adj).map(Math.abs))).toBeLessThan(0.45);
  });

  test('the benchmark is an index: Adj Close equals Close', () => {
    const b = readCsv(market.files.BENCH!);
    expect(b.adj).toEqual(b.close);
  });
});

describe('hidden regimes', () => {
  const names = ['bull', 'bear', 'highvol'];
  const regime = market.regimes.trim().split('\n').slice(1).map((l) => names.indexOf(l.split(',')[1]!));
  const bench = readCsv(market.files.BENCH!);
  const r = logRet(bench.adj);

  test('all three states occur and are persistent (mean run of 20+ days)', () => {
    for (let s = 0; s < 3; s++) expect(regime.filter((x) => x === s).length).toBeGreaterThan(100);
    let runs = 1;
    for (let i = 1; i < regime.length; i++) if (regime[i] !== regime[i - 1]) runs++;
    expect(regime.length / runs).toBeGreaterThan(20);
  });

  test('volatility is ordered bull < bear < highvol and drift bull > bear', () => {
    const of = (s: number): number[] => r.filter((_, i) => regime[i + 1] === s);
    const vol = [0, 1, 2].map((s) => standardDeviation(of(s)));
    expect(vol[0]!).toBeLessThan(vol[1]! * 0.7);
    expect(vol[1]!).toBeLessThan(vol[2]! * 0.7);
    expect(mean(of(0))).toBeGreaterThan(mean(of(1)));
  });

  test('a Gaussian HMM on log return and 20-day realised vol recovers >= 70% of days', () => {
    const x: number[][] = [];
    const truth: number[] = [];
    for (let i = 20; i < r.length; i++) {
      let ss = 0;
      for (let k = i - 19; k <= i; k++) ss += r[k]! * r[k]!;
      const rv = Math.sqrt(ss / 20);
      x.push([r[i]! * 100, Math.log(rv)]);
      truth.push(regime[i + 1]!);
    }
    const init = x.map(([, lrv]) => (Math.exp(lrv!) < 0.011 ? 0 : Math.exp(lrv!) < 0.022 ? 1 : 2));
    const fit = fitHmmStates(x, 3, 60, init);
    expect(bestMatchAccuracy(fit.states, truth, 3)).toBeGreaterThanOrEqual(0.7);
  });
});

describe('stocks', () => {
  const bench = logRet(readCsv(market.files.BENCH!).adj);
  const fits = TICKERS.map((t) => {
    const r = logRet(readCsv(market.files[t]!).adj);
    const mb = mean(bench);
    const mr = mean(r);
    let cov = 0;
    let varb = 0;
    for (let i = 0; i < r.length; i++) {
      cov += (bench[i]! - mb) * (r[i]! - mr);
      varb += (bench[i]! - mb) ** 2;
    }
    const beta = cov / varb;
    const resid = r.map((v, i) => v - mr - beta * (bench[i]! - mb));
    return { beta, resid };
  });

  test('each stock has its own beta in a plausible range', () => {
    const betas = fits.map((f) => f.beta);
    for (const b of betas) {
      expect(b).toBeGreaterThan(0.5);
      expect(b).toBeLessThan(1.75);
    }
    expect(Math.max(...betas) - Math.min(...betas)).toBeGreaterThan(0.3);
  });

  test('idiosyncratic returns mean-revert a little (something for a model to learn)', () => {
    const ac = fits.map((f) => sampleCorrelation(f.resid.slice(1), f.resid.slice(0, -1)));
    expect(mean(ac)).toBeLessThan(-0.03);
    expect(mean(ac)).toBeGreaterThan(-0.2);
  });
});

describe('prefix stability', () => {
  test('a later end keeps Date/Open/High/Low/Close/Volume of earlier rows; Adj Close moves by one factor', () => {
    const opts = { tickers: ['A', 'B', 'C'], benchmark: 'BENCH', start: '2018-01-01', seed: 7 };
    const short = generateSampleMarket({ ...opts, end: '2020-12-31' });
    const long = generateSampleMarket({ ...opts, end: '2021-06-30' });
    expect(long.calendar.slice(0, short.calendar.length)).toEqual(short.calendar);
    expect(long.regimes.startsWith(short.regimes)).toBe(true);
    for (const t of ['BENCH', 'A', 'B', 'C']) {
      const s = readCsv(short.files[t]!);
      const l = readCsv(long.files[t]!);
      const n = s.date.length;
      const strip = (line: string): string => line.split(',').filter((_, j) => j !== 5).join(',');
      expect(l.lines.slice(0, n).map(strip)).toEqual(s.lines.map(strip));
      // Back-adjustment for events in the extension rescales all earlier rows by the same factor.
      const k = l.adj[0]! / s.adj[0]!;
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(l.adj[i]! / s.adj[i]! / k - 1));
      expect(worst).toBeLessThan(1e-4);
    }
  });
});
