/**
 * Issue 17 benchmark: how fast `dag ui` shows a 500-ticker pipeline's state.
 *
 *   npx tsc -p tsconfig.json && npm run build
 *   node dist/bench/backtest-500.js 500 --keep     # makes and keeps a 500-ticker work folder (prints its path)
 *   node dist/bench/ui-load.js <that folder> [loads]
 *
 * Starts `dag ui` on the folder as a user would (time to listening includes the first hashing
 * pass), times each API call, then opens the page `loads` times (default 5) in headless
 * Chromium, each in a fresh browser context (no HTTP cache): navigation start to the page fully
 * drawn (graph, runs list, timeline of the last run and reports: the end of the page's first
 * refresh, by the page's own clock), and a click on a 500-instance node until its detail is drawn.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const workdir = process.argv[2] ? resolve(process.argv[2]) : '';
const loads = Number(process.argv[3] ?? 5);
if (!workdir || !existsSync(join(workdir, 'artifacts/.dag/records.json'))) {
  console.error(`usage: node dist/bench/ui-load.js <work folder with a run's state> [loads]\n${workdir ? `${workdir}: no artifacts/.dag/records.json (make one with node dist/bench/backtest-500.js 500 --keep)` : ''}`);
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} not found (apt-get install chromium)`);
  process.exit(2);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: number[]) => `min ${Math.min(...xs).toFixed(0)} ms, median ${median(xs).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;

const t0 = performance.now();
const child = spawn(process.execPath, [join(REPO, 'dist/bin/dag.js'), 'ui', '--port', '0', '--json', '--dag', join(REPO, 'pipeline.dag.yaml'), '--workdir', workdir, '--config', join(workdir, 'config/settings.yaml')], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((res, rej) => {
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
    if (out.includes('\n')) res(JSON.parse(out.split('\n')[0]).url);
  });
  child.on('exit', (code) => rej(new Error(`dag ui exited ${code}`)));
});
console.log(`dag ui listening after ${(performance.now() - t0).toFixed(0)} ms (process start, plan, first hashing pass): ${url}`);

try {
  for (const path of ['api/state', 'api/state?node=features', 'api/runs', 'api/reports']) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      const r = await fetch(url + path);
      bytes = (await r.arrayBuffer()).byteLength;
      if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
      times.push(performance.now() - s);
    }
    console.log(`GET /${path}: ${(bytes / 1024).toFixed(1)} KiB; ${fmt(times)}`);
  }
  const { runs } = (await (await fetch(url + 'api/runs')).json()) as { runs: { id: string; instances: number }[] };
  const run = await fetch(`${url}api/runs/${runs[0].id}`);
  console.log(`GET /api/runs/<last>: ${((await run.arrayBuffer()).byteLength / 1024).toFixed(1)} KiB (${runs[0].instances} instances in that run)`);

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const pageTimes: number[] = [];
  const wallTimes: number[] = [];
  const clickTimes: number[] = [];
  for (let i = 0; i < loads; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const s = performance.now();
    await page.goto(url);
    await page.waitForFunction(() => Number(document.body.dataset.refreshes) >= 1, null, { timeout: 30000 });
    wallTimes.push(performance.now() - s);
    // the page's own clock: navigation start to the end of its first complete drawing
    pageTimes.push(Number(await page.evaluate(() => document.body.dataset.firstDrawnMs)));
    console.log(`  load ${i + 1}: drawn at ${pageTimes.at(-1)} ms; steps ${await page.evaluate(() => JSON.stringify((window as any).dagUi.timings))}, ${await page.evaluate(() => (window as any).dagUi.timelineSegments)} timeline boxes`);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    const at = await page.evaluate(() => {
      const chart = (window as any).dagUi.graph;
      const d = chart.getOption().series[0].data.find((n: any) => n.name === 'features');
      return chart.convertToPixel({ seriesIndex: 0 }, [d.x, d.y]) as [number, number];
    });
    const box = (await page.locator('#graph').boundingBox())!;
    const c = performance.now();
    await page.mouse.click(box.x + at[0], box.y + at[1]);
    await page.waitForFunction(() => document.querySelectorAll('#instances tbody tr').length > 0, null, { timeout: 30000 });
    clickTimes.push(performance.now() - c);
    const rows = await page.locator('#instances tbody tr').count();
    if (i === 0) console.log(`features detail: ${rows} instance rows`);
    await context.close();
  }
  await browser.close();
  console.log(`page load, navigation start to fully drawn (${loads} loads, fresh context each): ${fmt(pageTimes)}`);
  console.log(`the same seen from the bench (goto to the drawn marker, polling included): ${fmt(wallTimes)}`);
  console.log(`click on features to its detail drawn: ${fmt(clickTimes)}`);
} finally {
  child.kill('SIGTERM');
}
