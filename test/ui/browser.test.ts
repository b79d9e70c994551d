import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, haveChromium } from '../support/browser.js';
import { dagIn, makeWorkdir, readSettings, REPO, SMALL, writeSettings } from '../support/pipeline.js';
import { dagAsync } from '../support/cli.js';
import { makeToyProject } from '../support/toyProject.js';
import { clickNode, graphNodes, startUiProcess, stop, type UiProcess } from './uiPage.js';

if (!haveChromium) console.warn(`dag ui browser tests skipped: ${CHROMIUM} not found (apt-get install chromium)`);
const describeBrowser = haveChromium ? describe : describe.skip;

async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => Number(document.body.dataset.refreshes) >= 1);
  // a full reload would lose this: its survival shows the page updated in place
  await page.evaluate(() => ((window as any).loadedOnce = true));
  return { page, errors };
}

describeBrowser('dag ui in Chromium, on the real pipeline', () => {
  let dir: string;
  let ranInstances: number;
  let ui: UiProcess;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const projectArgs = () => ['--dag', join(REPO, 'pipeline.dag.yaml'), '--workdir', dir, '--config', join(dir, 'config/settings.yaml')];

  beforeAll(async () => {
    dir = makeWorkdir(SMALL);
    const r = dagIn(dir, ['run', 'backtest', '--json']);
    expect(r.code).toBe(0);
    ranInstances = JSON.parse(r.stdout).instances.length;
    ui = await startUiProcess(dir, projectArgs());
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    ({ page, errors } = await openPage(browser, ui.url));
  }, 300000);

  afterAll(async () => {
    await browser?.close();
    if (ui) await stop(ui.child);
  });

  test('the page loads with no console errors', () => {
    expect(errors).toEqual([]);
  });

  test('the graph shows every node of pipeline.dag.yaml, each drawn with its name', async () => {
    const declared = (parse(readFileSync(join(REPO, 'pipeline.dag.yaml'), 'utf8')) as { nodes: { id: string }[] }).nodes.map((n) => n.id);
    expect((await graphNodes(page)).map((n) => n.name).sort()).toEqual([...declared].sort());
    const drawn = await page.$$eval('#graph svg text', (els) => els.map((e) => e.textContent ?? ''));
    for (const id of declared) expect(drawn.some((t) => t.startsWith(id))).toBe(true);
    expect((await graphNodes(page)).every((n) => n.state === 'fresh')).toBe(true);
  });

  test('the runs list shows the last run with its instance count', async () => {
    const first = page.locator('#runs tbody tr').first();
    expect(await first.locator('td').nth(1).innerText()).toBe('backtest');
    expect(await first.locator('td.instances').innerText()).toBe(String(ranInstances));
    expect(await page.locator('#runs tbody tr').count()).toBe(1);
  });

  test('clicking a node shows its instances', async () => {
    await clickNode(page, 'features');
    const tickers = readSettings(dir).tickers as string[];
    const rows = page.locator('#instances tbody tr');
    expect(await rows.count()).toBe(tickers.length);
    expect((await rows.locator('td:first-child').allInnerTexts()).sort()).toEqual([...tickers].sort());
    expect(await page.locator('#params').innerText()).toContain('features');
  });

  test('after editing risk.max_weight the positions node shows as stale, with that reason', async () => {
    const settings = readSettings(dir);
    settings.risk.max_weight = settings.risk.max_weight === 0.2 ? 0.25 : 0.2;
    writeSettings(dir, settings);
    // no reload: the server sees the settings change and the page redraws
    await page.waitForFunction(() => (window as any).dagUi.graph.getOption().series[0].data.find((d: any) => d.name === 'positions').state === 'stale', null, { timeout: 60000 });
    const nodes = await graphNodes(page);
    const state = Object.fromEntries(nodes.map((n) => [n.name, n.state]));
    expect(state).toMatchObject({ positions: 'stale', backtest: 'stale', report: 'stale', latest: 'stale', features: 'fresh', meta: 'fresh' });
    expect(nodes.find((n) => n.name === 'positions')!.label).toContain('stale');
    await clickNode(page, 'positions');
    const row = page.locator('#instances tbody tr').first();
    expect(await row.locator('td').nth(1).innerText()).toBe('stale');
    expect(await row.locator('td.reasons').innerText()).toContain('param changed: risk.max_weight');
    expect(await page.locator('#params').innerText()).toContain(String(settings.risk.max_weight));
    expect(await page.evaluate(() => (window as any).loadedOnce)).toBe(true);
    // docs/ui.md's picture: DAG_UI_SCREENSHOT=docs/img/ui.png (else a temp file, so the suite leaves the tree clean)
    const shot = resolve(process.env.DAG_UI_SCREENSHOT ?? join(mkdtempSync(join(tmpdir(), 'dag-ui-shot-')), 'ui.png'));
    await page.screenshot({ path: shot });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
  });

  test('a run started meanwhile updates the page without reload: live, then fresh and in the runs list', async () => {
    // watch for the live marker while the run goes
    await page.evaluate(() => {
      const live = document.querySelector('#live') as HTMLElement;
      new MutationObserver(() => {
        if (!live.hidden) (window as any).sawLive = live.textContent;
      }).observe(live, { attributes: true, childList: true, characterData: true, subtree: true });
    });
    const run = dagAsync(dir, ['run', 'backtest', ...projectArgs()]);
    const exit = new Promise<number | null>((r) => run.on('exit', r));
    await page.waitForFunction(() => {
      const rows = document.querySelectorAll('#runs tbody tr');
      return rows.length === 2 && rows[0].textContent!.includes('done')
        && (window as any).dagUi.graph.getOption().series[0].data.find((d: any) => d.name === 'positions').state === 'fresh';
    }, null, { timeout: 120000 });
    expect(await exit).toBe(0);
    expect(await page.evaluate(() => (window as any).sawLive)).toMatch(/running backtest/);
    const first = page.locator('#runs tbody tr').first();
    expect(await first.locator('td').nth(4).innerText()).toMatch(/ran 4/); // positions, backtest, report, latest
    expect(await page.locator('#timeline-title').innerText()).toMatch(/4 instances took time/);
    expect(await page.evaluate(() => (window as any).loadedOnce)).toBe(true);
    expect(errors).toEqual([]);
  });
});

describeBrowser('dag ui in Chromium, a failing run', () => {
  test('a failure shows its message at once, while the run still goes', async () => {
    const dir = makeToyProject(['A', 'B', 'C'], { 'raw/B.txt': 'sleep:3000', 'raw/C.txt': 'fail' });
    const ui = await startUiProcess(dir, []);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const { page, errors } = await openPage(browser, ui.url);
      const run = dagAsync(dir, ['run', 'all', '--keep-going', '--concurrency', '2']);
      let exited = false;
      const exit = new Promise<void>((r) => run.on('exit', () => {
        exited = true;
        r();
      }));
      await page.waitForFunction(() => !(document.querySelector('#banner') as HTMLElement).hidden, null, { timeout: 60000 });
      const shownWhileRunning = !exited;
      expect(await page.locator('#banner').innerText()).toContain('double[C] failed');
      expect(await page.locator('#banner').innerText()).toContain('cannot double C: raw value is "fail"');
      expect(shownWhileRunning).toBe(true);
      await exit;
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await stop(ui.child);
    }
  });
});
