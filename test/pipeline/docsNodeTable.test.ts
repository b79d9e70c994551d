/**
 * docs/pipeline.md's node table names every node's params: they are what makes a node stale, so
 * the table must say what pipeline.dag.yaml declares, no more and no less.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const dag = parse(readFileSync('pipeline.dag.yaml', 'utf8')) as { nodes: { id: string; params?: string[] }[] };
const doc = readFileSync('docs/pipeline.md', 'utf8');

/** The table's rows: node id -> the back-quoted names of its last cell (the params). */
function documentedParams(): Map<string, string[]> {
  const header = doc.indexOf('| Node | Per ticker | Inputs | Outputs | Params');
  if (header < 0) throw new Error('docs/pipeline.md: no node table');
  const rows = new Map<string, string[]>();
  for (const line of doc.slice(header).split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1);
    const id = /`(\w+)`/.exec(cells[0]!)![1]!;
    rows.set(id, [...cells.at(-1)!.matchAll(/`([\w.]+)`/g)].map((m) => m[1]!).sort());
  }
  return rows;
}

describe('docs/pipeline.md node table', () => {
  const rows = documentedParams();
  test('has a row for every node', () => {
    expect([...rows.keys()].sort()).toEqual(dag.nodes.map((n) => n.id).sort());
  });
  test.each(dag.nodes.map((n) => [n.id, n] as const))('%s: the params the DAG file declares', (_, node) => {
    expect(rows.get(node.id)).toEqual([...(node.params ?? [])].sort());
  });
});
