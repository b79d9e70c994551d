/**
 * No look-ahead, at pipeline level: the sample market's raw CSVs are copied into a csv-source work
 * folder, and for several dates t into a second one where every bar after t (of every ticker, the
 * benchmark included) is replaced by a different deterministic random walk. `dag run signals` on
 * each; every feature (the forward-looking target_state_* labels excepted) and every signal dated
 * <= t must be identical, bit for bit, while rows after t do change.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dagIn, makeWorkdir, readSettings, SMALL } from '../support/pipeline.js';
import { mulberry32, readParquet, type Read } from './l13-support.js';

const CSV = { ...SMALL, data: { source: 'csv' } };

let tickers: string[];
let rawText: Record<string, string>;
let dates: string[];
const base: Record<string, { features: Read; signals: Read }> = {};

function runSignals(raws: Record<string, string>): string {
  const dir = makeWorkdir(CSV);
  mkdirSync(join(dir, 'data/raw'), { recursive: true });
  for (const [t, text] of Object.entries(raws)) writeFileSync(join(dir, `data/raw/${t}_raw.csv`), text);
  const r = dagIn(dir, ['run', 'signals']);
  if (r.code !== 0) throw new Error(`dag run signals failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return dir;
}

async function load(dir: string): Promise<Record<string, { features: Read; signals: Read }>> {
  const out: Record<string, { features: Read; signals: Read }> = {};
  for (const t of tickers) {
    out[t] = {
      features: await readParquet(join(dir, `artifacts/features/${t}.parquet`)),
      signals: await readParquet(join(dir, `artifacts/signals/${t}.parquet`)),
    };
  }
  return out;
}

/**
 * The raw file with every row dated after `cut` replaced by a random walk from the close at `cut`
 * (same dates; consistent bars: low <= open, close <= high; positive volume; Adj Close = Close).
 */
function replaceAfter(text: string, cut: string, seed: number): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const rnd = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const out = [lines[0]!];
  let prev = NaN;
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    if (f[0]! <= cut) {
      out.push(line);
      prev = Number(f[4]);
      continue;
    }
    const open = Number((prev * Math.exp(0.01 * gauss())).toFixed(6));
    const close = Number((open * Math.exp(0.025 * gauss())).toFixed(6));
    const high = (Math.max(open, close) * (1.001 + 0.01 * rnd())).toFixed(6);
    const low = (Math.min(open, close) * (0.999 - 0.01 * rnd())).toFixed(6);
    const volume = Math.round(1e6 * (0.2 + rnd()));
    out.push([f[0], open.toFixed(6), high, low, close.toFixed(6), close.toFixed(6), volume].join(','));
    prev = close;
  }
  return out.join('\n') + '\n';
}

beforeAll(async () => {
  const src = makeWorkdir(SMALL);
  const r = dagIn(src, ['run', 'sample']);
  if (r.code !== 0) throw new Error(`dag run sample failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  tickers = readSettings(src).tickers;
  rawText = Object.fromEntries(tickers.map((t) => [t, readFileSync(join(src, `data/raw/${t}_raw.csv`), 'utf8')]));
  Object.assign(base, await load(runSignals(rawText)));
  dates = base[tickers[0]!]!.features.date;
});

/** Columns of a frame that must not look ahead (labels excepted). */
const causal = (r: Read) => r.names.filter((n) => n !== 'date' && !n.startsWith('target_state_'));

describe('no look-ahead through the pipeline (features and signals)', () => {
  // t: inside the 200-day SMA warm-up, two mid-sample dates, and 3 rows before the end
  const cutRows = [150, 420, 777, () => dates.length - 4];

  test.each(cutRows.map((c, i) => [i, c] as const))('cut #%s: rows dated <= t are identical when every bar after t changes', async (i, c) => {
    const row = typeof c === 'function' ? c() : c;
    const cut = dates[row]!;
    const changed = Object.fromEntries(tickers.map((t, k) => [t, replaceAfter(rawText[t]!, cut, 1000 * i + k + 1)]));
    const other = await load(runSignals(changed));
    const diffs: string[] = [];
    let laterDiffer = 0;
    for (const t of tickers) {
      for (const kind of ['features', 'signals'] as const) {
        const a = base[t]![kind];
        const b = other[t]![kind];
        expect(b.date).toEqual(a.date);
        let last = a.date.length - 1;
        while (last >= 0 && a.date[last]! > cut) last--;
        expect(a.date[last]).toBe(cut);
        for (const col of causal(a)) {
          for (let k = 0; k <= last; k++) {
            if (!Object.is(a.cols[col]![k], b.cols[col]![k]) && diffs.length < 10) diffs.push(`${t} ${col} @ ${a.date[k]}: ${a.cols[col]![k]} vs ${b.cols[col]![k]}`);
          }
          for (let k = last + 1; k < a.date.length; k++) if (!Object.is(a.cols[col]![k], b.cols[col]![k])) laterDiffer++;
        }
      }
    }
    expect(diffs).toEqual([]);
    // the change after t is real: later rows do differ
    expect(laterDiffer).toBeGreaterThan(tickers.length * 4);
  });
});
