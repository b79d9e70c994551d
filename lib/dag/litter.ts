import { existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { tempOwnerPid } from '../io/atomic.js';
import type { Project } from './project.js';

/** Whether a process of this host is running (EPERM: it is, but not ours to signal). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `dag-sandbox-<pid>-XXXXXX`: the prefix sandbox.ts gives mkdtemp. */
export const sandboxPrefix = () => `dag-sandbox-${process.pid}-`;
const SANDBOX = /^dag-sandbox-(\d+)-[A-Za-z0-9]{6}$/;

/**
 * Remove what killed runs left behind: staged files and folders (`.<name>.tmp-<pid>-<hex>`)
 * in the given folders and `dag-sandbox-<pid>-*` folders in the OS temp folder, but only those
 * whose process is gone, so a live run's files are never touched. It reads only the folders it
 * is given (the plan's output folders and the state folder), not whole trees: a no-op run pays
 * a few readdir calls. Returns what it removed.
 */
export function removeLitter(dirs: Iterable<string>, alive: (pid: number) => boolean = pidAlive): string[] {
  const removed: string[] = [];
  const sweep = (dir: string, ownerOf: (name: string) => number | null) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return; // not there (yet): nothing to clean
    }
    for (const name of names) {
      const pid = ownerOf(name);
      if (pid === null || pid === process.pid || alive(pid)) continue;
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(join(dir, name));
    }
  };
  for (const dir of new Set(dirs)) sweep(dir, tempOwnerPid);
  sweep(tmpdir(), (name) => {
    const m = SANDBOX.exec(name);
    return m ? Number(m[1]) : null;
  });
  return removed;
}

/** The folders an output path's staged files live in: its parent (a folder output's too). */
export function stagingDir(absOutput: string): string {
  return dirname(absOutput.endsWith('/') ? absOutput.slice(0, -1) : absOutput);
}

/**
 * Where a project's runs stage files: the state folders and the DAG file's folder (dag.lock)
 * always, and beside every output of the plan when `outputs` is set. Output folders can hold
 * thousands of files (listing them was a few percent of a no-op run), and staged files are
 * left there only by a run that died without releasing the run lock: the runner asks for them
 * only when it finds a lock left behind.
 */
export function litterDirs(project: Project, outputs: boolean): string[] {
  const dirs = new Set([project.stateDir, join(project.stateDir, 'runs'), project.dag.root]);
  if (outputs) for (const inst of project.plan.instances.values()) for (const out of inst.outputs) dirs.add(stagingDir(project.abs(out)));
  return [...dirs];
}

/**
 * The shard folders of a local store (`<dir>/ac/xx`, `<dir>/blobs/xx`): a run killed while it
 * kept an output leaves its temp name there. Asked for with the output folders, after a kill.
 */
export function storeLitterDirs(dir: string): string[] {
  const out: string[] = [];
  for (const kind of ['ac', 'blobs']) {
    const base = join(dir, kind);
    if (!existsSync(base)) continue;
    out.push(base);
    for (const e of readdirSync(base, { withFileTypes: true })) if (e.isDirectory()) out.push(join(base, e.name));
  }
  return out;
}

/** A run lock left in the state folder (its holder may be dead: the caller then takes it over). */
export function lockLeftBehind(stateDir: string): boolean {
  return existsSync(join(stateDir, 'lock'));
}
