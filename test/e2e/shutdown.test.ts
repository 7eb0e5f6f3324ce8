import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eUnavailable, netnsFenceDevice, primitive, properties, startE2eCluster, type E2eCluster } from './harness.js';

/** The supervised service is `sleep 100000`: told apart from any other sleep by its argument. */
const SVC_ARG = '100000';
const why = await e2eUnavailable();

// A clean shutdown: the node's resources leave first, it shows OFFLINE (not UNCLEAN), and with
// fencing enabled nobody fences it.
describe.skipIf(why !== null)(`clean node shutdown${why ? ` (skipped: ${why})` : ''}`, () => {
  let e: E2eCluster;
  beforeAll(async () => {
    e = await startE2eCluster({ nodes: 2, extraConfig: '[quorum]\ntwo_node = true' });
    await e.cluster.replace(0, 'crm_config', properties({ 'stonith-enabled': 'true' }));
    await e.cluster.replace(0, 'constraints', '<constraints><rsc_location id="svc-prefers-node1" rsc="svc" node="node1" score="100"/></constraints>');
    await e.cluster.replace(0, 'resources', `<resources>${netnsFenceDevice(e, 2)}${primitive('svc', 'ocf:vigil:Supervisor', { binfile: '/bin/sleep', cmdline_options: SVC_ARG })}</resources>`);
  }, 60_000);
  afterAll(async () => e?.destroy());

  it('moves the resources away before the node leaves, and does not fence it', async () => {
    await e.waitFor('svc on node1', () => e.where('svc'), (w) => w.length === 1 && w[0] === 'node1', 30_000);
    expect(e.pidsNamed(0, 'sleep', SVC_ARG)).toHaveLength(1);
    await e.cluster.shutdownNode(0, 30_000);
    // Stopped by the cluster on node1 (not left behind), running on node2.
    expect(e.pidsNamed(0, 'sleep', SVC_ARG)).toHaveLength(0);
    await e.waitFor('svc on node2', () => e.where('svc', 1), (w) => w.length === 1 && w[0] === 'node2', 20_000);
    await new Promise((r) => setTimeout(r, 2000));
    const history = JSON.parse(e.vigil(1, 'fence', 'history', '--output-as', 'json')) as unknown[];
    expect(history).toEqual([]);
    const cib = await e.cluster.cib(1);
    const node1 = cib.children.find((c) => c.name === 'status')?.children.find((s) => s.attrs.uname === 'node1');
    expect(node1?.attrs).toMatchObject({ in_ccm: 'false', expected: 'down' });
  }, 90_000);
});
