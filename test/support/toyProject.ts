import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A toy pipeline for the orchestrator's tests: per-ticker `double` (reads raw/<T>.txt, writes
 * value x factor, or fails/sleeps on request), a single `total` over all tickers, and `bench`
 * reading only the benchmark ticker's double.
 */
export const TOY_DAG = `version: 1
config: { file: settings.yaml }
fanout: tickers
targets: { all: [total, bench] }
nodes:
  - id: double
    task: tasks/double.mjs
    description: multiplies the raw number by factor
    per_ticker: true
    inputs: ["raw/{ticker}.txt"]
    outputs: ["out/double/{ticker}.txt"]
    params: [factor]
  - id: total
    task: tasks/total.mjs
    description: sums all doubled numbers
    inputs: [{ node: double }]
    outputs: ["out/total.txt"]
  - id: bench
    task: tasks/bench.mjs
    description: copies the benchmark's doubled number
    inputs: [{ node: double, ticker: "{benchmark}" }]
    outputs: ["out/bench.txt"]
    params: [benchmark]
`;

const DOUBLE = `import { helper } from './helper.mjs';
export default async function (ctx) {
  const t = ctx.requireTicker();
  const raw = ctx.readText('raw/' + t + '.txt').trim();
  if (raw === 'fail') throw new Error('cannot double ' + t + ': raw value is "fail"');
  if (raw.startsWith('partial')) {
    // write the output, then hang: a kill now must not leave it at its final path
    ctx.writeBytes('out/double/' + t + '.txt', 'half');
    await new Promise((r) => setTimeout(r, 60000));
  }
  if (raw.startsWith('sleep:')) await new Promise((r) => setTimeout(r, Number(raw.slice(6))));
  const x = raw.startsWith('sleep:') ? 1 : Number(raw);
  ctx.writeBytes('out/double/' + t + '.txt', String(helper(x * ctx.param('factor'))));
}
`;

export function makeToyProject(tickers = ['A', 'B', 'C'], extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'dag-toy-'));
  mkdirSync(join(dir, 'tasks'));
  mkdirSync(join(dir, 'raw'));
  const files: Record<string, string> = {
    'pipeline.dag.yaml': TOY_DAG,
    'settings.yaml': `tickers: [${tickers.join(', ')}]\nbenchmark: ${tickers[0]}\nfactor: 2\n`,
    'tasks/double.mjs': DOUBLE,
    'tasks/helper.mjs': 'export const helper = (x) => x;\n',
    'tasks/total.mjs': `export default function (ctx) {
  const s = ctx.inputs('double').reduce((a, r) => a + Number(ctx.readText(r.path)), 0);
  ctx.writeBytes('out/total.txt', String(s));
}
`,
    'tasks/bench.mjs': `export default function (ctx) {
  ctx.writeBytes('out/bench.txt', ctx.readText(ctx.input('double', ctx.param('benchmark'))));
}
`,
    ...Object.fromEntries(tickers.map((t, i) => [`raw/${t}.txt`, String(i + 1)])),
    ...extra,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
