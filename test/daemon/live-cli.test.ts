import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAvailable, startCluster, vigilPath, type Cluster } from './cluster.mjs';

const skip = buildAvailable();
const execFileP = promisify(execFile);

/** Runs the CLI with $CIB_file unset (so the live cluster is the default) plus `env`. */
async function vigil(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { CIB_file: _ignored, ...base } = process.env;
  try {
    const r = await execFileP(process.execPath, [vigilPath, ...args], { env: { ...base, NO_COLOR: '1', ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The offline CIB commands, pointed at a running cluster instead of a file. */
describe.skipIf(skip !== null)(`CIB commands on the live cluster${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;
  let cluster: Cluster;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-live-'));
    cluster = await startCluster({ dir, nodes: 2, budget: '1s' });
    for (let i = 0; i < 2; i++) await cluster.waitFor(i, (s) => s.view.members.length === 2 && s.view.dc === 'n1' && s.cib.includes('in_ccm="true"'), 15_000, 'a 2-node view');
  });

  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads crm configuration through a non-DC node, committed on every node, then shows and queries it anywhere', async () => {
    const crm = join(dir, 'conf.crm');
    writeFileSync(crm, 'primitive live-d ocf:heartbeat:Dummy op monitor interval=10s\nproperty stonith-enabled=false\n');
    const load = await vigil(['configure', 'load', 'update', crm, '--socket', cluster.node(1).socket, '--output-as', 'json']);
    expect(load.stderr).toBe('');
    expect(load.code).toBe(0);
    const result = JSON.parse(load.stdout) as { changed: boolean; epoch: number };
    expect(result.changed).toBe(true);
    // Committed means persisted by every member, at the version reported.
    for (let i = 0; i < 2; i++) {
      const onDisk = readFileSync(join(cluster.node(i).stateDir, 'cib.xml'), 'utf8');
      expect(onDisk).toContain('id="live-d"');
      expect(onDisk).toContain(`epoch="${result.epoch}"`);
    }
    const show = await vigil(['configure', 'show', 'live-d'], { VIGIL_SOCKET: cluster.node(0).socket });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^primitive live-d (ocf:heartbeat:)?Dummy \\\n\top monitor interval=10s/);
    const query = await vigil(['cib', 'query', '--scope', 'resources', '--socket', cluster.node(0).socket]);
    expect(query.code).toBe(0);
    expect(query.stdout).toMatch(/^<resources>/);
    expect(query.stdout).toContain('id="live-d"');
  });

  it('verifies the live CIB exactly as it verifies the same CIB saved to a file', async () => {
    const whole = await vigil(['cib', 'query', '--socket', cluster.node(1).socket]);
    const saved = join(dir, 'saved.xml');
    writeFileSync(saved, whole.stdout);
    const liveRun = await vigil(['verify', '--output-as', 'json', '--socket', cluster.node(1).socket]);
    const fileRun = await vigil(['verify', '--output-as', 'json', '-x', saved]);
    expect(liveRun.code).toBe(fileRun.code);
    expect(JSON.parse(liveRun.stdout)).toEqual(JSON.parse(fileRun.stdout));
    expect(JSON.parse(liveRun.stdout)).toHaveProperty('valid');
  });

  it('uses the CIB file instead when one is named, and refuses both at once', async () => {
    const file = join(dir, 'offline.xml');
    const r = await vigil(['cib', 'query', '--scope', 'resources'], { CIB_file: file, VIGIL_SOCKET: cluster.node(0).socket });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('live-d');
    const both = await vigil(['cib', 'query', '--cib', file, '--socket', cluster.node(0).socket]);
    expect(both.code).toBe(64);
    expect(both.stderr).toMatch(/give --cib or --socket, not both/);
  });

  it('refuses a replace made from a copy the cluster has moved past, and changes nothing', async () => {
    const before = (await cluster.status(0)).cibVersion;
    const stale = { adminEpoch: before.adminEpoch, epoch: before.epoch - 1 };
    await expect(cluster.request(1, { op: 'cib.replace', scope: 'resources', xml: '<resources/>', ifEpoch: stale })).rejects.toThrow(
      /the configuration changed underneath: it was read at admin_epoch \d+, epoch \d+, and the cluster is now at/,
    );
    const after = await cluster.status(0);
    expect(after.cibVersion.epoch).toBe(before.epoch);
    expect(after.cib).toContain('id="live-d"');
  });

  it('says clearly when no daemon is listening', async () => {
    const r = await vigil(['configure', 'show', '--socket', join(dir, 'nobody.sock')]);
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(/cannot connect to vigild at .*nobody\.sock: is vigild running\?/);
  });
});
