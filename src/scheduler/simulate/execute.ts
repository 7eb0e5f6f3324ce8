import type { GraphAction, TransitionGraph } from '../graph.js';

/**
 * Walks the graph as crm_simulate does: repeated passes over the synapses in order, firing
 * every action whose inputs have all fired. Returns the actions in firing order.
 */
export function executeGraph(graph: TransitionGraph): GraphAction[] {
  const fired = new Set<number>();
  const order: GraphAction[] = [];
  let progress = true;
  while (progress) {
    progress = false;
    for (const a of graph.actions) {
      if (fired.has(a.id)) continue;
      if (!a.inputs.every((i) => fired.has(i))) continue;
      fired.add(a.id);
      order.push(a);
      progress = true;
    }
  }
  return order;
}

export function describeAction(a: GraphAction): string {
  switch (a.kind) {
    case 'pseudo':
      return a.fencedNode === undefined ? `  * Pseudo action:   ${a.key}` : `  * Pseudo action:   ${a.key} on ${a.fencedNode}`;
    case 'fence':
      return `  * Fencing ${a.node} (${a.fenceAction})`;
    case 'cluster':
      return a.task === 'do_shutdown' ? `  * Cluster action:  do_shutdown on ${a.node}` : `  * Cluster action:  ${a.task} for ${a.resourceId ?? ''} on ${a.node}`;
    case 'resource': {
      let op = a.task;
      if (a.task === 'monitor' && a.intervalMs > 0) op = `monitor=${a.intervalMs}`;
      if (a.task === 'cancel') op = `cancel=${a.intervalMs}`;
      return `  * Resource action: ${a.resource.id.padEnd(15)} ${op} on ${a.node}`;
    }
  }
}
