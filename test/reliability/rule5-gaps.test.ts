/**
 * Rule 5: a ticker with a two-year hole in its history. data.on_gap: error (default) stops with
 * the file, line, ticker, both dates and the length; data.on_gap: drop keeps only the history
 * after the hole, says so, and no feature spans it; a daily run still equals a full run.
 */
import { describe, expect, test } from '@jest/globals';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dagIn } from '../support/pipeline.js';
import { differingFiles } from '../support/artifacts.js';
import { readParquet } from '../pipeline/l13-support.js';
import { csvWorkdir, HEADER, sampleRows, STACK_FRAME, TICKERS } from './rule5-support.js';

// NVDA loses every row of 2016 and 2017. The sample market has one row per NYSE trading day, so
// the rows removed are exactly the trading days missing: the gap's length, counted independently.
const HOLE = { from: '2016-01-01', to: '2017-12-31' };
const inHole = (row: string) => row.slice(0, 10) >= HOLE.from && row.slice(0, 10) <= HOLE.to;
const withHole = (t: string, rows: string[]) => (t === 'NVDA' ? rows.filter((r) => !inHole(r)) : rows);

function holeFacts(rows: string[]) {
  const kept = rows.filter((r) => !inHole(r));
  const after = kept.findIndex((r) => r.slice(0, 10) > HOLE.to);
  return { missing: rows.length - kept.length, before: kept[after - 1]!.slice(0, 10), after: kept[after]!.slice(0, 10), line: after + 2, keptAfter: kept.length - after };
}

describe('a gap longer than data.max_gap_days', () => {
  test('on_gap: error (the default): exit 1, one line naming the file, line, ticker, the dates of the gap and its length; nothing written for the ticker', () => {
    let facts!: ReturnType<typeof holeFacts>;
    const dir = csvWorkdir({}, (t, rows) => {
      if (t === 'NVDA') facts = holeFacts(rows);
      return withHole(t, rows);
    });
    expect(facts.missing).toBeGreaterThan(500);
    const r = dagIn(dir, ['run', 'features']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `raw/NVDA.csv:${facts.line}: ${facts.after}: NVDA: gap of ${facts.missing} trading days without data between ${facts.before} (line ${facts.line - 1}) and ${facts.after}, more than the 20 allowed (data.max_gap_days)`,
    );
    expect(r.stderr + r.stdout).not.toMatch(STACK_FRAME);
    expect(existsSync(join(dir, 'artifacts/processed/NVDA.parquet'))).toBe(false);
    expect(existsSync(join(dir, 'artifacts/features/NVDA.parquet'))).toBe(false);
  });

  test('max_gap_days above the gap accepts it (the limit is the setting, counted in trading days)', () => {
    const facts = holeFacts(sampleRows().NVDA!);
    const dir = csvWorkdir({ data: { max_gap_days: facts.missing } }, withHole);
    expect(dagIn(dir, ['run', 'processed']).code).toBe(0);
    const dirBelow = csvWorkdir({ data: { max_gap_days: facts.missing - 1 } }, withHole);
    expect(dagIn(dirBelow, ['run', 'processed']).code).toBe(1);
  });

  test('on_gap: drop: a console warning, the history before the gap is dropped, and no feature spans the gap', async () => {
    let facts!: ReturnType<typeof holeFacts>;
    const dir = csvWorkdir({ data: { on_gap: 'drop' } }, (t, rows) => {
      if (t === 'NVDA') facts = holeFacts(rows);
      return withHole(t, rows);
    });
    const r = dagIn(dir, ['run', 'features']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: raw/NVDA.csv:${facts.line}: ${facts.after}: gap of ${facts.missing} trading days without data between ${facts.before}`);
    // and the end-of-run summary repeats it
    expect(r.stderr).toMatch(new RegExp(`data quality \\(\\d+ finding\\(s\\)[^\\n]*\\n(  .*\\n)*  NVDA: history before ${facts.after} dropped`));

    const processed = await readParquet(join(dir, 'artifacts/processed/NVDA.parquet'));
    expect(processed.date[0]).toBe(facts.after);
    expect(processed.date).toHaveLength(facts.keptAfter);
    const features = await readParquet(join(dir, 'artifacts/features/NVDA.parquet'));
    expect(features.date[0]).toBe(facts.after);
    // the first day after the gap has no one-day return (no -45% jump over two years) ...
    expect(features.cols.log_ret_1![0]).toBeNull();
    expect(features.cols.ret_1![0]).toBeNull();
    // ... and the first rv_20 is the sample std of the 20 log returns after the gap, by hand
    expect(features.cols.rv_20!.slice(0, 20).every((v) => v === null)).toBe(true);
    const close = processed.cols.close as number[];
    const rets = Array.from({ length: 20 }, (_, i) => Math.log(close[i + 1]! / close[i]!));
    const mean = rets.reduce((s, x) => s + x, 0) / 20;
    const sd = Math.sqrt(rets.reduce((s, x) => s + (x - mean) ** 2, 0) / 19);
    // rv_n is annualised (docs/pipeline.md): sqrt(252) x the daily std
    expect(features.cols.rv_20![20]).toBeCloseTo(sd * Math.sqrt(252), 10);
  });
});

describe('daily mode with on_gap: drop', () => {
  test('a backtest, then a new day appended to every file and a daily run, equals a full run on the same files', () => {
    const held: Record<string, string> = {};
    const settings = { data: { on_gap: 'drop' } };
    const daily = csvWorkdir(settings, (t, rows) => {
      const kept = withHole(t, rows);
      held[t] = kept.pop()!;
      return kept;
    });
    const first = dagIn(daily, ['run', 'backtest']);
    expect(first.code).toBe(0);
    for (const t of TICKERS) appendFileSync(join(daily, `raw/${t}.csv`), `${held[t]}\n`);
    // the appended day is the first prediction date of a new walk-forward fold: --retrain trains it, as the full run does
    const r = dagIn(daily, ['run', 'daily', '--retrain', '--json']);
    expect(r.code).toBe(0);
    const features = (JSON.parse(r.stdout).instances as { node: string; ticker: string; action: string; reasons: string[] }[]).filter((i) => i.node === 'features');
    // the appended day is incremental for every ticker, the gapped one included
    expect(features.every((i) => i.action === 'ran' && i.reasons.some((x) => x.startsWith('incremental from')))).toBe(true);

    const full = csvWorkdir(settings);
    for (const t of TICKERS) writeFileSync(join(full, `raw/${t}.csv`), readFileSync(join(daily, `raw/${t}.csv`)));
    expect(readFileSync(join(full, 'raw/NVDA.csv'), 'utf8').startsWith(HEADER)).toBe(true);
    expect(dagIn(full, ['run', 'backtest']).code).toBe(0);
    // the model sidecars report fold metrics over a longer range after a full run (see daily.test.ts)
    expect(differingFiles(daily, full, (p) => p.startsWith('artifacts/models/ml/') || p.startsWith('artifacts/models/ml_metrics/'))).toEqual([]);
  });
});
