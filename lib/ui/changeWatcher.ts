import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { logEntrySchema, type LogEntry } from './runLog.js';

export type UiEvent =
  | { type: 'entry'; run: string; entry: LogEntry }
  | { type: 'runs' }
  | { type: 'project' };

const POLL_MS = 250;

/**
 * Tails the run logs being written and watches the DAG and settings files, for the page's live
 * view. It polls (every 250 ms, and only while someone listens) rather than using fs.watch:
 * a stat per file is cheap, and polling behaves the same on every file system, while fs.watch
 * misses events on network and container mounts and reports renames inconsistently.
 */
export class ChangeWatcher {
  private listeners = new Set<(e: UiEvent) => void>();
  private timer: NodeJS.Timeout | undefined;
  private offsets = new Map<string, number>();
  private stamps = new Map<string, string>();

  constructor(
    private readonly runsDir: string,
    /** Files whose change changes the graph's states (the DAG file, the settings, the run lock, the records). */
    private readonly files: { path: string; event: 'runs' | 'project' }[],
  ) {}

  subscribe(fn: (e: UiEvent) => void): () => void {
    if (this.listeners.size === 0) {
      this.scan(false);
      this.timer = setInterval(() => this.scan(true), POLL_MS);
      this.timer.unref();
    }
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Tell every listener (for changes found elsewhere, e.g. by a background check of the state). */
  notify(e: UiEvent): void {
    this.emit(e);
  }

  private emit(e: UiEvent): void {
    for (const fn of this.listeners) fn(e);
  }

  /** One pass; `notify` false only records where things stand (nothing already written is replayed). */
  private scan(notify: boolean): void {
    for (const f of this.files) {
      let stamp = 'absent';
      try {
        const st = statSync(f.path);
        stamp = `${st.size}:${st.mtimeMs}`;
      } catch {
        // absent is a state of its own (no lock: no run)
      }
      if (this.stamps.get(f.path) !== stamp) {
        const had = this.stamps.has(f.path);
        this.stamps.set(f.path, stamp);
        if (notify && had) this.emit({ type: f.event });
      }
    }
    if (!existsSync(this.runsDir)) return;
    for (const name of readdirSync(this.runsDir)) {
      if (!name.endsWith('.jsonl')) continue;
      const file = join(this.runsDir, name);
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        continue;
      }
      const known = this.offsets.get(name);
      if (!notify) {
        this.offsets.set(name, size);
        continue;
      }
      if (known === undefined) this.emit({ type: 'runs' });
      const from = known ?? 0;
      if (size <= from) continue;
      this.offsets.set(name, from + this.readLines(file, name.replace(/\.jsonl$/, ''), from, size));
    }
  }

  /** Emit the complete lines between two offsets; returns the bytes consumed (up to the last newline). */
  private readLines(file: string, run: string, from: number, to: number): number {
    const buf = Buffer.alloc(to - from);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buf, 0, buf.length, from);
    } finally {
      closeSync(fd);
    }
    const end = buf.lastIndexOf(0x0a);
    if (end < 0) return 0;
    for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const parsed = logEntrySchema.safeParse(JSON.parse(line));
        if (parsed.success) this.emit({ type: 'entry', run, entry: parsed.data });
      } catch {
        // a malformed line is reported by the run index (badLines); the live view skips it
      }
    }
    return end + 1;
  }
}
