import type { Colocation } from '../constraints/parse.js';
import type { Resource } from '../model.js';

const VARIANT: Record<Resource['kind'], number> = { primitive: 0, group: 1, clone: 2 };

function compareResources(a: Resource, b: Resource): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  // Clones before groups before primitives, promotable clones before the others.
  if (a.kind !== b.kind) return VARIANT[b.kind] - VARIANT[a.kind];
  if (a.kind === 'clone' && b.kind === 'clone' && a.promotable !== b.promotable) return a.promotable ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The colocations a dependent follows, in the order they are applied: the most important primary
 * first, so it is placed (and takes its room) before the others; a group's own colocations join
 * its first member's in that one order.
 */
export function byPrimary(cols: readonly Colocation[]): Colocation[] {
  return [...cols].sort((x, y) => compareResources(x.primary, y.primary));
}

/** The colocations that follow a primary, most important dependent first. */
export function byDependent(cols: readonly Colocation[]): Colocation[] {
  return [...cols].sort((x, y) => compareResources(x.dependent, y.dependent));
}
