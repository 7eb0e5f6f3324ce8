import { describe, expect, it } from 'vitest';
import { parseXml, type XmlElement } from '../../src/cib/xml.js';
import { injectResults } from '../../src/scheduler/index.js';
import type { GraphAction } from '../../src/scheduler/graph.js';

const CIB = `<cib epoch="1" num_updates="0" admin_epoch="0">
  <configuration><crm_config/><nodes><node id="1" uname="n1"/></nodes><resources/><constraints/></configuration>
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
      <lrm id="1"><lrm_resources>
        <lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy">
          <lrm_rsc_op id="a_start_0" operation_key="a_start_0" operation="start" call-id="50" rc-code="1" op-status="4" interval="0"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
  </status>
</cib>`;

const stop: GraphAction = {
  kind: 'resource',
  id: 0,
  inputs: [],
  key: 'a_stop_0',
  task: 'stop',
  node: 'n1',
  intervalMs: 0,
  timeoutMs: 20_000,
  resource: { id: 'a', configId: 'a', agentClass: 'ocf', provider: 'heartbeat', type: 'Dummy', params: {}, meta: {} },
};

function ops(cib: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if (e.name === 'lrm_rsc_op') out.push(e);
    e.children.forEach(walk);
  };
  walk(cib);
  return out;
}

describe('simulated results in the history', () => {
  it('are recorded as crm_simulate records them, newer than anything already there', () => {
    const input = parseXml(CIB);
    const revised = injectResults(input, [stop], 1_700_000_000);
    const recorded = ops(revised).find((o) => o.attrs.id === 'a_last_0');
    expect(recorded?.attrs.operation).toBe('stop');
    expect(Number(recorded?.attrs['call-id'])).toBeGreaterThan(50);
    expect(recorded?.attrs['transition-key']).toBe('0:-1:0:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx');
    expect(recorded?.attrs['last-rc-change']).toBe('1700000000');
    // The input is left as it was.
    expect(ops(input).map((o) => o.attrs.id)).toEqual(['a_start_0']);
  });

  it('leave a node told to shut down a member: crm_simulate only reports cluster actions', () => {
    const shutdown: GraphAction = { kind: 'cluster', id: 1, inputs: [], task: 'do_shutdown', node: 'n1' };
    const revised = injectResults(parseXml(CIB), [shutdown], 1_700_000_000);
    const state = revised.children.find((c) => c.name === 'status')?.children.find((c) => c.name === 'node_state');
    expect(state?.attrs).toMatchObject({ in_ccm: 'true', crmd: 'online', join: 'member', expected: 'member' });
  });

  it('keep the recorded failure beside a newer success', () => {
    const failed = CIB.replace('id="a_start_0" operation_key="a_start_0"', 'id="a_last_failure_0" operation_key="a_start_0"');
    const revised = injectResults(parseXml(failed), [stop], 1_700_000_000);
    expect(ops(revised).map((o) => o.attrs.id)).toEqual(['a_last_failure_0', 'a_last_0']);
  });

  it('leave the last result alone when the action is a notification', () => {
    const notify: GraphAction = { ...stop, key: 'a_post_notify_start_0', task: 'notify' };
    const revised = injectResults(parseXml(CIB), [notify], 1_700_000_000);
    expect(ops(revised).map((o) => `${o.attrs.id}:${o.attrs.operation}`)).toEqual(['a_start_0:start']);
  });
});
