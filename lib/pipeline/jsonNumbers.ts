/** Replace non-finite numbers (undefined metrics) by null, recursively, for JSON artifacts. */
export function finiteOrNull<T>(value: T): T {
  if (typeof value === 'number') return (Number.isFinite(value) ? value : null) as T;
  if (Array.isArray(value)) return value.map(finiteOrNull) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, finiteOrNull(v)])) as T;
  }
  return value;
}

/** The inverse for reading: null metrics back to NaN. */
export function nullToNaN<T>(value: T): T {
  if (value === null) return NaN as T;
  if (Array.isArray(value)) return value.map(nullToNaN) as T;
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, nullToNaN(v)])) as T;
  return value;
}
