import { copyFileSync, readFileSync } from 'node:fs';
import { writeFileDurable } from '../io/atomic.js';
import type winston from 'winston';
import type { Project } from './project.js';
import { selectChecked } from './selection.js';
import { throwIfInterrupted } from './interrupt.js';
import { makeSandbox, type Sandbox } from './sandbox.js';
import { runPlan } from './runner.js';
import { tableDifferences } from './tableDiff.js';
import { UserError } from './errors.js';
import { createRng, deriveSeed } from '../core/rng.js';
import { outcomeId } from './instanceId.js';

export interface LookaheadViolation {
  cutoff: string;
  node: string;
  ticker: string | null;
  path: string;
  column: string;
  date: string | null;
}

export interface AuditResult {
  target: string;
  cutoffs: string[];
  checkedFiles: number;
  violations: LookaheadViolation[];
  ok: boolean;
}

const DATE_HEADER = /^(date|Date|DATE)$/;

/**
 * The look-ahead audit: rebuild the target on the real data, then once per cutoff on data whose
 * every bar after the cutoff is replaced by a deterministic random walk; every row dated <= the
 * cutoff of every table artifact must be identical, except columns a node declares
 * forward-looking. Source data are the target's raw input files plus the outputs of nodes
 * without inputs (a generated sample market), i.e. CSV files whose first column is a date.
 */
export async function auditLookahead(project: Project, target: string, cutoffs: string[] | undefined, opts: { logger: winston.Logger; concurrency?: number }): Promise<AuditResult> {
  const ids = selectChecked(project, target);
  const sourceInstances = new Set(ids.filter((id) => project.plan.instances.get(id)!.inputs.length === 0));
  const rebuilt = ids.filter((id) => !sourceInstances.has(id));
  if (!rebuilt.some((id) => project.plan.instances.get(id)!.outputs.some((p) => p.endsWith('.parquet')))) {
    throw new UserError(`audit: --target ${target} has no table (.parquet) artifact built from source data, so there is nothing to check: choose a target downstream of the data`);
  }
  const run = async (sb: Sandbox, runIds: string[], label: string) => {
    opts.logger.info(`audit: building ${label} (${runIds.length} instances)`);
    const s = await runPlan(sb.project, { target, ids: runIds, force: true, logger: opts.logger, progress: false, concurrency: opts.concurrency, command: `dag audit lookahead (${label})` });
    throwIfInterrupted(`audit lookahead: the ${label} build did not finish (its temporary folders are removed)`);
    if (s.failed > 0) {
      const f = s.instances.find((i) => i.action === 'failed')!;
      throw new UserError(`audit: the ${label} build failed at ${outcomeId(f)}: ${f.reasons.join('; ')}`, 1);
    }
  };
  const base = await makeSandbox(project, ids);
  const sandboxes: Sandbox[] = [base];
  try {
    await run(base, ids, 'baseline');
    const dates = sourceDates(base, rebuilt);
    const chosen = cutoffs?.length ? checkCutoffs(cutoffs, dates) : defaultCutoffs(dates);
    const violations: LookaheadViolation[] = [];
    let checkedFiles = 0;
    let datedFiles = 0;
    for (const cutoff of chosen) {
      const perturbed = await makeSandbox(base.project, rebuilt, {
        transform: (path, from, to) => (path.endsWith('.csv') ? writeFileDurable(to, perturbCsv(readFileSync(from, 'utf8'), cutoff, deriveSeed(17, `${cutoff}:${path}`)), false) : copyFileSync(from, to)),
      });
      sandboxes.push(perturbed);
      await run(perturbed, rebuilt, `perturbed after ${cutoff}`);
      const { decodeParquet } = await import('../io/parquet.js');
      for (const id of rebuilt) {
        const inst = project.plan.instances.get(id)!;
        const forward = inst.node.forward_looking.map(globToRegExp);
        for (const path of inst.outputs.filter((p) => p.endsWith('.parquet'))) {
          checkedFiles++;
          const a = await decodeParquet(readFileSync(base.project.abs(path)), path);
          const b = await decodeParquet(readFileSync(perturbed.project.abs(path)), path);
          if (!('date' in a.columns)) continue;
          datedFiles++;
          for (const d of tableDifferences(a, b, { upTo: cutoff, ignore: (c) => forward.some((re) => re.test(c)) })) {
            violations.push({ cutoff, node: inst.node.id, ticker: inst.ticker ?? null, path, column: d.column, date: d.date });
          }
        }
      }
    }
    if (datedFiles === 0) throw new UserError(`audit: none of the ${checkedFiles} table artifacts of '${target}' has a 'date' column, so no row could be checked against a cutoff`);
    return { target, cutoffs: chosen, checkedFiles, violations, ok: violations.length === 0 };
  } finally {
    for (const sb of sandboxes) sb.cleanup();
  }
}

/** Every date of the source data (raw CSV inputs of the rebuilt instances), sorted. */
function sourceDates(base: Sandbox, ids: string[]): string[] {
  const dates = new Set<string>();
  for (const id of ids) {
    for (const ref of base.project.plan.instances.get(id)!.inputs) {
      if (ref.producer && ids.includes(ref.producer)) continue;
      if (!ref.path.endsWith('.csv')) continue;
      for (const line of readFileSync(base.project.abs(ref.path), 'utf8').split('\n').slice(1)) {
        const d = line.slice(0, 10);
        if (/^\d{4}-\d{2}-\d{2}$/.test(d)) dates.add(d);
      }
    }
  }
  return [...dates].sort();
}

/** Three dates at 40%, 60% and 80% of the source data's date range. */
function defaultCutoffs(sorted: string[]): string[] {
  if (sorted.length < 10) throw new UserError('audit: no dated source data found to choose cutoffs from (pass --cutoff)');
  return [0.4, 0.6, 0.8].map((q) => sorted[Math.floor(q * (sorted.length - 1))]);
}

/**
 * A cutoff must leave rows on both sides: before the first date every row is perturbed and none
 * is compared; on or after the last nothing is perturbed. Either way the check would pass vacuously.
 */
function checkCutoffs(cutoffs: string[], sorted: string[]): string[] {
  if (sorted.length === 0) throw new UserError('audit: no dated source data found, so no cutoff can be checked');
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  for (const c of cutoffs) {
    if (c < first || c >= last) {
      throw new UserError(`--cutoff ${c}: outside the source data (${first} .. ${last}); a cutoff must be on or after ${first} and before ${last}, or nothing is checked`);
    }
  }
  return cutoffs;
}

/**
 * Replace every row dated after the cutoff by a random walk: all numeric fields of a row are
 * scaled by one cumulative factor, so bars stay internally consistent (low <= close <= high,
 * adjusted/unadjusted ratio kept) while prices and volumes follow a different path.
 */
export function perturbCsv(text: string, cutoff: string, seed: number): string {
  const lines = text.split('\n');
  // a date column named in the header, or in a sub-header line (yfinance: `Price,...`, `Ticker,...`, `Date,,...`)
  if (!lines.slice(0, 3).some((l) => DATE_HEADER.test(l.split(',')[0]?.trim() ?? ''))) return text;
  const rng = createRng(seed);
  let factor = 1;
  for (let i = 1; i < lines.length; i++) {
    const fields = lines[i].split(',');
    // a date, or a timestamp whose date part it is (`2024-01-02 00:00:00-05:00`, which data
    // readers may accept): a row the audit cannot date would be left as it is, and pass vacuously
    const day = /^(\d{4}-\d{2}-\d{2})(?:[ T]|$)/.exec(fields[0])?.[1];
    if (day === undefined || !(day > cutoff)) continue;
    factor *= Math.exp(0.03 * rng.normal());
    lines[i] = fields.map((f, j) => (j > 0 && f.trim() !== '' && Number.isFinite(Number(f)) ? (Number(f) * factor).toFixed(6) : f)).join(',');
  }
  return lines.join('\n');
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

export function formatAudit(r: AuditResult): string {
  const lines = r.violations.slice(0, 30).map((v) => `LOOK-AHEAD ${v.node}${v.ticker ? `[${v.ticker}]` : ''} column '${v.column}': changes on ${v.date ?? '?'} (<= cutoff ${v.cutoff}) when only bars after the cutoff change (${v.path})`);
  if (r.violations.length > 30) lines.push(`... and ${r.violations.length - 30} more`);
  lines.push(r.ok
    ? `no look-ahead: ${r.checkedFiles} table artifacts identical up to each cutoff (${r.cutoffs.join(', ')})`
    : `FAILED: ${r.violations.length} look-ahead violation(s) at cutoffs ${r.cutoffs.join(', ')}`);
  return lines.join('\n');
}
