import { describe, expect, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeToyProject } from '../support/toyProject.js';
import { dag, ran, runJson } from '../support/cli.js';
import { STACK_LINE } from './support.js';

/**
 * Rule 3 (docs/reliability.md): damaged run state never crashes dag. On main each of these
 * crashed `status` and `run` with a stack trace (JSON.parse, `'id' in null`, `known.size` of
 * null), and a damaged dag.lock gave a SyntaxError stack instead of "not a dag.lock file".
 */
const STATE = 'artifacts/.dag';
type Status = { instances: { node: string; ticker: string | null; state: string; reasons: string[] }[] };

function built(): string {
  const dir = makeToyProject();
  expect(runJson(dir, ['run', 'all']).failed).toBe(0);
  return dir;
}

/** status works with one warning line naming the file; run rebuilds (replacing dag's own files) and is then clean. */
function recovers(dir: string, file: string, expectRerun: string[]) {
  const st = dag(dir, ['status', '--json']);
  expect(st.code).toBe(0);
  expect(st.stderr).not.toMatch(STACK_LINE);
  const warnings = st.stderr.split('\n').filter((l) => l.startsWith('warn: '));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain(join(dir, STATE, file));
  // without the store, so that the rerun runs and replaces dag's own files (the ledger, rule 1)
  const summary = runJson(dir, ['run', 'all', '--no-cache']);
  expect(summary.failed).toBe(0);
  expect(ran(summary)).toEqual(expectRerun);
  // the independent answer: raw 1, 2, 3 doubled, summed
  expect(readFileSync(join(dir, 'out/total.txt'), 'utf8')).toBe('12');
  const after = dag(dir, ['status', '--json']);
  expect(after.stderr).toBe('');
  expect((JSON.parse(after.stdout) as Status).instances.every((i) => i.state === 'fresh')).toBe(true);
}

const ALL = ['bench', 'double[A]', 'double[B]', 'double[C]', 'total'];

describe('rule 3: a damaged state file is reported in one line and recovered from', () => {
  test('records.json cut short: every instance is treated as never run, and the rerun replaces dag\'s own outputs', () => {
    const dir = built();
    const file = join(dir, STATE, 'records.json');
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 200));
    const st = JSON.parse(dag(dir, ['status', '--json']).stdout) as Status;
    expect(st.instances.every((i) => i.state === 'missing')).toBe(true);
    recovers(dir, 'records.json', ALL);
  });

  test('records.json is `null`', () => {
    const dir = built();
    writeFileSync(join(dir, STATE, 'records.json'), 'null');
    recovers(dir, 'records.json', ALL);
  });

  test('records.json is valid JSON of the wrong shape: only the damaged entry is lost', () => {
    const dir = built();
    const file = join(dir, STATE, 'records.json');
    const obj = JSON.parse(readFileSync(file, 'utf8'));
    obj.records['double[B]'] = { status: 'ok', key: 7 };
    writeFileSync(file, JSON.stringify(obj));
    // double[B] reruns; its bytes are the same, so nothing downstream of it does
    recovers(dir, 'records.json', ['double[B]']);
  });

  test('journal.jsonl with garbage and wrong-shaped lines', () => {
    const dir = built();
    writeFileSync(join(dir, STATE, 'journal.jsonl'), 'null\n{"id": 5}\n{"id":"total","record":{"status":"ok"\ngarbage\n');
    recovers(dir, 'journal.jsonl', []);
  });

  test('hashes.json with wrong-shaped entries', () => {
    const dir = built();
    const file = join(dir, STATE, 'hashes.json');
    const obj = JSON.parse(readFileSync(file, 'utf8'));
    for (const k of Object.keys(obj)) obj[k] = null;
    writeFileSync(file, JSON.stringify(obj));
    recovers(dir, 'hashes.json', []);
  });

  test('hashes.json that is not JSON', () => {
    const dir = built();
    writeFileSync(join(dir, STATE, 'hashes.json'), '{"cut');
    recovers(dir, 'hashes.json', []);
  });

  test('the ledger of written files damaged as well as records.json: dag refuses, then --overwrite recovers', () => {
    const dir = built();
    writeFileSync(join(dir, STATE, 'records.json'), '[]');
    writeFileSync(join(dir, STATE, 'written.jsonl'), '\u0000\u0000garbage');
    const r = dag(dir, ['run', 'all']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refusing to replace out/double/A.txt');
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(runJson(dir, ['run', 'all', '--overwrite']).failed).toBe(0);
    expect(readFileSync(join(dir, 'out/total.txt'), 'utf8')).toBe('12');
  });

  test('a dag.lock that is not a lock file gives the documented error, exit 2', () => {
    const dir = built();
    for (const text of ['{"version": 1, "tar', 'null', '[1, 2]']) {
      writeFileSync(join(dir, 'dag.lock'), text);
      const r = dag(dir, ['verify', 'all']);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^dag: ${join(dir, 'dag.lock')}: not a dag\\.lock file: `));
    }
  });
});
