import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderReport } from '../../lib/report/render-report.js';
import { syntheticReportInput } from './synthetic-backtest.js';
import { CHROMIUM, expectCleanAndDrawn, haveChromium, inspectReport, REPORT_CHART_IDS } from '../support/browser.js';


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
    for (const id of REPORT_CHART_IDS) expect(html).toContain(`<figure class="chart" id="${id}">\n<svg`);
    expect(html).toContain('<h1>Synthetic &lt;hybrid&gt; &amp; alpha</h1>');
    expect(html).toContain('Shaded by regime');
  });
  test('a universe that changed during the window is named under the dates; a fixed one adds nothing', () => {
    expect(html).not.toContain('Entered late');
    expect(html).not.toContain('Left early');
    const base = syntheticReportInput();
    const changed = renderReport({ ...base, summary: { ...base.summary, entered_late: { LATE: '2019-01-02' }, left_early: { GONE: '2019-12-31', 'B&C': '2018-05-01' } } });
    expect(changed).toContain('<p>Entered late: LATE (first bar 2019-01-02). Left early: GONE (last bar 2019-12-31), B&amp;C (last bar 2018-05-01).</p>');
    const late = renderReport({ ...base, summary: { ...base.summary, entered_late: {}, left_early: {}, late: { MSFT: '2020-12-30' } } });
    expect(late).toContain('<p>Late data, held at the last close: MSFT (last bar 2020-12-30).</p>');
  });
});

if (!haveChromium) console.warn(`render-report browser test skipped: ${CHROMIUM} not found (CI installs chromium)`);
const browserTest = haveChromium ? test : test.skip;

describe('renderReport in headless Chromium', () => {
  browserTest('loads without errors or network and every chart has drawn paths', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'report-test-'));
    const file = path.join(dir, 'report.html');
    writeFileSync(file, html);
    try {
      const page = await inspectReport(file);
      expectCleanAndDrawn(page, file);
      // Regime shading: the equity chart holds one translucent area per regime span.
      const spans = input.pnl.regime.filter((r, t) => r !== '' && r !== input.pnl.regime[t - 1]).length;
      expect(spans).toBeGreaterThan(2);
      expect(page.shadedAreas).toBe(spans);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
