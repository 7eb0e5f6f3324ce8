import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { describeAction, executeGraph, schedule } from '../../src/scheduler/index.js';
import { operationDigest } from '../../src/scheduler/md5.js';
import { cibXml, member } from './fixtures.js';

const NOW = 1_700_000_000;
const RSC = '<primitive id="r" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="r-mon" name="monitor" interval="10s"/></operations></primitive>';
const pendingStart = `<lrm_resource id="r" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="r_last_0" operation="start" interval="0" call-id="-1" rc-code="-1" op-status="-1" op-digest="${operationDigest(new Map(), 0, 20_000)}" transition-key="1:1:0:x" transition-magic="-1:-1;1:1:0:x" on_node="n1"/></lrm_resource>`;

describe('a start still in flight where the resource stays', () => {
  it('is asked for again, with its monitor after it, and no change in the summary', () => {
    const r = schedule(parseXml(cibXml({ stonith: false, resources: RSC, status: member('n1', pendingStart) + member('n2') })), { now: NOW });
    expect(r.summary).toEqual([]);
    const run = executeGraph(r.graph).map((a) => describeAction(a).replace(/\s+/g, ' ').trim());
    expect(run.filter((l) => l.includes(' on n1'))).toEqual(['* Resource action: r start on n1', '* Resource action: r monitor=10000 on n1']);
  });
});
