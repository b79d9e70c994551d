import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderReport } from '../../lib/report/render-report.js';
import { syntheticReportInput } from './synthetic-backtest.js';

const CHROMIUM = '/usr/bin/chromium';
const CHART_IDS = [
  'chart-equity', 'chart-drawdown', 'chart-monthly', 'chart-rolling-sharpe', 'chart-exposure',
  'chart-pnl-ticker', 'chart-pnl-component', 'chart-pnl-regime',
];

const input = syntheticReportInput();
const html = renderReport(input);

describe('renderReport: self-contained deterministic HTML', () => {
  test('same input gives the same bytes', () => {
    expect(renderReport(syntheticReportInput())).toBe(html);
  });
  test('no scripts and no external resources', () => {
    expect(html).not.toMatch(/<script/i);
    // The only URLs are the SVG/XLink namespace names, which are never fetched.
    const urls = (html.match(/https?:\/\/[^"'\s)]+/g) ?? []).filter((u) => !/^http:\/\/www\.w3\.org\/(2000\/svg|1999\/xlink)$/.test(u));
    expect(urls).toEqual([]);
  });
  test('every chart is inlined as SVG and the strategy name is escaped', () => {
    for (const id of CHART_IDS) expect(html).toContain(`<figure class="chart" id="${id}">\n<svg`);
    expect(html).toContain('<h1>Synthetic &lt;hybrid&gt; &amp; alpha</h1>');
    expect(html).toContain('Shaded by regime');
  });
});

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`render-report browser test skipped: ${CHROMIUM} not found (CI installs chromium)`);
const browserTest = haveChromium ? test : test.skip;

describe('renderReport in headless Chromium', () => {
  browserTest('loads without errors or network and every chart has drawn paths', async () => {
    const { chromium } = await import('playwright-core');
    const dir = mkdtempSync(path.join(tmpdir(), 'report-test-'));
    const file = path.join(dir, 'report.html');
    writeFileSync(file, html);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      const charts = await page.evaluate((ids) => ids.map((id) => {
        const svg = document.querySelector(`#${id} > svg`);
        if (!svg) return { id, found: false, width: 0, height: 0, paths: 0 };
        const box = svg.getBoundingClientRect();
        const paths = [...svg.querySelectorAll('path')].filter((p) => (p.getAttribute('d') ?? '').length > 10).length;
        return { id, found: true, width: box.width, height: box.height, paths };
      }), CHART_IDS);
      expect(errors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
      for (const c of charts) {
        expect(c).toMatchObject({ id: c.id, found: true });
        expect(c.width).toBeGreaterThan(0);
        expect(c.height).toBeGreaterThan(0);
        expect(c.paths).toBeGreaterThan(0);
      }
      // Regime shading: the equity chart holds one translucent area per regime span.
      const spans = input.pnl.regime.filter((r, t) => r !== '' && r !== input.pnl.regime[t - 1]).length;
      const shaded = await page.evaluate(() => [...document.querySelectorAll('#chart-equity svg polygon[fill-opacity], #chart-equity svg path[fill-opacity]')]
        .filter((p) => Number(p.getAttribute('fill-opacity')) > 0 && Number(p.getAttribute('fill-opacity')) < 0.5).length);
      expect(spans).toBeGreaterThan(2);
      expect(shaded).toBe(spans);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
