import type { Colocation } from '../constraints/parse.js';
import type { Context } from '../context.js';
import type { Clone } from '../model.js';
import { INFINITY, addScores } from '../score.js';
import { locationScores } from '../placement/scores.js';

/** What a clone hands each of its instances to be placed with. */
export interface CloneShare {
  /** The clone's location scores, with the nodes its colocations rule out. */
  scores: number[];
  /** The clone's colocations with other resources the instances are placed by. */
  cols: Colocation[];
  /** Colocations of other resources with the clone whose preferences the instances hear. */
  deps: Colocation[];
}

/**
 * An instance is scored like a primitive: the clone's locations, plus whatever of the clone's
 * colocations it inherits. When every available node gets an instance (`spread` false), only
 * mandatory or negative colocations of the clone and only negative preferences of its
 * dependents reach the instances: positive ones cannot change where a copy that runs
 * everywhere goes, they only order the instances (through the clone's own scores).
 */
export function cloneShare(ctx: Context, c: Clone, cloneScores: number[], spread: boolean): CloneShare {
  const scores = locationScores(ctx, c).map((s, i) => (cloneScores[i] < 0 ? addScores(s, cloneScores[i]) : s));
  const cols = (ctx.thisWith.get(c) ?? []).filter((col) => spread || col.score < 0 || col.score >= INFINITY);
  const deps = (ctx.withThis.get(c) ?? []).filter((col) => spread || col.score < 0);
  return { scores, cols, deps };
}
