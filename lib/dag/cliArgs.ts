import { InvalidArgumentError } from 'commander';

/** Commander parser for options such as --concurrency. */
export const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};
