import { z } from 'zod';
import { canonicalJson } from '../../io/canonicalJson.js';
import { signManifest, signatureMatches } from './signing.js';

const sha = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest');
const fileEntry = z.strictObject({ hash: sha, size: z.number().int().nonnegative() });
/**
 * A path relative to a folder, with `/` between plain parts (any name a POSIX file system allows,
 * as the writer's readdir gives it). A restore or a worker joins it to a folder, so `..`, an
 * absolute path or an empty part would put bytes anywhere. `dirOk`: a directory output's own path
 * ends with `/`.
 */
const plainPath = (rel: string, dirOk = false) => (dirOk && rel.endsWith('/') ? rel.slice(0, -1) : rel).split('/').every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('\0'));
const fileInDirectory = z.string().refine((rel) => plainPath(rel), 'is not a plain relative path inside its folder');
const outputPath = z.string().refine((rel) => plainPath(rel, true), 'is not a plain relative path inside the work folder');

/**
 * What the action cache holds for one instance cache key: each declared output (a file, or a
 * directory output as its files relative to it) with content hashes and sizes, and what the task
 * reported. Output paths are relative to the work folder, so a manifest is valid in any clone.
 */
export const manifestSchema = z.strictObject({
  version: z.literal(1),
  key: sha,
  instance: z.string().min(1),
  /** Milliseconds the task took when it ran. */
  ms: z.number().int().nonnegative(),
  outputs: z.record(outputPath, z.strictObject({
    hash: sha,
    size: z.number().int().nonnegative(),
    files: z.record(fileInDirectory, fileEntry).optional(),
  })),
  report: z.record(z.string(), z.unknown()).optional(),
  signature: z.string().optional(),
});

export type Manifest = z.infer<typeof manifestSchema>;

/**
 * How a manifest's outputs differ from `outputs` (path -> content hash, a directory output's hash
 * covering its files), or undefined when it names exactly those.
 */
export function outputsDiffer(m: Manifest, outputs: Record<string, string>): string | undefined {
  const named = Object.keys(m.outputs).sort();
  if (named.join('\n') !== Object.keys(outputs).sort().join('\n')) return 'other outputs';
  const other = named.find((p) => m.outputs[p]!.hash !== outputs[p]);
  return other === undefined ? undefined : `another ${other}`;
}

/** A blob a manifest needs: its hash, size and the output file it restores (for messages). */
export interface BlobRef {
  hash: string;
  size: number;
  path: string;
}

export function manifestBlobs(m: Manifest): BlobRef[] {
  const out: BlobRef[] = [];
  for (const [path, o] of Object.entries(m.outputs)) {
    if (!o.files) out.push({ hash: o.hash, size: o.size, path });
    else for (const [rel, f] of Object.entries(o.files)) out.push({ hash: f.hash, size: f.size, path: path + rel });
  }
  return out;
}

/** Canonical bytes of a manifest, signed when a key is given. */
export function encodeManifest(m: Omit<Manifest, 'signature'>, signingKey?: string): Uint8Array {
  const body = { ...m, signature: undefined };
  return Buffer.from(canonicalJson(signingKey ? { ...body, signature: signManifest(body, signingKey) } : body, 0));
}

/**
 * Parse a manifest read from a store. Anything wrong (not JSON, wrong shape, another key, a
 * missing or wrong signature while a signing key is set) is a reason string, never an exception:
 * the caller warns and recomputes.
 */
export function decodeManifest(bytes: Uint8Array, key: string, signingKey?: string): Manifest | string {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return 'manifest is not JSON';
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) return `manifest is malformed: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`;
  const m = parsed.data;
  if (m.key !== key) return `manifest is for another key (${m.key.slice(0, 12)})`;
  if (signingKey) {
    if (!m.signature) return 'manifest is not signed (DAG_CACHE_SIGNING_KEY is set)';
    if (!signatureMatches({ ...m, signature: undefined }, m.signature, signingKey)) return 'manifest signature does not match (DAG_CACHE_SIGNING_KEY)';
  }
  return m;
}
