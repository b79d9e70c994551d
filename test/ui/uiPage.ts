import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Page } from 'playwright-core';
import { dagAsync } from '../support/cli.js';

export interface UiProcess {
  child: ReturnType<typeof dagAsync>;
  url: string;
}

/** `dag ui --port 0 --json` in a folder, once it prints where it listens. */
export function startUiProcess(cwd: string, args: string[]): Promise<UiProcess> {
  const child = dagAsync(cwd, ['ui', '--port', '0', '--json', ...args]);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) resolve({ child, url: JSON.parse(line).url });
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`dag ui exited ${code}: ${err}`)));
  });
}

export function stop(child: ChildProcessWithoutNullStreams | ReturnType<typeof dagAsync>): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The graph's nodes as the chart holds them: id, the state it shows, and its label. */
export function graphNodes(page: Page): Promise<{ name: string; state: string; label: string }[]> {
  return page.evaluate(() => {
    const chart = (window as any).dagUi.graph;
    return chart.getOption().series[0].data.map((d: any) => ({ name: d.name, state: d.state, label: d.label.formatter }));
  });
}

/** Click a graph node where the chart drew it, as a user would. */
export async function clickNode(page: Page, id: string): Promise<void> {
  const at = await page.evaluate((nodeId) => {
    const chart = (window as any).dagUi.graph;
    const d = chart.getOption().series[0].data.find((n: any) => n.name === nodeId);
    return chart.convertToPixel({ seriesIndex: 0 }, [d.x, d.y]) as [number, number];
  }, id);
  const box = (await page.locator('#graph').boundingBox())!;
  await page.mouse.click(box.x + at[0], box.y + at[1]);
  await page.waitForFunction((nodeId) => document.querySelector('#detail-title')?.textContent === nodeId, id);
}
