import { describe, expect, it } from 'vitest';
import { emptyCib } from '../cib/empty.js';
import { firstChild, type XmlElement } from '../cib/xml.js';
import type { GraphAction, ResourceAction, TransitionGraph } from '../scheduler/graph.js';
import { Controller, type OperationOutcome, type Ready } from './controller.js';
import { applyStatusUpdates } from './history.js';

const dummy = { id: 'r1', configId: 'r1', agentClass: 'ocf', provider: 'heartbeat', type: 'Dummy', params: {}, meta: {} };
const op = (id: number, task: string, node: string, inputs: number[] = [], intervalMs = 0): ResourceAction => ({
  kind: 'resource', id, inputs, key: `r1_${task}_${intervalMs}`, task, node, resource: dummy, intervalMs, timeoutMs: 20_000,
});
const ok = (rc = 0): OperationOutcome => ({ rc, opStatus: 0, exitReason: '', startedAtMs: 1_700_000_000_000, durationMs: 12 });

function dcController(): { ctl: Controller; first: Ready } {
  const ctl = new Controller({ self: 'n1', uuid: 'uuid-1' });
  ctl.handle({ type: 'cib', cib: emptyCib() }, 0);
  const first = ctl.handle({ type: 'membership', view: { members: ['n1', 'n2'], dc: 'n1', quorate: true } }, 0);
  return { ctl, first };
}

function lrmOps(cib: XmlElement, node: string): XmlElement[] {
  const state = firstChild(cib, 'status')?.children.find((s) => s.attrs.uname === node);
  const rsc = state && firstChild(state, 'lrm')?.children[0]?.children[0];
  return rsc?.children ?? [];
}

describe('Controller', () => {
  it('takes a lost node in a view that comes before any CIB, keeping its history for fencing', () => {
    const ctl = new Controller({ self: 'n1', uuid: 'uuid-1' });
    ctl.handle({ type: 'membership', view: { members: ['n1', 'n2'], dc: 'n1', quorate: true } }, 0);
    const lost = ctl.handle({ type: 'membership', view: { members: ['n1'], dc: 'n1', quorate: true } }, 10);
    expect(lost.status.map((s) => s.kind)).not.toContain('forget-node-history');
  });

  it('a DC without a CIB yet (vigild gives none before its copy is live) plans nothing until it gets one', () => {
    const ctl = new Controller({ self: 'n1', uuid: 'uuid-1' });
    const view = ctl.handle({ type: 'membership', view: { members: ['n1', 'n2'], dc: 'n1', quorate: true } }, 0);
    const later = ctl.handle({ type: 'tick' }, 5_000);
    for (const r of [view, later]) {
      expect(r.plan).toBeNull();
      expect(r.dispatch).toEqual([]);
      expect(r.fence).toEqual([]);
    }
    expect(view.status.map((s) => s.kind)).toEqual(['node-joined', 'node-joined']);
    expect(ctl.handle({ type: 'cib', cib: emptyCib() }, 5_001).plan?.request).toBe(1);
  });

  it('asks for a plan when it becomes DC, with quorum taken from the view', () => {
    const { first } = dcController();
    expect(first.plan?.request).toBe(1);
    expect(first.plan?.cib.attrs['have-quorum']).toBe('1');
    expect(first.status.map((s) => s.kind)).toEqual(['node-joined', 'node-joined']);
  });

  it('plans a lost node at once, and does not plan again when the CIB records the same view', () => {
    const member = { in_ccm: 'true', crmd: 'online', join: 'member', expected: 'member' };
    const cibWith = (n2: Record<string, string>): XmlElement => ({
      ...emptyCib(),
      children: [
        ...emptyCib().children.filter((c) => c.name !== 'status'),
        {
          name: 'status',
          attrs: {},
          children: [
            { name: 'node_state', attrs: { id: '1', uname: 'n1', ...member }, children: [] },
            { name: 'node_state', attrs: { id: '2', uname: 'n2', ...n2 }, children: [] },
          ],
        },
      ],
    });
    const ctl = new Controller({ self: 'n1', uuid: 'uuid-1' });
    ctl.handle({ type: 'cib', cib: cibWith(member) }, 0);
    ctl.handle({ type: 'membership', view: { members: ['n1', 'n2'], dc: 'n1', quorate: true } }, 0);
    ctl.handle({ type: 'cib', cib: cibWith(member) }, 1);
    ctl.handle({ type: 'planned', request: 1, graph: { actions: [] } }, 5);
    const lost = ctl.handle({ type: 'membership', view: { members: ['n1'], dc: 'n1', quorate: true } }, 10);
    expect(lost.plan?.request).toBe(2);
    // The join round's commit: n2 out of the membership, as the view already said.
    const recorded = ctl.handle({ type: 'cib', cib: cibWith({ ...member, in_ccm: 'false', crmd: 'offline', join: 'down' }) }, 12);
    expect(recorded.plan).toBeNull();
    // The plan made at once is carried out, not thrown away (here: fencing the unclean n2).
    ctl.handle({ type: 'planned', request: 2, graph: { actions: [] } }, 14);
    expect(ctl.current()?.id).toBe(2);
    // What the view cannot say — a node that left cleanly (expected down) — is a change.
    const left = ctl.handle({ type: 'cib', cib: cibWith({ in_ccm: 'false', crmd: 'offline', join: 'down', expected: 'down' }) }, 20);
    expect(left.log.map((l) => l.msg)).toContain('re-plan needed: the CIB changed');
  });

  it('dispatches actions only once their inputs are confirmed, and records history', () => {
    const { ctl } = dcController();
    const graph: TransitionGraph = {
      actions: [op(1, 'monitor', 'n2'), { kind: 'pseudo', id: 2, inputs: [1], key: 'probe_complete' }, op(3, 'start', 'n2', [2]), op(4, 'monitor', 'n2', [3], 10_000)],
    };
    const r1 = ctl.handle({ type: 'planned', request: 1, graph }, 10);
    expect(r1.dispatch.map((d) => [d.action.id, d.targetRc])).toEqual([[1, 7]]);
    const r2 = ctl.handle({ type: 'operation-result', transition: 1, action: 1, outcome: ok(7) }, 20);
    expect(r2.dispatch.map((d) => d.action.id)).toEqual([3]);
    const r3 = ctl.handle({ type: 'operation-result', transition: 1, action: 3, outcome: ok() }, 30);
    expect(r3.dispatch.map((d) => d.action.id)).toEqual([4]);
    const r4 = ctl.handle({ type: 'operation-result', transition: 1, action: 4, outcome: ok() }, 40);
    expect(ctl.current()).toBeNull();
    expect(ctl.finished().at(-1)?.counts.confirmed).toBe(4);
    expect(r4.plan).toBeNull();

    const cib = applyStatusUpdates(emptyCib(), [...r2.status, ...r3.status, ...r4.status]);
    const ops = lrmOps(cib, 'n2');
    expect(ops.map((o) => o.attrs.id)).toEqual(['r1_last_0', 'r1_monitor_10000']);
    expect(ops[0].attrs).toMatchObject({ operation_key: 'r1_start_0', operation: 'start', 'transition-key': '3:1:0:uuid-1', 'transition-magic': '0:0;3:1:0:uuid-1', 'rc-code': '0', 'call-id': '2', on_node: 'n2' });
  });

  it('aborts on failure, lets in-flight actions finish, then plans again with the fail count', () => {
    const { ctl } = dcController();
    const graph: TransitionGraph = { actions: [op(1, 'start', 'n1'), op(2, 'start', 'n2')] };
    ctl.handle({ type: 'planned', request: 1, graph }, 10);
    const failed = ctl.handle({ type: 'operation-result', transition: 1, action: 1, outcome: ok(1) }, 20);
    expect(failed.plan).toBeNull(); // action 2 is still in flight
    expect(failed.status.find((s) => s.kind === 'fail-count')).toMatchObject({ resource: 'r1', task: 'start', add: 'INFINITY' });
    const done = ctl.handle({ type: 'operation-result', transition: 1, action: 2, outcome: ok() }, 30);
    expect(done.plan?.request).toBe(2);
    const status = firstChild(done.plan!.cib, 'status')!;
    const n1 = status.children.find((s) => s.attrs.uname === 'n1')!;
    const pairs = firstChild(firstChild(n1, 'transient_attributes')!, 'instance_attributes')!.children;
    expect(pairs.map((p) => [p.attrs.name, p.attrs.value])).toContainEqual(['fail-count-r1#start_0', 'INFINITY']);
  });

  it('ignores results of a transition that is no longer current', () => {
    const { ctl } = dcController();
    ctl.handle({ type: 'planned', request: 1, graph: { actions: [op(1, 'start', 'n1')] } }, 10);
    const stale = ctl.handle({ type: 'operation-result', transition: 7, action: 1, outcome: ok(1) }, 20);
    expect(stale.status).toEqual([]);
  });

  it("records results of an earlier DC's transition, by its own key, without mistaking them for this graph's", () => {
    const { ctl } = dcController();
    ctl.handle({ type: 'planned', request: 1, graph: { actions: [op(1, 'start', 'n1')] } }, 10);
    // Same transition and action numbers, but another DC asked for it: the start on n2 failed.
    const theirs = op(1, 'start', 'n2');
    const r = ctl.handle({ type: 'operation-result', transition: 1, action: 1, outcome: ok(1), origin: 'uuid-old', about: theirs }, 20);
    expect(ctl.current()?.counts['in-flight']).toBe(1);
    expect(r.status.map((u) => u.kind)).toEqual(['operation', 'fail-count']);
    expect(r.status[0]).toMatchObject({ op: { node: 'n2', task: 'start', rc: 1, transitionKey: '1:1:0:uuid-old' } });
    expect(r.status[1]).toMatchObject({ node: 'n2', resource: 'r1', add: 'INFINITY' });
    // Once ours finishes, the next plan sees both.
    const done = ctl.handle({ type: 'operation-result', transition: 1, action: 1, outcome: ok(), origin: 'uuid-1', about: op(1, 'start', 'n1') }, 30);
    expect(done.plan?.request).toBe(2);
    expect(lrmOps(done.plan!.cib, 'n2').map((o) => o.attrs['transition-key'])).toContain('1:1:0:uuid-old');
    // A second copy of our own, already confirmed, result records nothing.
    const again = ctl.handle({ type: 'operation-result', transition: 1, action: 1, outcome: ok(), origin: 'uuid-1', about: op(1, 'start', 'n1') }, 40);
    expect(again.status).toEqual([]);
  });

  it('records an operation an earlier DC started as pending, then its result', () => {
    const { ctl } = dcController();
    const theirs = op(4, 'start', 'n2');
    const pending = ctl.handle({ type: 'operation-pending', node: 'n2', transition: 9, origin: 'uuid-old', action: theirs }, 10);
    expect(pending.status).toHaveLength(1);
    expect(pending.status[0]).toMatchObject({ kind: 'operation', op: { node: 'n2', task: 'start', opStatus: -1, transitionKey: '4:9:0:uuid-old' } });
    // Only the node that runs it can say so.
    expect(ctl.handle({ type: 'operation-pending', node: 'n1', transition: 9, origin: 'uuid-old', action: theirs }, 15).status).toEqual([]);
    const result = ctl.handle({ type: 'operation-result', transition: 9, action: 4, outcome: ok(), origin: 'uuid-old', about: theirs }, 20);
    expect(result.status).toHaveLength(1);
    expect(result.status[0]).toMatchObject({ op: { node: 'n2', task: 'start', rc: 0, opStatus: 0 } });
  });

  it('records nothing a node outside the view reports: it was fenced since, or is cut off', () => {
    const { ctl } = dcController();
    ctl.handle({ type: 'planned', request: 1, graph: { actions: [op(1, 'monitor', 'n2')] } }, 10);
    ctl.handle({ type: 'membership', view: { members: ['n1'], dc: 'n1', quorate: true } }, 20);
    ctl.handle({ type: 'planned', request: 2, graph: { actions: [] } }, 30);
    // The probe's answer from n2's life before the fencing, delivered late (a TCP retransmission
    // once its link is back): the resource is active there.
    const late = [
      ctl.handle({ type: 'operation-result', transition: 1, action: 1, outcome: ok(0), origin: 'uuid-1', about: op(1, 'monitor', 'n2') }, 40),
      ctl.handle({ type: 'operation-pending', node: 'n2', transition: 1, origin: 'uuid-1', action: op(3, 'start', 'n2') }, 41),
      ctl.handle({ type: 'monitor-result', node: 'n2', resource: dummy, intervalMs: 10_000, outcome: ok(7) }, 42),
    ];
    for (const r of late) {
      expect(r.status).toEqual([]);
      expect(r.plan).toBeNull();
    }
    expect(ctl.handle({ type: 'tick' }, 1_000).plan).toBeNull();
  });

  it('fails in-flight actions of a node that left, and fences before recovery', () => {
    const { ctl } = dcController();
    ctl.handle({ type: 'planned', request: 1, graph: { actions: [op(1, 'start', 'n2')] } }, 10);
    const lost = ctl.handle({ type: 'membership', view: { members: ['n1'], dc: 'n1', quorate: true } }, 20);
    expect(ctl.current()).toBeNull();
    expect(lost.plan?.request).toBe(2);
    const fenceGraph: GraphAction[] = [
      { kind: 'fence', id: 1, inputs: [], node: 'n2', fenceAction: 'reboot', reason: 'peer is no longer part of the cluster' },
      { ...op(2, 'start', 'n1'), inputs: [1] },
    ];
    const planned = ctl.handle({ type: 'planned', request: 2, graph: { actions: fenceGraph } }, 30);
    expect(planned.fence.map((f) => f.action.node)).toEqual(['n2']);
    expect(planned.dispatch).toEqual([]);
    const fenced = ctl.handle({ type: 'fence-result', transition: 2, action: 1, ok: true, detail: 'off' }, 40);
    expect(fenced.status[0]).toEqual({ kind: 'node-fenced', node: 'n2' });
    expect(fenced.dispatch.map((d) => d.action.id)).toEqual([2]);
  });

  it('a recurring monitor failure records the failure and plans again', () => {
    const { ctl } = dcController();
    ctl.handle({ type: 'planned', request: 1, graph: { actions: [op(1, 'monitor', 'n1', [], 1000)] } }, 10);
    ctl.handle({ type: 'operation-result', transition: 1, action: 1, outcome: ok() }, 20);
    const r = ctl.handle({ type: 'monitor-result', node: 'n1', resource: dummy, intervalMs: 1000, outcome: ok(7) }, 30);
    expect(r.status.map((s) => s.kind)).toEqual(['operation', 'fail-count']);
    expect(r.status[1]).toMatchObject({ add: 1, task: 'monitor', intervalMs: 1000 });
    expect(r.plan?.request).toBe(2);
  });

  it('waits crmd-transition-delay before planning, and does nothing when not DC', () => {
    const ctl = new Controller({ self: 'n1', uuid: 'u' });
    const cib = emptyCib();
    const config = firstChild(cib, 'configuration')!;
    firstChild(config, 'crm_config')!.children.push({
      name: 'cluster_property_set', attrs: { id: 'o' }, children: [{ name: 'nvpair', attrs: { id: 'o-d', name: 'crmd-transition-delay', value: '2s' }, children: [] }],
    });
    ctl.handle({ type: 'cib', cib }, 0);
    expect(ctl.handle({ type: 'membership', view: { members: ['n1', 'n2'], dc: 'n2', quorate: true } }, 0).plan).toBeNull();
    expect(ctl.handle({ type: 'membership', view: { members: ['n1'], dc: 'n1', quorate: false } }, 1000).plan).toBeNull();
    expect(ctl.nextWakeMs()).toBe(3000);
    expect(ctl.handle({ type: 'tick' }, 3000).plan?.cib.attrs['have-quorum']).toBe('0');
  });

  it('keeps members whose controller has not joined pending, and aborts on an undeliverable action', () => {
    const { ctl } = dcController();
    ctl.handle({ type: 'membership', view: { members: ['n1', 'n2'], dc: 'n1', quorate: true, pending: ['n2'] } }, 5);
    // The plan asked for before the change is stale: a new one is asked for at once.
    const plan = ctl.handle({ type: 'planned', request: 1, graph: { actions: [] } }, 6).plan;
    const n2 = firstChild(plan!.cib, 'status')!.children.find((s) => s.attrs.uname === 'n2')!;
    expect(n2.attrs).toMatchObject({ in_ccm: 'true', crmd: 'online', join: 'pending' });
    ctl.handle({ type: 'planned', request: plan!.request, graph: { actions: [op(1, 'start', 'n2')] } }, 8);
    const failed = ctl.handle({ type: 'dispatch-failed', transition: ctl.current()!.id, action: 1, detail: 'ECONNREFUSED' }, 9);
    expect(failed.status).toEqual([]);
    expect(ctl.current()).toBeNull();
    expect(ctl.nextWakeMs()).toBe(1009);
  });

  it('gives up on an action nobody answers', () => {
    const { ctl } = dcController();
    ctl.handle({ type: 'planned', request: 1, graph: { actions: [op(1, 'start', 'n2')] } }, 10);
    expect(ctl.nextWakeMs()).toBe(10 + 20_000 + 60_000);
    const r = ctl.handle({ type: 'tick' }, 10 + 80_000);
    expect(r.log.some((l) => l.msg.includes('timed out without an answer'))).toBe(true);
    expect(r.plan?.request).toBe(2);
  });

  it('re-plans when the configuration changes but not for its own history writes', () => {
    const { ctl, first } = dcController();
    ctl.handle({ type: 'planned', request: first.plan!.request, graph: { actions: [op(1, 'start', 'n1')] } }, 1);
    const res = ctl.handle({ type: 'operation-result', transition: 1, action: 1, outcome: ok() }, 2);
    const written = applyStatusUpdates(emptyCib(), [...first.status, ...res.status]);
    expect(ctl.handle({ type: 'cib', cib: written }, 3).plan).toBeNull();
    const changed = { ...written, children: written.children.map((c) => (c.name === 'configuration' ? { ...c, attrs: { x: '1' } } : c)) };
    expect(ctl.handle({ type: 'cib', cib: changed }, 4).plan?.request).toBe(2);
  });
});
