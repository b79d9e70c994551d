import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';
import { sha256 } from './hashMemo.js';

/**
 * A state file's seal: `<file>.sha256` holds the SHA-256 of the bytes dag wrote (and of this
 * format's version). Validating records.json with zod entry by entry cost ~130 ms for 5,000
 * instances, a quarter of a no-op run; hashing it costs ~2 ms. So a file whose seal matches is
 * byte for byte what dag wrote from data it built itself, and is not re-validated; any other
 * (cut short, edited, from an older dag, seal lost) is validated with zod.
 */
const FORMAT = 'dag-state-1\n';

export function sealMatches(file: string, text: string): boolean {
  try {
    return readFileSync(`${file}.sha256`, 'utf8') === sha256(FORMAT + text);
  } catch {
    return false;
  }
}

/** Write the file, then its seal (a crash in between leaves a mismatch: the next read validates). */
export function writeSealed(file: string, text: string, fsync: boolean): void {
  writeFileAtomic(file, text, fsync);
  writeSeal(file, text, fsync);
}

export function writeSeal(file: string, text: string, fsync: boolean): void {
  writeFileAtomic(`${file}.sha256`, sha256(FORMAT + text), fsync);
}
