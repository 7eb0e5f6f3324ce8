import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { XmlElement } from '../../src/cib/xml.js';
import { loopbackUnavailable, startLoopbackCluster, type LoopbackCluster } from './loopback.js';

const why = loopbackUnavailable();
const PROPS = '<crm_config><cluster_property_set id="opts"><nvpair id="opt-stonith" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>';
const PROMOTABLE =
  '<resources><clone id="st-clone"><meta_attributes id="st-clone-meta"><nvpair id="st-clone-promotable" name="promotable" value="true"/></meta_attributes>' +
  '<primitive id="st" class="ocf" provider="vigil" type="Stateful"><operations>' +
  '<op id="st-monitor-promoted" name="monitor" interval="1s" role="Promoted" timeout="10s"/>' +
  '<op id="st-monitor-unpromoted" name="monitor" interval="2s" role="Unpromoted" timeout="10s"/>' +
  '</operations></primitive></clone></resources>';

/** Nodes whose promotion score for `st` the merged CIB carries (from vigild's attribute service). */
function scoredNodes(cib: XmlElement): string[] {
  const status = cib.children.find((c) => c.name === 'status');
  return (status?.children ?? [])
    .filter((s) => s.children.some((t) => t.name === 'transient_attributes' && t.children.some((set) => set.children.some((p) => p.attrs.name === 'master-st'))))
    .map((s) => s.attrs.uname ?? '');
}

// Promotion scores come from the agent (crm_attribute --promotion) through vigild's attribute
// service: the scheduler sees them beside the controller's own status writes in the one CIB.
describe.skipIf(why !== null)(`promotable clone on a loopback cluster${why ? ` (skipped: ${why})` : ''}`, () => {
  let e: LoopbackCluster;
  const roles = (): string[][] => e.cluster.nodes.map((_, i) => (e.cluster.isRunning(i) ? e.stateContents(i, 'vigil-Stateful-') : []));
  const promotedOn = (r: string[][]): number[] => r.flatMap((files, i) => (files.includes('promoted') ? [i] : []));
  beforeAll(async () => {
    e = await startLoopbackCluster(3);
    await e.cluster.replace(0, 'crm_config', PROPS);
    await e.cluster.replace(0, 'resources', PROMOTABLE);
  }, 60_000);
  afterAll(async () => e?.destroy());

  it('promotes exactly one instance, and another when the promoted node dies', async () => {
    const first = await e.waitFor('one promoted, two unpromoted', roles, (r) => promotedOn(r).length === 1 && r.flat().filter((x) => x === 'unpromoted').length === 2, 40_000);
    expect(scoredNodes(await e.dcCib()).sort()).toEqual(['node1', 'node2', 'node3']);
    // Stays at one: no second promotion once the plan has settled.
    await new Promise((r) => setTimeout(r, 2000));
    expect(promotedOn(roles())).toEqual(promotedOn(first));
    const dead = promotedOn(first)[0];
    e.cluster.powerOff(dead);
    const after = await e.waitFor('a survivor promoted', roles, (r) => promotedOn(r).length === 1, 40_000);
    expect(promotedOn(after)[0]).not.toBe(dead);
    expect(after.flat()).toHaveLength(2);
  }, 120_000);
});
