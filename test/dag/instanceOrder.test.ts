import { describe, expect, test } from '@jest/globals';
import { DirectedGraph } from 'graphology';
import { hasCycle, topologicalSort } from 'graphology-dag';
import { instanceOrder } from '../../lib/dag/instanceOrder.js';
import { mulberry32 } from '../support/random.js';

/** A random dependency list over n ids: each id depends on some earlier ids, in a shuffled declaration order. */
function randomDeps(n: number, seed: number, cycle = false): Map<string, string[]> {
  const rand = mulberry32(seed);
  const ids = Array.from({ length: n }, (_, i) => `n${i}`);
  const deps = new Map<string, string[]>();
  for (let i = 0; i < n; i++) {
    const d = new Set<string>();
    for (let k = 0; k < 3; k++) if (i > 0 && rand() < 0.7) d.add(ids[Math.floor(rand() * i)]);
    deps.set(ids[i], [...d]);
  }
  if (cycle) {
    deps.get(ids[1])!.push(ids[2]);
    deps.get(ids[2])!.push(ids[1]);
  }
  // declaration order need not be topological
  const shuffled = [...ids].sort(() => rand() - 0.5);
  return new Map(shuffled.map((id) => [id, deps.get(id)!]));
}

function graphologyOrder(deps: Map<string, string[]>): string[] | null {
  const g = new DirectedGraph();
  for (const id of deps.keys()) g.addNode(id);
  for (const [id, ds] of deps) for (const d of ds) g.mergeEdge(d, id);
  return hasCycle(g) ? null : topologicalSort(g);
}

describe('instance order', () => {
  test('the same order as graphology-dag on random DAGs', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const deps = randomDeps(200, seed);
      const order = instanceOrder(deps.keys(), (id) => deps.get(id)!);
      expect(order).toEqual(graphologyOrder(deps));
      // and it is a topological order
      const at = new Map(order!.map((id, i) => [id, i]));
      for (const [id, ds] of deps) for (const d of ds) expect(at.get(d)!).toBeLessThan(at.get(id)!);
    }
  });

  test('a cycle gives null, as graphology-dag finds one', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const deps = randomDeps(50, seed, true);
      expect(graphologyOrder(deps)).toBeNull();
      expect(instanceOrder(deps.keys(), (id) => deps.get(id)!)).toBeNull();
    }
  });
});
