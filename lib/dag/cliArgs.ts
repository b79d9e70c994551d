import { InvalidArgumentError, Option } from 'commander';

/** Commander parser for options such as --concurrency. */
export const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

/** `--executor` of `dag run` and `dag sweep`: the same choices and the same default (executor.kind in the settings, else local). */
export const executorOption = (): Option =>
  new Option('--executor <kind>', 'where instances run: local worker threads, or `dag worker` processes through Redis (default: executor.kind in the settings, else local)').choices(['local', 'bullmq']);
