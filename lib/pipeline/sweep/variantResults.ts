import { readFileSync } from 'node:fs';
import type { Project } from '../../dag/project.js';
import { decodeParquet } from '../../io/parquet.js';
import { pnlFromTable } from '../pnlTable.js';
import type { PnlColumns } from '../../market/backtest/columns.js';
import { nullToNaN } from '../jsonNumbers.js';

import { SWEEP_METRICS, type MetricName } from './metrics.js';
export { SWEEP_METRICS, type MetricName };

export interface VariantResults {
  metrics: Record<MetricName, number>;
  pnl: PnlColumns;
}

/** A variant's backtest outputs, found through the `backtest` node's declared outputs. */
export async function readVariantResults(project: Project, variant: string): Promise<VariantResults> {
  const inst = project.plan.instances.get('backtest');
  if (!inst) throw new Error(`variant ${variant}: its plan has no backtest node`);
  const file = (suffix: string) => project.abs(inst.outputs.find((o) => o.endsWith(suffix))!);
  const summaryFile = file('summary.json');
  const summary = nullToNaN(JSON.parse(readFileSync(summaryFile, 'utf8'))) as Record<string, number>;
  const metrics = {} as Record<MetricName, number>;
  for (const [name, key] of Object.entries(SWEEP_METRICS) as [MetricName, string][]) {
    if (typeof summary[key] !== 'number') throw new Error(`${summaryFile}: ${key} is missing or not a number`);
    metrics[name] = summary[key];
  }
  const pnlFile = file('pnl_timeseries.parquet');
  const t = await decodeParquet(new Uint8Array(readFileSync(pnlFile)), pnlFile);
  const pnl = pnlFromTable(t, pnlFile);
  return { metrics, pnl };
}
