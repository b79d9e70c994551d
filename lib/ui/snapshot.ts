import { openProject, type Project, type ProjectOptions } from '../dag/project.js';
import { assessAll } from '../dag/assess.js';
import { instanceView, type InstanceView, type Overlay } from './graphState.js';
import type { RunIndex } from './runIndex.js';
import type { ParsedRun } from './runLog.js';

export interface Snapshot {
  project: Project;
  views: InstanceView[];
  overlay: Overlay;
  runs: ParsedRun[];
  live: ParsedRun | null;
}

/**
 * The project as it is on disk now (DAG, settings, records: read again each time, so an edited
 * setting shows at once), every instance assessed as `dag status` does, with the run logs'
 * overlay. Read-only: nothing is written, not even the hash memo.
 */
export async function takeSnapshot(opts: ProjectOptions, index: RunIndex): Promise<Snapshot> {
  const project = await openProject(opts);
  const ids = project.plan.order;
  const assessments = assessAll(project, ids);
  const runs = index.runs();
  const live = runs.find((r) => r.info.status === 'running') ?? null;
  const overlay: Overlay = { running: live?.open ?? new Set(), last: index.lastOutcomes(runs) };
  const views = ids.map((id) => instanceView(project, id, assessments.get(id)!, overlay));
  return { project, views, overlay, runs, live };
}
