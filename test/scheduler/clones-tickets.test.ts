import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';
import { ticketEffect, type TicketFacts } from '../../src/scheduler/unpack/tickets.js';
import { cibXml, member } from './fixtures.js';

const lost: TicketFacts = { granted: false, standby: false, active: true, currentRole: 'Promoted' };

describe('ticketEffect', () => {
  it('stops a resource whose ticket is lost under the default policy, whatever the role', () => {
    expect(ticketEffect({ lossPolicy: 'stop' }, lost)).toBe('ban');
    expect(ticketEffect({ lossPolicy: 'stop', role: 'Promoted' }, { ...lost, currentRole: 'Unpromoted' })).toBe('ban');
  });

  it('fences or freezes only instances in the ticket role', () => {
    expect(ticketEffect({ lossPolicy: 'fence', role: 'Promoted' }, lost)).toBe('fence');
    expect(ticketEffect({ lossPolicy: 'fence', role: 'Promoted' }, { ...lost, currentRole: 'Unpromoted' })).toBe('none');
    expect(ticketEffect({ lossPolicy: 'freeze', role: 'Promoted' }, lost)).toBe('freeze');
    expect(ticketEffect({ lossPolicy: 'freeze' }, { ...lost, currentRole: 'Started' })).toBe('freeze');
  });

  it('demote only keeps a promoted-role resource from promotion', () => {
    expect(ticketEffect({ lossPolicy: 'demote', role: 'Promoted' }, lost)).toBe('none');
    expect(ticketEffect({ lossPolicy: 'demote' }, lost)).toBe('ban');
  });

  it('a standby or never-granted ticket bans unless it is promoted-only under a policy other than stop', () => {
    const standby: TicketFacts = { granted: true, standby: true, active: true, currentRole: 'Promoted' };
    expect(ticketEffect({ lossPolicy: 'fence', role: 'Promoted' }, standby)).toBe('none');
    expect(ticketEffect({ lossPolicy: 'stop', role: 'Promoted' }, standby)).toBe('ban');
    expect(ticketEffect({ lossPolicy: 'fence' }, standby)).toBe('ban');
    const idle: TicketFacts = { granted: false, standby: false, active: false, currentRole: 'Stopped' };
    expect(ticketEffect({ lossPolicy: 'freeze', role: 'Promoted' }, idle)).toBe('none');
    expect(ticketEffect({ lossPolicy: 'stop', role: 'Promoted' }, idle)).toBe('ban');
  });

  it('a granted ticket does nothing', () => {
    expect(ticketEffect({ lossPolicy: 'stop' }, { ...lost, granted: true })).toBe('none');
  });
});

// None of these resources has parameters: the history records the digest of an empty set.
const DIGEST = parametersDigest(new Map());

function op(rsc: string, task: string, rc: number, call: number): string {
  return `<lrm_rsc_op id="${rsc}_${task}_0" operation="${task}" interval="0" call-id="${call}" rc-code="${rc}" op-status="0" op-digest="${DIGEST}" transition-key="1:1:0:x" transition-magic="0:${rc};1:1:0:x"/>`;
}

function promotableCib(policy: string, granted: boolean): string {
  const rsc1 = (role: 'promote' | 'start'): string =>
    `<lrm_resource id="rsc1" class="ocf" provider="pacemaker" type="Stateful">${op('rsc1', 'start', 0, 1)}${role === 'promote' ? op('rsc1', 'promote', 0, 2) : ''}</lrm_resource>`;
  const fence = `<lrm_resource id="fence" class="stonith" type="fence_dummy">${op('fence', 'start', 0, 3)}</lrm_resource>`;
  return cibXml({
    nodes: ['node1', 'node2'],
    resources: `<primitive id="fence" class="stonith" type="fence_dummy"/>
      <clone id="ms1">
        <meta_attributes id="ms1-meta"><nvpair id="ms1-p" name="promotable" value="true"/></meta_attributes>
        <primitive id="rsc1" class="ocf" provider="pacemaker" type="Stateful"/>
      </clone>`,
    constraints: `<rsc_location id="prefer-node1" rsc="ms1" role="Promoted" node="node1" score="10"/>
      <rsc_ticket id="t1" rsc="ms1" rsc-role="Promoted" ticket="ticketA" loss-policy="${policy}"/>`,
    status: `${member('node1', rsc1('promote') + fence)}${member('node2', rsc1('start'))}<tickets><ticket_state id="ticketA" granted="${granted}"/></tickets>`,
  });
}

describe('tickets on a promotable clone', () => {
  it('a lost promoted-role ticket with loss-policy=fence fences only the promoted instance\'s node', () => {
    const result = schedule(parseXml(promotableCib('fence', false)), { now: 1_700_000_000 });
    const text = result.summary.join('\n');
    expect(text).toContain("Fence (reboot) node1 'deadman ticket was lost'");
    expect(text).not.toContain('node2 \'deadman');
    expect(result.placements['rsc1:1']?.node ?? result.placements['rsc1:0']?.node).toBe('node2');
  });

  it('loss-policy=demote demotes and keeps both instances running', () => {
    const result = schedule(parseXml(promotableCib('demote', false)), { now: 1_700_000_000 });
    expect(result.summary.join('\n')).toMatch(/Demote\s+rsc1:\d\s+\( Promoted -> Unpromoted node1 \)/);
    const nodes = Object.values(result.placements).filter((p) => p.role !== 'Stopped').map((p) => p.node);
    expect(nodes).toEqual(expect.arrayContaining(['node1', 'node2']));
  });

  it('a granted ticket changes nothing', () => {
    expect(schedule(parseXml(promotableCib('fence', true)), { now: 1_700_000_000 }).summary).toEqual([]);
  });
});
