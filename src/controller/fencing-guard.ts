import type { XmlElement } from '../cib/xml.js';
import type { FenceAction, GraphAction, TransitionGraph } from '../scheduler/graph.js';
import { section, statusOf } from './cib-tree.js';
import { isTrue, property } from './options.js';

/**
 * Resources the node's recorded history may leave active there, fence devices aside: anything
 * but a successful stop or an answer of "not running" / "not installed" as its last operation.
 * A failed stop or start may have left it half running, which only fencing settles.
 */
export function possiblyActive(state: XmlElement): string[] {
  const out: string[] = [];
  for (const lrm of state.children) if (lrm.name === 'lrm') for (const rscs of lrm.children) for (const rsc of rscs.children) {
    if (rsc.attrs.class === 'stonith' || rsc.attrs.id === undefined) continue;
    const last = rsc.children
      .filter((o) => o.attrs.operation !== 'cancel')
      .reduce<XmlElement | undefined>((a, o) => (a === undefined || Number(o.attrs['call-id']) > Number(a.attrs['call-id']) ? o : a), undefined);
    if (last === undefined) continue;
    const rc = last.attrs['rc-code'];
    const stopped = (last.attrs.operation === 'stop' && rc === '0') || rc === '7' || rc === '5';
    if (!stopped) out.push(rsc.attrs.id);
  }
  return out;
}

/**
 * A node outside the membership left cleanly only when it said so (expected="down") AND its
 * history leaves nothing active there. A node may record that it leaves while something still
 * runs (its drain timed out, or it judged from a copy of the status that lagged behind the DC's):
 * taking its word would start those resources elsewhere while they still run there.
 */
export function leftCleanly(state: XmlElement): boolean {
  return state.attrs.expected === 'down' && possiblyActive(state).length === 0;
}

/**
 * The invariant "a node that left uncleanly is fenced before its resources start elsewhere",
 * enforced on whatever graph the scheduler returns: when fencing is enabled and a node is
 * unclean but the graph does not fence it, a fence action is added and every start, promote and
 * migration waits for it. Actions for nodes outside the membership cannot be run there: they
 * become pseudo actions, confirmed once the node is fenced (or at once without fencing).
 */
export function guardGraph(graph: TransitionGraph, cib: XmlElement, members: readonly string[], quorate: boolean): { graph: TransitionGraph; added: string[] } {
  const crmConfig = section(cib, 'crm_config');
  const stonithRaw = property(crmConfig, 'stonith-enabled') ?? property(crmConfig, 'fencing-enabled');
  const stonith = stonithRaw === undefined || isTrue(stonithRaw);
  const noQuorumPolicy = property(crmConfig, 'no-quorum-policy') ?? 'stop';
  const mayFence = stonith && (quorate || noQuorumPolicy === 'ignore');
  const fenceAction = (property(crmConfig, 'stonith-action') ?? 'reboot') === 'off' ? 'off' : 'reboot';
  const memberSet = new Set(members);
  const unclean: string[] = [];
  for (const state of statusOf(cib)?.children ?? []) {
    const node = state.attrs.uname;
    if (state.name !== 'node_state' || node === undefined || memberSet.has(node)) continue;
    if (!leftCleanly(state)) unclean.push(node);
  }
  const fenced = new Map<string, number>();
  for (const a of graph.actions) if (a.kind === 'fence') fenced.set(a.node, a.id);
  let nextId = graph.actions.reduce((m, a) => Math.max(m, a.id), 0) + 1;
  const added: string[] = [];
  const extra: FenceAction[] = [];
  if (mayFence) {
    for (const node of unclean) {
      if (fenced.has(node)) continue;
      const action: FenceAction = { kind: 'fence', id: nextId++, inputs: [], node, fenceAction, reason: 'peer is no longer part of the cluster' };
      extra.push(action);
      fenced.set(node, action.id);
      added.push(node);
    }
  }
  const fenceIds = [...fenced.values()];
  const actions: GraphAction[] = [...extra];
  for (const a of graph.actions) {
    if (a.kind === 'resource' && !memberSet.has(a.node)) {
      // Nobody there to run it: it is done when the node is known to be off.
      const waitFor = fenced.get(a.node);
      actions.push({ kind: 'pseudo', id: a.id, key: `${a.key}-on-lost-${a.node}`, inputs: waitFor === undefined ? a.inputs : [...a.inputs, waitFor] });
      continue;
    }
    if (a.kind === 'resource' && mayFence && fenceIds.length > 0 && ['start', 'promote', 'migrate_from', 'migrate_to'].includes(a.task)) {
      const inputs = [...a.inputs, ...fenceIds.filter((id) => !a.inputs.includes(id))];
      actions.push({ ...a, inputs });
      continue;
    }
    actions.push(a);
  }
  return { graph: { ...graph, actions }, added };
}
