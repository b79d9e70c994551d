/** An error the user can fix (bad DAG file, bad config, bad input): printed without a stack. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'UserError';
  }
}
