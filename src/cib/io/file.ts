import { existsSync, mkdirSync, openSync, fsyncSync, closeSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { emptyCib } from '../empty.js';
import { parseXml, serializeXml, type XmlElement } from '../xml.js';

/** The CIB file the offline commands work on, as Pacemaker's tools: --cib FILE, else $CIB_file. */
export function cibFilePath(explicit?: string): string | undefined {
  return explicit ?? process.env.CIB_file ?? undefined;
}

/** Reads a CIB file; an absent file is an empty CIB, as with Pacemaker's tools. */
export function readCibFile(path: string): XmlElement {
  if (!existsSync(path)) return emptyCib();
  return parseXml(readFileSync(path, 'utf8'), path);
}

/** Writes atomically: a temporary file in the same directory, fsync, rename, fsync of the directory. */
export function writeCibFile(path: string, cib: XmlElement): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, serializeXml(cib));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}
