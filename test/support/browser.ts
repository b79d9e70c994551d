import { expect } from '@jest/globals';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

/** Headless flags for Debian's Chromium; playwright gives every launch a fresh temporary profile (user data dir). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const REPORT_CHART_IDS = [
  'chart-equity', 'chart-drawdown', 'chart-monthly', 'chart-rolling-sharpe', 'chart-exposure',
  'chart-pnl-ticker', 'chart-pnl-component', 'chart-pnl-regime',
];

export interface ReportPage {
  errors: string[];
  requests: string[];
  charts: { id: string; found: boolean; width: number; height: number; paths: number }[];
  text: string;
  /** Translucent areas on the equity chart (regime shading). */
  shadedAreas: number;
}

/** Open a report in headless Chromium (Debian's package) and collect what a reader would see. */
export async function inspectReport(file: string, chartIds: string[] = REPORT_CHART_IDS): Promise<ReportPage> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
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
    }), chartIds);
    const text = await page.evaluate(() => document.body.innerText);
    const shadedAreas = await page.evaluate(() => [...document.querySelectorAll('#chart-equity svg polygon[fill-opacity], #chart-equity svg path[fill-opacity]')]
      .filter((p) => Number(p.getAttribute('fill-opacity')) > 0 && Number(p.getAttribute('fill-opacity')) < 0.5).length);
    return { errors, requests, charts, text, shadedAreas };
  } finally {
    await browser.close();
  }
}

/** The page raised no error, fetched nothing but itself, and every chart is an SVG with drawn paths. */
export function expectCleanAndDrawn(page: ReportPage, file: string): void {
  expect(page.errors).toEqual([]);
  expect(page.requests).toEqual([pathToFileURL(file).href]);
  for (const c of page.charts) {
    expect(c).toMatchObject({ id: c.id, found: true });
    expect(c.width).toBeGreaterThan(0);
    expect(c.height).toBeGreaterThan(0);
    expect(c.paths).toBeGreaterThan(0);
  }
}
