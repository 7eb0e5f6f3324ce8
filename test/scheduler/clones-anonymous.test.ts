import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

function started(id: string, call: number): string {
  return `<lrm_resource id="${id}" class="ocf" provider="pacemaker" type="Dummy">
    <lrm_rsc_op id="${id}_last_0" operation="start" interval="0" call-id="${call}" rc-code="0" op-status="0" op-digest="${DIGEST}" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/>
  </lrm_resource>`;
}

interface NodeSpec {
  name: string;
  online: boolean;
  /** lrm_resource entries (already rendered). */
  lrm: string[];
}

function cib(opts: { cloneMeta: Record<string, string>; childMeta?: Record<string, string>; stonith: boolean; nodes: NodeSpec[]; quorum?: boolean }): string {
  const nv = (prefix: string, m: Record<string, string>): string => Object.entries(m).map(([k, v]) => `<nvpair id="${prefix}-${k}" name="${k}" value="${v}"/>`).join('');
  const states = opts.nodes
    .map(
      (n) => `<node_state id="${n.name}" uname="${n.name}" in_ccm="${n.online}" crmd="${n.online ? 'online' : 'offline'}" join="${n.online ? 'member' : 'down'}" expected="member">
        <lrm id="${n.name}"><lrm_resources>${n.lrm.join('')}</lrm_resources></lrm>
      </node_state>`,
    )
    .join('');
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="${opts.quorum === false ? 0 : 1}" dc-uuid="${opts.nodes[0].name}">
  <configuration>
    <crm_config><cluster_property_set id="opts">
      <nvpair id="o1" name="stonith-enabled" value="${opts.stonith}"/>
      <nvpair id="o2" name="no-quorum-policy" value="ignore"/>
    </cluster_property_set></crm_config>
    <nodes>${opts.nodes.map((n) => `<node id="${n.name}" uname="${n.name}"/>`).join('')}</nodes>
    <resources>
      ${opts.stonith ? '<primitive id="fence" class="stonith" type="fence_dummy"/>' : ''}
      <clone id="c1">
        <meta_attributes id="c1-meta">${nv('c1', opts.cloneMeta)}</meta_attributes>
        <primitive id="d" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="d-meta">${nv('d', opts.childMeta ?? {})}</meta_attributes></primitive>
      </clone>
    </resources>
    <constraints/>
  </configuration>
  <status>${states}</status>
</cib>`;
}

const squash = (lines: string[]): string[] => lines.map((l) => l.trim().replace(/\s+/g, ' '));

describe('anonymous clone instances found in the history', () => {
  it('clone-max=0: every running copy is an orphan of its own, stopped where it runs', () => {
    const xml = cib({
      cloneMeta: { 'clone-max': '0' },
      stonith: false,
      nodes: [
        { name: 'n1', online: true, lrm: [started('d:1', 2)] },
        { name: 'n2', online: true, lrm: [started('d:0', 2)] },
      ],
    });
    expect(squash(schedule(parseXml(xml), { now: NOW }).summary)).toEqual(['* Stop d:0 ( n1 ) due to node availability', '* Stop d:1 ( n2 ) due to node availability']);
  });

  it('a second copy on the same node is an orphan, not a spare instance', () => {
    const xml = cib({
      cloneMeta: {},
      stonith: false,
      nodes: [
        { name: 'n1', online: true, lrm: [started('d:0', 2), started('d:1', 3)] },
        { name: 'n2', online: true, lrm: [] },
      ],
    });
    const lines = squash(schedule(parseXml(xml), { now: NOW }).summary);
    // Both configured instances are free for placement: one stays on n1, one starts on n2, the copy stops.
    expect(lines).toContain('* Start d:1 ( n2 )');
    expect(lines).toContain('* Stop d:2 ( n1 ) due to node availability');
  });

  it('a copy on a lost node of a resource that needs no fencing does not hold an instance number', () => {
    const nodes: NodeSpec[] = [
      { name: 'n1', online: false, lrm: [started('d', 2)] },
      { name: 'n2', online: true, lrm: [started('d', 2)] },
      { name: 'n3', online: true, lrm: [started('d', 2)] },
      { name: 'n4', online: true, lrm: [] },
    ];
    const xml = cib({ cloneMeta: { 'clone-max': '3' }, childMeta: { requires: 'quorum' }, stonith: true, nodes });
    const result = schedule(parseXml(xml), { now: NOW });
    const lines = squash(result.summary);
    expect(lines).toContain("* Fence (reboot) n1 'peer is no longer part of the cluster'");
    // n1's copy is the orphan d:3; the third configured instance starts on n4.
    expect(lines).toContain('* Stop d:3 ( n1 ) due to node availability');
    expect(lines).toContain('* Start d:2 ( n4 )');
  });
});
