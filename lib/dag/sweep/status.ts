import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Project } from '../project.js';
import { assessAll } from '../assess.js';
import { UserError } from '../errors.js';
import { prepareVariants, sweepDir } from './variants.js';
import { describeOverlay, type Overlay } from './overlay.js';
import { SWEEP_RECORD, type SweepRecord } from './run.js';

const recordSchema = z.object({
  name: z.string(),
  target: z.string(),
  keys: z.array(z.string()),
  variants: z.array(z.object({ id: z.string(), overlay: z.record(z.string(), z.unknown()) })),
});

/** The definition the last `dag sweep --name <name>` ran, from its sweep.json. */
export function readSweepRecord(main: Project, name: string): SweepRecord {
  const file = join(sweepDir(main, name), SWEEP_RECORD);
  if (!existsSync(file)) throw new UserError(`no sweep named '${name}' (${file} not found; run dag sweep first)`);
  const parsed = recordSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new UserError(`${file}: not a sweep record: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

export interface VariantStatus {
  id: string;
  overlay: Overlay;
  /** done: every instance fresh; missing: none made yet; stale: anything between. */
  state: 'done' | 'stale' | 'missing';
  notFresh: number;
  instances: number;
}

/**
 * Each variant of a sweep against the project's current settings and code, as a rerun would see
 * it (nothing is written).
 */
export async function sweepStatus(main: Project, name: string): Promise<{ name: string; target: string; variants: VariantStatus[] }> {
  const record = readSweepRecord(main, name);
  const variants = await prepareVariants(main, name, record.target, record.variants, { write: false });
  return {
    name,
    target: record.target,
    variants: variants.map((v) => {
      const states = [...assessAll(v.project, v.ids).values()].map((a) => a.state);
      const notFresh = states.filter((s) => s !== 'fresh').length;
      const state = notFresh === 0 ? 'done' : states.every((s) => s === 'missing') ? 'missing' : 'stale';
      return { id: v.id, overlay: v.overlay, state, notFresh, instances: states.length };
    }),
  };
}

export function formatSweepStatus(s: Awaited<ReturnType<typeof sweepStatus>>): string {
  const lines = s.variants.map((v) => `${v.id}  ${v.state.padEnd(7)}  ${v.state === 'done' ? '' : `${v.notFresh}/${v.instances} to run  `}${describeOverlay(v.overlay)}`);
  const count = (st: string) => s.variants.filter((v) => v.state === st).length;
  return [...lines, `${s.name} (${s.target}): ${count('done')} done, ${count('stale')} stale, ${count('missing')} missing`].join('\n');
}
