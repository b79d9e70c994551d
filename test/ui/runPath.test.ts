import { describe, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeToyProject } from '../support/toyProject.js';
import { DAG_BIN } from '../support/cli.js';

/** A module-resolution hook that writes every module URL the process loads to a file. */
function loadRecorder(): { importFlag: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dag-loads-'));
  const log = join(dir, 'loaded.txt');
  writeFileSync(log, '');
  writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}
`);
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
  return { importFlag: pathToFileURL(join(dir, 'register.mjs')).href, log };
}

const UI_CODE = /\/lib\/ui\/|\/node_modules\/(hono|@hono|@dagrejs)\//;

describe('the UI costs dag run nothing', () => {
  test('dag run loads no UI module and none of its packages', () => {
    const dir = makeToyProject();
    const rec = loadRecorder();
    const r = spawnSync(process.execPath, ['--import', rec.importFlag, DAG_BIN, 'run', 'all'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const loaded = readFileSync(rec.log, 'utf8').split('\n').filter(Boolean);
    // the recorder works: it saw the CLI and the runner load
    expect(loaded.some((u) => u.endsWith('/dist/lib/dag/runner.js'))).toBe(true);
    expect(loaded.filter((u) => UI_CODE.test(u))).toEqual([]);
  });

  test('while dag ui does load them (the check above would see them)', async () => {
    const dir = makeToyProject();
    const rec = loadRecorder();
    const child = spawn(process.execPath, ['--import', rec.importFlag, DAG_BIN, 'ui', '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => String(d).includes('dag ui:') && resolve());
      child.on('exit', (code) => reject(new Error(`dag ui exited ${code}`)));
    });
    child.kill('SIGTERM');
    const loaded = readFileSync(rec.log, 'utf8').split('\n').filter(Boolean);
    expect(loaded.some((u) => u.endsWith('/dist/lib/ui/serve.js'))).toBe(true);
    expect(loaded.some((u) => u.includes('/node_modules/hono/'))).toBe(true);
  });
});
