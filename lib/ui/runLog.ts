import { z } from 'zod';

/**
 * One line of a run log (artifacts/.dag/runs/*.jsonl) as far as the UI reads it. Unknown fields
 * and unknown values pass through: a new `action` (e.g. `restored`) or a new kind of `worker`
 * lane (a thread number, `main`, a remote worker's name) is shown as it comes, with no change here.
 */
export const logEntrySchema = z.looseObject({
  time: z.string(),
  level: z.string().optional(),
  message: z.unknown().optional(),
  event: z.string().optional(),
  action: z.string().optional(),
  instance: z.string().optional(),
  worker: z.union([z.string(), z.number()]).optional(),
  ms: z.number().optional(),
  error: z.string().optional(),
  target: z.string().optional(),
  command: z.string().optional(),
  user: z.string().optional(),
  instances: z.number().optional(),
  /** A `skip` line naming many cache hits at once (runner.ts batches them). */
  batch: z.array(z.string()).optional(),
  durationMs: z.number().optional(),
});
export type LogEntry = z.infer<typeof logEntrySchema>;

/** What an instance entry did: its `action`, or for logs written before actions were logged, its event's meaning. */
export function entryAction(e: LogEntry): string | undefined {
  if (e.action) return e.action;
  return e.event === 'end' ? 'ran' : e.event === 'fail' ? 'failed' : e.event === 'skip' ? 'skipped' : undefined;
}

export interface Bar {
  instance: string;
  lane: string;
  /** Epoch milliseconds. */
  start: number;
  /** Epoch milliseconds; null while the instance is still running. */
  end: number | null;
  action: string;
  error?: string;
}

export interface Outcome {
  action: string;
  time: string;
  ms?: number;
  error?: string;
}

export type RunStatus = 'running' | 'done' | 'failed' | 'interrupted';

export interface RunInfo {
  id: string;
  target: string | null;
  command: string | null;
  user: string | null;
  started: string | null;
  ended: string | null;
  durationMs: number | null;
  /** Instances the run covers (from its start entry; else the instances it logged an outcome for). */
  instances: number;
  /** Instance count per action, as the log names them. */
  counts: Record<string, number>;
  status: RunStatus;
  failures: { instance: string; error: string }[];
}

export interface ParsedRun {
  info: RunInfo;
  bars: Bar[];
  /** Each instance's last outcome in this run. */
  outcomes: Map<string, Outcome>;
  /** Instances started and not yet finished. */
  open: Set<string>;
  /** Lines that are not valid entries (e.g. a line cut short by a kill), with their line numbers. */
  badLines: number[];
}

/** Parse a run log's text. `alive`: the process that writes it still runs. */
export function parseRunLog(id: string, text: string, alive: boolean): ParsedRun {
  const outcomes = new Map<string, Outcome>();
  const starts = new Map<string, number>();
  const bars: Bar[] = [];
  const failures: RunInfo['failures'] = [];
  const badLines: number[] = [];
  let target: string | null = null;
  let command: string | null = null;
  let user: string | null = null;
  let declared = 0;
  let runStarts = 0;
  let runEnds = 0;
  let first: string | null = null;
  let last: string | null = null;
  let durationMs = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    let parsed: ReturnType<typeof logEntrySchema.safeParse>;
    try {
      parsed = logEntrySchema.safeParse(JSON.parse(lines[i]));
    } catch {
      badLines.push(i + 1);
      continue;
    }
    if (!parsed.success) {
      badLines.push(i + 1);
      continue;
    }
    const e = parsed.data;
    first ??= e.time;
    last = e.time;
    if (e.event === 'run-start') {
      runStarts++;
      target ??= e.target ?? null;
      command ??= e.command ?? null;
      user ??= e.user ?? null;
      declared += e.instances ?? 0;
      continue;
    }
    if (e.event === 'run-end') {
      runEnds++;
      durationMs += e.durationMs ?? 0;
      continue;
    }
    if (e.batch) {
      for (const instance of e.batch) outcomes.set(instance, { action: entryAction(e) ?? 'skipped', time: e.time });
      continue;
    }
    if (!e.instance) continue;
    const t = Date.parse(e.time);
    if (e.event === 'start') {
      starts.set(e.instance, t);
      continue;
    }
    const action = entryAction(e);
    if (!action) continue;
    outcomes.set(e.instance, { action, time: e.time, ms: e.ms, error: e.error });
    const began = starts.get(e.instance);
    starts.delete(e.instance);
    if (action === 'failed') failures.push({ instance: e.instance, error: e.error ?? 'failed' });
    // instances that took time get a bar; cache hits take none
    if (began !== undefined || (e.ms ?? 0) > 0) {
      bars.push({ instance: e.instance, lane: e.worker === undefined ? '?' : String(e.worker), start: began ?? t - (e.ms ?? 0), end: t, action, ...(e.error ? { error: e.error } : {}) });
    }
  }
  const open = new Set(alive ? starts.keys() : []);
  for (const [instance, start] of alive ? starts : []) bars.push({ instance, lane: 'in progress', start, end: null, action: 'running' });
  const counts: Record<string, number> = {};
  for (const o of outcomes.values()) counts[o.action] = (counts[o.action] ?? 0) + 1;
  const finished = runStarts > 0 ? runEnds >= runStarts : !alive;
  const status: RunStatus = alive ? 'running' : failures.length ? 'failed' : finished ? 'done' : 'interrupted';
  return {
    info: {
      id,
      target,
      command,
      user,
      started: first,
      ended: alive ? null : last,
      durationMs: runEnds > 0 ? durationMs : first && last ? Date.parse(last) - Date.parse(first) : null,
      instances: Math.max(declared, outcomes.size),
      counts,
      status,
      failures,
    },
    bars: bars.sort((a, b) => a.start - b.start || a.instance.localeCompare(b.instance)),
    outcomes,
    open,
    badLines,
  };
}
