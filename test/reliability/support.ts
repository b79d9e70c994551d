import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TOY_DAG } from '../support/toyProject.js';

/** Temp names dag gives staged files and folders (`.<name>.tmp-<pid>-<hex>`), anywhere under `dir`. */
export function tempLeftovers(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (/\.tmp-\d+-[0-9a-f]{8}$/.test(e.name)) out.push(join(d, e.name));
      if (e.isDirectory()) walk(join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

/** The toy DAG plus `bundle`, a node with a directory output (one file per ticker in out/bundle/). */
export const TOY_DAG_WITH_FOLDER = TOY_DAG.replace('targets: { all: [total, bench] }', 'targets: { all: [total, bench, bundle] }') + `  - id: bundle
    task: tasks/bundle.mjs
    description: one file per ticker in a folder output
    inputs: [{ node: double }]
    outputs: ["out/bundle/"]
`;

export const BUNDLE_TASK = `export default function (ctx) {
  for (const r of ctx.inputs('double')) ctx.writeBytes('out/bundle/' + r.ticker + '.txt', ctx.readText(r.path));
}
`;

/** A stack trace line: what a dag error must never print. */
export const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$/m;
