import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const IMPORT_RE =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]|new\s+URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g;
/** Files whose own imports are followed (other files a module reads, such as .wasm, are leaves). */
const MODULE_RE = /\.[cm]?[jt]s$/;

/**
 * Project-local source files a module depends on, transitively (itself included), as paths
 * relative to the project root, sorted. Only relative specifiers are followed: packages are
 * covered by the engine version in the cache key. A `./x.js` specifier is mapped back to its
 * `./x.ts` source when that exists (TypeScript's ESM convention). A file a module loads by
 * `new URL('./file', import.meta.url)` counts too (the GBDT trainer's compiled kernels.wasm:
 * a new kernel must make training stale); folders named that way do not.
 */
export class CodeGraph {
  private deps = new Map<string, string[]>();

  constructor(private readonly root: string) {}

  closure(entry: string): string[] {
    const seen = new Set<string>();
    const stack = [resolve(this.root, entry)];
    while (stack.length) {
      const file = stack.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      stack.push(...this.directDeps(file));
    }
    return [...seen].map((f) => relative(this.root, f)).sort();
  }

  private directDeps(file: string): string[] {
    let cached = this.deps.get(file);
    if (cached) return cached;
    cached = [];
    this.deps.set(file, cached);
    if (!MODULE_RE.test(file)) return cached;
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
      if (!spec || !spec.startsWith('.')) continue;
      const target = resolveSource(resolve(dirname(file), spec));
      if (target) cached.push(target);
    }
    return cached;
  }
}

function resolveSource(path: string): string | null {
  const candidates = path.endsWith('.js')
    ? [path.slice(0, -3) + '.ts', path]
    : path.endsWith('.mjs') ? [path.slice(0, -4) + '.mts', path] : [path, `${path}.ts`, `${path}.js`];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}
