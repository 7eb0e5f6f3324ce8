import type { ChildProcess } from 'node:child_process';
import { BoundedBuffer } from '../bounded-buffer.js';
import type { ProcessOutcome } from '../process.js';
import { runBuiltinAction } from './dispatch.js';

export interface InProcessOptions {
  timeoutMs: number;
  outputLimit: number;
  supervise(child: ChildProcess): void;
}

/**
 * Runs a built-in agent's action inside the executor's process. A separate Node process per
 * operation costs 150–300 ms of start-up on a loaded 2-core node, three times over in a recovery
 * (failed monitor, stop, start); in-process it costs what the action itself does. The outcome
 * has the shape of a process's, so results are read the same way for every class. At the
 * timeout the action's signal is aborted (its waits end there) and the operation is reported
 * timed out without waiting for it.
 */
export function runBuiltinInProcess(type: string, action: string, env: Record<string, string>, options: InProcessOptions): Promise<ProcessOutcome> {
  const stdout = new BoundedBuffer(options.outputLimit);
  const stderr = new BoundedBuffer(options.outputLimit);
  const abort = new AbortController();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      abort.abort();
      resolve({ kind: 'timed-out', stdout: stdout.toString(), stderr: stderr.toString() });
    }, options.timeoutMs);
    const io = { stderr: (text: string) => stderr.push(Buffer.from(text)), signal: abort.signal, supervise: options.supervise };
    const finish = (code: number, out: string): void => {
      if (abort.signal.aborted) return;
      clearTimeout(timer);
      stdout.push(Buffer.from(out));
      resolve({ kind: 'exited', code, stdout: stdout.toString(), stderr: stderr.toString() });
    };
    runBuiltinAction(type, action, env, io).then(
      ({ code, stdout: out }) => finish(code, out),
      (err: unknown) => {
        io.stderr(`ocf-exit-reason:${type} ${action}: ${err instanceof Error ? err.message : String(err)}\n`);
        finish(1, '');
      },
    );
  });
}
