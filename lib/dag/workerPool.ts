import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { TaskSpec } from './context.js';
import type { ExecResult } from './executor/executor.js';

/** A task's outcome in a worker thread: the executor's result, less the remote worker's name. */
type Result = Omit<ExecResult, 'worker'>;

interface Slot {
  worker: Worker;
  busy: boolean;
  lane: number;
}

/**
 * A fixed set of worker threads so CPU-heavy task bodies use every core while the main thread
 * keeps scheduling. Workers start lazily: a run with nothing to execute starts none.
 */
export class WorkerPool {
  private slots: Slot[] = [];
  private waiting: ((slot: Slot) => void)[] = [];
  private nextId = 0;

  constructor(private size: number) {}

  /** Allow up to `size` workers (a pool started before the work was known may need another size). */
  resize(size: number): void {
    this.size = size;
  }

  private spawn(): Slot {
    const worker = new Worker(fileURLToPath(new URL('./worker.js', import.meta.url)));
    worker.unref();
    // a crashed worker's replacement takes over its lane
    let lane = 0;
    while (this.slots.some((s) => s.lane === lane)) lane++;
    const slot = { worker, busy: false, lane };
    this.slots.push(slot);
    return slot;
  }

  /**
   * Start every worker now and have each load these task modules in the background, for a
   * caller that knows tasks are coming (a worker's first task otherwise pays for compiling its
   * module, on the critical path).
   */
  warm(modulePaths: string[]): void {
    while (this.slots.length < this.size) this.spawn();
    for (const slot of this.slots) slot.worker.postMessage({ preload: modulePaths });
  }

  /** A slot, marked busy before anyone else can see it free (callers race between awaits). */
  private acquire(): Promise<Slot> {
    const free = this.slots.find((s) => !s.busy) ?? (this.slots.length < this.size ? this.spawn() : undefined);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((res) => this.waiting.push(res));
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot); // handed over still busy
    else slot.busy = false;
  }

  async run(modulePath: string, spec: TaskSpec): Promise<Result> {
    const slot = await this.acquire();
    const id = this.nextId++;
    try {
      return await new Promise<Result>((resolve) => {
        const onMessage = (msg: Result & { id: number }) => {
          if (msg.id !== id) return;
          cleanup();
          resolve({ ...msg, lane: slot.lane });
        };
        const onError = (err: Error) => {
          cleanup();
          // a crashed worker is replaced; its task fails with the crash message
          this.slots = this.slots.filter((s) => s !== slot);
          slot.worker.terminate().catch(() => undefined);
          resolve({ ok: false, logs: [], error: `worker crashed: ${err.message}`, stack: err.stack, lane: slot.lane });
        };
        const cleanup = () => {
          slot.worker.off('message', onMessage);
          slot.worker.off('error', onError);
        };
        slot.worker.on('message', onMessage);
        slot.worker.on('error', onError);
        slot.worker.postMessage({ id, modulePath, spec });
      });
    } finally {
      if (this.slots.includes(slot)) this.release(slot);
      else {
        const next = this.waiting.shift();
        if (next) {
          const fresh = this.spawn();
          fresh.busy = true;
          next(fresh);
        }
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }
}
