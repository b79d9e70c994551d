import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { DAG_BIN, type CliResult } from './cli.js';
import { REPO } from './pipeline.js';

/** s3rver's fixed credentials, passed to dag through the standard AWS environment variables. */
export const S3_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

export interface S3Server {
  endpoint: string;
  directory: string;
  /** Stop at once: open keep-alive connections are cut too (a remote that dies mid-run). */
  close: () => Promise<void>;
}

/** A real S3-compatible server (s3rver) in this process on 127.0.0.1, on a free port, with one bucket. */
export async function startS3(bucket = 'dag-cache'): Promise<S3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'dag-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = (await server.run()) as { port: number };
  const http = (server as unknown as { httpServer: import('node:http').Server }).httpServer;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory,
    close: async () => {
      const closed = server.close();
      http.closeAllConnections();
      await closed;
    },
  };
}

/**
 * `dag` in a child process without blocking this one (spawnSync would freeze the in-process
 * S3 server the child talks to).
 */
export function dagAsync(cwd: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DAG_BIN, ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** `dagIn` (test/support/pipeline.ts) without blocking this process. */
export function dagInAsync(dir: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return dagAsync(dir, [...args, '--dag', join(REPO, 'pipeline.dag.yaml'), '--workdir', dir, '--config', join(dir, 'config/settings.yaml')], env);
}
