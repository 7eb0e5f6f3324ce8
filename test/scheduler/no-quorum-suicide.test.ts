import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { operationDigest } from '../../src/scheduler/md5.js';
import { cibXml, member } from './fixtures.js';

const NOW = 1_700_000_000;
const RESOURCES = '<primitive id="r" class="ocf" provider="heartbeat" type="Dummy"/><primitive id="f" class="stonith" type="fence_dummy"/>';
const RUNNING = `<lrm_resource id="r" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="r_last_0" operation="start" interval="0" call-id="3" rc-code="0" op-status="0" op-digest="${operationDigest(new Map(), 0, 20_000)}" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" on_node="n1"/></lrm_resource>`;

/** Two members, r running on n1, quorum lost, with no-quorum-policy as given and the CIB's root attributes changed as asked. */
function run(policy: string, root = ''): { summary: string[]; unsupported: string[] } {
  const xml = cibXml({ resources: RESOURCES, status: member('n1', RUNNING) + member('n2') })
    .replace('have-quorum="1"', `have-quorum="0"${root}`)
    .replace('</cluster_property_set>', `<nvpair id="o-nq" name="no-quorum-policy" value="${policy}"/></cluster_property_set>`);
  const r = schedule(parseXml(xml), { now: NOW });
  return { summary: r.summary.map((l) => l.trim().replace(/\s+/g, ' ')), unsupported: r.unsupported };
}

describe('no-quorum-policy=suicide without quorum', () => {
  it('fences every member online, the DC last, and what ran there stops with them', () => {
    const r = run('suicide', ' no-quorum-panic="1"');
    expect(r.summary).toEqual(["* Fence (reboot) n2 'cluster does not have quorum'", "* Fence (reboot) n1 'cluster does not have quorum'", '* Stop r ( n1 ) due to node availability']);
    expect(r.unsupported).toEqual([]);
  });

  it('is stop in a cluster that never had quorum (no no-quorum-panic)', () => {
    expect(run('suicide').summary).toEqual(run('stop').summary);
    expect(run('stop').summary).toContain('* Stop r ( n1 ) due to no quorum');
  });
});
