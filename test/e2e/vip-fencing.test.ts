import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eUnavailable, netnsFenceDevice, primitive, properties, rscDefaults, startE2eCluster, type E2eCluster } from './harness.js';

const why = await e2eUnavailable();
const VIP = '10.213.0.100';

// The Elastic-IP story on namespaces: an IPaddr2 VIP a client reaches; the active node loses
// power; the survivor fences it (fence_vigil_netns) and then the VIP answers from the survivor.
describe.skipIf(why !== null)(`VIP failover with fencing${why ? ` (skipped: ${why})` : ''}`, () => {
  let e: E2eCluster;
  beforeAll(async () => {
    e = await startE2eCluster({ nodes: 2, clients: 1 });
    await e.cluster.replace(0, 'crm_config', properties({ 'stonith-enabled': 'true', 'no-quorum-policy': 'ignore' }));
    await e.cluster.replace(0, 'rsc_defaults', rscDefaults({ 'resource-stickiness': '100' }));
    await e.cluster.replace(
      0,
      'resources',
      `<resources>${netnsFenceDevice(e, 2)}${primitive('vip', 'ocf:heartbeat:IPaddr2', { ip: VIP, cidr_netmask: '24', nic: 'eth0' })}</resources>`,
    );
  }, 60_000);
  afterAll(async () => e?.destroy());

  it('fences the powered-off node, then the VIP answers from the survivor', async () => {
    const [holder] = await e.waitFor('vip running', () => e.where('vip'), (w) => w.length === 1, 30_000);
    expect(e.client('ping', ['-c', '1', '-W', '1', VIP])).not.toBeNull();
    const i = e.cluster.nodes.findIndex((n) => n.name === holder);
    const survivor = 1 - i;
    const t0 = Date.now();
    e.powerOff(i);
    await e.waitFor('vip on the survivor', () => e.where('vip', survivor), (w) => w.includes(e.cluster.nodes[survivor].name), 30_000);
    await e.waitFor('VIP answers', async () => e.client('ping', ['-c', '1', '-W', '1', VIP]), (out) => out !== null, 10_000);
    const history = JSON.parse(e.vigil(survivor, 'fence', 'history', '--output-as', 'json')) as { target: string; state: string }[];
    expect(history, JSON.stringify(history)).toContainEqual(expect.objectContaining({ target: holder, state: 'success' }));
    expect(Date.now() - t0).toBeLessThan(30_000);
  }, 90_000);
});
