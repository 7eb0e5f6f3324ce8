import { spawn } from 'node:child_process';
import { BoundedBuffer } from './bounded-buffer.js';
import { atNormalPriority } from './priority.js';

export interface SpawnSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  stdin?: string;
  cwd?: string;
}

export type ProcessOutcome =
  | { kind: 'exited'; code: number; stdout: string; stderr: string }
  | { kind: 'signalled'; signal: string; stdout: string; stderr: string }
  | { kind: 'timed-out'; stdout: string; stderr: string }
  | { kind: 'spawn-failed'; error: string; stdout: string; stderr: string };

export interface RunOptions {
  timeoutMs: number;
  /** After SIGTERM at the timeout, how long the process group gets before SIGKILL. */
  killGraceMs: number;
  outputLimit: number;
  /** Aborting kills the process group as a timeout does, reported as `signalled`. */
  signal?: AbortSignal;
}

/**
 * After the agent exits, its output pipes may stay open in a process it left running in the
 * background (IPaddr2's send_arp, a daemon that forgot to detach); the result must not wait for
 * that process. What the agent itself wrote before exiting is already in the pipes: this short
 * wait and a last pass of the event loop after it take it in. It was 100 ms, which every
 * IPaddr2 start paid, on the recovery's critical path.
 */
const PIPE_DRAIN_MS = 10;

/**
 * Runs one agent in a process group of its own, so that a timeout can kill everything it
 * started (a hung `sleep` in a shell agent included), and never more than that group.
 */
export function runProcess(spec: SpawnSpec, options: RunOptions): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const stdout = new BoundedBuffer(options.outputLimit);
    const stderr = new BoundedBuffer(options.outputLimit);
    let settled = false;
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;

    const [command, args] = atNormalPriority(spec.command, spec.args);
    const child = spawn(command, args, {
      env: spec.env,
      cwd: spec.cwd ?? '/',
      detached: true,
      stdio: [spec.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });

    const killGroup = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // The group is already gone.
      }
    };

    const terminate = (): void => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs);
    };

    const timer = setTimeout(() => {
      timedOut = true;
      terminate();
    }, options.timeoutMs);
    const onAbort = (): void => terminate();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (outcome: ProcessOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve(outcome);
    };

    child.stdout?.on('data', (c: Buffer) => stdout.push(c));
    child.stderr?.on('data', (c: Buffer) => stderr.push(c));
    if (spec.stdin !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(spec.stdin);
    }

    child.on('error', (err) => {
      finish({ kind: 'spawn-failed', error: err.message, stdout: stdout.toString(), stderr: stderr.toString() });
    });

    child.on('exit', (code, signal) => {
      let reported = false;
      const done = (): void => {
        if (reported) return;
        reported = true;
        clearTimeout(drainTimer);
        if (timedOut) {
          // Whatever the agent left behind in its group goes too; the SIGKILL timer stays armed.
          killGroup('SIGTERM');
          finish({ kind: 'timed-out', stdout: stdout.toString(), stderr: stderr.toString() });
          return;
        }
        if (killTimer) clearTimeout(killTimer);
        if (signal) finish({ kind: 'signalled', signal, stdout: stdout.toString(), stderr: stderr.toString() });
        else finish({ kind: 'exited', code: code ?? 1, stdout: stdout.toString(), stderr: stderr.toString() });
      };
      let waiting = 2;
      const drained = (): void => {
        waiting -= 1;
        if (waiting === 0) done();
      };
      // setImmediate after the timer: a poll phase of the event loop, where libuv reads whatever
      // the pipes hold, always comes between the timer and `done`, even when the loop was stalled.
      const drainTimer = setTimeout(() => setImmediate(done), PIPE_DRAIN_MS);
      drainTimer.unref();
      for (const stream of [child.stdout, child.stderr]) {
        if (!stream || stream.readableEnded || stream.destroyed) drained();
        else stream.once('end', drained);
      }
    });
  });
}
