import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import type { InstanceParts, NodeParts } from './fingerprint.js';

export interface InstanceRecord {
  status: 'ok' | 'failed';
  key: string;
  parts: InstanceParts;
  /** Output path -> content hash, as written by the run that produced this record. */
  outputs: Record<string, string>;
  ms: number;
  error?: string;
  /** Line counts of .csv inputs when this record was made (for "N new rows" in status). */
  inputLines?: Record<string, number>;
}

type JournalLine = { id: string; record: InstanceRecord } | { nodeKey: string; node: NodeParts };

/**
 * The runner's memory of what each instance last produced. Completions are appended to a
 * journal as they happen (one line each, so a killed run still remembers what it finished and
 * the next run resumes); at the end of a run the journal is folded into records.json. Node-level
 * key parts (code and param fingerprints) are stored once per node version, not per instance.
 */
export class StateStore {
  readonly records = new Map<string, InstanceRecord>();
  readonly nodes = new Map<string, NodeParts>();
  private readonly recordsFile: string;
  private readonly journalFile: string;
  private journaled = false;

  constructor(readonly dir: string) {
    this.recordsFile = join(dir, 'records.json');
    this.journalFile = join(dir, 'journal.jsonl');
    if (existsSync(this.recordsFile)) {
      const obj = JSON.parse(readFileSync(this.recordsFile, 'utf8')) as { nodes: Record<string, NodeParts>; records: Record<string, InstanceRecord> };
      for (const [k, v] of Object.entries(obj.nodes ?? {})) this.nodes.set(k, v);
      for (const [k, v] of Object.entries(obj.records ?? {})) this.records.set(k, v);
    }
    if (existsSync(this.journalFile)) {
      this.journaled = true;
      for (const line of readFileSync(this.journalFile, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const entry = JSON.parse(line) as JournalLine;
          if ('id' in entry) this.records.set(entry.id, entry.record);
          else this.nodes.set(entry.nodeKey, entry.node);
        } catch {
          // a line cut short by a kill: the instance reruns, nothing else is lost
        }
      }
    }
  }

  private append(entry: JournalLine): void {
    mkdirSync(this.dir, { recursive: true });
    appendFileSync(this.journalFile, JSON.stringify(entry) + '\n');
    this.journaled = true;
  }

  record(id: string, record: InstanceRecord, node: NodeParts): void {
    if (!this.nodes.has(record.parts.nodeKey)) {
      this.nodes.set(record.parts.nodeKey, node);
      this.append({ nodeKey: record.parts.nodeKey, node });
    }
    this.records.set(id, record);
    this.append({ id, record });
  }

  forget(id: string): void {
    if (this.records.delete(id)) this.journaled = true;
  }

  /** Fold the journal into records.json (nothing to do after a run that executed nothing). */
  compact(): void {
    if (!this.journaled) return;
    mkdirSync(this.dir, { recursive: true });
    const records: Record<string, InstanceRecord> = {};
    for (const k of [...this.records.keys()].sort()) records[k] = this.records.get(k)!;
    const used = new Set(Object.values(records).map((r) => r.parts.nodeKey));
    const nodes: Record<string, NodeParts> = {};
    for (const k of [...this.nodes.keys()].sort()) if (used.has(k)) nodes[k] = this.nodes.get(k)!;
    writeFileAtomic(this.recordsFile, JSON.stringify({ nodes, records }));
    rmSync(this.journalFile, { force: true });
    this.journaled = false;
  }
}
