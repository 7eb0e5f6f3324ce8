import { describe, expect, it } from 'vitest';
import { emptyCib } from '../cib/empty.js';
import type { XmlElement } from '../cib/xml.js';
import type { ResourceAction, TransitionGraph } from '../scheduler/graph.js';
import { statusOf } from './cib-tree.js';
import { Controller } from './controller.js';
import { guardGraph, leftCleanly, possiblyActive } from './fencing-guard.js';
import { applyStatusUpdates, type StatusUpdate } from './history.js';

const svc = { id: 'svc', configId: 'svc', agentClass: 'ocf', provider: 'vigil', type: 'Supervisor', params: {}, meta: {} };
const fenceDevice = { id: 'fence-netns', agentClass: 'stonith', type: 'fence_vigil_netns' };

function op(node: string, resource: { id: string; agentClass: string; provider?: string; type: string }, task: string, callId: number, rc: number): StatusUpdate {
  const { id, agentClass, provider, type } = resource;
  return {
    kind: 'operation',
    op: {
      node,
      resource: { id, agentClass, provider, type },
      task,
      intervalMs: 0,
      callId,
      rc,
      opStatus: 0,
      targetRc: 0,
      transitionKey: `1:1:0:uuid`,
      lastRcChange: 1_700_000_000,
      execTimeMs: 5,
      queueTimeMs: 0,
      exitReason: '',
    },
  };
}

const stonithOn: XmlElement = {
  name: 'crm_config',
  attrs: {},
  children: [{ name: 'cluster_property_set', attrs: { id: 'opts' }, children: [{ name: 'nvpair', attrs: { id: 'o1', name: 'stonith-enabled', value: 'true' }, children: [] }] }],
};

/** A two-node CIB with fencing on, the given history, and n2's node_state saying `expected`. */
function cibWith(updates: StatusUpdate[], n2Expected: 'member' | 'down'): XmlElement {
  const base = emptyCib();
  const withConfig: XmlElement = {
    ...base,
    children: base.children.map((c) => (c.name === 'configuration' ? { ...c, children: [...c.children.filter((s) => s.name !== 'crm_config'), stonithOn] } : c)),
  };
  const cib = applyStatusUpdates(withConfig, updates);
  const status = statusOf(cib) as XmlElement;
  const states = status.children.map((s) =>
    s.attrs.uname === 'n2' ? { ...s, attrs: { ...s.attrs, in_ccm: 'false', crmd: 'offline', join: 'down', expected: n2Expected } } : s,
  );
  return { ...cib, children: cib.children.map((c) => (c === status ? { ...status, children: states } : c)) };
}

function n2State(cib: XmlElement): XmlElement {
  return statusOf(cib)?.children.find((s) => s.attrs.uname === 'n2') as XmlElement;
}

const startOnN1: ResourceAction = { kind: 'resource', id: 1, inputs: [], key: 'svc_start_0', task: 'start', node: 'n1', resource: svc, intervalMs: 0, timeoutMs: 20_000 };

describe('a node that says it left but may still run something', () => {
  it('reads what the history leaves active: successful stops and "not running" do not count, fence devices never', () => {
    expect(possiblyActive(n2State(cibWith([op('n2', svc, 'start', 1, 0)], 'down')))).toEqual(['svc']);
    expect(possiblyActive(n2State(cibWith([op('n2', svc, 'start', 1, 0), op('n2', svc, 'stop', 2, 0)], 'down')))).toEqual([]);
    // A failed stop leaves it in an unknown state: only fencing settles that.
    expect(possiblyActive(n2State(cibWith([op('n2', svc, 'start', 1, 0), op('n2', svc, 'stop', 2, 1)], 'down')))).toEqual(['svc']);
    expect(possiblyActive(n2State(cibWith([op('n2', svc, 'monitor', 1, 7)], 'down')))).toEqual([]);
    expect(possiblyActive(n2State(cibWith([op('n2', fenceDevice, 'start', 1, 0)], 'down')))).toEqual([]);
  });

  it('left cleanly only when it said so and nothing may still run there', () => {
    expect(leftCleanly(n2State(cibWith([op('n2', svc, 'start', 1, 0), op('n2', svc, 'stop', 2, 0)], 'down')))).toBe(true);
    expect(leftCleanly(n2State(cibWith([op('n2', svc, 'start', 1, 0)], 'down')))).toBe(false);
    expect(leftCleanly(n2State(cibWith([op('n2', svc, 'start', 1, 0), op('n2', svc, 'stop', 2, 0)], 'member')))).toBe(false);
  });

  it('is fenced before its resource starts elsewhere, whatever the plan says', () => {
    const graph: TransitionGraph = { actions: [startOnN1] };
    const stillRunning = guardGraph(graph, cibWith([op('n2', svc, 'start', 1, 0)], 'down'), ['n1'], true);
    expect(stillRunning.added).toEqual(['n2']);
    const fence = stillRunning.graph.actions.find((a) => a.kind === 'fence');
    expect(fence).toMatchObject({ kind: 'fence', node: 'n2' });
    expect(stillRunning.graph.actions.find((a) => a.id === startOnN1.id)?.inputs).toContain(fence?.id);
    // Stopped before it left: its word is good, the start need not wait.
    const stopped = guardGraph(graph, cibWith([op('n2', svc, 'start', 1, 0), op('n2', svc, 'stop', 2, 0)], 'down'), ['n1'], true);
    expect(stopped.added).toEqual([]);
    expect(stopped.graph.actions).toEqual([startOnN1]);
  });

  it('keeps its history when it leaves, and the scheduler is shown it unclean', () => {
    const ctl = new Controller({ self: 'n1', uuid: 'uuid-1' });
    ctl.handle({ type: 'cib', cib: cibWith([], 'member') }, 0);
    const joined = ctl.handle({ type: 'membership', view: { members: ['n1', 'n2'], dc: 'n1', quorate: true } }, 0);
    ctl.handle({ type: 'planned', request: joined.plan?.request ?? 0, graph: { actions: [] } }, 1);
    // svc started on n2, then n2 wrote that it leaves (say its drain timed out) and went.
    const changed = ctl.handle({ type: 'cib', cib: cibWith([op('n2', svc, 'start', 1, 0)], 'down') }, 2);
    ctl.handle({ type: 'planned', request: changed.plan?.request ?? 0, graph: { actions: [] } }, 3);
    const lost = ctl.handle({ type: 'membership', view: { members: ['n1'], dc: 'n1', quorate: true } }, 10);
    expect(lost.status.filter((u) => u.kind === 'forget-node-history')).toEqual([]);
    expect(lost.plan).not.toBeNull();
    const seen = n2State(lost.plan?.cib as XmlElement);
    expect(seen.attrs.expected).toBe('member');
    expect(possiblyActive(seen)).toEqual(['svc']);
  });

  it('that stopped everything first is forgotten at once, as before', () => {
    const ctl = new Controller({ self: 'n1', uuid: 'uuid-1' });
    ctl.handle({ type: 'cib', cib: cibWith([], 'member') }, 0);
    const joined = ctl.handle({ type: 'membership', view: { members: ['n1', 'n2'], dc: 'n1', quorate: true } }, 0);
    ctl.handle({ type: 'planned', request: joined.plan?.request ?? 0, graph: { actions: [] } }, 1);
    ctl.handle({ type: 'cib', cib: cibWith([op('n2', svc, 'start', 1, 0), op('n2', svc, 'stop', 2, 0)], 'down') }, 2);
    const lost = ctl.handle({ type: 'membership', view: { members: ['n1'], dc: 'n1', quorate: true } }, 10);
    expect(lost.status).toContainEqual({ kind: 'forget-node-history', node: 'n2' });
  });
});
