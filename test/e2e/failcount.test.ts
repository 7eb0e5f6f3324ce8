import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeNodes } from '../../src/controller/admin/edits.js';
import { loopbackUnavailable, startLoopbackCluster, type LoopbackCluster } from './loopback.js';

const why = loopbackUnavailable();
const PROPS = '<crm_config><cluster_property_set id="opts"><nvpair id="opt-stonith" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>';
const RESOURCES =
  '<resources><primitive id="d1" class="ocf" provider="vigil" type="Dummy"><meta_attributes id="d1-meta"><nvpair id="d1-threshold" name="migration-threshold" value="5"/></meta_attributes>' +
  '<operations><op id="d1-monitor" name="monitor" interval="1s" timeout="10s"/></operations></primitive></resources>';

interface FailcountJson {
  resource: string;
  nodes: { node: string; total: number }[];
}

// The fail counts of operations the cluster ran are written by the DC's controller into the
// replicated CIB: `vigil resource failcount` on any node must show them, and --delete clear them.
describe.skipIf(why !== null)(`live fail counts on a loopback cluster${why ? ` (skipped: ${why})` : ''}`, () => {
  let e: LoopbackCluster;
  beforeAll(async () => {
    e = await startLoopbackCluster(2);
    await e.cluster.replace(0, 'crm_config', PROPS);
    await e.cluster.replace(0, 'resources', RESOURCES);
  }, 60_000);
  afterAll(async () => e?.destroy());

  const failcount = (i: number): FailcountJson => JSON.parse(e.vigil(i, 'resource', 'failcount', 'd1', '--output-as', 'json')) as FailcountJson;

  it('shows a monitor failure counted by the DC, on the other node too, and clears it', async () => {
    const [where] = await e.waitFor('d1 running', () => e.dcCib().then((c) => activeNodes(c, 'd1')), (w) => w.length === 1, 30_000);
    const i = e.cluster.nodes.findIndex((n) => n.name === where);
    expect(failcount(0).nodes).toEqual([]);
    // The resource "dies" behind the cluster's back: its state file goes.
    for (const f of e.stateFiles(i, 'vigil-Dummy-')) rmSync(join(e.cluster.nodes[i].stateDir, 'rsctmp', f));
    const seen = await e.waitFor('fail count 1', () => failcount(1 - i), (r) => r.nodes.some((n) => n.node === where && n.total === 1), 20_000);
    expect(seen.nodes).toHaveLength(1);
    e.vigil(0, 'resource', 'failcount', 'd1', '--delete');
    await e.waitFor('fail count cleared', () => failcount(0), (r) => r.nodes.length === 0, 10_000);
  }, 90_000);

  it('status names the stack and the DC version although crm_config was replaced', () => {
    const status = JSON.parse(e.vigil(0, 'status', '--output-as', 'json')) as { cluster: { summary: { stack?: string; dcVersion?: string } } };
    expect(status.cluster.summary.stack).toBe('vigil');
    expect(status.cluster.summary.dcVersion).toMatch(/^vigil \d+\.\d+\.\d+/);
  });
});
