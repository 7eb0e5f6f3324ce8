import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { withFileLock } from './lock.js';
import { AttributeError, emptyStore, flushPending, type AttributeScope, type AttributeStore, type PendingWrite } from '../store.js';

/**
 * The attribute store kept as JSON in a node's state directory, for when no daemon runs: the
 * helper commands agents call are separate processes, so every change is a locked
 * read-modify-write of the file. Dampened writes are committed by whichever access comes after
 * their due time.
 */
export const storeFile = (stateDir: string): string => join(stateDir, 'attributes.json');
const lockFile = (stateDir: string): string => join(stateDir, 'attributes.lock');

export function readStoreFile(stateDir: string, nowMs: number): AttributeStore {
  const path = storeFile(stateDir);
  if (!existsSync(path)) return emptyStore();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new AttributeError(`${path}: not a valid attribute store (${(err as Error).message})`);
  }
  return flushPending(validate(parsed, path), nowMs);
}

function validate(value: unknown, path: string): AttributeStore {
  const bad = (why: string): never => {
    throw new AttributeError(`${path}: not a valid attribute store (${why})`);
  };
  if (typeof value !== 'object' || value === null) return bad('not an object');
  const v = value as { values?: unknown; pending?: unknown };
  const store = emptyStore();
  const values: Record<AttributeScope, Record<string, Record<string, string>>> = { transient: {}, permanent: {}, utilization: {}, cluster: {} };
  if (typeof v.values !== 'object' || v.values === null) return bad('no values');
  for (const scope of Object.keys(values) as AttributeScope[]) {
    const nodes = (v.values as Record<string, unknown>)[scope] ?? {};
    if (typeof nodes !== 'object' || nodes === null) return bad(`${scope} is not an object`);
    for (const [node, attrs] of Object.entries(nodes)) {
      if (typeof attrs !== 'object' || attrs === null) return bad(`${scope}.${node} is not an object`);
      for (const [name, val] of Object.entries(attrs)) {
        if (typeof val !== 'string') return bad(`${scope}.${node}.${name} is not a string`);
        (values[scope][node] ??= {})[name] = val;
      }
    }
  }
  const pending: PendingWrite[] = [];
  for (const p of Array.isArray(v.pending) ? v.pending : []) {
    const w = p as Partial<PendingWrite>;
    if (typeof w.node !== 'string' || typeof w.name !== 'string' || typeof w.dueMs !== 'number') return bad('bad pending write');
    pending.push({ node: w.node, name: w.name, value: typeof w.value === 'string' ? w.value : undefined, dueMs: w.dueMs });
  }
  return { ...store, values, pending };
}

function writeStoreFile(stateDir: string, store: AttributeStore): void {
  const path = storeFile(stateDir);
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify({ values: store.values, pending: store.pending }, null, 1));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Applies a change to the stored attributes atomically; returns the store as written. */
export function updateStoreFile(stateDir: string, nowMs: number, change: (store: AttributeStore) => AttributeStore): AttributeStore {
  return withFileLock(lockFile(stateDir), () => {
    const next = change(readStoreFile(stateDir, nowMs));
    writeStoreFile(stateDir, next);
    return next;
  });
}
