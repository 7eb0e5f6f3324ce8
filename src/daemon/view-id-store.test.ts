import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ViewIdStore } from './view-id-store.js';

describe('ViewIdStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-vid-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads 0 on a first start, then what was saved last', () => {
    const store = new ViewIdStore(join(dir, 'state'));
    expect(store.load()).toBe(0);
    store.save(7);
    store.save(12);
    expect(new ViewIdStore(join(dir, 'state')).load()).toBe(12);
    expect(readFileSync(join(dir, 'state', 'view-id'), 'utf8')).toBe('12\n');
  });

  it('refuses a damaged file rather than starting over from 0', () => {
    writeFileSync(join(dir, 'view-id'), 'garbage');
    expect(() => new ViewIdStore(dir).load()).toThrow(/view-id holds 'garbage', not a view id/);
  });
});
