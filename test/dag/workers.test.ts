import { describe, expect, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeToyProject } from '../support/toyProject.js';
import { runJson } from '../support/cli.js';

describe('worker threads', () => {
  test('ready instances run at the same time on different worker threads, none in the main thread', () => {
    const dir = makeToyProject(['A', 'B', 'C', 'D']);
    // each instance holds its worker for a while and reports which thread ran it
    writeFileSync(join(dir, 'tasks/double.mjs'), `import { threadId } from 'node:worker_threads';
export default async function (ctx) {
  await new Promise((r) => setTimeout(r, 400));
  ctx.writeBytes('out/double/' + ctx.requireTicker() + '.txt', String(threadId));
}
`);
    writeFileSync(join(dir, 'tasks/total.mjs'), "export default function (ctx) { ctx.writeBytes('out/total.txt', ctx.inputs('double').map((r) => ctx.readText(r.path)).join(',')); }\n");
    const s = runJson(dir, ['run', 'total', '--concurrency', '2']);
    expect(s.failed).toBe(0);
    const threads = readFileSync(join(dir, 'out/total.txt'), 'utf8').split(',').map(Number);
    expect(threads.every((t) => t > 0)).toBe(true);
    expect(new Set(threads).size).toBe(2);
  });
});
