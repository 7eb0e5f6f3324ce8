import { mkdir, open, readFile, rename, link, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { emptyCib } from '../cib/empty.js';
import { parseXml, serializeXml, type XmlElement } from '../cib/xml.js';

export const BACKUPS_KEPT = 3;

/**
 * The CIB on this node's disk: `cib.xml` in the state directory and `cib.xml.1`..`.3`, the
 * copies it replaced. A write is temp file + fsync + rename + fsync of the directory, so after
 * a power cut the file is the old CIB or the new one, never a mix; the backups are hard links
 * made before the rename, so there is no moment without a `cib.xml`.
 */
export class CibStore {
  readonly path: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly dir: string) {
    this.path = join(dir, 'cib.xml');
  }

  /** The newest readable copy: cib.xml, else the most recent backup, else an empty CIB. */
  async load(warn: (message: string) => void): Promise<XmlElement> {
    await mkdir(this.dir, { recursive: true });
    for (const candidate of [this.path, ...Array.from({ length: BACKUPS_KEPT }, (_, i) => `${this.path}.${i + 1}`)]) {
      let text: string;
      try {
        text = await readFile(candidate, 'utf8');
      } catch {
        continue;
      }
      try {
        const cib = parseXml(text, candidate);
        if (cib.name !== 'cib') throw new Error(`root element is <${cib.name}>, not <cib>`);
        if (candidate !== this.path) warn(`cib.xml unreadable; recovered the CIB from ${candidate}`);
        return cib;
      } catch (err) {
        warn(`ignoring ${candidate}: ${(err as Error).message}`);
      }
    }
    return emptyCib();
  }

  /** Persists durably; writes are serialised so a slow disk never reorders two versions. */
  save(cib: XmlElement): Promise<void> {
    const text = serializeXml(cib);
    const next = this.writing.then(() => this.write(text));
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async write(text: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await this.rotate();
    await rename(tmp, this.path);
    const dh = await open(this.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  private async rotate(): Promise<void> {
    const name = (i: number): string => (i === 0 ? this.path : `${this.path}.${i}`);
    await unlink(name(BACKUPS_KEPT)).catch(() => undefined);
    for (let i = BACKUPS_KEPT - 1; i >= 1; i--) await rename(name(i), name(i + 1)).catch(() => undefined);
    await link(this.path, name(1)).catch(() => undefined);
  }
}
