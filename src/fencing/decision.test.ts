import { describe, expect, it } from 'vitest';
import { parseXml } from '../cib/xml.js';
import { checkFencing, fencePlan, priorityDelayMs } from './decision.js';

const cib = (extra = '', props = '', status = '') =>
  parseXml(`<cib><configuration>
  <crm_config><cluster_property_set id="o">${props}</cluster_property_set></crm_config>
  <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/></nodes>
  <resources>
    <primitive id="f-ipmi" class="stonith" type="fence_ipmilan"><instance_attributes id="f1">
      <nvpair id="a" name="ip" value="10.0.0.1"/><nvpair id="b" name="pcmk_host_map" value="n1:node-one;n2:node-two"/>
      <nvpair id="c" name="pcmk_delay_base" value="n1:2s;n2:0"/><nvpair id="d" name="pcmk_delay_max" value="4s"/>
    </instance_attributes></primitive>
    <primitive id="f-pdu" class="stonith" type="fence_apc"><instance_attributes id="f2"><nvpair id="e" name="pcmk_host_list" value="n1 n2 n3"/></instance_attributes></primitive>
    <primitive id="f-dyn" class="stonith" type="fence_xvm"/>
    <primitive id="web" class="ocf" provider="heartbeat" type="apache"><meta_attributes id="wm"><nvpair id="wp" name="priority" value="10"/></meta_attributes></primitive>
    ${extra}
  </resources><constraints/>
  <fencing-topology>
    <fencing-level id="l1" target="n1" index="1" devices="f-ipmi"/>
    <fencing-level id="l2" target="n1" index="2" devices="f-pdu,f-ipmi"/>
  </fencing-topology>
  </configuration><status>${status}</status></cib>`);

describe('fencing decision', () => {
  it('follows topology levels in index order, all devices of a level together', () => {
    const plan = fencePlan(cib(), 'n1', 'reboot');
    expect(plan.levels.map((l) => [l.index, l.steps.map((s) => s.device)])).toEqual([[1, ['f-ipmi']], [2, ['f-pdu', 'f-ipmi']]]);
    expect(plan.levels[0].steps[0].params).toMatchObject({ ip: '10.0.0.1', plug: 'node-one', port: 'node-one' });
    expect(plan.levels[0].steps[0].params).not.toHaveProperty('pcmk_host_map');
  });

  it('without topology uses every device that reaches the node: static lists, maps and dynamic lists', () => {
    expect(fencePlan(cib(), 'n2', 'off').levels.map((l) => l.steps[0].device)).toEqual(['f-ipmi', 'f-pdu']);
    expect(fencePlan(cib(), 'n3', 'off').levels.map((l) => l.steps[0].device)).toEqual(['f-pdu']);
    const withList = fencePlan(cib(), 'n3', 'off', { dynamicLists: new Map([['f-dyn', ['n3']]]) });
    expect(withList.levels.map((l) => l.steps[0].device)).toEqual(['f-pdu', 'f-dyn']);
  });

  it('computes per-node pcmk_delay_base plus a share of pcmk_delay_max from the given fraction', () => {
    expect(fencePlan(cib(), 'n1', 'reboot', { delayFraction: 0 }).levels[0].steps[0].delayMs).toBe(2000);
    expect(fencePlan(cib(), 'n1', 'reboot', { delayFraction: 0.5 }).levels[0].steps[0].delayMs).toBe(3000);
    expect(fencePlan(cib(), 'n2', 'reboot', { delayFraction: 0.5 }).levels[0].steps[0].delayMs).toBe(2000);
  });

  it('priority-fencing-delay protects only the node running the most important resources', () => {
    const running = `<node_state id="1" uname="n1"><lrm id="1"><lrm_resources><lrm_resource id="web" class="ocf" type="apache">
      <lrm_rsc_op id="web_last_0" operation="start" rc-code="0" call-id="1"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="2" uname="n2"/>`;
    const c = cib('', '<nvpair id="p" name="priority-fencing-delay" value="5s"/>', running);
    expect(priorityDelayMs(c, 'n1')).toBe(5000);
    expect(priorityDelayMs(c, 'n2')).toBe(0);
  });

  it('fence check reports nodes no device reaches and stonith disabled', () => {
    const report = checkFencing(cib('', '<nvpair id="s" name="stonith-enabled" value="false"/>'));
    expect(report.stonithEnabled).toBe(false);
    expect(report.nodes.map((n) => [n.node, n.ok])).toEqual([['n1', true], ['n2', true], ['n3', true]]);
    const broken = checkFencing(parseXml('<cib><configuration><nodes><node id="1" uname="a"/></nodes><resources/></configuration></cib>'));
    expect(broken.nodes).toEqual([{ node: 'a', ok: false, devices: [], explanation: ['no fence device can reach a'] }]);
  });
});
