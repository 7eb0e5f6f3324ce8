import { readCibFile, writeCibFile } from '../../cib/io/file.js';
import { applyStoreToCib, storeFromCib } from '../cib.js';
import type { AttributeStore } from '../store.js';
import { withFileLock } from './lock.js';

export function readCibStore(path: string, _nowMs: number): AttributeStore {
  return storeFromCib(readCibFile(path));
}

/** A locked read-modify-write of the CIB file's attribute sections. */
export function updateCibStore(path: string, nowMs: number, change: (store: AttributeStore) => AttributeStore): AttributeStore {
  return withFileLock(`${path}.lock`, () => {
    const cib = readCibFile(path);
    const before = storeFromCib(cib);
    const after = change(before);
    writeCibFile(path, applyStoreToCib(cib, before, after));
    return after;
  });
}
