import { parseBoolean } from '../values.js';
import type { Clone, Configuration, Group, NvSet, Primitive, Resource } from './types.js';

/**
 * Small look-ups over the model that every consumer needs. They read attribute sets as written
 * and do not evaluate rules: a set with rules is skipped, since whether it applies depends on the
 * node and the time, which the caller (the scheduler) knows.
 */

/** The value of `name` in the first rule-less set that defines it, as Pacemaker's unconditional sets are read. */
export function nvValue(sets: readonly NvSet[], name: string): string | undefined {
  for (const set of sets) {
    if (set.ref !== undefined || set.rules.length > 0) continue;
    for (const pair of set.pairs) if (pair.ref === undefined && pair.name === name) return pair.value;
  }
  return undefined;
}

export function isPromotable(clone: Clone): boolean {
  return clone.element === 'master' || parseBoolean(nvValue(clone.metaAttributes, 'promotable') ?? '') === true;
}

/** Every resource, containers before what they contain, in document order. */
export function* allResources(config: Configuration): Generator<Primitive | Group | Clone> {
  const visit = function* (r: Resource | Primitive | Group): Generator<Primitive | Group | Clone> {
    switch (r.kind) {
      case 'primitive':
        yield r;
        break;
      case 'group':
        yield r;
        yield* r.members;
        break;
      case 'clone':
        yield r;
        yield* visit(r.child);
        break;
      default:
        break;
    }
  };
  for (const r of config.resources) yield* visit(r);
}

export function findResource(config: Configuration, id: string): Primitive | Group | Clone | undefined {
  for (const r of allResources(config)) if (r.id === id) return r;
  return undefined;
}
