import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { dag, type CliResult } from './cli.js';

export const REPO = process.cwd();
export const SHARED_MARKET = resolve(REPO, '../shared/data/market');

/**
 * A throw-away work folder for running the real pipeline (the repository's pipeline.dag.yaml and
 * compiled tasks) on its own data, config and artifacts. `settings` is merged into the shipped
 * config/settings.yaml (objects deeply, other values replaced).
 */
export function makeWorkdir(settings: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'dag-pipe-'));
  mkdirSync(join(dir, 'config'));
  cpSync(join(REPO, 'config/regimes.yaml'), join(dir, 'config/regimes.yaml'));
  const base = parse(readFileSync(join(REPO, 'config/settings.yaml'), 'utf8')) as Record<string, unknown>;
  writeSettings(dir, deepMerge(base, settings));
  return dir;
}

export function writeSettings(dir: string, settings: Record<string, unknown>): void {
  writeFileSync(join(dir, 'config/settings.yaml'), stringify(settings));
}

export function readSettings(dir: string): Record<string, any> {
  return parse(readFileSync(join(dir, 'config/settings.yaml'), 'utf8'));
}

/** A smaller market than the shipped default, so end-to-end tests stay quick. */
export const SMALL: Record<string, unknown> = {
  backtest: { start_date: '2018-01-01', end_date: '2020-12-31' },
  regime: { min_train: 378, refit_every: 126 },
  ml: { walk_forward: { min_train: 378, refit_every: 126 }, params: { num_rounds: 60 } },
};

/** `dag <args>` against the repository's DAG with this work folder and its settings. */
export function dagIn(dir: string, args: string[]): CliResult {
  return dag(dir, [...args, '--dag', join(REPO, 'pipeline.dag.yaml'), '--workdir', dir, '--config', join(dir, 'config/settings.yaml')]);
}

export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
      ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
      : v;
  }
  return out;
}
