import type { Context } from '../context.js';
import type { Clone, Node, NodeHistory, Primitive, Resource } from '../model.js';
import { nodeCanHost } from '../model.js';
import { INFINITY, addScores, isFalse, isTrue, parseScore } from '../score.js';
import { isActive } from '../unpack/history.js';
import { banFromRemoteNodes } from '../remote/nodes.js';
import { fillersOf } from '../remote/guest.js';
import { banFromBundleNodes, closedBundleNode } from '../bundles/guest-nodes.js';
import { failCountAt, failCountsOn } from '../features/failure-expiry.js';
import { startupDisabled } from '../features/fencing-devices.js';

export function isManaged(ctx: Context, r: Resource): boolean {
  if (ctx.maintenanceMode || startupDisabled(ctx)) return false;
  if (isFalse(r.meta.get('is-managed'))) return false;
  if (isTrue(r.meta.get('maintenance'))) return false;
  return true;
}

export function primitiveManaged(ctx: Context, p: Primitive): boolean {
  if (!isManaged(ctx, p)) return false;
  for (const h of activeHistories(p)) if (h.node.maintenance) return false;
  return true;
}

export function activeHistories(p: Primitive): NodeHistory[] {
  const out: NodeHistory[] = [];
  for (const h of p.history.values()) if (isActive(h)) out.push(h);
  return out;
}

export function stickiness(r: Resource): number {
  const v = parseScore(r.meta.get('resource-stickiness') ?? r.meta.get('stickiness'));
  if (v !== undefined) return v;
  return r.parent?.kind === 'clone' || r.parent?.parent?.kind === 'clone' ? 1 : 0;
}

export function targetRole(r: Resource): string {
  const v = (r.meta.get('target-role') ?? 'Started').toLowerCase();
  if (v === 'stopped') return 'Stopped';
  if (v === 'slave' || v === 'unpromoted') return 'Unpromoted';
  if (v === 'master' || v === 'promoted') return 'Promoted';
  return 'Started';
}

/** The fail count of a primitive on a node, honouring failure-timeout. */
export function failCount(ctx: Context, p: Primitive, node: Node): number {
  return failCountAt(ctx.now, p, node);
}

export function migrationThreshold(r: Resource): number {
  const v = parseScore(r.meta.get('migration-threshold'));
  if (v === undefined) return INFINITY;
  if (v <= 0) return 0;
  return v;
}

function note(ctx: Context, id: string, text: string): void {
  if (!ctx.detail) return;
  let list = ctx.explain.get(id);
  if (!list) {
    list = [];
    ctx.explain.set(id, list);
  }
  list.push(text);
}

/** Location constraint scores of a resource and its ancestors (role-specific ones excluded). */
export function locationScores(ctx: Context, r: Resource): number[] {
  const chain: Resource[] = [];
  // A group's own constraints score once, through its first member; later members only learn
  // which nodes they name (score 0), which matters in an opt-in cluster.
  const zeroed = new Set<Resource>();
  for (let cur: Resource | undefined = r; cur; cur = cur.parent) {
    if (cur.kind === 'group' && chain.length > 0 && cur.children[0] !== chain[chain.length - 1]) zeroed.add(cur);
    chain.push(cur);
  }
  const scores: (number | undefined)[] = ctx.nodes.map(() => (ctx.symmetric ? 0 : undefined));
  // With resource-discovery=exclusive, only the nodes such a constraint names may run it.
  let exclusive = false;
  const discoverable = new Set<number>();
  for (const owner of chain) {
    const muted = zeroed.has(owner) || [...zeroed].some((z) => isAncestor(z, owner));
    for (const loc of ctx.locationsOf.get(owner) ?? []) {
      if (loc.discovery === 'exclusive') {
        exclusive = true;
        for (const idx of loc.scores.keys()) discoverable.add(idx);
      }
      if (loc.role === 'Promoted') continue;
      for (const [idx, raw] of loc.scores) {
        const s = muted ? 0 : raw;
        scores[idx] = scores[idx] === undefined ? s : addScores(scores[idx] as number, s);
        if (ctx.detail) note(ctx, r.id, `location ${loc.id}: ${s >= INFINITY ? 'INFINITY' : s <= -INFINITY ? '-INFINITY' : s} on ${ctx.nodes[idx].uname}`);
      }
    }
  }
  return scores.map((s, i) => (s === undefined || (exclusive && !discoverable.has(i)) || closedBundleNode(ctx, r, ctx.nodes[i]) ? -INFINITY : s));
}

/** Scores of one primitive (or clone instance) before colocations: locations, availability, failures, stickiness. */
export function primitiveBaseScores(ctx: Context, p: Primitive, inherited?: number[]): number[] {
  const scores = inherited ? [...inherited] : locationScores(ctx, p);
  // Constraints made on one instance alone (a ticket's) still count on top of the clone's scores.
  if (inherited) for (const loc of ctx.locationsOf.get(p) ?? []) if (loc.role !== 'Promoted') for (const [i, s] of loc.scores) scores[i] = addScores(scores[i], s);
  // Failures that are ignored do not count towards migration-threshold, and neither then do the others.
  const threshold = [...p.history.values()].some((h) => h.failureIgnored === true) ? 0 : migrationThreshold(p);
  const managed = primitiveManaged(ctx, p);
  const stick = stickiness(p);
  // A container answers for the resources inside it (failCounts[1...]): their failures count as its own.
  const failCounts = threshold > 0 ? [p, ...fillersOf(ctx, p)].map((q) => failCountsOn(ctx.now, q, ctx.nodes)) : [];
  const failing = failCounts.some((m) => m.size > 0);
  const siblingBans = anonymousSiblingBans(p);
  for (const node of ctx.nodes) {
    const i = node.index;
    if (!nodeCanHost(node)) {
      scores[i] = -INFINITY;
      if (ctx.detail) note(ctx, p.id, `${node.uname} cannot host resources (${nodeState(node)}): -INFINITY`);
    }
    const h = p.history.size > 0 ? p.history.get(node.uname) : undefined;
    if (h?.hardBan || siblingBans?.has(node.uname)) {
      scores[i] = -INFINITY;
      note(ctx, p.id, `hard failure on ${node.uname}: -INFINITY`);
    }
    if (h?.fatal) for (let j = 0; j < scores.length; j++) scores[j] = -INFINITY;
    // The default threshold is INFINITY itself: an INFINITY fail count (a failed start) still bans.
    if (failing) {
      let fc = 0;
      for (const counts of failCounts) fc = addScores(fc, counts.get(node) ?? 0);
      if (fc >= threshold) {
        scores[i] = -INFINITY;
        note(ctx, p.id, `fail count ${fc} on ${node.uname} reached migration-threshold ${threshold}: -INFINITY`);
      }
    }
    if (h && isActive(h)) {
      if (!managed) {
        scores[i] = addScores(scores[i], INFINITY);
      } else if (stick !== 0 && nodeCanHost(node)) {
        scores[i] = addScores(scores[i], stick);
        if (ctx.detail) note(ctx, p.id, `stickiness ${stick} on current node ${node.uname}`);
      }
    }
  }
  banFromRemoteNodes(ctx, p, scores, -INFINITY);
  banFromBundleNodes(ctx, p, scores);
  return scores;
}

/** Per anonymous clone and member position (-1: the instance itself), the nodes where some instance failed hard. */
const siblingBans = new WeakMap<Clone, Map<number, Set<string>>>();

/** A hard failure of one anonymous clone instance on a node bans the whole clone from it: those nodes. */
function anonymousSiblingBans(p: Primitive): Set<string> | undefined {
  const clone = cloneOf(p);
  if (!clone || clone.unique) return undefined;
  const index = p.parent?.kind === 'group' ? p.parent.children.indexOf(p) : -1;
  let byIndex = siblingBans.get(clone);
  if (!byIndex) {
    byIndex = new Map();
    siblingBans.set(clone, byIndex);
  }
  let banned = byIndex.get(index);
  if (!banned) {
    banned = new Set();
    for (const i of clone.instances) for (const [uname, h] of (i.kind === 'primitive' ? i : i.children[index])?.history ?? []) if (h.hardBan) banned.add(uname);
    byIndex.set(index, banned);
  }
  return banned;
}

function isAncestor(a: Resource, b: Resource): boolean {
  for (let cur: Resource | undefined = a.parent; cur; cur = cur.parent) if (cur === b) return true;
  return false;
}

function nodeState(n: Node): string {
  if (n.unclean) return 'unclean';
  if (!n.online) return n.pending ? 'pending' : 'offline';
  if (n.standby || n.standbyOnFail) return 'standby';
  if (n.maintenance) return 'maintenance';
  return n.shutdown ? 'shutting down' : 'unavailable';
}

export function cloneOf(r: Resource): Clone | undefined {
  for (let cur: Resource | undefined = r.parent; cur; cur = cur.parent) if (cur.kind === 'clone') return cur;
  return undefined;
}
