import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import type { KeyParts } from './fingerprint.js';

export interface InstanceRecord {
  status: 'ok' | 'failed';
  key: string;
  parts: KeyParts;
  /** Output path -> content hash, as written by the run that produced this record. */
  outputs: Record<string, string>;
  ms: number;
  error?: string;
}

/**
 * The runner's memory of what each instance last produced. Completions are appended to a
 * journal as they happen (one line each, so a killed run still remembers what it finished and
 * the next run resumes); at the end of a run the journal is folded into records.json.
 */
export class StateStore {
  readonly records = new Map<string, InstanceRecord>();
  private readonly recordsFile: string;
  private readonly journalFile: string;

  constructor(readonly dir: string) {
    this.recordsFile = join(dir, 'records.json');
    this.journalFile = join(dir, 'journal.jsonl');
    if (existsSync(this.recordsFile)) {
      const obj = JSON.parse(readFileSync(this.recordsFile, 'utf8')) as Record<string, InstanceRecord>;
      for (const [k, v] of Object.entries(obj)) this.records.set(k, v);
    }
    if (existsSync(this.journalFile)) {
      for (const line of readFileSync(this.journalFile, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const { id, record } = JSON.parse(line) as { id: string; record: InstanceRecord };
          this.records.set(id, record);
        } catch {
          // a line cut short by a kill: the instance reruns, nothing else is lost
        }
      }
    }
  }

  record(id: string, record: InstanceRecord): void {
    this.records.set(id, record);
    mkdirSync(this.dir, { recursive: true });
    appendFileSync(this.journalFile, JSON.stringify({ id, record }) + '\n');
  }

  /** Fold the journal into records.json. */
  compact(): void {
    mkdirSync(this.dir, { recursive: true });
    const obj: Record<string, InstanceRecord> = {};
    for (const k of [...this.records.keys()].sort()) obj[k] = this.records.get(k)!;
    writeFileAtomic(this.recordsFile, JSON.stringify(obj));
    rmSync(this.journalFile, { force: true });
  }
}
