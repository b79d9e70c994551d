import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isScalar, parseDocument } from 'yaml';
import type { HookContext } from '../dag/incremental/hooks.js';
import type { RunSummary } from '../dag/runner.js';
import { withConfig } from '../dag/project.js';
import { UserError } from '../dag/errors.js';
import { addTradingDays, previousTradingDay } from '../core/calendar.js';
import type { Settings } from '../core/settings.js';

/**
 * What the `daily` target (pipeline.dag.yaml) adds to the engine's incremental run: it keeps the
 * trained models (so they must exist, unless `--retrain` lets training run), `--extend` grows the
 * sample market first, `yesterday` is a trading day, and a due walk-forward refit is worth a
 * warning. Which nodes recompute from which date is the engine's business, from the DAG file.
 */

const REGISTRY = 'artifacts/models/ml/models.json';

export function prepare({ project, options, logger }: HookContext) {
  const cfg = project.config as Settings;
  if (!options.retrain && !existsSync(project.abs(REGISTRY))) {
    throw new UserError(
      `No ML model found for horizon=${cfg.ml.horizons[0]}, ticker=${cfg.tickers[0]}, model=${cfg.ml.model_name} ` +
        '(daily mode does not train models: run `dag run backtest` first, or pass --retrain)',
    );
  }
  const extend = options.extend as number | undefined;
  return { ...(extend ? { project: extendSample(project, extend, logger, Boolean(options.dryRun)) } : {}), ...(options.retrain ? { exclude: [] } : {}) };
}

export const previousDay = previousTradingDay;

/** Daily mode keeps the last trained model; say so when the walk-forward schedule wants a new one. */
export function finished({ project, options, logger, summary }: HookContext & { summary: RunSummary }): void {
  if (options.retrain) return;
  const cfg = project.config as Settings;
  const lastDate = lastReportedDate(summary);
  const registry = JSON.parse(readFileSync(project.abs(REGISTRY), 'utf8')) as { models: { predictFirst: string }[] };
  const lastFold = registry.models.reduce((m, x) => (x.predictFirst > m ? x.predictFirst : m), '');
  if (!lastFold || !lastDate) return;
  const due = addTradingDays(lastFold, cfg.ml.walk_forward.refit_every);
  if (lastDate >= due) {
    logger.warn(`a walk-forward model refit was due on ${due} (ml.walk_forward.refit_every = ${cfg.ml.walk_forward.refit_every}); daily mode keeps predicting with the model first used on ${lastFold}: run \`dag run daily --retrain\` or \`dag run backtest\` to refit`);
  }
}

/** The last bar date the sources reported in this run (none when no bars changed). */
function lastReportedDate(summary: RunSummary): string | undefined {
  let last: string | undefined;
  for (const i of summary.instances) {
    const d = i.report?.last;
    if (typeof d === 'string' && (!last || d > last)) last = d;
  }
  return last;
}

/**
 * Append n trading days to the sample market by raising data.sample.extra_days in the settings
 * file (a dry run only plans with the raised value and leaves the file alone).
 */
function extendSample(project: HookContext['project'], n: number, logger: HookContext['logger'], dryRun: boolean) {
  const cfg = project.config as Settings;
  if (cfg.data.source !== 'sample') throw new UserError('--extend only applies to the sample market (data.source: sample)');
  const next = cfg.data.sample.extra_days + n;
  if (dryRun) {
    logger.info(`--dry-run: planned as if the sample market were ${n} trading day(s) longer (data.sample.extra_days = ${next}); ${project.configFile} is unchanged`);
  } else {
    writeFileSync(project.configFile, withExtraDays(readFileSync(project.configFile, 'utf8'), next));
    logger.info(`extended the sample market by ${n} trading day(s): data.sample.extra_days = ${next} in ${project.configFile}`);
  }
  // the file now says what this config says: no need to read and validate it again
  return withConfig(project, { ...cfg, data: { ...cfg.data, sample: { ...cfg.data.sample, extra_days: next } } });
}

/**
 * The settings text with data.sample.extra_days set to `value`. Only the number's characters
 * change when the key is there (yaml's serializer would realign comments and respell flow lists
 * and numbers all over the user's file); without it, the key is added through the document.
 */
export function withExtraDays(text: string, value: number): string {
  const doc = parseDocument(text);
  const node = doc.getIn(['data', 'sample', 'extra_days'], true);
  if (isScalar(node) && node.range) return text.slice(0, node.range[0]) + String(value) + text.slice(node.range[1]);
  doc.setIn(['data', 'sample', 'extra_days'], value);
  return doc.toString();
}
