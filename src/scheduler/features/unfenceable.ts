/**
 * Nodes lost beyond reach: unclean and offline while fencing cannot run (disabled, no device, or
 * no quorum under a no-quorum-policy other than ignore). Nothing that ran there can be stopped or demoted,
 * so it keeps its role, and its place, until the node returns or is fenced.
 */
import type { Context } from '../context.js';
import type { Clone, Node } from '../model.js';
import { primitivesOf } from '../model.js';
import { activeHistories } from '../placement/scores.js';

export function fencingPossible(ctx: Context): boolean {
  return ctx.stonithEnabled && ctx.fencingDevice && (ctx.haveQuorum || ctx.noQuorumPolicy === 'ignore');
}

export function lostBeyondReach(ctx: Context, node: Node): boolean {
  return node.unclean && !node.online && !fencingPossible(ctx);
}

/** Instances of a promotable clone still promoted on a node lost beyond reach: they keep their promoted slot. */
export function stuckPromoted(ctx: Context, c: Clone): number {
  return c.instances.filter((inst) => primitivesOf(inst).some((p) => activeHistories(p).some((h) => h.role === 'Promoted' && lostBeyondReach(ctx, h.node)))).length;
}
