import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { cibXml, member } from './fixtures.js';

const NOW = 1_700_000_000;

const failedStop = (id: string, call: number): string =>
  `<lrm_resource id="${id}" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="${id}_stop_0" operation="stop" interval="0" call-id="${call}" rc-code="1" op-status="0" transition-key="${call}:1:0:x" transition-magic="0:1;${call}:1:0:x"/></lrm_resource>`;

/** n1 holds a and b, both with a failed stop, recorded in the order given. */
function cib(n1: string[]): string {
  return cibXml({
    dc: 'n2',
    resources: '<primitive id="fence" class="stonith" type="fence_dummy"/><primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="b" class="ocf" provider="pacemaker" type="Dummy"/>',
    status: member('n1', n1.map((id, i) => failedStop(id, i + 3)).join('')) + member('n2'),
  });
}

const summary = (n1: string[]): string => schedule(parseXml(cib(n1)), { now: NOW }).summary.join('\n');

describe('failures that fence their node', () => {
  it('fence for the first failure met in the node history; later ones there are cleared by that fencing', () => {
    const ab = summary(['a', 'b']);
    expect(ab).toMatch(/Fence \(reboot\) n1 'a failed there'/);
    expect(ab).toMatch(/Recover\s+a\s+\(\s*n1 -> n2\s*\)/);
    expect(ab).toMatch(/Move\s+b\s+\(\s*n1 -> n2\s*\)/);
  });

  it('follow the order of the node history, not of the configuration', () => {
    const ba = summary(['b', 'a']);
    expect(ba).toMatch(/Fence \(reboot\) n1 'b failed there'/);
    expect(ba).toMatch(/Move\s+a\s+\(\s*n1 -> n2\s*\)/);
    expect(ba).toMatch(/Recover\s+b\s+\(\s*n1 -> n2\s*\)/);
  });
});
