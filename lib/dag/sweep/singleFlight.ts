import type { CacheTarget, RunCache } from '../store/runCache.js';
import type { IngestInput } from '../store/ingest.js';

interface Flight {
  owner: number;
  done: Promise<void>;
  settle: () => void;
}

/**
 * One computation per cache key across the runs of a sweep that go on at the same time. Keys
 * that only turn out equal at run time (two variants whose positions come out byte-identical
 * feed the backtest the same input) cannot be found by signatures beforehand: here the first
 * run to miss a key in the store owns it, and the others wait for it to be stored, then restore
 * it. A key is released when it is stored, when its instance fails, or when its run ends.
 */
export class KeyFlights {
  private readonly flights = new Map<string, Flight>();

  /** The store as run `owner` sees it. */
  view(cache: RunCache, owner: number): RunCache {
    const view = Object.create(cache) as RunCache;
    view.restore = async (t: CacheTarget, key: string) => {
      for (;;) {
        const before = this.flights.get(key);
        if (before && before.owner !== owner) {
          await before.done;
          continue;
        }
        const hit = await cache.restore(t, key);
        if (hit) return hit;
        const after = this.flights.get(key);
        if (after && after.owner !== owner) {
          await after.done;
          continue;
        }
        if (!after) this.claim(key, owner);
        return hit;
      }
    };
    view.save = async (t: CacheTarget, entry: IngestInput) => {
      try {
        await cache.save(t, entry);
      } finally {
        this.settle(entry.key);
      }
    };
    return view;
  }

  private claim(key: string, owner: number): void {
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    this.flights.set(key, { owner, done, settle });
  }

  /** The key's owner stored it or gave up: its waiters look in the store again. */
  settle(key: string): void {
    const f = this.flights.get(key);
    if (!f) return;
    this.flights.delete(key);
    f.settle();
  }

  /** A run ended: whatever it still owned is released. */
  releaseAll(owner: number): void {
    for (const [key, f] of [...this.flights]) if (f.owner === owner) this.settle(key);
  }
}
