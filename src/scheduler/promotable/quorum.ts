import type { Context } from '../context.js';

/**
 * Without quorum, no-quorum-policy=demote stops every resource as `stop` would, except the
 * instances of promotable clones: they keep running, but none may be promoted.
 */
export function quorumDemotes(ctx: Pick<Context, 'haveQuorum' | 'noQuorumPolicy'>): boolean {
  return !ctx.haveQuorum && ctx.noQuorumPolicy === 'demote';
}
