import { describe, expect, test } from '@jest/globals';
import { tmpdir } from 'node:os';
import { dag } from '../support/cli.js';

// help needs no project: run from a folder without one
const here = tmpdir();

describe('help (docs/cli.md: --help or dag help <command>, exit 0)', () => {
  test.each([
    [['help'], 'Usage: dag [options] [command]'],
    [['--help'], 'Usage: dag [options] [command]'],
    [['help', 'run'], 'Usage: dag run [options] <target>'],
    [['help', 'audit', 'lookahead'], 'Usage: dag audit lookahead [options]'],
    [['cache', 'gc', '--help'], 'Usage: dag cache gc [options]'],
  ])('dag %j prints that help on stdout and exits 0', (args, usage) => {
    const r = dag(here, args);
    expect([r.code, r.stdout.split('\n')[0], r.stderr]).toEqual([0, usage, '']);
  });

  test('a name that is no command says so and exits 2, naming the commands there are', () => {
    const top = dag(here, ['help', 'nosuch']);
    expect([top.code, top.stdout]).toEqual([2, '']);
    expect(top.stderr).toMatch(/^dag: unknown command 'nosuch' \(commands: run, status, .*sweep, help\)\n$/);
    const sub = dag(here, ['help', 'cache', 'nosuch']);
    expect([sub.code, sub.stderr]).toEqual([2, "dag: unknown command 'cache nosuch' (commands of 'cache': push, pull, status, gc)\n"]);
  });

  test('a command group without its subcommand is a usage error: its help on stderr, exit 2', () => {
    const r = dag(here, ['cache']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^Usage: dag cache \[options\] \[command\]/);
  });
});
