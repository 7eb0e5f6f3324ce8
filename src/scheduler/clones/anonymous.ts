import type { Clone, Group, Node, Primitive } from '../model.js';
import { primitivesOf } from '../model.js';
import { isActive } from '../unpack/history.js';

type Instance = Primitive | Group;

export interface AnonymousLookup {
  clone: Clone;
  /** The instance member an lrm_resource entry names (the instance itself for a primitive child). */
  member: (inst: Instance) => Primitive;
  node: Node;
  /** Nodes configured in the cluster: a clone with an instance for each is "universal". */
  nodeCount: number;
  stonithEnabled: boolean;
}

function activeNodes(inst: Instance): Set<Node> {
  const out = new Set<Node>();
  for (const p of primitivesOf(inst)) for (const h of p.history.values()) if (isActive(h)) out.add(h.node);
  return out;
}

function activeAnywhere(p: Primitive): boolean {
  for (const h of p.history.values()) if (isActive(h)) return true;
  return false;
}

function needsFencing(p: Primitive, stonithEnabled: boolean): boolean {
  const requires = p.meta.get('requires') ?? (p.cls === 'stonith' || !stonithEnabled ? 'quorum' : 'fencing');
  return requires === 'fencing' || requires === 'unfencing';
}

/**
 * The instance an active history entry of an anonymous clone belongs to, or undefined when it
 * is an orphan. History numbers mean nothing for anonymous clones, so, in configuration order:
 * an instance already active on this node whose matching member is not active yet takes it;
 * a second copy of a member already active here is an orphan; failing both, the first instance
 * active nowhere takes it. A copy found on a lost node (offline or unclean) of a resource that
 * does not need fencing is an orphan too, unless the clone has an instance for every node:
 * it must not hold an instance number that a healthy node could use.
 */
export function anonymousInstanceFor(q: AnonymousLookup): Instance | undefined {
  let found: Instance | undefined;
  let spare: Instance | undefined;
  let duplicate = false;
  for (const inst of q.clone.instances) {
    const where = activeNodes(inst);
    if (where.size > 0) {
      if (!where.has(q.node)) continue;
      if (activeAnywhere(q.member(inst))) {
        duplicate = true;
        continue;
      }
      found = inst;
      break;
    }
    if (!duplicate && spare === undefined) spare = inst;
  }
  let target = found ?? (duplicate ? undefined : spare);
  const lost = !q.node.online || q.node.unclean;
  if (target && lost && !needsFencing(q.member(target), q.stonithEnabled) && q.clone.maxInstances < q.nodeCount) target = undefined;
  return target;
}
