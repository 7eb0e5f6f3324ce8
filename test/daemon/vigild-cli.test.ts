import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAvailable, startCluster, vigildPath, vigilPath, type Cluster } from './cluster.mjs';

const skip = buildAvailable();
const run = promisify(execFile);
type Failure = { code: number; stderr: string };

describe.skipIf(skip !== null)(`vigild start-up and vigil status options${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    writeFileSync(join(dir, 'key'), 'k'.repeat(32), { mode: 0o600 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const conf = (extra: string): string => {
    const file = join(dir, `c${Math.random().toString(36).slice(2)}.conf`);
    writeFileSync(
      file,
      `[cluster]\nname = t\n[transport]\nkey_file = ${join(dir, 'key')}\nport = 28694\n[node a]\nid = 1\naddresses = 127.0.0.1\n[node b]\nid = 2\naddresses = 127.0.0.2\n${extra}`,
    );
    return file;
  };
  const vigild = (args: string[]) => run(process.execPath, [vigildPath, ...args], { timeout: 10_000 }).catch((e: Failure) => e);

  it('refuses a configuration with errors, naming the line, and starts nothing', async () => {
    const r = (await vigild(['--config', conf('[timing]\ndetection_budget = 5ms\n'), '--node', 'a', '--socket', join(dir, 'x.sock')])) as Failure;
    expect(r.code, r.stderr).toBe(78);
    expect(r.stderr).toMatch(/\.conf:\d+: .*budget/);
    expect(() => statSync(join(dir, 'x.sock'))).toThrow();
  });

  it('refuses a node name that is not configured', async () => {
    const r = (await vigild(['--config', conf(''), '--node', 'zed'])) as Failure;
    expect(r.code, r.stderr).toBe(78);
    expect(r.stderr).toMatch(/--node zed is not in the configuration's node list \(a, b\)/);
  });

  it('refuses a key file others can read', async () => {
    const loose = join(dir, 'loose');
    writeFileSync(loose, 'k'.repeat(32));
    chmodSync(loose, 0o644);
    const file = conf('').replace(/$/, '');
    writeFileSync(file, `[cluster]\nname = t\n[transport]\nkey_file = ${loose}\nport = 28694\n[node a]\nid = 1\naddresses = 127.0.0.1\n[node b]\nid = 2\naddresses = 127.0.0.2\n`);
    const r = (await vigild(['--config', file, '--node', 'a', '--socket', join(dir, 'y.sock'), '--state-dir', join(dir, 'st'), '--log-dir', join(dir, 'lg')])) as Failure;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/key file .* readable by group or others .* chmod 600/);
  });

  it('rejects unknown options with usage', async () => {
    const r = (await vigild(['--bogus'])) as Failure;
    expect(r.code, r.stderr).toBe(64);
    expect(r.stderr).toMatch(/usage: vigild --config FILE/);
  });

  it('prints the timers and the worst-case detection time from a configuration file', async () => {
    const { stdout } = await run(process.execPath, [vigilPath, 'status', '--timing', '--config', conf('[timing]\ndetection_budget = 1s\n')]);
    // The split of the budget is membership's (docs/config.md); what holds whatever it is:
    const ms = (name: string): number => Number(new RegExp(`${name}\\s+(\\d+) ms`).exec(stdout)?.[1]);
    expect(ms('keepalive')).toBeGreaterThan(0);
    expect(ms('keepalive')).toBeLessThan(ms('deadtime'));
    const worst = Number(/worst-case detection of a dead node: (\d+) ms/.exec(stdout)?.[1]);
    expect(worst).toBeGreaterThanOrEqual(ms('deadtime'));
    expect(worst).toBeLessThanOrEqual(1000);
    const hold = Number(/held up to (\d+) ms of silence/.exec(stdout)?.[1]);
    expect(hold).toBeGreaterThan(ms('deadtime'));
    const json = JSON.parse((await run(process.execPath, [vigilPath, 'status', '--timing', '--output-as', 'json', '--config', conf('[timing]\ndetection_budget = 300ms\n')])).stdout);
    expect(json.worstCaseDetectionMs).toBeLessThanOrEqual(300);
  });

  it('refuses an unknown output format', async () => {
    const r = (await run(process.execPath, [vigilPath, 'status', '--output-as', 'yaml']).catch((e: Failure) => e)) as Failure;
    expect(r.code, r.stderr).toBe(64);
    expect(r.stderr).toMatch(/--output-as must be text, json or xml/);
  });
});

describe.skipIf(skip !== null)(`vigild with AES-256-GCM on loopback${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;
  let cluster: Cluster;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-gcm-'));
    cluster = await startCluster({ dir, nodes: 2, budget: '1s', encrypt: true, extraConfig: '[quorum]\ntwo_node = yes' });
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('forms a view, replicates the CIB over the encrypted stream, and serves the API socket as 0660', async () => {
    for (const i of [0, 1]) await cluster.waitFor(i, (s) => s.view.members.length === 2, 15_000, 'a 2-node view');
    const res = (await cluster.request(1, { op: 'cib.replace', scope: 'resources', xml: '<resources><primitive id="p" class="ocf" provider="heartbeat" type="Dummy"/></resources>' })) as { committed: boolean };
    expect(res.committed).toBe(true);
    expect((await cluster.status(0)).cib).toContain('id="p"');
    expect(statSync(cluster.node(0).socket).mode & 0o777).toBe(0o660);
    const s = await cluster.status(0);
    expect(s.counters.droppedPlaintext + s.counters.droppedBadCipher + s.counters.droppedBadMac).toBe(0);
  });
});
