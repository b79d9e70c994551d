import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { existsSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { readYamlFile, validateWith } from '../yamlFile.js';
import { UserError } from '../errors.js';
import { createRng } from '../../core/rng.js';
import { describeOverlay, variantId, type Overlay } from './overlay.js';

const keyPath = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'must be a dotted key path such as risk.target_vol');
const sweepName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$/, 'must be letters, digits, _ or - (at most 64)');

const rangeSchema = z.union([
  z.strictObject({ min: z.number(), max: z.number(), integer: z.boolean().default(false) }).refine((r) => r.min <= r.max, 'min must not be above max'),
  z.strictObject({ choices: z.array(z.unknown()).min(1) }),
]);

/** A sweep file, sweeps/<name>.yaml. */
export const sweepFileSchema = z.strictObject({
  name: sweepName.optional(),
  target: z.string().min(1).optional(),
  /** Lists of values per key: every combination is a variant. */
  grid: z.record(keyPath, z.array(z.unknown())).optional(),
  /** Explicit overlays (for values such as a whole table). */
  variants: z.array(z.record(keyPath, z.unknown())).optional(),
  /** n draws over ranges or choices, from a seed. */
  random: z.strictObject({ n: z.number().int().positive(), seed: z.number().int().nonnegative(), params: z.record(keyPath, rangeSchema) }).optional(),
});

export type SweepFile = z.infer<typeof sweepFileSchema>;

export interface Variant {
  id: string;
  overlay: Overlay;
}

export interface SweepDefinition {
  name: string;
  target?: string;
  /** Keys in the order they were declared (columns of the results). */
  keys: string[];
  variants: Variant[];
}

export function readSweepFile(file: string): SweepFile {
  if (!existsSync(file)) throw new UserError(`${file}: sweep file not found`);
  return validateWith(sweepFileSchema, readYamlFile(file), file);
}

/**
 * `--set key=v1,v2,...`: values are YAML scalars or flow collections, split on top-level commas
 * (so `--set features.lookbacks.sma=[10,20],[20,50]` gives two lists).
 */
export function parseSet(arg: string): [string, unknown[]] {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new UserError(`--set '${arg}': expected key=value[,value...]`);
  const key = arg.slice(0, eq);
  const parsedKey = keyPath.safeParse(key);
  if (!parsedKey.success) throw new UserError(`--set '${arg}': '${key}' ${parsedKey.error.issues[0].message}`);
  const text = arg.slice(eq + 1);
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  const values = parts.map((p) => p.trim()).filter((p) => p !== '').map((p) => {
    try {
      return parseYaml(p) as unknown;
    } catch (err) {
      throw new UserError(`--set ${key}: '${p}' is not a value: ${(err as Error).message}`);
    }
  });
  return [key, values];
}

/**
 * The variants of a sweep: the combinations of the grid, times each explicit variant, times each
 * random draw (a section that is absent contributes one empty overlay). A key may appear in only
 * one section; an empty sweep, an empty value list and two variants with the same overlay are
 * errors.
 */
export function expandSweep(def: SweepFile, where: string, fallbackName?: string): SweepDefinition {
  const grid = Object.entries(def.grid ?? {});
  for (const [k, values] of grid) if (values.length === 0) throw new UserError(`${where}: grid key ${k} has no values (empty grid)`);
  if (grid.length === 0 && !def.variants?.length && !def.random) throw new UserError(`${where}: the sweep is empty (no grid values, variants or random draws)`);
  if (def.variants && def.variants.length === 0) throw new UserError(`${where}: variants: is an empty list`);
  const sections: Overlay[][] = [];
  let combos: Overlay[] = [{}];
  for (const [k, values] of grid) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  sections.push(combos);
  if (def.variants) {
    def.variants.forEach((v, i) => {
      if (Object.keys(v).length === 0) throw new UserError(`${where}: variants[${i}] sets nothing`);
    });
    sections.push(def.variants);
  }
  if (def.random) sections.push(randomDraws(def.random));
  const keys: string[] = [];
  const owner = new Map<string, number>();
  sections.forEach((overlays, s) => {
    for (const o of overlays) {
      for (const k of Object.keys(o)) {
        if (owner.has(k) && owner.get(k) !== s) throw new UserError(`${where}: key ${k} is set in more than one of grid, variants and random`);
        if (!owner.has(k)) keys.push(k);
        owner.set(k, s);
      }
    }
  });
  let overlays: Overlay[] = [{}];
  for (const section of sections) overlays = overlays.flatMap((a) => section.map((b) => ({ ...a, ...b })));
  const seen = new Map<string, number>();
  const variants = overlays.map((overlay, i) => {
    const id = variantId(overlay);
    const before = seen.get(id);
    if (before !== undefined) throw new UserError(`${where}: variants ${before + 1} and ${i + 1} have the same overlay (${describeOverlay(overlay)})`);
    seen.set(id, i);
    return { id, overlay };
  });
  const name = def.name ?? fallbackName ?? `sweep-${variantId({ variants: variants.map((v) => v.id).sort() }).slice(0, 8)}`;
  return { name, target: def.target, keys, variants };
}

function randomDraws(random: NonNullable<SweepFile['random']>): Overlay[] {
  const rng = createRng(random.seed);
  const keys = Object.keys(random.params).sort();
  return Array.from({ length: random.n }, () => {
    const o: Overlay = {};
    for (const k of keys) {
      const r = random.params[k];
      if ('choices' in r) o[k] = r.choices[rng.int(r.choices.length)];
      else if (r.integer) o[k] = Math.ceil(r.min) + rng.int(Math.floor(r.max) - Math.ceil(r.min) + 1);
      else o[k] = r.min + rng.next() * (r.max - r.min);
    }
    return o;
  });
}

/** The sweep a command line describes: a sweep file, `--set` grid keys, or both. */
export function sweepFromCommandLine(opts: { file?: string; set?: string[]; name?: string }): SweepDefinition {
  const file = opts.file ? readSweepFile(opts.file) : {};
  const grid: Record<string, unknown[]> = { ...(file.grid ?? {}) };
  for (const arg of opts.set ?? []) {
    const [k, values] = parseSet(arg);
    if (k in grid) throw new UserError(`--set ${k}: the key is already swept${opts.file ? ` in ${opts.file}` : ''}`);
    grid[k] = values;
  }
  if (opts.name !== undefined) {
    const n = sweepName.safeParse(opts.name);
    if (!n.success) throw new UserError(`--name '${opts.name}' ${n.error.issues[0].message}`);
  }
  const where = opts.file ?? 'dag sweep';
  const hasGrid = Object.keys(grid).length > 0;
  return expandSweep({ ...file, ...(hasGrid ? { grid } : {}), ...(opts.name ? { name: opts.name } : {}) }, where, opts.file ? basename(opts.file, extname(opts.file)) : undefined);
}
