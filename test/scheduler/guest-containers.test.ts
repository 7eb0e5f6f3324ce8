import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

function lrm(id: string, ops: { task: string; rc?: number; interval?: number }[]): string {
  const body = ops
    .map((o, i) => {
      const rc = o.rc ?? 0;
      return `<lrm_rsc_op id="${id}_${o.task}_${i}" operation="${o.task}" interval="${o.interval ?? 0}" call-id="${i + 2}" rc-code="${rc}" op-status="0" op-digest="${DIGEST}" transition-key="${i}:1:0:x" transition-magic="0:${rc};${i}:1:0:x"/>`;
    })
    .join('');
  return `<lrm_resource id="${id}" class="ocf" provider="pacemaker" type="Dummy">${body}</lrm_resource>`;
}

const started = (id: string): string => lrm(id, [{ task: 'start' }]);

/** `box` is a plain container (no guest node); `a` and `b` live inside it (meta container=box). */
function cib(opts: { n1: string[]; attrs?: Record<string, string>; boxMeta?: Record<string, string> }): string {
  const inside = (id: string): string => `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="${id}-m"><nvpair id="${id}-c" name="container" value="box"/></meta_attributes></primitive>`;
  const boxMeta = Object.entries(opts.boxMeta ?? {})
    .map(([k, v]) => `<nvpair id="box-${k}" name="${k}" value="${v}"/>`)
    .join('');
  const attrs = Object.entries(opts.attrs ?? {})
    .map(([k, v]) => `<nvpair id="n1-${k}" name="${k}" value="${v}"/>`)
    .join('');
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
    <resources>
      <primitive id="box" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="box-m">${boxMeta}</meta_attributes></primitive>
      ${inside('a')}${inside('b')}
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-t">${attrs}</instance_attributes></transient_attributes><lrm id="n1"><lrm_resources>${opts.n1.join('')}</lrm_resources></lrm></node_state>
    <node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n2"><lrm_resources/></lrm></node_state>
  </status>
</cib>`;
}

const run = (s: Parameters<typeof cib>[0]) => schedule(parseXml(cib(s)), { now: NOW });

describe('resources inside a container', () => {
  it('start with the container, on its node, after it', () => {
    const r = run({ n1: [] });
    expect(r.unsupported).toEqual([]);
    expect(r.placements.a.node).toBe(r.placements.box.node);
    expect(r.placements.b.node).toBe(r.placements.box.node);
    const keys = r.graph.actions.map((x) => ('key' in x ? x.key : ''));
    const act = (k: string) => r.graph.actions[keys.indexOf(k)];
    expect(act('a_start_0').inputs).toContain(act('box_start_0').id);
    // What runs inside is known through the container: it is not probed itself.
    expect(keys.filter((k) => k.startsWith('a_monitor_0'))).toEqual([]);
  });

  it('restart the container when one of them fails (on-fail=restart-container by default)', () => {
    const r = run({ n1: [started('box'), lrm('a', [{ task: 'start' }, { task: 'monitor', interval: 10000, rc: 7 }]), started('b')] });
    const text = r.summary.join('\n');
    expect(text).toMatch(/Restart\s+box\s+\(\s*n1\s*\)/);
    expect(text).toMatch(/Recover\s+a\s+\(\s*n1\s*\)/);
    expect(text).toMatch(/Restart\s+b\s+\(\s*n1\s*\)\s+due to required box start/);
  });

  it('count their failures towards the container migration-threshold', () => {
    const r = run({
      n1: [started('box'), started('a'), started('b')],
      boxMeta: { 'migration-threshold': '3' },
      attrs: { 'fail-count-a': '1', 'fail-count-b': '2' },
    });
    expect(r.placements.box.node).toBe('n2');
    expect(r.placements.a.node).toBe('n2');
  });
});
