import { describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeGraph } from '../../lib/dag/codeGraph.js';

describe('code closure of a task', () => {
  test('follows relative imports and the files a module loads by new URL(..., import.meta.url), not folders', () => {
    const root = mkdtempSync(join(tmpdir(), 'dag-codegraph-'));
    mkdirSync(join(root, 'lib/wasm'), { recursive: true });
    mkdirSync(join(root, 'lib/page'));
    writeFileSync(join(root, 'task.ts'), "import { k } from './lib/kernels.js';\nexport default k;\n");
    writeFileSync(
      join(root, 'lib/kernels.ts'),
      "import { readFileSync } from 'node:fs';\nimport { h } from './helper.js';\n" +
        "export const k = readFileSync(new URL('./wasm/k.wasm', import.meta.url));\nexport const page = new URL('./page/', import.meta.url);\n",
    );
    writeFileSync(join(root, 'lib/helper.ts'), 'export const h = 1;\n');
    // A binary asset is a leaf: its bytes are hashed, never parsed for imports.
    writeFileSync(join(root, 'lib/wasm/k.wasm'), "\0asm import x from './nothing.js'");
    expect(new CodeGraph(root).closure('task.ts')).toEqual(['lib/helper.ts', 'lib/kernels.ts', 'lib/wasm/k.wasm', 'task.ts']);
  });
});
