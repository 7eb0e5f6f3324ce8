import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { nthAddress } from '../../src/scheduler/bundles/expand.js';

const NOW = 1_700_000_000;

function cib(opts: { nodes: string[]; replicas: number; perHost?: number; ip?: boolean; child?: boolean; constraints?: string }): string {
  const nodes = opts.nodes.map((n) => `<node id="${n}" uname="${n}"/>`).join('');
  const states = opts.nodes.map((n) => `<node_state id="${n}" uname="${n}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="${n}"><lrm_resources/></lrm></node_state>`).join('');
  const network = opts.ip ? '<network ip-range-start="10.0.0.254" host-interface="eth0" host-netmask="24" control-port="3121"/>' : '';
  const child = opts.child === false ? '' : '<primitive id="web" class="ocf" provider="heartbeat" type="apache"/>';
  const perHost = opts.perHost !== undefined ? ` replicas-per-host="${opts.perHost}"` : '';
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="${opts.nodes[0]}">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes>${nodes}</nodes>
    <resources>
      ${opts.constraints ? '<primitive id="lone" class="ocf" provider="pacemaker" type="Dummy"/>' : ''}
      <bundle id="B"><docker image="img:1" replicas="${opts.replicas}"${perHost}/>${network}${child}</bundle>
    </resources>
    <constraints>${opts.constraints ?? ''}</constraints>
  </configuration>
  <status>${states}</status>
</cib>`;
}

const run = (o: Parameters<typeof cib>[0]) => schedule(parseXml(cib(o)), { now: NOW });
const squash = (lines: string[]): string[] => lines.map((l) => l.trim().replace(/\s+/g, ' '));

describe('bundles', () => {
  it('start replica by replica: address, container, guest connection, then the instance inside', () => {
    const r = run({ nodes: ['n1', 'n2'], replicas: 2, ip: true });
    expect(r.unsupported).toEqual([]);
    const [d0, d1] = [r.placements['B-docker-0'].node, r.placements['B-docker-1'].node];
    expect(new Set([d0, d1])).toEqual(new Set(['n1', 'n2']));
    expect(r.placements['B-ip-10.0.0.254'].node).toBe(d0);
    expect(r.placements['B-ip-10.0.0.255'].node).toBe(d1);
    expect(r.placements['B-0'].node).toBe(d0);
    expect(r.placements['web:0'].node).toBe('B-0');
    expect(r.placements['web:1'].node).toBe('B-1');
    expect(squash(r.summary)).toEqual([
      `* Start B-ip-10.0.0.254 ( ${d0} )`,
      `* Start B-docker-0 ( ${d0} )`,
      `* Start B-0 ( ${d0} )`,
      '* Start web:0 ( B-0 )',
      `* Start B-ip-10.0.0.255 ( ${d1} )`,
      `* Start B-docker-1 ( ${d1} )`,
      `* Start B-1 ( ${d1} )`,
      '* Start web:1 ( B-1 )',
    ]);
  });

  it('put no more replicas on a host than replicas-per-host allows', () => {
    const one = run({ nodes: ['n1'], replicas: 2 });
    expect(one.placements['B-docker-0'].node).toBe('n1');
    expect(one.placements['B-docker-1'].node).toBeNull();
    const two = run({ nodes: ['n1'], replicas: 2, perHost: 2 });
    expect(two.placements['B-docker-1'].node).toBe('n1');
  });

  it('run containers alone when the bundle holds no primitive', () => {
    const r = run({ nodes: ['n1', 'n2'], replicas: 1, child: false });
    expect(squash(r.summary)).toEqual([`* Start B-docker-0 ( ${r.placements['B-docker-0'].node} )`]);
    expect(r.placements['B-0']).toBeUndefined();
  });

  it('colocate a resource with a bundle of several replicas as with any of its containers', () => {
    const r = run({ nodes: ['n1', 'n2', 'n3'], replicas: 2, constraints: '<rsc_colocation id="lone-with-B" rsc="lone" with-rsc="B" score="INFINITY"/>' });
    expect(r.unsupported).toEqual([]);
    const hosts = [r.placements['B-docker-0'].node, r.placements['B-docker-1'].node];
    expect(hosts).not.toContain(null);
    expect(hosts).toContain(r.placements.lone.node);
    const single = run({ nodes: ['n1', 'n2'], replicas: 1, constraints: '<rsc_colocation id="lone-with-B" rsc="lone" with-rsc="B" score="INFINITY"/>' });
    expect(single.unsupported).toEqual([]);
    expect(single.placements.lone.node).toBe(single.placements['B-docker-0'].node);
  });

  it('keep their guest nodes to themselves: nothing else is scored, placed or probed there', () => {
    const r = schedule(parseXml(cib({ nodes: ['n1'], replicas: 1, constraints: '<rsc_location id="lone-in-B" rsc="lone" node="B-0" score="1000"/>' })), { now: NOW, detail: true });
    expect(r.placements['web:0'].node).toBe('B-0');
    expect(r.scores.lone['B-0']).toBeLessThanOrEqual(-1_000_000);
    expect(r.placements.lone.node).toBe('n1');
    const probes = r.graph.actions.filter((a) => 'key' in a && a.key === 'lone_monitor_0').map((a) => ('node' in a ? a.node : ''));
    expect(probes).toEqual(['n1']);
  });

  it('number replica addresses upwards from ip-range-start, carrying into the next octet', () => {
    expect(nthAddress('192.168.1.254', 3)).toBe('192.168.2.1');
    expect(nthAddress('not-an-address', 1)).toBeUndefined();
  });
});
