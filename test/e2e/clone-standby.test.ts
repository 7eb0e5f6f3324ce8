import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeNodes } from '../../src/controller/admin/edits.js';
import { loopbackUnavailable, startLoopbackCluster, type LoopbackCluster } from './loopback.js';

const why = loopbackUnavailable();
const PROPS = '<crm_config><cluster_property_set id="opts"><nvpair id="opt-stonith" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>';
const CLONE =
  '<resources><clone id="dummies"><primitive id="dummy" class="ocf" provider="vigil" type="Dummy">' +
  '<operations><op id="dummy-monitor" name="monitor" interval="1s" timeout="10s"/></operations></primitive></clone></resources>';

// Anonymous clone copies get numbers per plan: the copy started as dummy:0 on a node may be
// planned as dummy:2 later. Standby must stop the copy really running on the node (its state
// file goes), whatever number the plan gives it.
describe.skipIf(why !== null)(`anonymous clone on a loopback cluster${why ? ` (skipped: ${why})` : ''}`, () => {
  let e: LoopbackCluster;
  beforeAll(async () => {
    e = await startLoopbackCluster(3);
    await e.cluster.replace(0, 'crm_config', PROPS);
    // The first copy starts on node3 alone, so node3's copy is numbered first; once node1 and
    // node2 run copies too, the next plans read their histories first and number node3's last.
    e.vigil(0, 'node', 'standby', 'node1');
    e.vigil(0, 'node', 'standby', 'node2');
    await e.cluster.replace(0, 'resources', CLONE);
    await e.waitFor('dummy on node3 only', () => e.dcCib().then((c) => activeNodes(c, 'dummies')), (w) => w.length === 1 && w[0] === 'node3', 30_000);
    e.vigil(0, 'node', 'online', 'node1');
    e.vigil(0, 'node', 'online', 'node2');
  }, 60_000);
  afterAll(async () => e?.destroy());

  it('standby of a node stops the clone copy running there', async () => {
    await e.waitFor('dummy on 3 nodes', () => e.dcCib().then((c) => activeNodes(c, 'dummies')), (w) => w.length === 3, 30_000);
    for (let i = 0; i < 3; i++) expect(e.stateFiles(i, 'vigil-Dummy-')).toHaveLength(1);
    e.vigil(0, 'node', 'standby', 'node3');
    await e.waitFor('dummy gone from node3', () => e.dcCib().then((c) => activeNodes(c, 'dummies')), (w) => w.length === 2 && !w.includes('node3'), 30_000);
    await e.waitFor('node3 state file removed', () => e.stateFiles(2, 'vigil-Dummy-'), (f) => f.length === 0, 10_000);
    expect(e.stateFiles(0, 'vigil-Dummy-')).toHaveLength(1);
    expect(e.stateFiles(1, 'vigil-Dummy-')).toHaveLength(1);
    // Settled: nothing restarts the copy on the standby node.
    await new Promise((r) => setTimeout(r, 2500));
    expect(e.stateFiles(2, 'vigil-Dummy-')).toHaveLength(0);
    expect(activeNodes(await e.dcCib(), 'dummies').sort()).toEqual(['node1', 'node2']);
  }, 90_000);
});
