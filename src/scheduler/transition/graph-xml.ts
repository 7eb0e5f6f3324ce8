import { element, type XmlElement } from '../../cib/xml.js';
import type { GraphAction, TransitionGraph } from '../graph.js';

/** Feature set written on every action, as Pacemaker 2.1.5's scheduler does: its readers check it. */
const FEATURE_SET = '3.16.1';

function operationKey(a: GraphAction): string {
  switch (a.kind) {
    case 'resource':
      return `${a.resource.id}_${a.cancels ?? a.task}_${a.intervalMs}`;
    case 'pseudo':
      return a.key;
    case 'fence':
      return `stonith-${a.node}-${a.fenceAction}`;
    case 'cluster':
      return a.task === 'do_shutdown' ? `do_shutdown-${a.node}` : `${a.resourceId ?? ''}_${a.task}_0`;
  }
}

function operation(a: GraphAction): string {
  switch (a.kind) {
    case 'resource':
      return a.task;
    case 'pseudo':
      return a.key.replace(/_\d+$/, '').replace(/^.*_(?=[a-z]+$)/, '');
    case 'fence':
      return 'stonith';
    case 'cluster':
      return a.task;
  }
}

/** The element naming an action, as the action itself or as another synapse's trigger. */
function actionElement(a: GraphAction, full: boolean): XmlElement {
  const attrs: Record<string, string> = { id: String(a.id), operation: operation(a), operation_key: operationKey(a) };
  if (a.kind === 'resource' && a.key !== attrs.operation_key) attrs.internal_operation_key = a.key;
  if (a.kind !== 'pseudo') attrs.on_node = a.node;
  const name = a.kind === 'resource' ? 'rsc_op' : a.kind === 'pseudo' ? 'pseudo_event' : 'crm_event';
  const el = element(name, attrs);
  if (!full) return el;
  const meta: Record<string, string> = {};
  if (a.kind === 'resource') {
    const longId = a.key.slice(0, a.key.length - `_${a.cancels ?? a.task}_${a.intervalMs}`.length);
    const prim: Record<string, string> = { id: a.resource.id };
    if (longId !== a.resource.id) prim['long-id'] = longId;
    prim.class = a.resource.agentClass;
    if (a.resource.provider) prim.provider = a.resource.provider;
    prim.type = a.resource.type;
    el.children.push(element('primitive', prim));
    for (const [k, v] of Object.entries(a.resource.meta)) meta[`CRM_meta_${k.replace(/-/g, '_')}`] = v;
    if (a.intervalMs > 0) meta.CRM_meta_interval = String(a.intervalMs);
    meta.CRM_meta_name = a.cancels ?? a.task;
    if (a.cancels !== undefined) meta.CRM_meta_operation = a.cancels;
    if (a.targetRc !== undefined) meta.CRM_meta_op_target_rc = String(a.targetRc);
    meta.CRM_meta_on_node = a.node;
    meta.CRM_meta_timeout = String(a.timeoutMs);
    Object.assign(meta, a.resource.params);
  } else if (a.kind === 'fence') {
    meta.CRM_meta_on_node = a.node;
    meta.CRM_meta_stonith_action = a.fenceAction;
  } else if (a.kind === 'cluster') {
    meta.CRM_meta_on_node = a.node;
  }
  meta.crm_feature_set = FEATURE_SET;
  el.children.push(element('attributes', sortedKeys(meta)));
  if (a.kind === 'fence' && a.fenceAction !== 'on') el.children.push(element('downed', {}, [element('node', { id: a.node })]));
  return el;
}

function sortedKeys(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

/**
 * The graph in Pacemaker's transition-graph shape (what `crm_simulate -G` writes): one synapse
 * per action in synapse order, its action in `action_set`, the actions it waits for as triggers.
 * Nodes are named by uname, the only identity the graph carries.
 */
export function graphToXml(graph: TransitionGraph): XmlElement {
  const byId = new Map(graph.actions.map((a) => [a.id, a]));
  const root = element('transition_graph', {
    'cluster-delay': '60s',
    'stonith-timeout': '60s',
    'failed-stop-offset': 'INFINITY',
    'failed-start-offset': 'INFINITY',
    'batch-limit': '0',
    transition_id: '0',
  });
  graph.actions.forEach((a, i) => {
    const triggers = a.inputs.map((id) => byId.get(id)).filter((x): x is GraphAction => x !== undefined);
    const inputs = element('inputs', {}, triggers.map((t) => element('trigger', {}, [actionElement(t, false)])));
    root.children.push(element('synapse', { id: String(i) }, [element('action_set', {}, [actionElement(a, true)]), inputs]));
  });
  return root;
}
