import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * Who is connected, kept in Redis beside BullMQ's keys: each worker and each running coordinator
 * refreshes a key with a TTL, so one that dies disappears by itself. Workers and coordinators
 * compare their code through it (a worker only listens on its own code's queue, so this is how
 * either side can say which file differs).
 */
export const HEARTBEAT_MS = 2000;
const TTL_SECONDS = 6;

const codeShape = { fingerprint: z.string(), engine: z.string(), code: z.record(z.string(), z.string()) };

export const workerInfoSchema = z.strictObject({
  id: z.string(),
  host: z.string(),
  pid: z.number(),
  commit: z.string(),
  queue: z.string(),
  concurrency: z.number(),
  active: z.number(),
  done: z.number(),
  failed: z.number(),
  started: z.string(),
  ...codeShape,
});
export type WorkerInfo = z.infer<typeof workerInfoSchema>;

export const runInfoSchema = z.strictObject({ run: z.string(), host: z.string(), pid: z.number(), started: z.string(), ...codeShape });
export type RunInfo = z.infer<typeof runInfoSchema>;

const workerKey = (id: string) => `dag:worker:${id}`;
const runKey = (run: string) => `dag:run:${run}`;
const refusalKey = (run: string) => `dag:refusals:${run}`;

export async function announceWorker(client: Redis, info: WorkerInfo): Promise<void> {
  await client.set(workerKey(info.id), JSON.stringify(info), 'EX', TTL_SECONDS);
}

export async function retireWorker(client: Redis, id: string): Promise<void> {
  await client.del(workerKey(id));
}

export async function announceRun(client: Redis, info: RunInfo): Promise<void> {
  await client.set(runKey(info.run), JSON.stringify(info), 'EX', TTL_SECONDS);
}

export async function retireRun(client: Redis, run: string): Promise<void> {
  await client.del(runKey(run), refusalKey(run));
}

export const listWorkers = (client: Redis) => listJson(client, 'dag:worker:*', workerInfoSchema);
export const listRuns = (client: Redis) => listJson(client, 'dag:run:*', runInfoSchema);

/** A worker says why it will not run a coordinator's jobs (the coordinator logs it). */
export async function refuse(client: Redis, run: string, worker: string, why: string): Promise<void> {
  await client.multi().hset(refusalKey(run), worker, why).expire(refusalKey(run), 60).exec();
}

export async function refusals(client: Redis, run: string): Promise<Record<string, string>> {
  return client.hgetall(refusalKey(run));
}

/** Entries that do not parse (another tool's keys, an older dag) are left out. */
async function listJson<T>(client: Redis, pattern: string, schema: z.ZodType<T>): Promise<T[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 200);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const out: T[] = [];
  for (const raw of await client.mget(keys.sort())) {
    if (raw === null) continue;
    try {
      const parsed = schema.safeParse(JSON.parse(raw));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // not JSON: not ours
    }
  }
  return out;
}
