import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { appendFileAll } from '../io/atomic.js';
import { sealMatches, writeSeal, writeSealed } from './seal.js';
import type { InstanceParts, NodeParts } from './fingerprint.js';
import { firstIssue, instanceRecordSchema, journalLineSchema, nodePartsSchema, recordsFileSchema } from './stateSchema.js';

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
  /** Their sizes in bytes: the file grew by rows only if those first bytes still hash to the recorded input hash. */
  inputSizes?: Record<string, number>;
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
  /** records.json was valid but had no matching seal (older dag, or the seal was lost): seal it. */
  private unsealed = false;

  /** Damage found while loading (one line each, naming the file): the caller shows them. */
  readonly warnings: string[] = [];

  constructor(readonly dir: string) {
    this.recordsFile = join(dir, 'records.json');
    this.journalFile = join(dir, 'journal.jsonl');
    if (existsSync(this.recordsFile)) this.loadRecords();
    if (existsSync(this.journalFile)) this.loadJournal();
  }

  /**
   * records.json validated entry by entry: a damaged file (cut short, `null`, another shape)
   * or entry makes those instances "never run", and the next compaction writes a clean file.
   * Their outputs stay replaceable: the ledger of written files (ledger.ts) is kept apart.
   */
  private loadRecords(): void {
    let obj: unknown;
    try {
      const text = readFileSync(this.recordsFile, 'utf8');
      obj = JSON.parse(text);
      if (sealMatches(this.recordsFile, text)) {
        // byte for byte what dag wrote (seal.ts): no need to validate again
        const ok = obj as { nodes: Record<string, NodeParts>; records: Record<string, InstanceRecord> };
        for (const [k, v] of Object.entries(ok.nodes)) this.nodes.set(k, v);
        for (const [k, v] of Object.entries(ok.records)) this.records.set(k, v);
        return;
      }
      this.unsealed = true;
    } catch (err) {
      return this.damaged(`${this.recordsFile} is damaged (${(err as Error).message}): every instance it recorded is treated as never run`);
    }
    const outer = recordsFileSchema.safeParse(obj);
    if (!outer.success) return this.damaged(`${this.recordsFile} is damaged (${firstIssue(outer.error)}): every instance it recorded is treated as never run`);
    const bad: string[] = [];
    for (const [k, v] of Object.entries(outer.data.nodes)) {
      const p = nodePartsSchema.safeParse(v);
      if (p.success) this.nodes.set(k, p.data as NodeParts);
      else bad.push(`node ${k.slice(0, 12)}`);
    }
    for (const [k, v] of Object.entries(outer.data.records)) {
      const p = instanceRecordSchema.safeParse(v);
      if (p.success) this.records.set(k, p.data as InstanceRecord);
      else bad.push(k);
    }
    if (bad.length) this.damaged(`${this.recordsFile} has ${bad.length} damaged entr${bad.length === 1 ? 'y' : 'ies'} (${bad.slice(0, 3).join(', ')}${bad.length > 3 ? ', ...' : ''}): treated as never run`);
  }

  private loadJournal(): void {
    this.journaled = true;
    const lines = readFileSync(this.journalFile, 'utf8').split('\n');
    let bad = 0;
    let first = 0;
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch {
        entry = undefined;
      }
      const p = journalLineSchema.safeParse(entry);
      if (!p.success) {
        // a line cut short by a kill, or garbage: that instance reruns, nothing else is lost
        if (bad++ === 0) first = i + 1;
        return;
      }
      const e = p.data as JournalLine;
      if ('id' in e) this.records.set(e.id, e.record);
      else this.nodes.set(e.nodeKey, e.node);
    });
    if (bad) this.warnings.push(`${this.journalFile}: ${bad} damaged line(s) ignored (first: line ${first}); the instances they recorded will rerun`);
  }

  private damaged(message: string): void {
    this.warnings.push(message);
    this.journaled = true; // the next compaction replaces the damaged file
  }

  private append(entry: JournalLine): void {
    // all or nothing: a full disk never leaves a partial line for the next append to run into
    appendFileAll(this.journalFile, JSON.stringify(entry) + '\n');
    this.journaled = true;
  }

  record(id: string, record: InstanceRecord, node: NodeParts): void {
    if (!this.nodes.has(record.parts.nodeKey)) {
      this.nodes.set(record.parts.nodeKey, node);
      this.append({ nodeKey: record.parts.nodeKey, node });
    }
    this.append({ id, record }); // first: a failed append leaves the instance unrecorded here too
    this.records.set(id, record);
  }

  forget(id: string): void {
    if (this.records.delete(id)) this.journaled = true;
  }

  /** Fold the journal into records.json (nothing to do after a run that executed nothing). */
  compact(): void {
    if (!this.journaled) {
      if (this.unsealed) writeSeal(this.recordsFile, readFileSync(this.recordsFile, 'utf8'), true);
      this.unsealed = false;
      return;
    }
    mkdirSync(this.dir, { recursive: true });
    const records: Record<string, InstanceRecord> = {};
    for (const k of [...this.records.keys()].sort()) records[k] = this.records.get(k)!;
    const used = new Set(Object.values(records).map((r) => r.parts.nodeKey));
    const nodes: Record<string, NodeParts> = {};
    for (const k of [...this.nodes.keys()].sort()) if (used.has(k)) nodes[k] = this.nodes.get(k)!;
    writeSealed(this.recordsFile, JSON.stringify({ nodes, records }), true);
    rmSync(this.journalFile, { force: true });
    this.journaled = false;
    this.unsealed = false;
  }
}
