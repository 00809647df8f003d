// Exit codes every command shares, so scripts and CI can tell "the network said no" from "you typed it wrong".

export const ExitCode = {
  /** Everything held: every expectation passed, the reply came, the count was reached. */
  Ok: 0,
  /** An expectation failed, no reply came, a socket error happened. */
  Failed: 1,
  /** Usage or parse errors: bad arguments, a .udp file with errors. */
  Usage: 2,
  /** Interrupted (Ctrl-C) while something was still waiting. */
  Interrupted: 130,
} as const;

/** A problem with what the user typed; printed as a sentence, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
