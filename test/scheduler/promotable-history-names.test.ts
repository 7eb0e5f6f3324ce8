import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { describeAction, executeGraph, schedule, type ScheduleResult } from '../../src/scheduler/index.js';
import { operationDigest } from '../../src/scheduler/md5.js';
import { cibXml, member } from './fixtures.js';


function op(rsc: string, task: string, rc: number, call: number, interval = 0): string {
  return `<lrm_rsc_op id="${rsc}_${task}_${interval}" operation="${task}" interval="${interval}" call-id="${call}" rc-code="${rc}" op-status="0" op-digest="${operationDigest(new Map(), interval, 20_000)}" transition-key="1:1:0:x" transition-magic="0:${rc};1:1:0:x"/>`;
}

interface Setup {
  /** Monitor ops of the promotable primitive. */
  ops: string;
  /** The instance name each node's history records, and whether it runs promoted there. */
  history: Record<string, { name: string; promoted: boolean }>;
  constraints?: string;
  tickets?: string;
}

function cib(s: Setup): string {
  const state = (n: string): string => {
    const h = s.history[n];
    const rsc = h ? `<lrm_resource id="${h.name}" class="ocf" provider="pacemaker" type="Stateful">${op(h.name, 'start', 0, 2)}${h.promoted ? op(h.name, 'promote', 0, 3) : ''}</lrm_resource>` : '';
    const fence = n === 'node1' ? `<lrm_resource id="fence" class="stonith" type="fence_dummy">${op('fence', 'start', 0, 1)}</lrm_resource>` : '';
    return member(n, fence + rsc);
  };
  return cibXml({
    nodes: ['node1', 'node2'],
    resources: `<primitive id="fence" class="stonith" type="fence_dummy"/>
      <clone id="ms1">
        <meta_attributes id="ms1-meta"><nvpair id="ms1-p" name="promotable" value="true"/></meta_attributes>
        <primitive id="rsc1" class="ocf" provider="pacemaker" type="Stateful"><operations>${s.ops}</operations></primitive>
      </clone>`,
    constraints: s.constraints,
    status: `${state('node1')}${state('node2')}${s.tickets ?? ''}`,
  });
}

function executedLines(result: ScheduleResult): string[] {
  return executeGraph(result.graph).map((a) => describeAction(a).replace(/^\s*\* /, '').replace(/\s+/g, ' ').trim());
}

function executed(xml: string): string[] {
  return executedLines(schedule(parseXml(xml), { now: 1_700_000_000 }));
}

const BOTH_ROLES_MONITORED = `
  <op id="m-promoted" name="monitor" interval="10s" role="Promoted"/>
  <op id="m-unpromoted" name="monitor" interval="11s" role="Unpromoted"/>`;

describe('recurring operations configured twice', () => {
  it('a name and interval given for two roles schedules neither monitor', () => {
    const ops = `<op id="m-promoted" name="monitor" interval="5s" role="Promoted"/><op id="m-unpromoted" name="monitor" interval="5s" role="Unpromoted"/>`;
    const lines = executed(cib({ ops, history: {}, constraints: '<rsc_location id="l1" rsc="ms1" role="Promoted" node="node1" score="10"/>' }));
    expect(lines.some((l) => l.includes(' start on '))).toBe(true);
    expect(lines.some((l) => l.includes('promote on node1'))).toBe(true);
    expect(lines.filter((l) => /monitor=/.test(l))).toEqual([]);
  });

  it('distinct intervals keep a monitor for each role', () => {
    const lines = executed(cib({ ops: BOTH_ROLES_MONITORED, history: {}, constraints: '<rsc_location id="l1" rsc="ms1" role="Promoted" node="node1" score="10"/>' }));
    expect(lines.filter((l) => /monitor=10000 on node1/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /monitor=11000 on node2/.test(l))).toHaveLength(1);
  });
});

describe('anonymous instances are named in actions as their node\'s history knows them', () => {
  it('the copy recorded as rsc1:1 on the first node is promoted as rsc1:1 though it is instance 0', () => {
    const xml = cib({
      ops: BOTH_ROLES_MONITORED,
      history: { node1: { name: 'rsc1:1', promoted: false }, node2: { name: 'rsc1:0', promoted: false } },
      constraints: '<rsc_location id="l1" rsc="ms1" role="Promoted" node="node1" score="10"/>',
    });
    const result = schedule(parseXml(xml), { now: 1_700_000_000 });
    expect(result.summary.join('\n')).toMatch(/Promote\s+rsc1:0\s+\( Unpromoted -> Promoted node1 \)/);
    const lines = executedLines(result);
    expect(lines).toContain('Resource action: rsc1:1 promote on node1');
    expect(lines).toContain('Resource action: rsc1:1 monitor=10000 on node1');
  });

  it('a fenced node\'s demote and stop are pseudo actions keyed by that name, after the fencing', () => {
    const xml = cib({
      ops: BOTH_ROLES_MONITORED,
      history: { node1: { name: 'rsc1:1', promoted: true }, node2: { name: 'rsc1:0', promoted: false } },
      constraints: '<rsc_ticket id="t1" rsc="ms1" rsc-role="Promoted" ticket="ticketA" loss-policy="fence"/>',
      tickets: '<tickets><ticket_state id="ticketA" granted="false"/></tickets>',
    });
    const lines = executed(xml);
    const at = (l: string): number => lines.indexOf(l);
    expect(at('Pseudo action: rsc1:1_demote_0')).toBeGreaterThan(at('Fencing node1 (reboot)'));
    expect(at('Pseudo action: rsc1:1_stop_0')).toBeGreaterThan(at('Pseudo action: rsc1:1_demote_0'));
    expect(lines.some((l) => l.includes('demote on node1'))).toBe(false);
    // The fencing device's own stop there is implied without waiting for the fencing.
    expect(at('Pseudo action: fence_stop_0')).toBeGreaterThanOrEqual(0);
    expect(at('Pseudo action: fence_stop_0')).toBeLessThan(at('Fencing node1 (reboot)'));
  });
});

describe('recurring monitors recorded before the last start', () => {
  it('with no start recorded, a monitor older than the promotion is not running: it is scheduled', () => {
    const base = cib({ ops: BOTH_ROLES_MONITORED, history: { node1: { name: 'rsc1:0', promoted: true } }, constraints: '<rsc_location id="l1" rsc="ms1" role="Promoted" node="node1" score="10"/>' });
    const olderMonitor = op('rsc1:0', 'monitor', 8, 1, 10000);
    const xml = base.replace(op('rsc1:0', 'start', 0, 2), olderMonitor).replace(op('rsc1:0', 'promote', 0, 3), op('rsc1:0', 'promote', 0, 5));
    expect(xml).toContain(olderMonitor);
    expect(executed(xml)).toContain('Resource action: rsc1:0 monitor=10000 on node1');
    const newerMonitor = xml.replace(olderMonitor, '').replace('</lrm_resource></lrm_resources></lrm></node_state><node_state id="node2"', `${op('rsc1:0', 'monitor', 8, 6, 10000)}</lrm_resource></lrm_resources></lrm></node_state><node_state id="node2"`);
    expect(newerMonitor).toContain(op('rsc1:0', 'monitor', 8, 6, 10000));
    expect(executed(newerMonitor).filter((l) => l.includes('monitor=10000 on node1'))).toEqual([]);
  });
});
