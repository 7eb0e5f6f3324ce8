import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The highest view id this node has used or seen, kept on disk so that a restarted coordinator
 * never proposes an id it used in an earlier life (peers would take the new view for the old one).
 *
 * Writes are synchronous on purpose: membership asks for the id to be durable BEFORE the messages
 * that carry it leave, and the send follows in the same synchronous step. They happen only when a
 * new view id appears, a handful of times per membership change.
 */
export class ViewIdStore {
  readonly path: string;

  constructor(readonly dir: string) {
    this.path = join(dir, 'view-id');
  }

  /** The recorded id, or 0 on a first start. A damaged file is refused rather than read as 0. */
  load(): number {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    const n = Number(text.trim());
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new Error(`${this.path} holds '${text.trim().slice(0, 40)}', not a view id; remove it only if this node's cluster is stopped`);
    }
    return n;
  }

  /** Temp file, fsync, rename, fsync of the directory: after a power cut the old id or the new one. */
  save(viewId: number): void {
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${viewId}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }
}
