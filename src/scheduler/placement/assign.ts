import type { Colocation } from '../constraints/parse.js';
import type { Context } from '../context.js';
import type { Clone, Group, Node, Primitive, Resource, Role } from '../model.js';
import { nodeCanHost, primitivesOf } from '../model.js';
import { INFINITY, addScores, parseScore } from '../score.js';
import { isActive } from '../unpack/history.js';
import { activeHistories, cloneOf, locationScores, primitiveBaseScores, primitiveManaged, stickiness, targetRole } from './scores.js';
import { fitsCapacity, reserveCapacity, compareCapacity } from './utilization.js';
import { preferredForRoom } from '../features/colocated-utilization.js';
import { attributeNode } from '../features/container-attributes.js';
import { stuckPromoted } from '../features/unfenceable.js';
import { allocationOrder } from '../features/utilization-order.js';
import { quorumDemotes } from '../promotable/quorum.js';
import { recoversByDemotion } from '../promotable/on-fail.js';
import { connectionsOf, settleAfterAssignment } from '../remote/nodes.js';
import { replicaFilter } from '../bundles/placement.js';
import { byPrimary } from './colocation-order.js';
import type { CloneShare } from '../clones/instance-scores.js';
import { cloneShare } from '../clones/instance-scores.js';

/**
 * Assignment: decides one node (or none) and a role for every primitive, in allocation order,
 * assigning colocation primaries before their dependents.
 */
export function assignAll(ctx: Context): void {
  const assigning = new Set<Resource>();
  const baseCache = new Map<Resource, number[]>();
  const a = new Assigner(ctx, assigning, baseCache);
  let order = ctx.resources;
  // With utilization, resources with the strongest preferences go first so they get their room;
  // every later stage (and the summary) follows that order, as Pacemaker's does.
  if (ctx.placementStrategy !== 'default') order = ctx.resources = allocationOrder(ctx, order, (r) => a.nodeScores(r));
  for (const conn of connectionsOf(ctx)) {
    if (!conn.orphan) a.assign(conn);
    settleAfterAssignment(ctx, conn);
  }
  for (const r of order) a.assign(r);
}

class Assigner {
  constructor(
    private readonly ctx: Context,
    private readonly assigning: Set<Resource>,
    private readonly baseCache: Map<Resource, number[]>,
  ) {}

  assign(r: Resource): void {
    if (this.ctx.placement.has(r) || this.assigning.has(r)) return;
    this.assigning.add(r);
    if (r.kind === 'primitive') {
      const clone = cloneOf(r);
      if (clone) this.assign(clone);
      else if (r.parent?.kind === 'group') this.assign(r.parent);
      else this.assignPrimitive(r, undefined);
    } else if (r.kind === 'group') {
      if (r.parent) this.assign(r.parent);
      else this.assignGroup(r, undefined);
    } else this.assignClone(r);
    this.assigning.delete(r);
  }

  private base(p: Primitive, inherited: number[] | undefined): number[] {
    if (inherited) return primitiveBaseScores(this.ctx, p, inherited);
    let b = this.baseCache.get(p);
    if (!b) {
      b = primitiveBaseScores(this.ctx, p);
      this.baseCache.set(p, b);
    }
    return [...b];
  }

  private inProgress(r: Resource): boolean {
    for (let cur: Resource | undefined = r; cur; cur = cur.parent) if (this.assigning.has(cur)) return !primitivesOf(r).every((p) => this.ctx.placement.has(p));
    return false;
  }

  /** Scores a resource brings before assignment, best first, for utilization-aware ordering. */
  /** A resource's scores per node index before it is placed, to order allocation by. */
  nodeScores(r: Resource): number[] {
    return r.kind === 'clone' ? locationScores(this.ctx, r) : this.preferences(r, new Set());
  }

  /** Nodes a resource occupies for colocation purposes, or null when it is assigned nowhere. */
  nodesOf(r: Resource, role: string | undefined, mandatory: boolean): Node[] {
    const pl = (x: Resource): Node[] => {
      const p = this.ctx.placement.get(x);
      if (!p || !p.node) return [];
      if (role === 'Promoted' && p.role !== 'Promoted') return [];
      if (role === 'Unpromoted' && p.role === 'Promoted') return [];
      return [p.node];
    };
    if (r.kind === 'primitive') return pl(r);
    if (r.kind === 'group') {
      if (r.children.length === 0) return [];
      const member = mandatory ? r.children[r.children.length - 1] : r.children[0];
      if (r.parent?.kind === 'clone') return pl(member);
      return pl(member);
    }
    const out: Node[] = [];
    for (const inst of r.instances) {
      const member = inst.kind === 'primitive' ? inst : mandatory ? inst.children[inst.children.length - 1] : inst.children[0];
      if (!member) continue;
      const p = this.ctx.placement.get(inst.kind === 'primitive' ? inst : member);
      if (!p?.node) continue;
      if (role === 'Promoted' && this.ctx.placement.get(inst)?.role !== 'Promoted' && p.role !== 'Promoted') continue;
      if (role === 'Unpromoted' && (this.ctx.placement.get(inst)?.role === 'Promoted' || p.role === 'Promoted')) continue;
      out.push(p.node);
    }
    return out;
  }

  /** Adds a colocation's effect on the dependent's scores once its primary is assigned. */
  applyColocation(scores: number[], c: Colocation): void {
    if (c.dependentRole === 'Promoted' || c.dependentRole === 'Unpromoted') return;
    const primaries = c.replicas ?? [c.primary];
    for (const r of primaries) this.assign(r);
    // A colocation loop: the primary waits on this very assignment, so this link cannot apply yet.
    if (primaries.some((r) => this.inProgress(r))) return;
    const primaryNodes = primaries.flatMap((r) => this.nodesOf(r, c.primaryRole, c.score >= INFINITY));
    const values = new Set(primaryNodes.map((n) => n.attrs.get(c.nodeAttribute)));
    for (const node of this.ctx.nodes) {
      const match = primaryNodes.length > 0 && values.has(node.attrs.get(c.nodeAttribute));
      if (c.score >= INFINITY) {
        if (!match) scores[node.index] = -INFINITY;
      } else if (match) scores[node.index] = addScores(scores[node.index], c.score);
    }
  }

  /** The preferences a not-yet-assigned resource brings to its primaries. */
  private preferences(r: Resource, seen: Set<Resource>): number[] {
    seen.add(r);
    let scores: number[];
    if (r.kind === 'primitive') scores = this.base(r, cloneOf(r) ? locationScores(this.ctx, cloneOf(r) as Clone) : undefined);
    else if (r.kind === 'group') {
      const first = r.children[0];
      if (!first) return this.ctx.nodes.map(() => 0);
      return this.preferences(first, seen);
    } else scores = locationScores(this.ctx, r);
    this.mergeDependents(r, scores, seen);
    return scores;
  }

  private mergeDependents(r: Resource, scores: number[], seen: Set<Resource>, extra: Colocation[] = []): void {
    const cols = [...(this.ctx.withThis.get(r) ?? []), ...extra];
    if (r.kind === 'primitive' && r.parent?.kind === 'group' && r.parent.children[0] === r) cols.push(...(this.ctx.withThis.get(r.parent) ?? []));
    for (const c of cols) {
      // influence=false only keeps a running primary where it is: one not yet active still hears its dependents.
      if ((!c.influence && primitivesOf(r).some((p) => activeHistories(p).length > 0)) || seen.has(c.dependent) || this.ctx.placement.has(c.dependent)) continue;
      if (c.dependentRole === 'Promoted' || (c.primaryRole === 'Promoted' && r.kind !== 'clone')) continue;
      if (c.score > -INFINITY && c.score < INFINITY && c.score <= 0) continue;
      const dep = this.preferences(c.dependent, new Set(seen));
      const factor = c.score / INFINITY;
      const trial = [...scores];
      // With a node-attribute, a node counts as good as the dependent's best node sharing its value.
      const sameAttr = (node: Node): number => {
        if (c.nodeAttribute === '#uname') return dep[node.index];
        const val = node.attrs.get(c.nodeAttribute);
        let best = -INFINITY;
        for (const other of this.ctx.nodes) if (other.attrs.get(c.nodeAttribute) === val && nodeCanHost(other)) best = Math.max(best, dep[other.index]);
        return best;
      };
      for (const node of this.ctx.nodes) {
        const v = sameAttr(node);
        let add: number;
        if (factor < 0) {
          if (v <= -INFINITY || v <= 0) continue;
          add = v >= INFINITY ? -INFINITY : Math.trunc(v * factor);
        } else {
          // A clone is not pushed off nodes its dependents dislike: other instances still serve there.
          if (v < 0 && r.kind === 'clone') continue;
          add = v >= INFINITY ? INFINITY : Math.trunc(v * factor);
        }
        trial[node.index] = addScores(trial[node.index], add);
      }
      if (this.ctx.nodes.some((n) => nodeCanHost(n) && trial[n.index] >= 0)) for (let i = 0; i < scores.length; i++) scores[i] = trial[i];
    }
  }

  private scoresFor(p: Primitive, inherited: number[] | undefined, extraCols: Colocation[], extraDeps: Colocation[] = []): number[] {
    const scores = this.base(p, inherited);
    for (const c of byPrimary([...(this.ctx.thisWith.get(p) ?? []), ...extraCols])) this.applyColocation(scores, c);
    // A bundle container's full hosts are out before its dependents weigh in, so their dislikes
    // cannot make every node it could still use look negative.
    const room = replicaFilter(this.ctx, p, scores);
    if (room) for (const n of this.ctx.nodes) if (!room(n)) scores[n.index] = -INFINITY;
    this.mergeDependents(p, scores, new Set([p, ...extraDeps.map((c) => c.primary)]), extraDeps);
    return scores;
  }

  private choose(p: Primitive, scores: number[], filter?: (n: Node) => boolean): Node | null {
    const current = new Set(activeHistories(p).map((h) => h.node.uname));
    let best: Node | null = null;
    for (const node of this.ctx.nodes) {
      const s = scores[node.index];
      if (s < 0 || !nodeCanHost(node)) continue;
      if (filter && !filter(node)) continue;
      if (!fitsCapacity(this.ctx, node, p, scores)) continue;
      if (best === null) {
        best = node;
        continue;
      }
      const bs = scores[best.index];
      if (s !== bs) {
        if (s > bs) best = node;
        continue;
      }
      const cap = compareCapacity(this.ctx, node, best);
      if (cap !== 0) {
        if (cap < 0) best = node;
        continue;
      }
      if (this.ctx.placementStrategy !== 'minimal' && node.assignedCount !== best.assignedCount) {
        if (node.assignedCount < best.assignedCount) best = node;
        continue;
      }
      const nc = current.has(node.uname);
      const bc = current.has(best.uname);
      if (nc !== bc) {
        if (nc) best = node;
        continue;
      }
      if (node.uname < best.uname) best = node;
    }
    const roomiest = best ? preferredForRoom(this.ctx, p, scores) : undefined;
    if (best && roomiest && scores[roomiest.index] >= scores[best.index] && (!filter || filter(roomiest)) && fitsCapacity(this.ctx, roomiest, p, scores)) best = roomiest;
    // With a positive best score, the node it already runs on wins any tie, whatever the spread.
    const unique = cloneOf(p)?.unique ?? false;
    if (best && scores[best.index] > 0 && !unique && !current.has(best.uname)) {
      const running = activeHistories(p)[0]?.node;
      if (running && nodeCanHost(running) && scores[running.index] === scores[best.index] && (!filter || filter(running)) && fitsCapacity(this.ctx, running, p)) best = running;
    }
    return best;
  }

  private record(p: Primitive, scores: number[]): void {
    if (this.ctx.detail) this.ctx.scores.set(p.id, [...scores]);
  }

  private place(p: Primitive, node: Node | null, role: Role): void {
    this.ctx.placement.set(p, { node, role });
    if (node) {
      node.assignedCount++;
      reserveCapacity(this.ctx, node, p);
    }
  }

  assignPrimitive(p: Primitive, inherited: number[] | undefined, extraCols: Colocation[] = [], filter?: (n: Node) => boolean, extraDeps: Colocation[] = []): Node | null {
    const scores = this.scoresFor(p, inherited, extraCols, extraDeps);
    this.record(p, scores);
    // An unmanaged resource that is not running stays stopped, and what must run with it cannot run.
    if (targetRole(p) === 'Stopped' || this.ctx.stopAll || (!primitiveManaged(this.ctx, p) && activeHistories(p).length === 0)) {
      this.place(p, null, 'Stopped');
      return null;
    }
    const room = replicaFilter(this.ctx, p, scores);
    const node = this.choose(p, scores, room && filter ? (n) => filter(n) && room(n) : (room ?? filter));
    this.place(p, node, node ? 'Started' : 'Stopped');
    return node;
  }

  private assignGroup(g: Group, inherited: number[] | undefined, filter?: (n: Node) => boolean, share?: CloneShare): Node | null {
    let groupNode: Node | null = null;
    g.children.forEach((m, i) => {
      const extra = i === 0 ? [...(this.ctx.thisWith.get(g) ?? []), ...(share?.cols ?? [])] : [];
      const node = this.assignPrimitive(m, inherited, extra, i === 0 ? filter : undefined, i === 0 ? share?.deps : undefined);
      if (i === 0) groupNode = node;
    });
    this.ctx.placement.set(g, { node: groupNode, role: groupNode ? 'Started' : 'Stopped' });
    return groupNode;
  }

  private assignClone(c: Clone): void {
    const scores = locationScores(this.ctx, c);
    for (const col of this.ctx.thisWith.get(c) ?? []) this.applyColocation(scores, col);
    this.mergeDependents(c, scores, new Set([c]));
    if (this.ctx.detail) this.ctx.scores.set(c.id, [...scores]);
    const counts = new Map<string, number>();
    const configured = c.instances.filter((i) => !primitivesOf(i).some((p) => p.orphan));
    const available = this.ctx.nodes.filter((n) => nodeCanHost(n) && scores[n.index] >= 0).length;
    const optimal = Math.min(c.maxPerNode, Math.max(1, Math.ceil(c.maxInstances / Math.max(1, available))));
    const share = cloneShare(this.ctx, c, scores, c.maxInstances < available);
    let total = 0;
    const done = new Set<Resource>();
    // Running instances are placed (and listed) first, those on the clone's favourite nodes first.
    const where = (i: Primitive | Group): Node | undefined => {
      const f = i.kind === 'primitive' ? i : i.children[0];
      const act = f ? activeHistories(f) : [];
      return act.length === 1 ? act[0].node : undefined;
    };
    c.instances.sort((x, y) => {
      const nx = where(x);
      const ny = where(y);
      if ((nx !== undefined) !== (ny !== undefined)) return nx ? -1 : 1;
      if (nx && ny && scores[nx.index] !== scores[ny.index]) return scores[ny.index] - scores[nx.index];
      return x.order - y.order;
    });
    // The clone's target-role reaches the instances through their meta-attributes, where the
    // child's own setting wins; only stop-all-resources stops them all here.
    const stopped = this.ctx.stopAll;
    const firstOf = (inst: Primitive | Group): Primitive | undefined => (inst.kind === 'primitive' ? inst : inst.children[0]);
    const placeInstance = (inst: Primitive | Group, filter: (n: Node) => boolean): Node | null => {
      if (inst.kind === 'primitive') return this.assignPrimitive(inst, share.scores, share.cols, filter, share.deps);
      return this.assignGroup(inst, share.scores, filter, share);
    };
    if (!stopped) {
      // Keep running instances where they are, as far as an even spread allows.
      for (const inst of configured) {
        const first = firstOf(inst);
        if (!first || total >= c.maxInstances) continue;
        const cur = activeHistories(first).map((h) => h.node);
        if (cur.length !== 1) continue;
        const node = cur[0];
        if ((counts.get(node.uname) ?? 0) >= optimal) continue;
        const failed = activeHistories(first).some((h) => h.failed);
        const stay = this.stayVerdict(inst, node, share, (n) => (counts.get(n.uname) ?? 0) < c.maxPerNode);
        // A failed instance is never kept first: it is placed with the rest, unless it cannot stay
        // at all; then it stops and a spare instance takes its place.
        if (stay === 'worse' || (failed && stay === 'best')) continue;
        const placed = placeInstance(inst, (n) => n === node);
        // One that could not stay after all is placed with the rest, still ahead of stopped ones.
        if (placed || failed) done.add(inst);
        if (placed) {
          counts.set(placed.uname, (counts.get(placed.uname) ?? 0) + 1);
          total++;
        }
      }
    }
    for (const inst of c.instances) {
      if (done.has(inst)) continue;
      const orphan = !configured.includes(inst);
      if (stopped || orphan || total >= c.maxInstances) {
        for (const p of primitivesOf(inst)) {
          if (this.ctx.detail) this.record(p, this.ctx.nodes.map(() => -INFINITY));
          this.place(p, null, 'Stopped');
        }
        this.ctx.placement.set(inst, { node: null, role: 'Stopped' });
        continue;
      }
      const placed = placeInstance(inst, (n) => (counts.get(n.uname) ?? 0) < c.maxPerNode);
      if (placed) {
        counts.set(placed.uname, (counts.get(placed.uname) ?? 0) + 1);
        total++;
      }
    }
    for (const inst of c.instances) if (!this.ctx.placement.has(inst)) this.ctx.placement.set(inst, { node: this.ctx.placement.get(firstOf(inst) as Primitive)?.node ?? null, role: 'Started' });
    this.ctx.placement.set(c, { node: null, role: 'Started' });
    if (c.promotable) this.promote(c);
  }

  /**
   * Whether a running clone instance may be kept on its node ahead of the others: only when that
   * node scores at least as well as the best node still open to it ('best'; a better node
   * elsewhere moves it, like any other resource without enough stickiness).
   */
  private stayVerdict(inst: Primitive | Group, node: Node, share: CloneShare, open: (n: Node) => boolean): 'best' | 'worse' | 'impossible' {
    const first = inst.kind === 'primitive' ? inst : inst.children[0];
    if (!first) return 'impossible';
    const scores = this.scoresFor(first, share.scores, [...(inst.kind === 'group' ? (this.ctx.thisWith.get(inst) ?? []) : []), ...share.cols], share.deps);
    if (this.choose(first, scores, (n) => n === node && open(n)) === null) return 'impossible';
    const best = this.choose(first, scores, open);
    return best !== null && scores[node.index] >= scores[best.index] ? 'best' : 'worse';
  }

  private promote(c: Clone): void {
    const cap = targetRole(c) === 'Unpromoted' || quorumDemotes(this.ctx) ? 0 : Math.max(0, c.promotedMax - stuckPromoted(this.ctx, c));
    const cloneLocation = locationScores(this.ctx, c);
    const candidates: { inst: Primitive | Group; node: Node; score: number; wasPromoted: boolean; failed: boolean }[] = [];
    for (const inst of c.instances) {
      const first = inst.kind === 'primitive' ? inst : inst.children[0];
      if (!first) continue;
      const pl = this.ctx.placement.get(first);
      const node = pl?.node;
      for (const p of primitivesOf(inst)) {
        const pp = this.ctx.placement.get(p);
        if (pp?.node) pp.role = 'Unpromoted';
      }
      if (!node) continue;
      const wasPromoted = primitivesOf(inst).some((p) => p.history.get(node.uname)?.role === 'Promoted' && isActive(p.history.get(node.uname) as never));
      if (primitivesOf(inst).some((p) => { const h = p.history.get(node.uname); return h !== undefined && recoversByDemotion(h); })) continue;
      let score = this.promotionAttr(c, inst, node);
      // The clone's own location preference for the node counts towards promotion too.
      if (score >= 0) score = addScores(score, cloneLocation[node.index]);
      for (const loc of this.ctx.locationsOf.get(c) ?? []) {
        if (loc.role !== 'Promoted') continue;
        const s = loc.scores.get(node.index);
        if (s !== undefined) score = addScores(score, s);
      }
      for (const col of this.ctx.thisWith.get(c) ?? []) {
        if (col.dependentRole !== 'Promoted') continue;
        this.assign(col.primary);
        const pn = this.nodesOf(col.primary, col.primaryRole, col.score >= INFINITY);
        const match = pn.some((n) => n.attrs.get(col.nodeAttribute) === node.attrs.get(col.nodeAttribute));
        if (match) score = addScores(score, col.score);
        else if (col.score >= INFINITY) score = -INFINITY;
      }
      // Resources that must run with the promoted instance pull the promotion towards their favourite nodes.
      let dependentCannot = false;
      for (const col of this.ctx.withThis.get(c) ?? []) {
        if (col.primaryRole !== 'Promoted' || !col.influence || col.score <= 0) continue;
        const dep = this.ctx.placement.get(col.dependent);
        let v: number;
        if (dep) v = dep.node && dep.node.attrs.get(col.nodeAttribute) === node.attrs.get(col.nodeAttribute) ? INFINITY : 0;
        else v = this.preferences(col.dependent, new Set([c]))[node.index];
        if (v <= -INFINITY) {
          dependentCannot = true;
          continue;
        }
        const factor = col.score / INFINITY;
        score = addScores(score, v >= INFINITY ? (col.score >= INFINITY ? INFINITY : col.score) : Math.trunc(v * factor));
      }
      if (wasPromoted && score >= 0) score = addScores(score, stickiness(first));
      // Only positive preferences merge: a node such a dependent cannot use keeps a token score of
      // 1 when it had a positive one, so any node the dependent can use wins the promotion.
      if (dependentCannot && score > 0) score = 1;
      this.ctx.promotionScores.set(first.id, score);
      const failed = primitivesOf(inst).some((p) => p.history.get(node.uname)?.failed === true);
      candidates.push({ inst, node, score, wasPromoted, failed });
    }
    // On a tie, an instance being recovered from a failure is promoted last.
    candidates.sort((a, b) => b.score - a.score || Number(b.wasPromoted) - Number(a.wasPromoted) || Number(a.failed) - Number(b.failed) || a.inst.order - b.inst.order);
    const perNode = new Map<string, number>();
    let promoted = 0;
    for (const cand of candidates) {
      if (promoted >= cap) break;
      if (cand.score < 0) break;
      if ((perNode.get(cand.node.uname) ?? 0) >= c.promotedNodeMax) continue;
      perNode.set(cand.node.uname, (perNode.get(cand.node.uname) ?? 0) + 1);
      promoted++;
      for (const p of primitivesOf(cand.inst)) {
        const pp = this.ctx.placement.get(p);
        if (pp?.node) pp.role = 'Promoted';
      }
      const ip = this.ctx.placement.get(cand.inst);
      if (ip) ip.role = 'Promoted';
    }
  }

  private promotionAttr(c: Clone, inst: Primitive | Group, node: Node): number {
    let total: number | undefined;
    for (const p of primitivesOf(inst)) {
      const attrs = attributeNode(this.ctx, p, node).attrs;
      // The attribute carries the name the instance's history was recorded under, else its own.
      const v = attrs.get(`master-${p.historyName ?? p.id}`) ?? (c.unique ? undefined : attrs.get(`master-${p.configId}`));
      const s = parseScore(v);
      if (s !== undefined) total = total === undefined ? s : addScores(total, s);
    }
    return total ?? -1;
  }
}
