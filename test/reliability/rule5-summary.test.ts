/**
 * Rule 5: the data-quality findings that matter are summarised on the console at the end of the
 * run (every run, cached or not), not only written to artifacts/processed/*.dq.json.
 */
import { describe, expect, test } from '@jest/globals';
import { dagIn } from '../support/pipeline.js';
import { csvWorkdir, sampleRows } from './rule5-support.js';

const setVolume = (row: string, v: number) => row.replace(/,[^,]*$/, `,${v}`);

describe('the end-of-run data-quality summary', () => {
  // NVDA: zero volume on rows 400..411 (12 rows) and rows 500..502 (3 rows), and 9 trading days
  // missing after row 600 (a gap of more than a week, below data.max_gap_days); MSFT: only its
  // last 15 rows, too few for a 20-day volatility, so it can never be sized.
  const edit = (t: string, rows: string[]) => {
    if (t === 'MSFT') return rows.slice(-15);
    if (t !== 'NVDA') return rows;
    const out = rows.map((r, i) => ((i >= 400 && i < 412) || (i >= 500 && i < 503) ? setVolume(r, 0) : r));
    out.splice(601, 9);
    return out;
  };
  const nvda = sampleRows().NVDA!;
  const d = (i: number) => nvda[i]!.slice(0, 10);
  const calendarDays = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 86_400_000;

  test('a backtest ends with the zero-volume stretches, the short gap and the ticker that held no position; a cached rerun says it again', () => {
    const dir = csvWorkdir({}, edit);
    const first = dagIn(dir, ['run', 'backtest']);
    expect(first.code).toBe(0);
    const expected = [
      `data quality (3 finding(s); details in artifacts/processed/*.dq.json):`,
      `  NVDA: 1 gap(s) of more than a week without data, the first before ${d(610)} (gap of ${calendarDays(d(600), d(610))} calendar days since ${d(600)} (more than 7))`,
      `  NVDA: zero volume on 15 row(s) in 2 stretch(es), the longest 12 row(s) from ${d(400)} to ${d(411)}`,
    ];
    for (const line of expected) expect(first.stderr).toContain(line);
    expect(first.stderr).toMatch(/\n {2}MSFT: held no position between \S+ and \S+ \(its backtest P&L is exactly 0\); it has 15 bars/);
    // the summary comes before the key metrics line, at the end of the run
    expect(first.stderr.indexOf('data quality')).toBeLessThan(first.stderr.indexOf('total return'));

    const again = dagIn(dir, ['run', 'backtest']);
    expect(again.code).toBe(0);
    expect(again.stdout + again.stderr).toMatch(/backtest: ran 0, skipped \d+ \(cached\)/);
    for (const line of expected) expect(again.stderr).toContain(line);
  });

  test('a price off by 100 on one row (a bad tick) is two price jumps on the console; the run goes on', () => {
    const tick = (r: string) => r.split(',').map((x, k) => (k >= 1 && k <= 5 ? String(Number(x) * 100) : x)).join(',');
    const dir = csvWorkdir({}, (t, rows) => (t === 'NVDA' ? rows.map((r, i) => (i === 700 ? tick(r) : r)) : rows));
    const r = dagIn(dir, ['run', 'processed']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`  NVDA: 2 price jump(s), the first on ${d(700)}: adjusted close `);
    expect(r.stderr).toMatch(/\(\+\d+\.\d%\) since \S+ \(line \d+\), beyond data.max_daily_move 0.75: an unadjusted split or a bad price\? \(artifacts\/processed\/NVDA.dq.json\)/);
  });

  test('a clean market prints no data-quality block', () => {
    const dir = csvWorkdir({});
    const r = dagIn(dir, ['run', 'processed']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('data quality');
  });
});
