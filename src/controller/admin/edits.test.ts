import { describe, expect, it } from 'vitest';
import { parseXml, serializeXml } from '../../cib/xml.js';
import { activeNodes, AdminError, banResource, cleanupResource, clearNodeState, clearResource, deleteNode, moveResource, setNodeMode, setProperty, setResourceMeta } from './edits.js';

const CIB = parseXml(`<cib epoch="3" num_updates="1" admin_epoch="0">
  <configuration>
    <crm_config><cluster_property_set id="cib-bootstrap-options"/></crm_config>
    <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
    <resources>
      <group id="g"><primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2"/><primitive id="web" class="ocf" provider="heartbeat" type="apache"/></group>
      <primitive id="solo" class="ocf" provider="heartbeat" type="Dummy"/>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
      <transient_attributes id="1"><instance_attributes id="status-1">
        <nvpair id="s1" name="fail-count-solo#monitor_10000" value="1"/><nvpair id="s2" name="last-failure-solo#monitor_10000" value="100"/><nvpair id="s3" name="other" value="x"/>
      </instance_attributes></transient_attributes>
      <lrm id="1"><lrm_resources>
        <lrm_resource id="vip" class="ocf" provider="heartbeat" type="IPaddr2"><lrm_rsc_op id="vip_last_0" operation="start" call-id="3" rc-code="0" op-status="0" interval="0"/></lrm_resource>
        <lrm_resource id="solo" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="solo_last_failure_0" operation="monitor" call-id="5" rc-code="7" op-status="0" interval="10000"/></lrm_resource>
      </lrm_resources></lrm>
    </node_state>
    <node_state id="2" uname="n2" in_ccm="false" crmd="offline" join="down" expected="member"/>
  </status>
</cib>`);

const NOW = Date.UTC(2026, 10, 22, 0, 0, 0);

describe('admin edits', () => {
  it('move pins a resource with cli-prefer, optionally expiring, and clear removes it', () => {
    const moved = moveResource(CIB, 'g', 'n2', 'PT1H', NOW);
    expect(moved.constraint).toBe('cli-prefer-g');
    const xml = serializeXml(moved.cib);
    expect(xml).toContain('<date_expression id="cli-prefer-g-lifetime" operation="lt" end="2026-11-22 01:00:00 +00:00"/>');
    expect(xml).toContain('<expression id="cli-prefer-g-expr" attribute="#uname" operation="eq" value="n2" type="string"/>');
    const cleared = clearResource(moved.cib, 'g');
    expect(cleared.removed).toEqual(['cli-prefer-g']);
    expect(serializeXml(cleared.cib)).not.toContain('cli-prefer');
  });

  it('move without a node bans the resource from where it runs', () => {
    expect(activeNodes(CIB, 'g')).toEqual(['n1']);
    const r = moveResource(CIB, 'g', undefined, undefined, NOW);
    expect(r.constraint).toBe('cli-ban-g-on-n1');
    expect(serializeXml(r.cib)).toContain('<rsc_location id="cli-ban-g-on-n1" rsc="g" role="Started" node="n1" score="-INFINITY"/>');
  });

  it('refuses unknown resources, nodes and bad lifetimes, leaving the input untouched', () => {
    const before = serializeXml(CIB);
    expect(() => moveResource(CIB, 'nope', 'n1', undefined, NOW)).toThrow(/resource 'nope' not found/);
    expect(() => banResource(CIB, 'g', 'n9', undefined, NOW)).toThrow(/node 'n9' not found/);
    expect(() => moveResource(CIB, 'g', 'n1', 'soon', NOW)).toThrow(AdminError);
    expect(() => moveResource(CIB, 'solo', undefined, undefined, NOW)).toThrow(/not running/);
    expect(serializeXml(CIB)).toBe(before);
  });

  it('sets target-role and is-managed on the resource itself', () => {
    const stopped = setResourceMeta(setResourceMeta(CIB, 'web', 'target-role', 'Stopped'), 'web', 'is-managed', 'false');
    const xml = serializeXml(stopped);
    expect(xml).toMatch(/<primitive id="web"[^>]*>\s*<meta_attributes id="web-meta_attributes">\s*<nvpair id="web-meta_attributes-target-role" name="target-role" value="Stopped"\/>\s*<nvpair id="web-meta_attributes-is-managed" name="is-managed" value="false"\/>/);
    expect(serializeXml(setResourceMeta(stopped, 'web', 'target-role', null))).not.toContain('target-role');
  });

  it('cleanup forgets failures only; refresh forgets all history', () => {
    const c = cleanupResource(CIB, undefined, undefined, 'cleanup');
    const xml = serializeXml(c.cib);
    expect(xml).not.toContain('fail-count-solo');
    expect(xml).not.toContain('solo_last_failure_0');
    expect(xml).toContain('vip_last_0');
    expect(xml).toContain('name="other"');
    expect(serializeXml(cleanupResource(CIB, 'g', 'n1', 'refresh').cib)).not.toContain('vip_last_0');
  });

  it('standby forever goes to the nodes section, reboot to status, online clears both', () => {
    const forever = setNodeMode(CIB, 'n1', 'standby', true, 'forever');
    expect(serializeXml(forever)).toContain('<node id="1" uname="n1">\n        <instance_attributes id="nodes-1">\n          <nvpair id="nodes-1-standby" name="standby" value="on"/>');
    const both = setNodeMode(forever, 'n1', 'standby', true, 'reboot');
    expect(serializeXml(both)).toContain('id="status-1-standby"');
    expect(serializeXml(setNodeMode(both, 'n1', 'standby', false, 'forever'))).not.toContain('standby');
  });

  it('clearstate makes an unclean node cleanly down; delete refuses an online node', () => {
    const cleared = serializeXml(clearNodeState(CIB, 'n2').cib);
    expect(cleared).toContain('<node_state id="2" uname="n2" in_ccm="false" crmd="offline" join="down" expected="down"/>');
    expect(() => deleteNode(CIB, 'n1', false)).toThrow(/online/);
    expect(serializeXml(deleteNode(CIB, 'n2', false))).not.toContain('uname="n2"');
  });

  it('sets and deletes properties in cib-bootstrap-options', () => {
    const set = setProperty(CIB, 'maintenance-mode', 'true');
    expect(serializeXml(set)).toContain('<nvpair id="cib-bootstrap-options-maintenance-mode" name="maintenance-mode" value="true"/>');
    expect(serializeXml(setProperty(set, 'maintenance-mode', null))).not.toContain('maintenance-mode');
    expect(() => setProperty(CIB, 'maintenance-mode', null)).toThrow(/not set/);
  });
});
