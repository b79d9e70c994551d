import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface ReportLink {
  /** Path under the artifacts folder, '/'-separated (the URL is /artifacts/<path>). */
  path: string;
  bytes: number;
  modified: string;
}

/**
 * Every HTML file under the artifacts folder (a strategy's tearsheet, a sweep's comparison
 * report, whatever a task writes as HTML), hidden folders excepted, sorted by path.
 */
export function listReports(artifactsDir: string): ReportLink[] {
  if (!existsSync(artifactsDir)) return [];
  const out: ReportLink[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const abs = join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else if (e.isFile() && e.name.endsWith('.html')) {
        const st = statSync(abs);
        out.push({ path: relative(artifactsDir, abs).split(sep).join('/'), bytes: st.size, modified: st.mtime.toISOString() });
      }
    }
  };
  walk(artifactsDir);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
