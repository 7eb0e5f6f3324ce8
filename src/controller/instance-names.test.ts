import { describe, expect, it } from 'vitest';
import { emptyCib } from '../cib/empty.js';
import { firstChild } from '../cib/xml.js';
import type { ActionResource, ResourceAction } from '../scheduler/graph.js';
import { Controller, type OperationOutcome } from './controller.js';
import { applyStatusUpdates } from './history.js';
import { nodeResourceId } from './instance-names.js';

const rsc = (id: string, configId: string, meta: Record<string, string> = {}): ActionResource => ({ id, configId, agentClass: 'ocf', provider: 'vigil', type: 'Dummy', params: {}, meta });
const ok: OperationOutcome = { rc: 0, opStatus: 0, exitReason: '', startedAtMs: 1_700_000_000_000, durationMs: 5 };

describe('nodeResourceId', () => {
  it('names anonymous clone copies by their primitive, unique instances and plain primitives by their own id', () => {
    expect(nodeResourceId(rsc('dummy:2', 'dummy'))).toBe('dummy');
    expect(nodeResourceId(rsc('dummy:2', 'dummy', { 'globally-unique': 'false' }))).toBe('dummy');
    expect(nodeResourceId(rsc('dummy:2', 'dummy', { 'globally-unique': 'true' }))).toBe('dummy:2');
    expect(nodeResourceId(rsc('dummy', 'dummy'))).toBe('dummy');
    expect(nodeResourceId(rsc('vip', 'vip'))).toBe('vip');
  });
});

describe('Controller with anonymous clones', () => {
  it('runs and records whatever instance number the plan gives under the primitive id', () => {
    const ctl = new Controller({ self: 'n1', uuid: 'uuid-1' });
    ctl.handle({ type: 'cib', cib: emptyCib() }, 0);
    ctl.handle({ type: 'membership', view: { members: ['n1'], dc: 'n1', quorate: true } }, 0);
    const start: ResourceAction = { kind: 'resource', id: 1, inputs: [], key: 'dummy:2_start_0', task: 'start', node: 'n1', resource: rsc('dummy:2', 'dummy'), intervalMs: 0, timeoutMs: 20_000 };
    const planned = ctl.handle({ type: 'planned', request: 1, graph: { actions: [start] } }, 10);
    expect(planned.dispatch.map((d) => d.action.resource.id)).toEqual(['dummy']);
    const done = ctl.handle({ type: 'operation-result', transition: 1, action: 1, outcome: ok }, 20);
    const cib = applyStatusUpdates(emptyCib(), done.status);
    const state = firstChild(cib, 'status')?.children.find((s) => s.attrs.uname === 'n1');
    const ids = (firstChild(firstChild(state!, 'lrm')!, 'lrm_resources')?.children ?? []).map((r) => r.attrs.id);
    expect(ids).toEqual(['dummy']);
  });
});
