import { getPriority } from 'node:os';

/**
 * The command line that runs a program at the normal scheduling priority. vigild raises its
 * own priority (nice -20) so that heartbeats are never starved; agents and the services they
 * start would inherit it and, busy, starve vigild in turn, so they run at 0 as under
 * Pacemaker. `nice` execs the program: its pid and /proc cmdline are the program's own.
 */
export function atNormalPriority(command: string, args: readonly string[]): [string, string[]] {
  const raisedBy = -getPriority();
  return raisedBy > 0 ? ['nice', ['-n', String(raisedBy), command, ...args]] : [command, [...args]];
}
