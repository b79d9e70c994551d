import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfig, parseSettings } from '../../lib/core/settings.js';

const base = () => parse(readFileSync('config/settings.yaml', 'utf8')) as Record<string, any>;
const errorOf = (mutate: (s: Record<string, any>) => void): string => {
  const s = base();
  mutate(s);
  try {
    parseSettings(s, 'config/settings.yaml');
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a validation error');
};

describe('config/settings.yaml validation', () => {
  test('the shipped settings file is valid and paths.raw expands data_root', () => {
    const s = loadConfig('config/settings.yaml');
    expect(s.tickers).toEqual(['NVDA', 'MSFT', 'SPY']);
    expect(s.paths.raw).toBe('data/raw/{ticker}_raw.csv');
  });

  test('a misspelled key names the file and key path and suggests the near miss', () => {
    expect(errorOf((s) => { s.risk.max_wieght = 0.1; })).toBe("config/settings.yaml: risk.max_wieght: unknown key (did you mean 'risk.max_weight'?)");
    expect(errorOf((s) => { s.featurs = s.features; })).toMatch(/featurs: unknown key \(did you mean 'features'\?\)/);
  });

  test('a wrong type', () => {
    expect(errorOf((s) => { s.risk.target_vol = 'high'; })).toMatch(/^config\/settings.yaml: risk.target_vol: .*number/i);
  });

  test('impossible values', () => {
    expect(errorOf((s) => { s.risk.target_vol = -0.1; })).toMatch(/risk.target_vol: must be positive/);
    expect(errorOf((s) => { s.backtest.start_date = '2026-01-01'; })).toMatch(/backtest.start_date: start_date 2026-01-01 is not before end_date 2025-01-01/);
    expect(errorOf((s) => { s.tickers = []; })).toMatch(/tickers: must list at least one ticker/);
    expect(errorOf((s) => { s.tickers = ['../x', 'SPY']; })).toMatch(/tickers.0: must be a plain ticker symbol/);
    expect(errorOf((s) => { s.backtest.end_date = '2025-02-30'; })).toMatch(/backtest.end_date: is not a real date/);
  });
});

describe('the data-quality limits (issue 11, rule 5)', () => {
  test('defaults when left out: 1% of rows may be dropped, gaps up to 20 trading days, a longer gap is an error', () => {
    const s = base();
    delete s.data.max_drop_share;
    delete s.data.max_gap_days;
    delete s.data.on_gap;
    const parsed = parseSettings(s, 'config/settings.yaml');
    expect([parsed.data.max_drop_share, parsed.data.max_gap_days, parsed.data.on_gap]).toEqual([0.01, 20, 'error']);
  });

  test('impossible values name the key', () => {
    expect(errorOf((s) => { s.data.max_drop_share = 1.5; })).toMatch(/^config\/settings.yaml: data.max_drop_share: /);
    expect(errorOf((s) => { s.data.max_gap_days = 0; })).toMatch(/^config\/settings.yaml: data.max_gap_days: /);
    expect(errorOf((s) => { s.data.on_gap = 'skip'; })).toMatch(/^config\/settings.yaml: data.on_gap: .*"error"\|"drop"/);
    expect(errorOf((s) => { s.data.max_gap_day = 5; })).toMatch(/data.max_gap_day: unknown key \(did you mean 'data.max_gap_days'\?\)/);
  });
});

describe('lists whose values name columns, models or folds', () => {
  test('a value listed twice is refused in the settings file, naming the key', () => {
    expect(errorOf((s) => { s.ml.horizons = [1, 1, 3]; })).toBe('config/settings.yaml: ml.horizons: lists 1 twice');
    expect(errorOf((s) => { s.features.lookbacks.realized_vol.push(s.features.lookbacks.realized_vol[0]); })).toBe(`config/settings.yaml: features.lookbacks.realized_vol: lists ${base().features.lookbacks.realized_vol[0]} twice`);
    expect(errorOf((s) => { s.features.rs = [20, 60, 60]; })).toBe('config/settings.yaml: features.rs: lists 60 twice');
  });
});

describe('the universe (issue 16): an untraded benchmark, delistings', () => {
  const parsed = (mutate: (s: Record<string, any>) => void) => {
    const s = base();
    mutate(s);
    return parseSettings(s, 'config/settings.yaml');
  };

  test('a benchmark outside tickers is accepted and joins the derived symbols after the tickers', () => {
    const s = parsed((x) => { x.benchmark = 'QQQ'; });
    expect(s.tickers).toEqual(['NVDA', 'MSFT', 'SPY']);
    expect(s.symbols).toEqual(['NVDA', 'MSFT', 'SPY', 'QQQ']);
  });

  test('a benchmark among the tickers is not listed twice', () => {
    expect(parsed(() => undefined).symbols).toEqual(['NVDA', 'MSFT', 'SPY']);
  });

  test('symbols is derived, never read from the file', () => {
    expect(errorOf((s) => { s.symbols = ['NVDA']; })).toMatch(/symbols: unknown key/);
  });

  test('backtest.on_delisting defaults to close, accepts hold, and rejects anything else naming the key', () => {
    expect(parsed(() => undefined).backtest.on_delisting).toBe('close');
    expect(parsed((x) => { x.backtest.on_delisting = 'hold'; }).backtest.on_delisting).toBe('hold');
    expect(errorOf((s) => { s.backtest.on_delisting = 'sell'; })).toMatch(/^config\/settings.yaml: backtest.on_delisting: Invalid option: expected one of "close"\|"hold"/);
  });
});
