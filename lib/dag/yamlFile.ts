import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { UserError } from './errors.js';
import { fsErrorMessage, isFsError, namingPath } from './errorText.js';
import { formatZodIssues, objectKeysAt } from './zodIssues.js';

/** YAML text parsed, or an error naming the file. */
export function parseYamlText(text: string, file: string): unknown {
  try {
    return parseYaml(text);
  } catch (err) {
    throw new UserError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
}

/** A YAML file the user names (DAG file, settings): one that cannot be read is a usage error (exit 2). */
export function readYamlFile(file: string): unknown {
  let text: string;
  try {
    text = namingPath(file, () => readFileSync(file, 'utf8'));
  } catch (err) {
    if (isFsError(err)) throw new UserError(fsErrorMessage(err));
    throw err;
  }
  return parseYamlText(text, file);
}

/**
 * Validate with a zod schema; problems name the file, the key path and, for an unknown key, a
 * near-miss known key (found with `knownKeysAt`, by default by walking the schema).
 */
export function validateWith<T extends z.ZodType>(
  schema: T,
  raw: unknown,
  file: string,
  knownKeysAt: (path: PropertyKey[]) => string[] = (path) => objectKeysAt(schema, path),
): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new UserError(formatZodIssues(file, parsed.error, knownKeysAt));
  return parsed.data;
}
