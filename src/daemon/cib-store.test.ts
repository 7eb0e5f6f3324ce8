import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyCib } from '../cib/empty.js';
import { BACKUPS_KEPT, CibStore } from './cib-store.js';
import { cibVersion, setVersion } from './cib-version.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const cibWithEpoch = (epoch: number) => {
  const c = emptyCib();
  setVersion(c, { adminEpoch: 0, epoch, numUpdates: 0 });
  return c;
};

describe('CibStore', () => {
  it('starts empty, persists, and keeps a bounded number of backups', async () => {
    const dir = tmp();
    const store = new CibStore(dir);
    expect(cibVersion(await store.load(() => undefined)).epoch).toBe(1);
    for (let e = 2; e <= 8; e++) await store.save(cibWithEpoch(e));
    expect(cibVersion(await new CibStore(dir).load(() => undefined)).epoch).toBe(8);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['cib.xml', ...Array.from({ length: BACKUPS_KEPT }, (_, i) => `cib.xml.${i + 1}`)]);
    expect(readFileSync(join(dir, 'cib.xml.1'), 'utf8')).toContain('epoch="7"');
  });

  it('recovers from a corrupt cib.xml with the newest readable backup, and says so', async () => {
    const dir = tmp();
    const store = new CibStore(dir);
    await store.save(cibWithEpoch(5));
    await store.save(cibWithEpoch(6));
    writeFileSync(join(dir, 'cib.xml'), '<cib epoch="9"');
    const warnings: string[] = [];
    const cib = await new CibStore(dir).load((m) => warnings.push(m));
    expect(cibVersion(cib).epoch).toBe(5);
    expect(warnings.join('\n')).toMatch(/recovered the CIB from .*cib\.xml\.1/);
  });

  it('serialises concurrent saves so the last one wins', async () => {
    const dir = tmp();
    const store = new CibStore(dir);
    await Promise.all([2, 3, 4, 5].map((e) => store.save(cibWithEpoch(e))));
    expect(readFileSync(join(dir, 'cib.xml'), 'utf8')).toContain('epoch="5"');
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false);
  });
});
