import { canonicalJson } from '../../io/canonicalJson.js';
import { sha256 } from '../hashMemo.js';
import { UserError } from '../errors.js';

/** One variant's changes to the settings: dotted key path -> value. */
export type Overlay = Record<string, unknown>;

/** Stable id of a variant: a short hash of its canonical overlay (so adding values keeps old ids). */
export function variantId(overlay: Overlay): string {
  return sha256(canonicalJson(overlay, 0)).slice(0, 10);
}

/** `key=value, ...` for messages and tables. */
export function describeOverlay(overlay: Overlay): string {
  return Object.keys(overlay).sort().map((k) => `${k}=${JSON.stringify(overlay[k])}`).join(', ');
}

/**
 * The raw settings with the overlay written in: each dotted key replaces the value at that path
 * (objects on the way are created; a key path through a non-object value is an error). The
 * input is not modified. Validation is the settings loader's job, afterwards.
 */
export function applyOverlay(raw: unknown, overlay: Overlay, where: string): Record<string, unknown> {
  const out = structuredClone((raw ?? {}) as Record<string, unknown>);
  for (const [path, value] of Object.entries(overlay)) {
    const parts = path.split('.');
    if (parts.some((p) => p === '')) throw new UserError(`${where}: '${path}' is not a key path (empty part)`);
    let cur: Record<string, unknown> = out;
    for (const [i, p] of parts.slice(0, -1).entries()) {
      const next = cur[p];
      if (next === undefined || next === null) cur[p] = {};
      else if (typeof next !== 'object' || Array.isArray(next)) {
        throw new UserError(`${where}: ${parts.slice(0, i + 1).join('.')} is not a group of settings, so ${path} cannot be set`);
      }
      cur = cur[p] as Record<string, unknown>;
    }
    cur[parts[parts.length - 1]] = structuredClone(value);
  }
  return out;
}
