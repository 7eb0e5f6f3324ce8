import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeFromCib } from '../../src/attributes/cib.js';
import { getAttribute, type AttributeScope } from '../../src/attributes/store.js';
import { parseXml } from '../../src/cib/xml.js';
import { Executor } from '../../src/executor/index.js';
import { buildAvailable, startCluster, type Cluster } from '../daemon/cluster.mjs';
import { ocf, req, ROOT } from './helpers.js';

const run = promisify(execFile);
const skip = buildAvailable();
const STATEFUL = '/usr/lib/ocf/resource.d/pacemaker/Stateful';

/**
 * The attribute service inside a live cluster: three vigild on loopback, the helper commands
 * agents call (through their libexec shims) and the CLI talking to one node's daemon, and every
 * node's replicated CIB checked for the result.
 */
describe.skipIf(skip !== null)(`node attributes on a live vigild cluster${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;
  let cluster: Cluster;

  /** The environment of an agent on node i: the daemon's socket, and no file store. */
  const agentEnv = (i: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_SOCKET: cluster.node(i).socket, ...extra };
    delete env.VIGIL_STATE_DIR;
    delete env.CIB_file;
    delete env.VIGIL_NODE_NAME;
    return env;
  };
  const tool = (name: string, i: number, args: string[], extra?: Record<string, string>) => run(join(ROOT, 'libexec', name), args, { env: agentEnv(i, extra) });
  const vigil = (i: number, args: string[]) => run(join(ROOT, 'bin', 'vigil'), args, { env: agentEnv(i) });

  const attribute = async (i: number, scope: AttributeScope, node: string, name: string): Promise<string | undefined> => {
    const xml = (await cluster.request(i, { op: 'cib.query' })) as string;
    return getAttribute(storeFromCib(parseXml(xml)), { scope, node, name });
  };
  const onEveryNode = (nodes: number[], scope: AttributeScope, node: string, name: string) => Promise.all(nodes.map((i) => attribute(i, scope, node, name)));
  async function until(what: string, ms: number, pred: () => Promise<boolean>): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await pred()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${what}: not within ${ms} ms`);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-attrs-'));
    cluster = await startCluster({ dir, nodes: 3, budget: '1s' });
    for (let i = 0; i < 3; i++) await cluster.waitFor(i, (s) => s.view.members.length === 3 && s.view.dc === 'n1', 15_000, 'a 3-node view');
  }, 30_000);

  afterAll(async () => {
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('crm_master -v 10 from an agent on n2 puts master-RSC in every node\'s CIB status, committed when it returns', async () => {
    await tool('crm_master', 1, ['-l', 'reboot', '-v', '10'], { OCF_RESOURCE_INSTANCE: 'db:1' });
    expect(await onEveryNode([0, 1, 2], 'transient', 'n2', 'master-db')).toEqual(['10', '10', '10']);
    const xml = (await cluster.request(2, { op: 'cib.query', scope: 'status' })) as string;
    expect(xml).toMatch(/<node_state [^>]*uname="n2"[\s\S]*?<transient_attributes id="2">\s*<instance_attributes id="status-2">\s*<nvpair id="status-2-master-db" name="master-db" value="10"\/>/);
    const { stdout } = await tool('crm_master', 0, ['-l', 'reboot', '-G', '-N', 'n2', '-q'], { OCF_RESOURCE_INSTANCE: 'db' });
    expect(stdout.trim()).toBe('10');
  });

  it('cibadmin -Q and crm_node read the live CIB', async () => {
    const { stdout: nodes } = await tool('cibadmin', 1, ['-Q', '-o', 'nodes']);
    expect(nodes).toMatch(/<node id="3" uname="n3"/);
    const { stdout: list } = await tool('crm_node', 1, ['-l']);
    expect(list.trim().split('\n').map((l) => l.split(' ')[1])).toEqual(['n1', 'n2', 'n3']);
    const { stdout: name } = await tool('crm_node', 2, ['-n']);
    expect(name.trim()).toBe('n3');
  });

  it('crm_attribute -l forever lands in the nodes section on every node', async () => {
    await tool('crm_attribute', 2, ['-N', 'n1', '-n', 'site', '-v', 'east', '-l', 'forever']);
    expect(await onEveryNode([0, 1, 2], 'permanent', 'n1', 'site')).toEqual(['east', 'east', 'east']);
    const config = (await cluster.request(0, { op: 'cib.query', scope: 'nodes' })) as string;
    expect(config).toMatch(/<node id="1" uname="n1">\s*<instance_attributes id="nodes-1">\s*<nvpair id="nodes-1-site" name="site" value="east"\/>/);
    expect(await attribute(0, 'transient', 'n1', 'site')).toBeUndefined();
  });

  it('attrd_updater -d holds a flapping value back and commits the last one when the delay ends', async () => {
    // The delay is long enough for two helper runs on a loaded machine (each one starts node).
    const started = Date.now();
    await tool('attrd_updater', 1, ['-n', 'pingd', '-U', '100', '-d', '4s']);
    await tool('attrd_updater', 1, ['-n', 'pingd', '-U', '200', '-d', '4s']);
    const early = await onEveryNode([0, 1, 2], 'transient', 'n2', 'pingd');
    if (Date.now() - started < 3900) expect(early).toEqual([undefined, undefined, undefined]);
    // Queried on the node that holds it, the waiting value is already there (attrd answers so too).
    const listed = (await cluster.request(1, { op: 'attr.list', node: 'n2' })) as { pending: { name: string; value: string }[] };
    expect(listed.pending).toMatchObject([{ name: 'pingd', value: '200' }]);
    await until('pingd committed', 8000, async () => (await onEveryNode([0, 1, 2], 'transient', 'n2', 'pingd')).every((v) => v === '200'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(3900);
  });

  it('attrd_updater increments (NAME++) add to the committed value', async () => {
    await tool('attrd_updater', 0, ['-n', 'counter', '-U', '5']);
    await tool('attrd_updater', 2, ['-N', 'n1', '-n', 'counter', '-U', 'counter++']);
    await cluster.request(1, { op: 'attr.update', node: 'n1', name: 'counter', value: 'counter+=10' });
    expect(await onEveryNode([0, 1, 2], 'transient', 'n1', 'counter')).toEqual(['16', '16', '16']);
  });

  it('vigil node attribute works on the live cluster, and refuses bad input without changing the CIB', async () => {
    await vigil(1, ['node', 'attribute', 'n3', 'rack', '7', '--lifetime', 'reboot']);
    expect(await onEveryNode([0, 1, 2], 'transient', 'n3', 'rack')).toEqual(['7', '7', '7']);
    const { stdout } = await vigil(0, ['node', 'attribute', 'n3', '--output-as', 'json']);
    expect(JSON.parse(stdout)).toEqual({ node: 'n3', attributes: [{ name: 'rack', value: '7', lifetime: 'reboot' }] });
    const before = (await cluster.status(0)).cibVersion;
    await expect(vigil(1, ['node', 'attribute', 'nx', 'rack', '1'])).rejects.toMatchObject({ code: 65, stderr: expect.stringContaining("node 'nx'") });
    await expect(cluster.request(1, { op: 'attr.update', name: 'bad name', value: '1' })).rejects.toThrow(/invalid attribute name/);
    await expect(cluster.request(1, { op: 'attr.update', name: 'x', value: 1 })).rejects.toThrow(/needs 'value'/);
    expect((await cluster.status(0)).cibVersion).toEqual(before);
  });

  it('vigil resource failcount shows and clears fail counts through the daemon', async () => {
    await tool('attrd_updater', 1, ['-N', 'n2', '-n', 'fail-count-web#monitor_10000', '-U', '3']);
    await tool('attrd_updater', 1, ['-N', 'n2', '-n', 'last-failure-web#monitor_10000', '-U', '1700000000']);
    const { stdout } = await vigil(0, ['resource', 'failcount', 'web', '--output-as', 'json']);
    expect(JSON.parse(stdout)).toMatchObject({ resource: 'web', nodes: [{ node: 'n2', total: 3, operations: [{ task: 'monitor', intervalMs: 10_000, count: 3, lastFailure: 1_700_000_000 }] }] });
    await vigil(2, ['resource', 'failcount', 'web', 'n2', '--delete']);
    expect(await onEveryNode([0, 1, 2], 'transient', 'n2', 'fail-count-web#monitor_10000')).toEqual([undefined, undefined, undefined]);
    expect(await attribute(0, 'transient', 'n2', 'last-failure-web#monitor_10000')).toBeUndefined();
  });

  it.skipIf(!existsSync(STATEFUL))(`ocf:pacemaker:Stateful run by an executor beside vigild sets its promotion scores in the cluster${existsSync(STATEFUL) ? '' : ' (skipped: pacemaker-resource-agents not installed)'}`, async () => {
    const stateDir = join(dir, 'exec-state');
    const executor = new Executor({ nodeName: 'n2', attributes: { kind: 'file', stateDir }, daemonSocket: cluster.node(1).socket, rscTmp: dir, killGraceMs: 300 });
    const params = { state: join(dir, 'stateful.state') };
    const meta = { promotable: 'true', 'clone-max': '2', clone: '0' };
    const op = (task: string) => executor.run(req('st:0', ocf('pacemaker', 'Stateful'), task, params, { meta }));
    expect((await op('start')).rc).toBe(0);
    expect(await onEveryNode([0, 1, 2], 'transient', 'n2', 'master-st')).toEqual(['5', '5', '5']);
    const promoted = await op('promote');
    expect(promoted.rc, promoted.stderr).toBe(0);
    expect(await onEveryNode([0, 1, 2], 'transient', 'n2', 'master-st')).toEqual(['10', '10', '10']);
    expect((await op('demote')).rc).toBe(0);
    expect((await op('stop')).rc).toBe(0);
    expect(await onEveryNode([0, 1, 2], 'transient', 'n2', 'master-st')).toEqual([undefined, undefined, undefined]);
    // The file store was the fallback only: nothing went there while the daemon answered.
    expect(existsSync(join(stateDir, 'attributes.json'))).toBe(false);
  });

  // Last: it takes n3 out of the cluster.
  it("a node that leaves loses its transient attributes; its permanent ones stay", async () => {
    await tool('attrd_updater', 0, ['-N', 'n3', '-n', 'soon-gone', '-U', '1']);
    await tool('crm_attribute', 0, ['-N', 'n3', '-n', 'kept', '-v', 'yes', '-l', 'forever']);
    expect(await attribute(1, 'transient', 'n3', 'soon-gone')).toBe('1');
    cluster.kill(2, 'SIGKILL');
    await cluster.waitFor(0, (s) => s.view.members.length === 2, 10_000, 'n3 gone from the view');
    await until("n3's transient attributes cleared on n1 and n2", 5000, async () => (await onEveryNode([0, 1], 'transient', 'n3', 'soon-gone')).every((v) => v === undefined));
    expect(await attribute(1, 'transient', 'n3', 'rack')).toBeUndefined();
    expect(await onEveryNode([0, 1], 'permanent', 'n3', 'kept')).toEqual(['yes', 'yes']);
    // Another node's transient attributes are untouched.
    expect(await attribute(1, 'transient', 'n2', 'master-db')).toBe('10');
  });
});
