// Sizes of stores, for people and settings (no imports: lib/dag/store/settings.ts is in every
// task's code closure through the pipeline's settings schema).

/** `500M`, `2G`, `1.5GB`, `1024` (bytes); K, M, G, T are powers of 1024. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$/i.exec(text.trim());
  if (!m) throw new Error(`'${text}' is not a size such as 500M or 2G`);
  return Math.floor(Number(m[1]) * 1024 ** ' KMGT'.indexOf((m[2] || ' ').toUpperCase()));
}

/** A byte count for people: 1.2 MB. */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
