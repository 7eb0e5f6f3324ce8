import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { operationDigest } from '../../src/scheduler/md5.js';
import { cibXml, member } from './fixtures.js';

const NOW = 1_700_000_000;
const meta = (id: string, name: string, value: string): string => `<meta_attributes id="${id}-m"><nvpair id="${id}-m1" name="${name}" value="${value}"/></meta_attributes>`;
const dummy = (id: string, extra = ''): string => `<primitive id="${id}" class="ocf" provider="heartbeat" type="Dummy">${extra}<operations><op id="${id}-mon" name="monitor" interval="10s"/></operations></primitive>`;
/** u started on n1, its monitor never recorded. */
const STATUS =
  member('n1', `<lrm_resource id="u" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="u_last_0" operation="start" interval="0" call-id="3" rc-code="0" op-status="0" op-digest="${operationDigest(new Map(), 0, 20_000)}" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" on_node="n1"/></lrm_resource>`) +
  member('n2');

function monitors(resources: string, constraints = ''): string[] {
  const r = schedule(parseXml(cibXml({ stonith: false, resources, status: STATUS, constraints })), { now: NOW });
  return r.graph.actions.flatMap((a) => (a.kind === 'resource' && a.task === 'monitor' && a.intervalMs > 0 ? [`${a.resource.id} ${a.node}`] : []));
}

describe('an unmanaged resource running', () => {
  it('is still monitored where it runs', () => {
    expect(monitors(dummy('u', meta('u', 'is-managed', 'false')))).toEqual(['u n1']);
  });

  it('is monitored even when its group cannot start (it gets no start to wait for)', () => {
    const group = `<primitive id="x" class="ocf" provider="heartbeat" type="Dummy">${meta('x', 'target-role', 'Stopped')}</primitive><group id="g">${dummy('u', meta('u', 'is-managed', 'false'))}${dummy('v')}</group>`;
    expect(monitors(group, '<rsc_colocation id="c" rsc="g" with-rsc="x" score="INFINITY"/>')).toEqual(['u n1']);
  });

  it('is not monitored in maintenance', () => {
    expect(monitors(dummy('u', meta('u', 'maintenance', 'true')))).toEqual([]);
  });
});
