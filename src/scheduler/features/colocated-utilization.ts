/**
 * Colocated utilization: a resource that others must run with (or that must run with others,
 * at INFINITY) brings their demand along. When assigning it, only nodes with room for the whole
 * set not yet placed are considered — unless no node has that much room, in which case each is
 * judged by its own demand alone (the rest will then not all fit, and stay stopped).
 */
import type { Context } from '../context.js';
import type { Node, Primitive, Resource } from '../model.js';
import { nodeCanHost, primitivesOf } from '../model.js';
import { INFINITY } from '../score.js';
import { compareRoom } from './utilization-order.js';

/** The resource assigned as a unit with `p`: its group when it leads one, else itself. */
function unitOf(p: Primitive): Resource {
  return p.parent?.kind === 'group' && p.parent.children[0] === p ? p.parent : p;
}

/** `r` and everything tied to it at INFINITY, transitively, in both directions. */
function colocatedSet(ctx: Context, r: Resource): Set<Resource> {
  const seen = new Set<Resource>();
  const visit = (cur: Resource): void => {
    if (seen.has(cur)) return;
    seen.add(cur);
    const members = cur.kind === 'group' ? [cur, ...cur.children] : [cur];
    for (const m of members) {
      for (const c of ctx.thisWith.get(m) ?? []) if (c.score >= INFINITY && c.primary.kind !== 'clone') visit(c.primary);
      for (const c of ctx.withThis.get(m) ?? []) if (c.score >= INFINITY && c.dependent.kind !== 'clone' && cur.kind !== 'clone') visit(c.dependent);
    }
  };
  visit(r);
  return seen;
}

function sum(prims: Iterable<Primitive>): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of prims) for (const [k, v] of m.utilization) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

function roomFor(node: Node, demand: Map<string, number>): boolean {
  for (const [k, v] of demand) if (v > 0 && (node.freeUtilization.get(k) ?? 0) < v) return false;
  return true;
}

interface Demand {
  demand: Map<string, number>;
  /** Nobody has room for the whole colocated set: the node with the most room is preferred on a tie. */
  mostCapable?: Node;
}

/** Nodes `p` may be placed on: able to host, and not scored below zero when scores are known. */
function allowed(ctx: Context, scores: number[] | undefined): Node[] {
  return ctx.nodes.filter((n) => nodeCanHost(n) && (scores === undefined || scores[n.index] >= 0));
}

/**
 * The demand `p` must find room for on a node: its own (with its group when it leads one), or
 * that of everything colocated with it and not yet placed when some allowed node could hold it all.
 */
function demandOf(ctx: Context, p: Primitive, scores: number[] | undefined): Demand {
  const unit = unitOf(p);
  const own = sum(primitivesOf(unit));
  if (p.parent?.kind === 'group' && unit === p) return { demand: own };
  const tied = new Set<Primitive>();
  for (const r of colocatedSet(ctx, unit)) for (const m of primitivesOf(r)) if (m === p || !ctx.placement.has(m)) tied.add(m);
  if (tied.size <= primitivesOf(unit).length) return { demand: own };
  const all = sum(tied);
  const candidates = allowed(ctx, scores);
  if (candidates.some((n) => roomFor(n, all))) return { demand: all };
  let mostCapable: Node | undefined;
  for (const n of candidates) if (!mostCapable || compareRoom(n, mostCapable) < 0) mostCapable = n;
  return { demand: own, mostCapable };
}

export function hasRoom(ctx: Context, node: Node, p: Primitive, scores?: number[]): boolean {
  return roomFor(node, demandOf(ctx, p, scores).demand);
}

/** The node to prefer among equally scored ones, when a colocated set fits on no node whole. */
export function preferredForRoom(ctx: Context, p: Primitive, scores: number[]): Node | undefined {
  if (ctx.placementStrategy === 'default') return undefined;
  return demandOf(ctx, p, scores).mostCapable;
}
