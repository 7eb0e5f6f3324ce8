import { createConnection } from 'node:net';

/**
 * Asks the kernels of a peer's host whether its daemon still holds its port: a TCP connection to
 * it completes in the kernel, whether the daemon's process runs, is stopped or starved of CPU, and
 * is refused once the process is gone or lost when the host or the path is. Each address is tried
 * at once; `onAnswer` runs at most once, when the first connection completes within `timeoutMs`.
 * The connection is closed at once, before any byte is sent.
 */
export function probeListener(addresses: readonly string[], port: number, timeoutMs: number, onAnswer: () => void): void {
  let answered = false;
  for (const host of addresses) {
    const socket = createConnection({ host, port });
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
    };
    socket.once('error', done);
    socket.once('connect', () => {
      done();
      if (answered) return;
      answered = true;
      onAnswer();
    });
  }
}
