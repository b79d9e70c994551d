import { UserError } from './errors.js';

/** Value at a dotted key path (`a.b.c`), or undefined. */
export function getKey(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !(part in (cur as object))) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function hasTickerPlaceholder(template: string): boolean {
  return template.includes('{ticker}');
}

/** Set a value at a dotted key path, creating the objects on the way. */
export function setKey(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
  cur[parts[parts.length - 1]] = value;
}

/** The given config keys only, at their paths (what a node may see of the config). */
export function pickKeys(config: unknown, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = getKey(config, key);
    if (v !== undefined) setKey(out, key, v);
  }
  return out;
}

/**
 * Fill `{ticker}`, `{item}` (the key of a list fan-out's element) and `{config.key.path}`
 * placeholders. A placeholder naming a missing or non-scalar key is an error (a silent empty
 * string would point a task at the wrong file).
 */
export function fillTemplate(template: string, config: unknown, ticker: string | undefined, where: string, item?: string): string {
  return template.replace(/\{([A-Za-z0-9_.]+)\}/g, (_, key: string) => {
    if (key === 'ticker') {
      if (ticker === undefined) throw new UserError(`${where}: '{ticker}' used where there is no ticker`);
      return ticker;
    }
    if (key === 'item') {
      if (item === undefined) throw new UserError(`${where}: '{item}' used in a node without a list fan-out`);
      return item;
    }
    const v = getKey(config, key);
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw new UserError(`${where}: template '${template}' names config key '${key}', which is not set to a string or number`);
    }
    // a config value may itself hold placeholders (e.g. paths.raw = "{paths.data_root}/raw/...")
    return String(v).includes('{') ? fillTemplate(String(v), config, ticker, where) : String(v);
  });
}

/** Fill every config placeholder, leaving `{ticker}` and `{item}` for the fan-out expansion. */
export function expandConfigKeys(template: string, config: unknown, where: string): string {
  return template.replace(/\{([A-Za-z0-9_.]+)\}/g, (whole, key: string) => {
    if (key === 'ticker' || key === 'item') return whole;
    const v = getKey(config, key);
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw new UserError(`${where}: template '${template}' names config key '${key}', which is not set to a string or number`);
    }
    return expandConfigKeys(String(v), config, where);
  });
}
