import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAvailable, startCluster, vigilPath, type Cluster } from '../daemon/cluster.mjs';

const skip = buildAvailable();
const execFileP = promisify(execFile);

/** The CLI with $CIB_file unset, so that the live cluster is the one edited. */
async function vigil(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const base = { ...process.env };
  delete base.CIB_file;
  try {
    const r = await execFileP(process.execPath, [vigilPath, ...args], { env: { ...base, NO_COLOR: '1', VISUAL: '', ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe.skipIf(skip !== null)(`configure edit on the live cluster${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;
  let cluster: Cluster;
  let n = 0;
  const editor = (script: string): string => {
    const path = join(dir, `editor-${++n}.sh`);
    writeFileSync(path, `#!/bin/sh\nset -e\n${script}\n`);
    chmodSync(path, 0o755);
    return path;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-cfgshell-live-'));
    cluster = await startCluster({ dir, nodes: 2, budget: '1s' });
    for (let i = 0; i < 2; i++) await cluster.waitFor(i, (s) => s.view.members.length === 2 && s.view.dc === 'n1' && s.cib.includes('in_ccm="true"'), 15_000, 'a 2-node view');
    const crm = join(dir, 'conf.crm');
    writeFileSync(crm, 'primitive ed-d ocf:heartbeat:Dummy op monitor interval=10s\nproperty stonith-enabled=false\n');
    expect((await vigil(['configure', 'load', 'update', crm, '--socket', cluster.node(0).socket])).code).toBe(0);
  });

  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits an edit through a non-DC node, persisted on every node', async () => {
    const r = await vigil(['configure', 'edit', 'ed-d', '--yes', '--output-as', 'json', '--socket', cluster.node(1).socket], {
      EDITOR: editor("sed -i 's/interval=10s/interval=20s/' \"$1\""),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { changed: boolean; epoch: number };
    expect(result.changed).toBe(true);
    for (let i = 0; i < 2; i++) {
      const onDisk = readFileSync(join(cluster.node(i).stateDir, 'cib.xml'), 'utf8');
      expect(onDisk).toContain('interval="20s"');
      expect(onDisk).toContain(`epoch="${result.epoch}"`);
    }
  });

  it('is refused, with nothing committed, when the configuration moved on during the edit', async () => {
    const socket = cluster.node(0).socket;
    const other = join(dir, 'other.crm');
    writeFileSync(other, 'primitive ed-other ocf:heartbeat:Dummy\n');
    const ed = editor(`"${process.execPath}" "${vigilPath}" configure load update "${other}" --socket "${socket}"\nsed -i 's/interval=20s/interval=30s/' "$1"`);
    const r = await vigil(['configure', 'edit', '--yes', '--socket', socket], { EDITOR: ed });
    expect(r.code).toBe(75);
    expect(r.stderr).toMatch(/the CIB changed underneath since the edit began: it was read at admin_epoch 0, epoch \d+, and is now at admin_epoch 0, epoch \d+; nothing committed/);
    const onDisk = readFileSync(join(cluster.node(0).stateDir, 'cib.xml'), 'utf8');
    expect(onDisk).toContain('id="ed-other"');
    expect(onDisk).toContain('interval="20s"');
    expect(onDisk).not.toContain('interval="30s"');
  });
});
