import type { z } from 'zod';
import { nearMiss } from './nearMiss.js';

/**
 * Turn zod issues into lines naming the file, the key path and the problem, with a suggestion
 * for unknown keys that are a near miss of a known one.
 */
export function formatZodIssues(file: string, error: z.ZodError, knownKeysAt: (path: PropertyKey[]) => string[]): string {
  const lines = error.issues.map((issue) => {
    const at = issue.path.map(String).join('.') || '(top level)';
    if (issue.code === 'unrecognized_keys') {
      return issue.keys
        .map((key) => {
          const full = [...issue.path.map(String), key].join('.');
          const hint = nearMiss(key, knownKeysAt(issue.path));
          return `${file}: ${full}: unknown key${hint ? ` (did you mean '${[...issue.path.map(String), hint].join('.')}'?)` : ''}`;
        })
        .join('\n');
    }
    return `${file}: ${at}: ${issue.message}`;
  });
  return lines.join('\n');
}

/** Keys of the zod object schema found by walking `path` from `schema` (empty if not an object). */
export function objectKeysAt(schema: z.ZodType, path: PropertyKey[]): string[] {
  let cur: unknown = schema;
  for (const p of [...path, null]) {
    cur = unwrap(cur);
    const shape = (cur as { shape?: Record<string, unknown> }).shape;
    if (p === null) return shape ? Object.keys(shape) : [];
    if (shape && typeof p === 'string' && p in shape) cur = shape[p];
    else if ((cur as { element?: unknown }).element) cur = (cur as { element: unknown }).element;
    else return [];
  }
  return [];
}

function unwrap(s: unknown): unknown {
  let cur = s as { unwrap?: () => unknown; def?: { innerType?: unknown; in?: unknown } };
  for (let i = 0; i < 10; i++) {
    if (cur?.def?.innerType) cur = cur.def.innerType as typeof cur;
    else if (cur?.def?.in) cur = cur.def.in as typeof cur;
    else break;
  }
  return cur;
}
