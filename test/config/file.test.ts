import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/index.js';
import { readVigilConfig } from '../../src/config/io/file.js';

describe('readVigilConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-conf-'));

  it('reads and parses a file, naming it in errors', async () => {
    const good = join(dir, 'good.conf');
    writeFileSync(good, '[cluster]\nname = c\n[node a]\nid = 1\naddresses = 127.0.0.1\n');
    expect((await readVigilConfig(good)).nodes.map((n) => n.name)).toEqual(['a']);
    const bad = join(dir, 'bad.conf');
    writeFileSync(bad, '[cluster]\nname = c\n[node a]\nid = x\n');
    await expect(readVigilConfig(bad)).rejects.toThrow(`${bad}:4: id: 'x' is not a whole number`);
  });

  it('reports a missing file as a ConfigError with its path', async () => {
    const missing = join(dir, 'missing.conf');
    const err = await readVigilConfig(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).toBe(`${missing}: cannot read the configuration: ENOENT`);
  });
});
