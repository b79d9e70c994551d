import { describe, expect, test } from '@jest/globals';
import { decodeManifest } from '../../lib/dag/store/manifest.js';

const h = 'a'.repeat(64);
const withFile = (rel: string) => Buffer.from(JSON.stringify({
  version: 1, key: h, instance: 'registry', ms: 1,
  outputs: { 'artifacts/models/ml/': { hash: h, size: 1, files: { [rel]: { hash: h, size: 1 } } } },
}));

describe('a manifest from a store names files inside their directory output only', () => {
  test.each(['models.json', 'folds/h1@2015-01-02.onnx'])('%s is a file of the folder', (rel) => {
    expect(typeof decodeManifest(withFile(rel), h)).toBe('object');
  });
  // a restore joins the name to the folder: these would write outside it (or nowhere sensible)
  test.each(['../../../data/my_notes.txt', 'a/../../x', '/etc/passwd', 'a//b', './a', 'a\\b', ''])('%j is refused, so the entry is ignored and recomputed', (rel) => {
    expect(decodeManifest(withFile(rel), h)).toMatch(/^manifest is malformed: outputs\.artifacts\/models\/ml\/\.files\./);
  });
});
