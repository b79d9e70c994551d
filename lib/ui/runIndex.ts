import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pidAlive, readRunLock, runLockFile } from '../dag/runLock.js';
import { parseRunLog, type Outcome, type ParsedRun } from './runLog.js';

/** The pid in a run log's name (`<time>-<pid>.jsonl`, see runLogPath). */
function pidOf(name: string): number | null {
  const m = /-(\d+)\.jsonl$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** Pid of the run that holds this state folder's lock now, if its process is alive. */
export function liveRunPid(stateDir: string): number | null {
  const lock = readRunLock(runLockFile(stateDir));
  return lock && lock.host === hostname() && pidAlive(lock.pid) ? lock.pid : null;
}

/**
 * The run logs of a state folder, parsed once per file version (size and mtime): a finished
 * run's log never changes, so only the live one is read again.
 */
export class RunIndex {
  private cache = new Map<string, { size: number; mtimeMs: number; alive: boolean; run: ParsedRun }>();

  constructor(private readonly stateDir: string) {}

  get dir(): string {
    return join(this.stateDir, 'runs');
  }

  /** Every run, newest first. */
  runs(): ParsedRun[] {
    if (!existsSync(this.dir)) return [];
    const live = liveRunPid(this.stateDir);
    const names = readdirSync(this.dir).filter((n) => n.endsWith('.jsonl')).sort().reverse();
    const out: ParsedRun[] = [];
    for (const name of names) {
      const file = join(this.dir, name);
      let st;
      try {
        st = statSync(file);
      } catch {
        continue; // removed meanwhile
      }
      const alive = live !== null && pidOf(name) === live;
      const hit = this.cache.get(name);
      if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && hit.alive === alive) {
        out.push(hit.run);
        continue;
      }
      const run = parseRunLog(name.replace(/\.jsonl$/, ''), readFileSync(file, 'utf8'), alive);
      this.cache.set(name, { size: st.size, mtimeMs: st.mtimeMs, alive, run });
      out.push(run);
    }
    return out;
  }

  run(id: string): ParsedRun | undefined {
    return this.runs().find((r) => r.info.id === id);
  }

  /** Each instance's latest outcome other than a cache hit, over all runs, with the run it came from. */
  lastOutcomes(runs = this.runs()): Map<string, Outcome & { run: string }> {
    const out = new Map<string, Outcome & { run: string }>();
    for (const r of runs) {
      for (const [id, o] of r.outcomes) if (o.action !== 'skipped' && !out.has(id)) out.set(id, { ...o, run: r.info.id });
    }
    return out;
  }
}
