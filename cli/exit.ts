/**
 * Ends a command with an exit code (after its output is written); cli/app.ts maps it to the exit.
 *
 * @module
 */

/** Ends a command with an exit code. */
export class ExitError extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.code = code;
  }
}
