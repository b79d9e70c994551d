/**
 * JSON with object keys sorted at every level, so equal values always give equal bytes
 * (artifacts are content-hashed). Non-finite numbers are refused rather than silently
 * turned into null as JSON.stringify would.
 */
export function canonicalJson(value: unknown, indent = 2): string {
  return JSON.stringify(sortKeys(value, '$'), null, indent) + '\n';
}

function sortKeys(value: unknown, path: string): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Error(`canonicalJson: non-finite number ${value} at ${path}`);
  }
  if (Array.isArray(value)) return value.map((v, i) => sortKeys(v, `${path}[${i}]`));
  if (ArrayBuffer.isView(value)) return Array.from(value as Float64Array, (v, i) => sortKeys(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v, `${path}.${key}`);
    }
    return out;
  }
  return value;
}
