import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../../io/canonicalJson.js';

/**
 * HMAC-SHA256 of a manifest's canonical JSON (without its signature): whoever restores from a
 * shared store can tell a manifest written by a holder of the key from one written by anyone
 * else with write access to the bucket.
 */
export function signManifest(body: object, key: string): string {
  return createHmac('sha256', key).update(canonicalJson({ ...body, signature: undefined }, 0)).digest('hex');
}

export function signatureMatches(body: object, signature: string, key: string): boolean {
  const expected = Buffer.from(signManifest(body, key), 'hex');
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
