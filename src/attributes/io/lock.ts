import { closeSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { AttributeError } from '../store.js';

const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 15_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * An exclusive lock between processes (the helper commands are separate processes): a lock
 * file created with O_EXCL. One older than LOCK_STALE_MS belongs to a helper that died
 * holding it, and is broken.
 */
export function withFileLock<T>(lock: string, fn: () => T): T {
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { force: true });
      } catch {
        // Released between our two looks.
      }
      if (Date.now() > deadline) throw new AttributeError(`could not lock ${lock} within ${LOCK_WAIT_MS / 1000}s`);
      sleepSync(5);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
