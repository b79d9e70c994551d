import { existsSync, readFileSync } from 'node:fs';
import type winston from 'winston';
import type { Project } from './project.js';
import { selectChecked } from './selection.js';
import { throwIfInterrupted } from './interrupt.js';
import { readLock, type LockFile } from './lock.js';
import { makeSandbox } from './sandbox.js';
import { runPlan } from './runner.js';
import { tableDifferences, type TableDifference } from './tableDiff.js';
import { UserError } from './errors.js';
import { outcomeId } from './instanceId.js';

export interface VerifyDifference {
  node: string;
  ticker: string | null;
  path: string;
  expected: string | null;
  actual: string | null;
  /** For parquet outputs, when the user's own copy matches the lock: where the rebuild differs. */
  firstDifferences?: TableDifference[];
}

export interface VerifyResult {
  target: string;
  lock: string;
  ok: boolean;
  checked: number;
  differences: VerifyDifference[];
  /** Instances whose cache key differs from the lock's (code, params or inputs changed). */
  keyChanges: string[];
  missingFromLock: string[];
}

/**
 * Rebuild a target (by default the lock's) from scratch in a sandbox and compare every output's
 * content hash with dag.lock. The user's artifacts are never touched.
 */
export async function verify(project: Project, requested: string | undefined, lockFile: string, opts: { logger: winston.Logger; concurrency?: number }): Promise<VerifyResult> {
  const lock: LockFile = readLock(lockFile);
  // by default, the target the lock was written for: the only one it can vouch for in full
  const target = requested ?? lock.target;
  const ids = selectChecked(project, target);
  if (!ids.some((id) => lock.instances[id])) {
    // nothing to compare: a rebuild could only end in "not in lock", after all its work
    throw new UserError(`${lockFile} has no entry for any of the ${ids.length} instances of '${target}' (it was written for target '${lock.target}'; write one for this target with \`dag run ${target} --update-lock\`)`);
  }
  const sandbox = await makeSandbox(project, ids);
  try {
    opts.logger.info(`rebuilding ${target} (${ids.length} instances) from scratch in ${sandbox.workdir}`);
    const summary = await runPlan(sandbox.project, { target, ids, force: true, logger: opts.logger, progress: false, concurrency: opts.concurrency, command: `dag verify ${target}` });
    throwIfInterrupted(`verify ${target}: the rebuild did not finish (its temporary folder is removed)`);
    if (summary.failed > 0) {
      const f = summary.instances.find((i) => i.action === 'failed')!;
      throw new UserError(`the rebuild failed at ${outcomeId(f)}: ${f.reasons.join('; ')}`, 1);
    }
    const differences: VerifyDifference[] = [];
    const keyChanges: string[] = [];
    const missingFromLock: string[] = [];
    let checked = 0;
    for (const id of ids) {
      const inst = sandbox.project.plan.instances.get(id)!;
      const rec = sandbox.project.state.records.get(id)!;
      const locked = lock.instances[id];
      if (!locked) {
        missingFromLock.push(id);
        continue;
      }
      if (locked.key !== rec.key) keyChanges.push(id);
      for (const path of inst.outputs) {
        checked++;
        const expected = locked.outputs[path] ?? null;
        const actual = rec.outputs[path] ?? null;
        if (expected === actual) continue;
        const diff: VerifyDifference = { node: inst.node.id, ticker: inst.ticker ?? null, path, expected, actual };
        if (path.endsWith('.parquet')) diff.firstDifferences = await explainParquet(project, sandbox.project, path, expected);
        differences.push(diff);
      }
    }
    return { target, lock: lockFile, ok: differences.length === 0 && missingFromLock.length === 0, checked, differences, keyChanges, missingFromLock };
  } finally {
    sandbox.cleanup();
  }
}

/** Compare the rebuilt table with the user's copy, when that copy is the one the lock recorded. */
async function explainParquet(user: Project, rebuilt: Project, path: string, expectedHash: string | null): Promise<TableDifference[] | undefined> {
  const mine = user.abs(path);
  if (!existsSync(mine) || user.memo.hash(mine) !== expectedHash) return undefined;
  const { decodeParquet } = await import('../io/parquet.js');
  const expected = await decodeParquet(readFileSync(mine), path);
  const actual = await decodeParquet(readFileSync(rebuilt.abs(path)), path);
  return tableDifferences(expected, actual);
}

export function formatVerify(r: VerifyResult): string {
  const lines: string[] = [];
  for (const d of r.differences.slice(0, 20)) {
    lines.push(`DIFFERS ${d.node}${d.ticker ? `[${d.ticker}]` : ''} ${d.path}: lock ${d.expected?.slice(0, 12) ?? 'none'}, rebuilt ${d.actual?.slice(0, 12) ?? 'none'}`);
    for (const t of d.firstDifferences ?? []) lines.push(`    first difference in column '${t.column}'${t.date ? ` on ${t.date}` : ''}: ${String(t.expected)} -> ${String(t.actual)}`);
  }
  if (r.differences.length > 20) lines.push(`... and ${r.differences.length - 20} more`);
  for (const id of r.missingFromLock) lines.push(`NOT IN LOCK ${id}`);
  if (r.keyChanges.length) lines.push(`note: ${r.keyChanges.length} instance(s) have a different cache key than the lock (code, params or inputs changed since it was written): ${r.keyChanges.slice(0, 5).join(', ')}${r.keyChanges.length > 5 ? ', ...' : ''}`);
  lines.push(r.ok ? `verified: all ${r.checked} outputs of ${r.target} match ${r.lock}` : `FAILED: ${r.differences.length} of ${r.checked} outputs differ from ${r.lock}`);
  return lines.join('\n');
}
