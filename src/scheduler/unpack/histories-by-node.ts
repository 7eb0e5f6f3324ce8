import type { NodeHistory, Primitive } from '../model.js';

/**
 * The histories of the given primitives grouped by node name, each node's list in the order of
 * `prims`: a node-by-node pass then visits only the primitives with a history there, in the same
 * order as a scan of all of them would (on a big cluster most have none on any one node).
 */
export function historiesByNode(prims: readonly Primitive[]): Map<string, [Primitive, NodeHistory][]> {
  const out = new Map<string, [Primitive, NodeHistory][]>();
  for (const p of prims) {
    for (const [uname, h] of p.history) {
      const list = out.get(uname);
      if (list) list.push([p, h]);
      else out.set(uname, [[p, h]]);
    }
  }
  return out;
}
