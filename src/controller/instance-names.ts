import type { GraphAction, ResourceAction, TransitionGraph } from '../scheduler/graph.js';
import { isTrue } from './options.js';

/**
 * The id under which a node runs and records a resource. Anonymous clone instances are
 * interchangeable, so their number is only the scheduler's bookkeeping for one plan: the next
 * plan may call the copy running on a node `dummy:2` after it was started as `dummy:0`. A node
 * therefore runs and records every anonymous copy under the primitive's own id (as Pacemaker
 * does): the agent's instance name (OCF_RESOURCE_INSTANCE, its state files) and the history entry
 * stay the same whatever number a later plan gives the copy. Unique clone instances keep theirs.
 */
export function nodeResourceId(resource: ResourceAction['resource']): string {
  if (resource.id === resource.configId || !resource.id.startsWith(`${resource.configId}:`)) return resource.id;
  if (!/^\d+$/.test(resource.id.slice(resource.configId.length + 1))) return resource.id;
  const unique = resource.meta['globally-unique'] ?? resource.meta.globally_unique ?? resource.meta.CRM_meta_globally_unique;
  return unique !== undefined && isTrue(unique) ? resource.id : resource.configId;
}

/** The graph with every resource action naming its resource as the nodes know it. */
export function withNodeResourceIds(graph: TransitionGraph): TransitionGraph {
  const actions = graph.actions.map((a): GraphAction => {
    if (a.kind !== 'resource') return a;
    const id = nodeResourceId(a.resource);
    return id === a.resource.id ? a : { ...a, resource: { ...a.resource, id } };
  });
  return { ...graph, actions };
}
