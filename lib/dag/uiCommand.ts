import { InvalidArgumentError, type Command } from 'commander';
import { spawn } from 'node:child_process';
import type { ProjectOptions } from './project.js';
import { untilStopSignal } from './interrupt.js';

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0..65535 (0: any free port)');
  return n;
};

/**
 * `dag ui`. The server and everything it needs load only when this command runs (a dynamic
 * import), so `dag run` and the other commands load none of it.
 */
export function addUiCommand(cmd: Command, project: (opts: Record<string, unknown>) => ProjectOptions): void {
  cmd
    .description('Serve a read-only web page of the DAG, its state, run history and reports, live while a run goes.')
    .option('--port <n>', 'port (0: any free port)', port, 8787)
    .option('--host <address>', 'address to bind; any other than 127.0.0.1, localhost or ::1 requires the access token printed at start', '127.0.0.1')
    .option('--open', 'open the page in the default browser (xdg-open)')
    .option('--json', 'print {"url", "token", "port"} as one JSON line on stdout once listening')
    .action(async (opts: Record<string, unknown> & { port: number; host: string; open?: boolean; json?: boolean }) => {
      const { startUiServer } = await import('../ui/serve.js');
      const server = await startUiServer({ project: project(opts), port: opts.port, host: opts.host });
      if (opts.json) process.stdout.write(JSON.stringify({ url: server.url, token: server.token, port: server.port }) + '\n');
      else {
        process.stdout.write(`dag ui: ${server.url}\n`);
        if (server.token) process.stdout.write(`access token (needed from any address, valid until this server stops): ${server.token}\n`);
        process.stdout.write('read-only; Ctrl-C stops it\n');
      }
      if (opts.open) {
        spawn('xdg-open', [server.url], { detached: true, stdio: 'ignore' })
          .on('error', (err) => process.stderr.write(`dag ui: could not open a browser (${err.message}); open ${server.url} yourself\n`))
          .unref();
      }
      await untilStopSignal();
      await server.close();
    });
}
