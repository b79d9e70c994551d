import { InvalidArgumentError, type Command } from 'commander';
import type { Project } from '../project.js';
import { targetNodes } from '../project.js';
import { selectInstances } from '../plan.js';
import { assess } from '../assess.js';
import { NOT_IN_A_STORE, runPlan } from '../runner.js';
import { createLogger, closeLogger } from '../log.js';
import { createProgress } from '../progress.js';
import { acquireRunLock } from '../runLock.js';
import { UserError } from '../errors.js';
import { resolveCacheConfig } from './settings.js';
import { RemoteRequiredError, RunCache } from './runCache.js';
import { ingestOutputs } from './ingest.js';
import { readLastRun } from './lastRun.js';
import { formatBytes, parseSize } from './size.js';
import { gcForCheckout } from './gcCheckout.js';
import { outcomeId } from '../instanceId.js';

interface Opts {
  dag?: string;
  config?: string;
  workdir?: string;
  json?: boolean;
  overwrite?: boolean;
}

export interface CacheCommandDeps {
  open: (opts: Opts) => Promise<Project>;
  addCommon: (cmd: Command) => Command;
}

function idsOf(project: Project, target: string | undefined): string[] {
  const nodes = target ? targetNodes(project, target) : [...new Set([...project.plan.instances.values()].map((i) => i.node.id))];
  return selectInstances(project.plan, nodes);
}

async function openWithRemote(project: Project, logger: ReturnType<typeof createLogger>, command: string): Promise<RunCache> {
  const cfg = { ...resolveCacheConfig(project.config, project.configFile, project.stateDir, { requireRemote: true }), remoteNeededBy: `${command} needs it` };
  if (!cfg.remote) throw new UserError(`${project.configFile}: cache.remote is not set (file:///path or s3://bucket/prefix)`);
  return RunCache.open(cfg, logger);
}

/** `dag cache push|pull|status|gc`, registered by the CLI. */
export function registerCacheCommands(program: Command, deps: CacheCommandDeps): void {
  const cache = program.command('cache').description('The content-addressed cache: local store, remote store, garbage collection.');

  deps.addCommon(cache.command('push [target]'))
    .description('Upload the outputs of every fresh instance of the target (default: all) to cache.remote.')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (target: string | undefined, opts: Opts) => {
      const project = await deps.open(opts);
      const logger = createLogger({ quiet: Boolean(opts.json) });
      const store = await openWithRemote(project, logger, 'dag cache push');
      const ids = idsOf(project, target);
      const progress = createProgress(ids.length, !opts.json);
      const result = { remote: store.remoteUrl, entries: 0, written: 0, blobs: 0, bytes: 0, notFresh: [] as string[], failed: [] as string[] };
      try {
        for (const id of ids) {
          const inst = project.plan.instances.get(id)!;
          const rec = project.state.records.get(id);
          progress.tick(id);
          if (!rec || rec.status !== 'ok' || assess(project, inst).state !== 'fresh') {
            result.notFresh.push(id);
            continue;
          }
          // results made before the store existed (or with --no-cache) enter it now
          if (!store.local.hasManifestSync(rec.key)) ingestOutputs(store.local, { key: rec.key, instance: id, outputs: rec.outputs, ms: rec.ms }, project.abs, project.memo, store.cfg.signingKey);
          const pushed = await store.upload(id, rec.key, { outputs: rec.outputs, abs: project.abs }, true).catch((err: unknown) => {
            throw err instanceof RemoteRequiredError ? new UserError(err.message, 1) : err;
          });
          // one entry that cannot go (its warning says why) does not keep the others back
          if (!pushed) {
            result.failed.push(id);
            continue;
          }
          result.entries++;
          result.blobs += pushed.blobs;
          result.bytes += pushed.bytes;
          if (pushed.wrote) result.written++;
          if (!opts.json && !process.stderr.isTTY) logger.info(`pushed ${id}: ${pushed.blobs} blob(s), ${formatBytes(pushed.bytes)}${pushed.wrote ? '' : ' (entry was there)'}`);
        }
      } finally {
        progress.stop();
        store.close();
        project.memo.save();
        await closeLogger(logger);
      }
      if (opts.json) process.stdout.write(JSON.stringify(result) + '\n');
      else process.stdout.write(`pushed ${result.entries} entries to ${result.remote}: ${result.written} new, ${result.blobs} blobs uploaded (${formatBytes(result.bytes)})${result.notFresh.length ? `; ${result.notFresh.length} instances not fresh, not pushed` : ''}\n`);
      if (result.failed.length) throw new UserError(`could not push ${result.failed.length} instance(s): ${result.failed.join(', ')} (see the warnings above)`, 1);
    });

  deps.addCommon(cache.command('pull [target]'))
    .description('Restore every stale instance of the target (default: all) from the local store or cache.remote; run nothing.')
    .option('--overwrite', 'let a restore replace output files dag has no record of writing (your edits, or files from a lost state folder)')
    .option('--json', 'print the run summary and byte counts as JSON on stdout')
    .action(async (target: string | undefined, opts: Opts) => {
      const project = await deps.open(opts);
      const logger = createLogger({ quiet: Boolean(opts.json) });
      const store = await openWithRemote(project, logger, 'dag cache pull');
      let summary;
      try {
        summary = await runPlan(project, { target: target ?? 'all', ids: idsOf(project, target), logger, progress: !opts.json, command: `dag cache pull ${target ?? ''}`.trim(), cache: store, restoreOnly: true, keepGoing: true, overwrite: Boolean(opts.overwrite) });
      } finally {
        store.close();
        await closeLogger(logger);
      }
      // in no store (or downstream of one that is: its key depends on outputs nobody has), as
      // opposed to not restored because something upstream failed (a refusal to replace a file)
      const missingSet = new Set<string>();
      let upstream = 0;
      for (const i of summary.instances.filter((x) => x.action === 'blocked')) {
        const up = i.reasons.find((r) => r.startsWith('upstream failed: '))?.slice('upstream failed: '.length);
        if (i.reasons.includes(NOT_IN_A_STORE) || (up !== undefined && missingSet.has(up))) missingSet.add(outcomeId(i));
        else upstream++;
      }
      const missing = [...missingSet];
      const failed = summary.instances.filter((i) => i.action === 'failed');
      const result = { remote: store.remoteUrl, restored: summary.restored, fresh: summary.skipped, notInCache: missing, notRestored: upstream, failed: failed.length, bytesDownloaded: store.stats.bytesDownloaded, bytesRestored: store.stats.bytesRestored };
      if (opts.json) process.stdout.write(JSON.stringify(result) + '\n');
      else {
        process.stdout.write(`pulled from ${result.remote}: restored ${result.restored} (${formatBytes(result.bytesDownloaded)} downloaded, ${formatBytes(result.bytesRestored)} restored), already fresh ${result.fresh}, not in any store ${missing.length}${upstream ? `, not restored after a failure upstream ${upstream}` : ''}\n`);
        for (const f of failed) process.stdout.write(`  FAILED ${outcomeId(f)}: ${f.reasons.join('; ')}\n`);
      }
      if (failed.length) process.exitCode = 1;
    });

  deps.addCommon(cache.command('status'))
    .description('Local store size and entries, the remote, and the hit rate of the last run.')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (opts: Opts) => {
      const project = await deps.open(opts);
      const cfg = resolveCacheConfig(project.config, project.configFile, project.stateDir);
      const store = await RunCache.open({ ...cfg, remote: undefined }, createLogger({ quiet: true }));
      const { manifests, blobs } = store.local.list();
      const last = readLastRun(project.stateDir);
      const hitRate = last && last.lookups > 0 ? (last.localHits + last.remoteHits) / last.lookups : null;
      const result = { dir: cfg.localDir, remote: cfg.remote ?? null, remoteWrite: cfg.remoteWrite, entries: manifests.length, blobs: blobs.length, bytes: blobs.reduce((s, b) => s + b.size, 0), lastRun: last, hitRate };
      if (opts.json) {
        process.stdout.write(JSON.stringify(result) + '\n');
        return;
      }
      const lines = [
        `local store: ${result.dir}: ${result.entries} entries, ${result.blobs} blobs, ${formatBytes(result.bytes)}`,
        `remote: ${result.remote ?? 'none'}${result.remote ? (result.remoteWrite ? ' (read and write)' : ' (read only)') : ''}`,
        last
          ? `last run (${last.command}): ${last.lookups} lookups, ${last.localHits} restored locally, ${last.remoteHits} from the remote, ${last.rejected} entries rejected${hitRate === null ? '' : `, hit rate ${(hitRate * 100).toFixed(0)}%`}; ${last.stored} stored, ${last.uploaded} uploaded (${formatBytes(last.bytesUploaded)})`
          : 'last run: none recorded',
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });

  const nonNegative = (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of days >= 0');
    return n;
  };
  const size = (v: string) => {
    try {
      return parseSize(v);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
  deps.addCommon(cache.command('gc'))
    .description('Remove cache entries unused for N days and/or the least recently used ones beyond a size budget; never what this checkout\'s records point at.')
    .option('--max-age-days <n>', 'remove entries not used in the last n days', nonNegative)
    .option('--max-size <size>', 'then remove least recently used entries until the store fits (e.g. 500M, 2G)', size)
    .option('--dry-run', 'print what would be removed; remove nothing')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (opts: Opts & { maxAgeDays?: number; maxSize?: number; dryRun?: boolean }) => {
      if (opts.maxAgeDays === undefined && opts.maxSize === undefined) throw new UserError('dag cache gc: give --max-age-days and/or --max-size');
      const project = await deps.open(opts);
      const cfg = resolveCacheConfig(project.config, project.configFile, project.stateDir);
      const store = await RunCache.open({ ...cfg, remote: undefined }, createLogger({ quiet: true }));
      const release = acquireRunLock(project.stateDir, 'dag cache gc');
      try {
        const plan = gcForCheckout(project, store.local, { maxAgeDays: opts.maxAgeDays, maxBytes: opts.maxSize }, release, opts.dryRun);
        const result = { dir: cfg.localDir, dryRun: Boolean(opts.dryRun), removedEntries: plan.removeKeys.length, removedBlobs: plan.removeBlobs.length, entriesBefore: plan.entriesBefore, bytesBefore: plan.bytesBefore, bytesAfter: plan.bytesAfter, protectedEntries: plan.protectedEntries };
        if (opts.json) process.stdout.write(JSON.stringify(result) + '\n');
        else process.stdout.write(`${opts.dryRun ? 'would remove' : 'removed'} ${result.removedEntries} of ${result.entriesBefore} entries and ${result.removedBlobs} blobs: ${formatBytes(result.bytesBefore)} -> ${formatBytes(result.bytesAfter)} (${result.protectedEntries} entries kept for this checkout's records)\n`);
        if (opts.maxSize !== undefined && plan.bytesAfter > opts.maxSize && !opts.json) {
          process.stdout.write(`note: still above ${formatBytes(opts.maxSize)}: the rest is what this checkout's records point at\n`);
        }
      } finally {
        release();
      }
    });
}
