import { parentPort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { parquet, type TaskSpec } from './context.js';
import { runInProcess } from './executor/local.js';

/** Worker thread: runs task instances posted by the pool, one at a time. */
parentPort!.on('message', async (msg: { id: number; modulePath: string; spec: TaskSpec } | { preload: string[] }) => {
  if ('preload' in msg) {
    // load ahead of use; a module that fails to load fails its task later, with its own message
    await parquet();
    for (const path of msg.preload) await import(pathToFileURL(path).href).catch(() => undefined);
    return;
  }
  // the same context, commit/abort and result as a task in the main thread
  parentPort!.postMessage({ id: msg.id, ...(await runInProcess(msg.modulePath, msg.spec)) });
});
