import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { appendFileAll, writeFileAtomic } from '../io/atomic.js';

/**
 * Which bytes dag itself wrote at each output path: one JSON line `{"p": path, "h": sha256}`
 * per file, appended by a task's commit *before* its staged files are renamed into place (a
 * kill in between leaves a line for bytes that never landed, which is harmless; the reverse
 * would leave dag's own file unrecognised). Kept apart from records.json so that damaged or
 * lost records never make dag refuse to replace its own outputs (rule 1 of docs/reliability.md).
 * Paths are relative to the work folder (files inside a directory output are listed one by one).
 */
export const LEDGER_FILE = 'written.jsonl';

/** Hashes kept per path: the newest, and the one before (its rename may not have happened). */
const KEEP = 2;

const lineSchema = z.object({ p: z.string(), h: z.string() });

/** How the ledger names a file: its path relative to the work folder, with '/'. */
export function ledgerPath(workdir: string, abs: string): string {
  return relative(workdir, abs).split('\\').join('/');
}

export interface LedgerEntry {
  path: string;
  hash: string;
}

/** Append what a commit is about to put in place (called from worker threads too: one write per commit). */
export function appendLedger(file: string, entries: LedgerEntry[]): void {
  if (entries.length === 0) return;
  appendFileAll(file, entries.map((e) => JSON.stringify({ p: e.path, h: e.hash }) + '\n').join(''));
}

export class Ledger {
  private readonly hashes = new Map<string, string[]>();
  private lines = 0;
  readonly warnings: string[] = [];

  constructor(private readonly file: string) {
    if (!existsSync(file)) return;
    let bad = 0;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      let parsed;
      try {
        parsed = lineSchema.safeParse(JSON.parse(line));
      } catch {
        parsed = null;
      }
      if (!parsed?.success) {
        bad++;
        continue;
      }
      this.lines++;
      const list = this.hashes.get(parsed.data.p) ?? [];
      list.push(parsed.data.h);
      if (list.length > KEEP) list.shift();
      this.hashes.set(parsed.data.p, list);
    }
    if (bad) this.warnings.push(`${file}: ${bad} damaged line(s) ignored: files they recorded count as not written by dag`);
  }

  static in(stateDir: string): Ledger {
    return new Ledger(join(stateDir, LEDGER_FILE));
  }

  /** dag wrote exactly these bytes at this path. */
  owns(path: string, hash: string): boolean {
    return this.hashes.get(path)?.includes(hash) ?? false;
  }

  /** Rewrite with the last hashes per path only, once the file has grown to twice that. */
  compact(): void {
    let kept = 0;
    for (const list of this.hashes.values()) kept += list.length;
    if (this.lines <= 2 * kept) return;
    const out: string[] = [];
    for (const p of [...this.hashes.keys()].sort()) for (const h of this.hashes.get(p)!) out.push(JSON.stringify({ p, h }));
    writeFileAtomic(this.file, out.join('\n') + '\n');
    this.lines = kept;
  }
}
