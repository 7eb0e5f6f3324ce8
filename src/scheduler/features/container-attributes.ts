/**
 * container-attribute-target=host: a resource running inside a guest node's container reads node
 * attributes (its promotion score among them) from the host the container runs on, since that is
 * where agents such as galera or redis record them.
 */
import type { Context } from '../context.js';
import type { Node, Resource } from '../model.js';
import { activeHistories } from '../placement/scores.js';

function wantsHost(r: Resource): boolean {
  for (let cur: Resource | undefined = r; cur; cur = cur.parent) {
    const v = cur.meta.get('container-attribute-target');
    if (v !== undefined) return v.toLowerCase() === 'host';
  }
  return false;
}

/** The node whose attributes `r` reads when placed on `node`. */
export function attributeNode(ctx: Context, r: Resource, node: Node): Node {
  if (!node.guest || !wantsHost(r)) return node;
  const container = ctx.byId.get(node.guest.container);
  if (container?.kind !== 'primitive') return node;
  return activeHistories(container)[0]?.node ?? node;
}
