import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openProject, type Project, type ProjectOptions } from '../dag/project.js';
import { Fingerprinter } from '../dag/fingerprint.js';
import { StateStore } from '../dag/state.js';
import type { HashMemo } from '../dag/hashMemo.js';
import { instanceView, type InstanceView, type Overlay } from './graphState.js';
import type { RunIndex } from './runIndex.js';
import type { AssessmentCache } from './assessmentCache.js';
import type { ParsedRun } from './runLog.js';

export interface Snapshot {
  project: Project;
  views: InstanceView[];
  overlay: Overlay;
  runs: ParsedRun[];
  live: ParsedRun | null;
}

function stampOf(file: string | undefined): string {
  if (!file) return '-';
  try {
    const st = statSync(file);
    return `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch {
    return 'absent';
  }
}

/**
 * The project as it is on disk now, for a server that answers many requests: the DAG and the
 * settings are loaded again when their files change, the records on every call, and one hash
 * memo lives as long as the server (files are stat-ed again on every call and re-read only when
 * changed), so a 500-ticker state does not re-hash thousands of files per page load. Nothing
 * is written, not even the memo.
 */
export class ProjectSource {
  private base: { stamp: string; project: Project } | null = null;
  private memo: HashMemo | null = null;
  private state: { stamp: string; store: StateStore } | null = null;

  constructor(private readonly opts: ProjectOptions) {}

  /** Changes when the DAG file, the settings or the records change (cheap: four stats). */
  stamp(): string {
    const config = this.base?.project.configFile ?? this.opts.configFile;
    const stateDir = this.base?.project.stateDir;
    return [this.opts.dagFile, config, stateDir && join(stateDir, 'records.json'), stateDir && join(stateDir, 'journal.jsonl')].map(stampOf).join('|');
  }

  async current(): Promise<Project> {
    const stamp = `${stampOf(this.opts.dagFile)}|${stampOf(this.base?.project.configFile ?? this.opts.configFile)}`;
    if (!this.base || this.base.stamp !== stamp) {
      const project = await openProject(this.opts);
      // the stamp of the config file the project actually read (the DAG file may name it)
      this.base = { stamp: `${stampOf(this.opts.dagFile)}|${stampOf(project.configFile)}`, project };
    }
    const p = this.base.project;
    this.memo ??= p.memo;
    this.memo.recheck();
    // the records change only when a run records something (records.json, or its journal)
    const stateStamp = `${stampOf(join(p.stateDir, 'records.json'))}|${stampOf(join(p.stateDir, 'journal.jsonl'))}`;
    if (this.state?.stamp !== stateStamp) this.state = { stamp: stateStamp, store: new StateStore(p.stateDir) };
    return { ...p, memo: this.memo, fingerprinter: new Fingerprinter(p.dag.root, p.config, this.memo, p.dag.spec.cache_key_packages), state: this.state.store };
  }
}

/**
 * Every instance assessed as `dag status` does (see AssessmentCache for when that is redone),
 * with the run logs' overlay (running now, restored, ...), read afresh each time.
 */
export async function takeSnapshot(cache: AssessmentCache, index: RunIndex): Promise<Snapshot> {
  const { project, assessments } = await cache.get();
  const ids = project.plan.order;
  const runs = index.runs();
  const live = runs.find((r) => r.info.status === 'running') ?? null;
  const overlay: Overlay = { running: live?.open ?? new Set(), last: index.lastOutcomes(runs) };
  const views = ids.map((id) => instanceView(project, id, assessments.get(id)!, overlay));
  return { project, views, overlay, runs, live };
}
