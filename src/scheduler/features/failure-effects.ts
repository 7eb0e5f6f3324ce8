/**
 * What recorded failures do to their nodes and resources: on-fail=fence fences the node,
 * on-fail=standby puts it in standby, on-fail=stop keeps the resource stopped.
 *
 * Pacemaker meets failures node by node in status order. A failure on a node already known to be
 * unclean is moot: whatever runs there is lost with the node, so the resource merely moves away
 * (or waits, blocked, for the fencing) rather than being recovered or blocked by its on-fail.
 */
import type { XmlElement } from '../../cib/xml.js';
import type { Fence } from '../context.js';
import type { Node, Primitive } from '../model.js';
import { child, children } from '../unpack/config.js';
import { historiesByNode } from '../unpack/histories-by-node.js';

/** Each node with a status entry, in the order of those entries, with its resources' history order. */
function statusOrder(cib: XmlElement, nodes: Node[]): { node: Node; lrm: Map<string, number> }[] {
  const byName = new Map(nodes.map((n) => [n.uname, n]));
  const out: { node: Node; lrm: Map<string, number> }[] = [];
  for (const ns of children(child(cib, 'status'), 'node_state')) {
    const node = byName.get(ns.attrs.uname ?? '');
    if (!node || out.some((e) => e.node === node)) continue;
    const ids = children(child(child(ns, 'lrm'), 'lrm_resources'), 'lrm_resource').map((r) => r.attrs.id ?? '');
    out.push({ node, lrm: new Map(ids.map((id, i) => [id, i])) });
  }
  return out;
}

export function applyFailureEffects(cib: XmlElement, nodes: Node[], prims: Primitive[], fences: Fence[], stonithEnabled: boolean): void {
  const byNode = historiesByNode(prims);
  for (const { node, lrm } of statusOrder(cib, nodes)) {
    const rank = (p: Primitive): number => lrm.get(p.historyName ?? p.id) ?? lrm.get(p.configId) ?? lrm.size;
    // Only failures have effects, and handling one never makes another history failed.
    const failed = (byNode.get(node.uname) ?? []).filter(([, h]) => h.failed).sort(([a], [b]) => rank(a) - rank(b));
    for (const [p, h] of failed) {
      if (!h.failed) continue;
      // A guest is "fenced" by recovering its container instead (see resetGuests).
      if (node.unclean && !node.guest) {
        h.failed = false;
        h.onFail = undefined;
        continue;
      }
      if (h.onFail === 'fence' && stonithEnabled && !node.guest) {
        node.unclean = true;
        fences.push({ node: node.uname, reason: `${p.id} failed there` });
      }
      if (h.onFail === 'standby') node.standbyOnFail = true;
      if (h.onFail === 'stop') p.meta.set('target-role', 'Stopped');
    }
  }
}
