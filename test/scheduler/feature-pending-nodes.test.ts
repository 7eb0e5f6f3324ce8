import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { cibXml, member } from './fixtures.js';

const NOW = 1_700_000_000;

/** n1 is a full member; n2 has the given node_state attributes. */
function cib(n2State: string): string {
  return cibXml({
    resources: '<primitive id="F" class="stonith" type="fence_xvm"/><primitive id="D" class="ocf" provider="pacemaker" type="Dummy"/>',
    status: `${member('n1')}<node_state id="n2" uname="n2" ${n2State}/>`,
  });
}

const run = (n2State: string) => schedule(parseXml(cib(n2State)), { now: NOW });
const squash = (lines: string[]): string[] => lines.map((l) => l.trim().replace(/\s+/g, ' '));

describe('a node in the membership that has not joined yet (pending)', () => {
  it('holds up every start: the probes due there cannot run yet', () => {
    const r = run('in_ccm="true" crmd="online" join="down" expected="member"');
    expect(squash(r.summary)).toEqual(['* Start F ( n1 ) blocked', '* Start D ( n1 ) blocked']);
    const keys = r.graph.actions.map((a) => ('key' in a ? `${a.key}@${'node' in a ? a.node : ''}` : ''));
    expect(keys).toEqual(['F_monitor_0@n1', 'D_monitor_0@n1']);
  });

  it('holds up nothing when it is outside the membership', () => {
    const r = run('in_ccm="false" crmd="online" join="down"');
    expect(squash(r.summary)).toEqual(['* Start F ( n1 )', '* Start D ( n1 )']);
  });
});
