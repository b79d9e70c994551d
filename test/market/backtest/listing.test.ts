import { describe, expect, test } from '@jest/globals';
import { listingEvents } from '../../../lib/market/backtest/listing.js';
import { runBacktest, type BacktestInput } from '../../../lib/market/backtest/engine.js';

const f = (...x: number[]) => Float64Array.from(x);
const DATES = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08'];

describe('listingEvents: who entered late, who left early, where a position is cashed out', () => {
  test('a history that starts inside the window entered late; one that stops before its last date left early', () => {
    const e = listingEvents(DATES, ['A', 'NEW', 'OLD'], ['2020-01-02', '2024-01-04', '2020-01-02'], ['2024-01-08', '2024-01-08', '2024-01-04'], 'close', 1);
    expect(e.enteredLate).toEqual({ NEW: '2024-01-04' });
    expect(e.leftEarly).toEqual({ OLD: '2024-01-04' });
    expect(Array.from(e.closeAtRow)).toEqual([-1, -1, 2]);
  });

  test('a history ending on the window\'s last date is not a delisting (the data\'s last day, a daily run, an audit cutoff)', () => {
    const e = listingEvents(DATES, ['A'], ['2024-01-02'], ['2024-01-08'], 'close', 20);
    expect(e.leftEarly).toEqual({});
    expect(Array.from(e.closeAtRow)).toEqual([-1]);
  });

  test('hold lists the ticker but closes nothing; a history over before the window has nothing to close', () => {
    expect(Array.from(listingEvents(DATES, ['A', 'OLD'], ['2020-01-02', '2020-01-02'], ['2024-01-08', '2024-01-04'], 'hold', 0).closeAtRow)).toEqual([-1, -1]);
    const gone = listingEvents(DATES, ['A', 'GONE'], ['2020-01-02', '2020-01-02'], ['2024-01-08', '2023-06-30'], 'close', 20);
    expect(gone.leftEarly).toEqual({ GONE: '2023-06-30' });
    expect(Array.from(gone.closeAtRow)).toEqual([-1, -1]);
  });

  // OLD's last bar is Thu 2024-01-04; the newest bar is Mon 2024-01-08: it misses Fri 5 and Mon 8
  test('a history stopping within data.max_gap_days sessions of the newest bar is late: held, not closed', () => {
    const at = (maxGap: number, dates = DATES) => listingEvents(dates, ['A', 'OLD'], ['2020-01-02', '2020-01-02'], ['2024-01-08', '2024-01-04'], 'close', maxGap);
    expect(at(2)).toMatchObject({ late: { OLD: '2024-01-04' }, leftEarly: {} });
    expect(Array.from(at(2).closeAtRow)).toEqual([-1, -1]);
    expect(at(1)).toMatchObject({ late: {}, leftEarly: { OLD: '2024-01-04' } });
    expect(Array.from(at(1).closeAtRow)).toEqual([-1, 2]);
    // the gap counts to the newest bar of the data, not to a window that ends before it
    const window = DATES.slice(0, 4);
    expect(at(1, window)).toMatchObject({ late: {}, leftEarly: { OLD: '2024-01-04' } });
    // a history ending on the window's last date is neither
    expect(at(0, DATES.slice(0, 3))).toMatchObject({ late: {}, leftEarly: {} });
  });

  test('a stray row on a closed day (Saturday 2024-01-06) makes no ticker late or delisted', () => {
    const dates = ['2024-01-04', '2024-01-05', '2024-01-06'];
    const e = listingEvents(dates, ['A', 'B'], ['2020-01-02', '2020-01-02'], ['2024-01-06', '2024-01-05'], 'close', 0);
    expect(e).toMatchObject({ late: {}, leftEarly: {} });
    expect(Array.from(e.closeAtRow)).toEqual([-1, -1]);
  });

  test('a negative or fractional max gap is refused', () => {
    expect(() => listingEvents(DATES, ['A'], ['2020-01-02'], ['2024-01-08'], 'close', -1)).toThrow(/maxGapSessions must be an integer >= 0, got -1/);
  });

  test('a last bar missing from the calendar is an error, not a silent hold', () => {
    expect(() => listingEvents(DATES, ['A', 'X'], ['2020-01-02', '2020-01-02'], ['2024-01-08', '2024-01-06'], 'close', 0)).toThrow(/the last bar of X, 2024-01-06, is not a date of the backtest calendar/);
  });
});

describe('runBacktest closeAtRow: a delisted position is cashed out at its last close', () => {
  // A is held throughout; B's last bar is row 2 (close 55), then no bar
  const input = (extra: Partial<BacktestInput> = {}): BacktestInput => ({
    dates: DATES,
    tickers: ['A', 'B'],
    open: [f(100, 100, 100, 100, 100), f(50, 50, 52, NaN, NaN)],
    close: [f(100, 100, 100, 100, 100), f(50, 50, 55, NaN, NaN)],
    targetWeight: [f(0.5, 0.5, 0.5, 0.5, 0.5), f(0.4, 0.4, 0.4, NaN, NaN)],
    execution: 'next_open',
    commission_bps: 1,
    slippage_bps: 2,
    initial_capital: 1000,
    ...extra,
  });

  /** Gross exposure rebuilt from the trade log: A's shares at 100 over equity (B holds nothing). */
  const onlyA = (r: ReturnType<typeof runBacktest>, t: number) => {
    let a = 0;
    r.trades.date.forEach((d, i) => {
      if (d <= DATES[t] && r.trades.ticker[i] === 'A') a += (r.trades.side[i] === 'buy' ? 1 : -1) * r.trades.quantity[i];
    });
    return (a * 100) / r.pnl.equity[t];
  };

  test('the fill is at the close with the configured costs, logged with reason delisting; no exposure afterwards', () => {
    const r = runBacktest(input({ closeAtRow: [-1, 2] }));
    // row 1: buy A 500/100 = 5 shares and B 400/50 = 8 shares at the open; costs 3 bp of 900
    const c1 = 0.0003 * 900;
    // row 2: equity at the open = 1000 - c1 (prices unchanged at 100 and 52 -> 8 * 52 = 416)
    const eqOpen2 = 1000 - c1 + 8 * 2;
    const b2 = (0.4 * eqOpen2) / 52;
    const k = r.trades.reason.indexOf('delisting');
    expect(r.trades.date[k]).toBe('2024-01-04');
    expect(r.trades.ticker[k]).toBe('B');
    expect(r.trades.side[k]).toBe('sell');
    expect(r.trades.price[k]).toBe(55);
    expect(r.trades.quantity[k]).toBeCloseTo(b2, 12);
    expect(r.trades.cost[k]).toBeCloseTo(0.0003 * b2 * 55, 12);
    // from the close-out on only A is held
    for (let t = 2; t < 5; t++) expect(r.pnl.gross_exposure[t]).toBeCloseTo(onlyA(r, t), 12);
    expect(r.perTickerPnl.B[3]).toBe(0);
    expect(r.perTickerPnl.B[4]).toBe(0);
    expect(r.trades.ticker.slice(k + 1).every((t) => t === 'A')).toBe(true);
    expect(r.trades.reason.filter((x) => x !== 'delisting').every((x) => x === 'rebalance')).toBe(true);
  });

  test('without closeAtRow the position is carried at its last close (the stale mark `hold` keeps)', () => {
    const r = runBacktest(input());
    expect(r.trades.reason).not.toContain('delisting');
    expect(r.pnl.gross_exposure[4]).toBeGreaterThan(0.4 * 0.9);
  });

  test('with next_close the day\'s trade and the close-out both fill at the close', () => {
    const r = runBacktest(input({ execution: 'next_close', closeAtRow: [-1, 2] }));
    const b = r.trades.ticker.map((t, i) => (t === 'B' ? `${r.trades.date[i]} ${r.trades.side[i]} ${r.trades.price[i]} ${r.trades.reason[i]}` : '')).filter(Boolean);
    expect(b.at(-1)).toBe('2024-01-04 sell 55 delisting');
    for (let t = 2; t < 5; t++) expect(r.pnl.gross_exposure[t]).toBeCloseTo(onlyA(r, t), 12);
  });

  test('a close-out on a row without a close is refused', () => {
    expect(() => runBacktest(input({ closeAtRow: [-1, 3] }))).toThrow(/ticker B is closed out on 2024-01-05, which has no close/);
  });

  test('a close-out before the ticker\'s last bar is refused (it would be bought back the next day)', () => {
    expect(() => runBacktest(input({ closeAtRow: [-1, 1] }))).toThrow('runBacktest: ticker B is closed out on 2024-01-03 but has a bar on 2024-01-04: a close-out must be on its last bar');
    expect(() => runBacktest(input({ closeAtRow: [2, -1] }))).toThrow('ticker A is closed out on 2024-01-04 but has a bar on 2024-01-05');
  });
});
