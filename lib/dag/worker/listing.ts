import type { Project } from '../project.js';
import { resolveExecutorConfig } from '../executor/settings.js';
import { connectChecked } from '../executor/redis.js';
import { checkoutCode } from '../executor/codeFingerprint.js';
import { listWorkers, type WorkerInfo } from '../executor/registry.js';

export interface WorkerRow {
  id: string;
  host: string;
  commit: string;
  /** Whether it runs this checkout's code (it gets this checkout's jobs). */
  matches: boolean;
  concurrency: number;
  active: number;
  done: number;
  failed: number;
  started: string;
}

/** The workers whose heartbeat is live in the project's Redis. */
export async function connectedWorkers(project: Project): Promise<WorkerRow[]> {
  const cfg = resolveExecutorConfig(project.config, project.configFile, 'bullmq');
  const client = await connectChecked(cfg.redis!, 3000);
  try {
    const mine = checkoutCode(project).fingerprint;
    return (await listWorkers(client)).map((w: WorkerInfo) => ({
      id: w.id, host: w.host, commit: w.commit, matches: w.fingerprint === mine,
      concurrency: w.concurrency, active: w.active, done: w.done, failed: w.failed, started: w.started,
    }));
  } finally {
    client.disconnect();
  }
}

export function formatWorkers(rows: WorkerRow[]): string {
  if (rows.length === 0) return 'no dag worker is connected';
  const lines = rows.map((r) => `${r.id}  host ${r.host}  commit ${r.commit}${r.matches ? '' : ' (other code: gets none of this checkout\'s jobs)'}  load ${r.active}/${r.concurrency}  done ${r.done}  failed ${r.failed}  since ${r.started}`);
  return [`${rows.length} worker(s) connected:`, ...lines].join('\n');
}
