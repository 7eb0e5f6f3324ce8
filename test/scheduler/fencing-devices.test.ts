import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { operationDigest } from '../../src/scheduler/md5.js';
import { STARTUP_DISABLED } from '../../src/scheduler/features/fencing-devices.js';
import { cibXml, member } from './fixtures.js';

const NOW = 1_700_000_000;
const DUMMY = '<primitive id="r" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="r-m" name="monitor" interval="10s"/></operations></primitive>';
const started = (node: string): string =>
  `<lrm_resource id="r" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="r_last_0" operation="start" interval="0" call-id="3" rc-code="0" op-status="0" op-digest="${operationDigest(new Map(), 0, 20_000)}" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" on_node="${node}"/><lrm_rsc_op id="r_monitor_10000" operation="monitor" interval="10000" call-id="4" rc-code="0" op-status="0" op-digest="${operationDigest(new Map(), 10_000, 20_000)}" transition-key="2:1:0:x" transition-magic="0:0;2:1:0:x" on_node="${node}"/></lrm_resource>`;

function run(resources: string, status: string, constraints = ''): { summary: string[]; tasks: string[]; warnings: string[] } {
  const r = schedule(parseXml(cibXml({ stonith: true, resources, status, constraints })), { now: NOW });
  const tasks = r.graph.actions.map((a) => (a.kind === 'resource' ? `${a.task}${a.intervalMs > 0 ? `=${a.intervalMs}` : ''} ${a.resource.id} ${a.node}` : `${a.kind} ${'node' in a ? a.node : ''}`));
  return { summary: r.summary.map((l) => l.trim().replace(/\s+/g, ' ')), tasks, warnings: r.warnings };
}

describe('stonith-enabled with no fencing device configured', () => {
  it('starts nothing (probes only) and says why', () => {
    const r = run(DUMMY, member('n1') + member('n2'));
    expect(r.summary).toEqual([]);
    expect(r.tasks.sort()).toEqual(['monitor r n1', 'monitor r n2']);
    expect(r.warnings).toContain(STARTUP_DISABLED);
  });

  it('leaves a running resource where it runs, even when it should move or stop', () => {
    const status = member('n1', started('n1')) + member('n2');
    expect(run(DUMMY, status, '<rsc_location id="l" rsc="r" node="n2" score="INFINITY"/>').summary).toEqual([]);
    const disabled = DUMMY.replace('<operations>', '<meta_attributes id="rm"><nvpair id="rt" name="target-role" value="Stopped"/></meta_attributes><operations>');
    expect(run(disabled, status).summary).toEqual([]);
  });

  it('fences no node: an unclean node keeps what it ran', () => {
    const lost = member('n1', started('n1')).replace('in_ccm="true" crmd="online" join="member"', 'in_ccm="false" crmd="offline" join="down"');
    const r = run(DUMMY, lost + member('n2'));
    expect(r.summary).toEqual([]);
    expect(r.tasks.filter((t) => t.startsWith('fence'))).toEqual([]);
  });

  it('starts as usual once a device is configured, even one that is disabled', () => {
    const device = '<primitive id="f" class="stonith" type="fence_dummy"><meta_attributes id="fm"><nvpair id="ft" name="target-role" value="Stopped"/></meta_attributes></primitive>';
    const r = run(DUMMY + device, member('n1') + member('n2'));
    expect(r.summary).toEqual(['* Start r ( n1 )']);
    expect(r.warnings).not.toContain(STARTUP_DISABLED);
  });
});
