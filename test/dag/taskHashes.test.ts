import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeToyProject } from '../support/toyProject.js';
import { dag, runJson } from '../support/cli.js';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('content hashes between the runner and its tasks', () => {
  test('ctx.inputHash gives a declared input\'s content hash; an undeclared path is an error naming it', () => {
    const dir = makeToyProject(['A', 'B'], {
      'tasks/bench.mjs': `export default function (ctx) {
  const path = ctx.input('double', ctx.param('benchmark'));
  let undeclared;
  try { ctx.inputHash('raw/A.txt'); } catch (err) { undeclared = err.message; }
  ctx.writeBytes('out/bench.txt', JSON.stringify({ path, hash: ctx.inputHash(path), undeclared }));
}
`,
    });
    runJson(dir, ['run', 'all']);
    const out = JSON.parse(readFileSync(join(dir, 'out/bench.txt'), 'utf8'));
    expect(out.path).toBe('out/double/A.txt');
    expect(out.hash).toBe(sha256(join(dir, 'out/double/A.txt')));
    expect(out.undeclared).toContain("'raw/A.txt' is not a declared input");
  });

  test('the hashes recorded for outputs (reported by the tasks, not read again) are those of the files', () => {
    const dir = makeToyProject(['A', 'B', 'C']);
    runJson(dir, ['run', 'all']);
    // --rehash re-reads every output and compares it with its record
    const r = dag(dir, ['status', '--rehash', '--json']);
    expect(r.code).toBe(0);
    const { records } = JSON.parse(readFileSync(join(dir, 'artifacts/.dag/records.json'), 'utf8')) as { records: Record<string, { outputs: Record<string, string> }> };
    const recorded = Object.values(records).flatMap((rec) => Object.entries(rec.outputs));
    expect(recorded.length).toBe(5);
    for (const [path, hash] of recorded) expect(hash).toBe(sha256(join(dir, path)));
  });
});
