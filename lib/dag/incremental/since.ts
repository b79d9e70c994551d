import { readFileSync } from 'node:fs';
import type { Project } from '../project.js';
import { UserError } from '../errors.js';
import { stringColumn } from '../../io/table.js';

/** `yesterday`, `today` or an ISO date; `yesterday` on the pipeline's calendar when its hooks have one. */
export function resolveSince(value: string, previousDay?: (today: string) => string, today = new Date().toISOString().slice(0, 10)): string {
  if (value === 'today') return today;
  if (value === 'yesterday') return previousDay ? previousDay(today) : new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))) return value;
  throw new UserError(`--since: expected yesterday, today or a date YYYY-MM-DD, got '${value}'`);
}

/**
 * `--since` must fall within the rows the source nodes' tables hold after their update: after
 * every last row nothing would be recomputed (the targets would silently stay as they were), and
 * before every first row it asks for a full rebuild, which is `--force`.
 */
export async function checkSince(project: Project, sourceIds: string[], given: string, since: string): Promise<void> {
  const { ParquetFile } = await import('../../io/parquet.js');
  let first = '9999-12-31';
  let last = '';
  const nodes = new Set<string>();
  for (const id of sourceIds) {
    const inst = project.plan.instances.get(id)!;
    nodes.add(inst.node.id);
    for (const path of inst.outputs.filter((p) => p.endsWith('.parquet'))) {
      const file = ParquetFile.open(readFileSync(project.abs(path)), path);
      if (file.length === 0) continue;
      const dates = stringColumn(await file.read(['date']), 'date', path);
      if (dates[0] < first) first = dates[0];
      if (dates[dates.length - 1] > last) last = dates[dates.length - 1];
    }
  }
  const shown = given === since ? since : `${given} (${since})`;
  const tables = `every ${[...nodes].join(', ')} table`;
  if (since > last) throw new UserError(`--since ${shown}: after the last row of ${tables} (${first} .. ${last}), so nothing would be recomputed`);
  if (since < first) throw new UserError(`--since ${shown}: before the first row of ${tables} (${first} .. ${last}); for a full rebuild use --force instead`);
}
