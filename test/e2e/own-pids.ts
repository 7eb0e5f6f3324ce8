/**
 * Starts a node's daemon in a PID namespace (and /proc) of its own, so the node is a separate host
 * for agents that judge "running" by a pid: pgsql reads postmaster.pid from the shared data
 * directory and `kill -0`s it, apache's stop pkills by command line. Without this, every node
 * would see the other node's PostgreSQL as its own — on separate hosts the pid means nothing.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * The namespace's pid 1: runs the daemon, hands it the signals vigil's tests send (TERM: drain,
 * INT: skip the drain), and reaps the orphans that daemonising services leave to pid 1 (an
 * unreaped zombie still has a /proc entry, which agents take for a running process).
 */
const INIT = ['"$@" & c=$!', "trap 'kill -TERM $c' TERM", "trap 'kill -INT $c' INT", 'while :; do wait $c; r=$?; kill -0 $c 2>/dev/null || exit $r; done'].join('\n');

type Spawn = (cmd: string, args: string[], options: SpawnOptions) => ChildProcess;

/**
 * `spawn` (a namespace's) wrapped in `unshare --pid --fork --mount-proc`. unshare ignores TERM and
 * INT, so the handle's kill() sends those to the namespace's init instead; KILL goes to unshare,
 * whose death kills init (--kill-child), and with it, as the kernel does for a pid 1, every
 * process of the node: a power cut.
 */
export function spawnWithOwnPids(spawn: Spawn, cmd: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL', '--', 'bash', '-c', INIT, 'init', cmd, ...args], options);
  const kill = child.kill.bind(child);
  child.kill = (signal: NodeJS.Signals | number = 'SIGTERM'): boolean => {
    const init = child.pid === undefined || signal === 'SIGKILL' || signal === 9 ? undefined : initOf(child.pid);
    if (init === undefined) return kill(signal);
    try {
      process.kill(init, signal);
      return true;
    } catch {
      return false;
    }
  };
  return child;
}

/** The namespace's init: unshare's only child (none yet right after the spawn). */
function initOf(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}
