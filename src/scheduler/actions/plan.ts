import type { Context } from '../context.js';
import type { Clone, Group, Node, Primitive, Resource, Role } from '../model.js';
import { primitivesOf } from '../model.js';
import { activeHistories, cloneOf, primitiveManaged } from '../placement/scores.js';
import { edgeFlags, type Act, type Edge, type EdgeKind } from './action.js';
import { isDuplicatedOp } from './duplicate-ops.js';
import { quorumDemotes } from '../promotable/quorum.js';
import { fencingPossible } from '../features/unfenceable.js';
import { recoversByDemotion } from '../promotable/on-fail.js';
import { guestsToReset, probeAllowedOn } from '../remote/guest.js';
import { isTrue } from '../score.js';

/** The actions of one run and the orderings between them. */
export interface Plan {
  acts: Act[];
  edges: Edge[];
  byRsc: Map<Resource, Act[]>;
  /** Per primitive: the start on its next node, the stops on its current nodes. */
  starts: Map<Primitive, Act>;
  stops: Map<Primitive, Map<string, Act>>;
  promotes: Map<Primitive, Act>;
  demotes: Map<Primitive, Act>;
  fenceActs: Map<string, Act>;
  /** Pseudo actions of collectives by `${id}_${task}`. */
  pseudo: Map<string, Act>;
  /** Primitives whose every action is blocked (failed with on-fail=block, or unmanaged). */
  frozen: Set<Primitive>;
  clearFailcounts: Act[];
  /** Primitives moved by live migration. */
  migrating: Set<Primitive>;
  /** Migratable primitives that must stop and start after all, and why. */
  migrationBlockedBy: Map<Primitive, string>;
}

export function allPrimitives(resources: Resource[]): Primitive[] {
  const out: Primitive[] = [];
  for (const r of resources) out.push(...primitivesOf(r));
  return out;
}

export function opName(r: Resource): string {
  if (r.kind === 'primitive') {
    const c = cloneOf(r);
    // Actions name an anonymous instance as a node's history knows it (crm_simulate resolves the
    // base name first, then the recorded one).
    if (c && !c.unique && c.baseNameInHistory) return r.configId;
    if (c && !c.unique && r.historyName !== undefined) return r.historyName;
  }
  return r.id;
}

class Builder {
  readonly plan: Plan = {
    acts: [],
    edges: [],
    byRsc: new Map(),
    starts: new Map(),
    stops: new Map(),
    promotes: new Map(),
    demotes: new Map(),
    fenceActs: new Map(),
    pseudo: new Map(),
    frozen: new Set(),
    clearFailcounts: [],
    migrating: new Set(),
    migrationBlockedBy: new Map(),
  };

  constructor(private readonly ctx: Context) {}

  act(init: Omit<Act, 'seq' | 'optional' | 'runnable' | 'pseudo' | 'intervalMs'> & Partial<Pick<Act, 'optional' | 'runnable' | 'pseudo' | 'intervalMs'>>): Act {
    const a: Act = { seq: this.plan.acts.length, optional: false, runnable: true, pseudo: false, intervalMs: 0, ...init };
    this.plan.acts.push(a);
    if (a.rsc) {
      let list = this.plan.byRsc.get(a.rsc);
      if (!list) {
        list = [];
        this.plan.byRsc.set(a.rsc, list);
      }
      list.push(a);
    }
    return a;
  }

  order(first: Act | undefined, then: Act | undefined, label: string, ...flags: EdgeKind[]): void {
    if (!first || !then || first === then) return;
    this.plan.edges.push({ first, then, flags: edgeFlags(flags), label });
  }

  collective(r: Resource, task: string): Act {
    const key = `${r.id}_${task}_0`;
    let a = this.plan.pseudo.get(key);
    if (!a) {
      a = this.act({ key, task, rsc: r, kind: 'pseudo', pseudo: true, optional: true, collectiveOf: r });
      this.plan.pseudo.set(key, a);
    }
    return a;
  }
}

function isPromotable(p: Primitive): boolean {
  return cloneOf(p)?.promotable ?? false;
}

/** A promotable instance's history says Started where it runs unpromoted: the same role. */
function sameRole(a: Role, b: Role): boolean {
  const plain = (r: Role): Role => (r === 'Unpromoted' ? 'Started' : r);
  return plain(a) === plain(b);
}

export function recurringOps(p: Primitive, role: Role): { intervalMs: number; name: string }[] {
  return p.ops
    .filter((o) => o.intervalMs > 0 && o.enabled && o.name === 'monitor' && !isDuplicatedOp(p.ops, o))
    .filter((o) => {
      if (o.role === 'Stopped') return false;
      if (o.role === 'Promoted') return role === 'Promoted';
      if (o.role === 'Unpromoted') return role !== 'Promoted';
      return role !== 'Promoted' || !p.ops.some((x) => x.role === 'Promoted' && x.intervalMs > 0);
    })
    .map((o) => ({ intervalMs: o.intervalMs, name: o.name }));
}

export function buildPlan(ctx: Context): Plan {
  const b = new Builder(ctx);
  const prims = allPrimitives(ctx.resources);
  createFencing(ctx, b);
  createGuestFencing(ctx, b);
  createProbes(ctx, b, prims);
  for (const r of ctx.resources) createForResource(ctx, b, r);
  return b.plan;
}

function createFencing(ctx: Context, b: Builder): void {
  if (!ctx.stonithEnabled || !ctx.fencingDevice) return;
  const canFence = fencingPossible(ctx);
  const action = ctx.props.get('stonith-action') === 'poweroff' ? 'off' : (ctx.props.get('stonith-action') ?? 'reboot');
  const reasons = new Map(ctx.fences.map((f) => [f.node, f.reason]));
  let prev: Act | undefined;
  const concurrent = (ctx.props.get('concurrent-fencing') ?? 'false').toLowerCase() === 'true';
  for (const node of ctx.nodes) {
    if (!node.unclean) continue;
    if (!canFence && !node.online) continue;
    const a = b.act({ key: `stonith-${node.uname}-${action}`, task: 'stonith', node, kind: 'fence', fenceAction: action, fenceReason: reasons.get(node.uname) ?? 'node is unclean' });
    b.plan.fenceActs.set(node.uname, a);
    if (!concurrent) b.order(prev, a, 'stonith', 'order');
    prev = a;
  }
}

/** Guests are "fenced" by recovering their container: a pseudo action that others can wait for. */
function createGuestFencing(ctx: Context, b: Builder): void {
  for (const { node, action } of guestsToReset(ctx)) {
    const a = b.act({ key: `stonith-${node.uname}-${action}`, task: 'stonith', node, kind: 'pseudo', pseudo: true, fenceAction: action, fenceReason: 'guest is unclean' });
    b.plan.fenceActs.set(node.uname, a);
  }
}

function discoveryAllowed(ctx: Context, p: Primitive, node: Node): boolean {
  let exclusive = false;
  let listedExclusive = false;
  for (let cur: Resource | undefined = p; cur; cur = cur.parent) {
    for (const loc of ctx.locationsOf.get(cur) ?? []) {
      if (loc.discovery === 'never' && loc.scores.has(node.index)) return false;
      if (loc.discovery === 'exclusive') {
        exclusive = true;
        if (loc.scores.has(node.index) && (loc.scores.get(node.index) ?? 0) >= 0) listedExclusive = true;
      }
    }
  }
  return !exclusive || listedExclusive;
}

function createProbes(ctx: Context, b: Builder, prims: Primitive[]): void {
  if ((ctx.props.get('enable-startup-probes') ?? 'true').toLowerCase() === 'false') return;
  const nodes = [...ctx.nodes].filter((n) => ((n.online && !n.pending) || n.joining) && !n.unclean && !n.maintenance).sort((x, y) => (x.uname < y.uname ? -1 : x.uname > y.uname ? 1 : 0));
  const probedClone = new Set<string>();
  for (const node of nodes) {
    for (const p of prims) {
      if (p.probed.has(node.uname) || p.orphan) continue;
      if (!discoveryAllowed(ctx, p, node) || !probeAllowedOn(ctx, p, node)) continue;
      const clone = cloneOf(p);
      if (clone && !clone.unique) {
        // One probe per node for an anonymous clone: the instance placed there, or a spare one.
        const memberIdx = p.parent?.kind === 'group' ? p.parent.children.indexOf(p) : -1;
        const key = `${clone.id}#${memberIdx}#${node.uname}`;
        if (probedClone.has(key)) continue;
        const chosen = pickProbeInstance(ctx, clone, node, memberIdx);
        if (chosen !== p) continue;
        probedClone.add(key);
      }
      b.act({ key: `${p.id}_monitor_0`, task: 'monitor', rsc: p, node, kind: 'resource', intervalMs: 0, runnable: !node.joining });
    }
  }
}

function pickProbeInstance(ctx: Context, clone: Clone, node: Node, memberIdx: number): Primitive | undefined {
  const member = (i: Primitive | Group): Primitive | undefined => (i.kind === 'primitive' ? i : i.children[memberIdx]);
  // An instance the node's history knows (by any member, for a cloned group) comes first.
  const known = [...(clone.knownOn.get(node.uname) ?? [])].sort((a, b) => a.order - b.order)[0];
  if (known) return member(known);
  for (const inst of clone.instances) {
    const m = member(inst);
    if (m && ctx.placement.get(m)?.node === node) return m;
  }
  for (const inst of clone.instances) {
    const m = member(inst);
    if (m && activeHistories(m).some((h) => h.node === node)) return m;
  }
  // Otherwise the lowest-numbered instance: the order placement sorted the instances in is not it.
  const lowest = clone.instances.reduce((a, b) => (b.order < a.order ? b : a), clone.instances[0]);
  return lowest ? member(lowest) : undefined;
}

function createForResource(ctx: Context, b: Builder, r: Resource): void {
  if (r.kind === 'primitive') {
    createForPrimitive(ctx, b, r);
    return;
  }
  if (r.kind === 'group') {
    const start = b.collective(r, 'start');
    const running = b.collective(r, 'running');
    const stop = b.collective(r, 'stop');
    const stopped = b.collective(r, 'stopped');
    for (const c of r.children) createForResource(ctx, b, c);
    const stopLabel = `${r.id} stop`;
    b.order(stopped, start, `${r.id} stopped`, 'order');
    b.order(stop, stopped, stopLabel, 'order');
    let prev: Primitive | undefined;
    for (const c of r.children) {
      const cs = b.plan.starts.get(c);
      // Only the first member restarts with the group's start; the rest follow their predecessor.
      if (c === r.children[0]) b.order(start, cs, `${r.id} start`, 'runnable', 'implies_then');
      else b.order(start, cs, `${r.id} start`, 'runnable');
      b.order(cs, running, `${c.id} start`, 'implies_then', 'order');
      for (const st of b.plan.stops.get(c)?.values() ?? []) {
        b.order(stop, st, stopLabel, 'implies_then');
        b.order(st, stopped, `${c.id} stop`, 'implies_then');
      }
      if (prev) {
        b.order(b.plan.starts.get(prev), cs, `${prev.id} start`, 'runnable', 'implies_then');
        // Members stop in reverse order: one whose successor cannot stop (blocked) cannot stop either.
        for (const ps of b.plan.stops.get(prev)?.values() ?? []) for (const st of b.plan.stops.get(c)?.values() ?? []) b.order(st, ps, `${c.id} stop`, 'implies_first', 'runnable');
      }
      prev = c;
    }
    return;
  }
  createForClone(ctx, b, r);
}

function createForClone(ctx: Context, b: Builder, c: Clone): void {
  const start = b.collective(c, 'start');
  const running = b.collective(c, 'running');
  const stop = b.collective(c, 'stop');
  const stopped = b.collective(c, 'stopped');
  let promote: Act | undefined;
  let promoted: Act | undefined;
  let demote: Act | undefined;
  let demoted: Act | undefined;
  if (c.promotable) {
    promote = b.collective(c, 'promote');
    promoted = b.collective(c, 'promoted');
    demote = b.collective(c, 'demote');
    demoted = b.collective(c, 'demoted');
  }
  for (const inst of c.instances) createForResource(ctx, b, inst);
  b.order(stop, stopped, `${c.id} stop`, 'order');
  b.order(stopped, start, `${c.id} stopped`, 'order');
  // A clone whose start cannot happen (an unrunnable first) is not running for its dependents.
  b.order(start, running, `${c.id} start`, 'runnable', 'order');
  if (c.promotable) {
    b.order(running, promote, `${c.id} running`, 'order');
    b.order(promote, promoted, `${c.id} promote`, 'order');
    b.order(demote, demoted, `${c.id} demote`, 'order');
    b.order(demoted, stop, `${c.id} demoted`, 'order');
    b.order(demoted, promote, `${c.id} demoted`, 'order');
  }
  let prevStart: Act | undefined;
  for (const inst of c.instances) {
    const first = inst.kind === 'primitive' ? inst : inst.children[0];
    const last = inst.kind === 'primitive' ? inst : inst.children[inst.children.length - 1];
    const instStart = inst.kind === 'group' ? b.plan.pseudo.get(`${inst.id}_start_0`) : b.plan.starts.get(inst);
    const instRunning = inst.kind === 'group' ? b.plan.pseudo.get(`${inst.id}_running_0`) : b.plan.starts.get(inst);
    if (!first || !last) continue;
    b.order(start, instStart, `${c.id} start`, 'runnable');
    b.order(instRunning, running, `${inst.id} start`, 'implies_then', 'order');
    if (c.ordered) {
      b.order(prevStart, instStart, `${inst.id} start`, 'order');
      prevStart = instRunning;
    }
    const instStops = inst.kind === 'group' ? [b.plan.pseudo.get(`${inst.id}_stop_0`)] : [...(b.plan.stops.get(inst)?.values() ?? [])];
    const instStopped = inst.kind === 'group' ? [b.plan.pseudo.get(`${inst.id}_stopped_0`)] : [...(b.plan.stops.get(inst)?.values() ?? [])];
    for (const s of instStops) b.order(stop, s, `${c.id} stop`, 'implies_then');
    for (const s of instStopped) b.order(s, stopped, `${inst.id} stop`, 'implies_then');
    if (c.promotable) {
      for (const p of primitivesOf(inst)) {
        b.order(promote, b.plan.promotes.get(p), `${c.id} promote`, 'runnable');
        b.order(b.plan.promotes.get(p), promoted, `${p.id} promote`, 'implies_then');
        b.order(demote, b.plan.demotes.get(p), `${c.id} demote`, 'order');
        b.order(b.plan.demotes.get(p), demoted, `${p.id} demote`, 'implies_then');
      }
    }
  }
}

function inMaintenance(ctx: Context, p: Primitive, node: Node): boolean {
  return ctx.maintenanceMode || node.maintenance || isTrue(p.meta.get('maintenance'));
}

function quorumBlocks(ctx: Context, p: Primitive): boolean {
  // Under suicide what could run is left to the fencing of the whole partition.
  if (ctx.haveQuorum || ctx.noQuorumPolicy === 'ignore' || ctx.noQuorumPolicy === 'suicide') return false;
  const requires = p.meta.get('requires') ?? (p.cls === 'stonith' ? 'quorum' : ctx.stonithEnabled ? 'fencing' : 'quorum');
  return requires !== 'nothing';
}

function createForPrimitive(ctx: Context, b: Builder, p: Primitive): void {
  const pl = ctx.placement.get(p) ?? { node: null, role: 'Stopped' as Role };
  const active = activeHistories(p);
  const managed = primitiveManaged(ctx, p);
  // Fencing the node clears whatever was blocked there.
  const blockedFailure = active.some((h) => h.failed && h.onFail === 'block' && !b.plan.fenceActs.has(h.node.uname)) || active.some((h) => h.stopFailed && !ctx.stonithEnabled);
  const stops = new Map<string, Act>();
  b.plan.stops.set(p, stops);
  const name = p.id;
  const promotable = isPromotable(p);
  if (!managed || blockedFailure) {
    // Left alone; dependents may still run after it only if it is healthy and running.
    b.plan.frozen.add(p);
    const here = active.length === 1 && !blockedFailure ? active[0].node : undefined;
    const start = b.act({ key: `${name}_start_0`, task: 'start', rsc: p, node: here, kind: 'resource', optional: true, runnable: here !== undefined });
    b.plan.starts.set(p, start);
    // It cannot be stopped either: whatever must stop before it stops is blocked.
    for (const h of active) stops.set(h.node.uname, b.act({ key: `${name}_stop_0`, task: 'stop', rsc: p, node: h.node, kind: 'resource', optional: true, runnable: false }));
    // Still watched where it runs, unless in maintenance (nothing runs there) or blocked by a
    // failure; not after its start, which it never gets.
    if (here?.online && !here.unclean && !blockedFailure && !inMaintenance(ctx, p, here)) {
      for (const op of recurringOps(p, active[0].role)) {
        const have = active[0].recurring.has(op.intervalMs) && active[0].rescheduled?.has(op.intervalMs) !== true;
        b.act({ key: `${name}_monitor_${op.intervalMs}`, task: 'monitor', rsc: p, node: here, kind: 'resource', intervalMs: op.intervalMs, optional: have });
      }
    }
    return;
  }
  const multiple = active.length > 1;
  const multipleActive = (p.meta.get('multiple-active') ?? 'stop_start').toLowerCase();
  if (multiple && multipleActive === 'block') {
    b.plan.frozen.add(p);
    b.plan.starts.set(p, b.act({ key: `${name}_start_0`, task: 'start', rsc: p, kind: 'resource', optional: true, runnable: false }));
    return;
  }
  if (multiple && multipleActive === 'stop_only') pl.node = null;
  const next = pl.node;
  const nextRole: Role = next ? (promotable ? (pl.role === 'Promoted' ? 'Promoted' : 'Unpromoted') : 'Started') : 'Stopped';
  const noQuorumStop = !ctx.haveQuorum && ctx.noQuorumPolicy !== 'ignore' && ctx.noQuorumPolicy !== 'freeze' && quorumBlocks(ctx, p) && !(promotable && quorumDemotes(ctx));
  const frozenNoQuorum = !ctx.haveQuorum && ctx.noQuorumPolicy === 'freeze' && quorumBlocks(ctx, p);
  // Demotes first: a promoted copy must be demoted before it stops or another is promoted.
  for (const h of active) {
    const stays = next === h.node && !(multiple && multipleActive !== 'stop_unexpected');
    const needsStop = !stays || (h.failed && !recoversByDemotion(h)) || h.definitionChanged || h.restartContainer === true || noQuorumStop;
    if (h.role === 'Promoted') {
      // Fencing the node demotes it: only a pseudo action for the orderings to hang on. Kept
      // optional while the copy stays promoted: a stop found necessary later requires it.
      const fence = b.plan.fenceActs.get(h.node.uname);
      const optional = !(needsStop || nextRole !== 'Promoted');
      const d = b.act({ key: `${name}_demote_0`, task: 'demote', rsc: p, node: h.node, kind: fence ? 'pseudo' : 'resource', pseudo: fence !== undefined, optional });
      if (fence) b.order(fence, d, 'stonith', 'order', 'implies_then');
      b.plan.demotes.set(p, d);
    }
  }
  for (const h of active) {
    const stays = next === h.node && !(multiple && multipleActive !== 'stop_unexpected');
    const required = !stays || (h.failed && !recoversByDemotion(h)) || h.definitionChanged || h.restartContainer === true || noQuorumStop;
    const fence = b.plan.fenceActs.get(h.node.uname);
    const offline = !h.node.online || h.node.unclean;
    const stop = b.act({
      key: `${name}_stop_0`,
      task: 'stop',
      rsc: p,
      node: h.node,
      kind: fence ? 'pseudo' : 'resource',
      pseudo: fence !== undefined,
      optional: !required,
    });
    // Freezing keeps what runs on reachable nodes; a lost node's resources must still stop.
    if (frozenNoQuorum && !offline) stop.optional = true;
    // A fencing device's stop is implied by fencing its node but not ordered after it.
    if (fence && p.cls !== 'stonith') b.order(fence, stop, `stonith`, 'order', 'implies_then');
    else if (offline && !fence) {
      stop.runnable = false;
      stop.unrunnableBy = 'node availability';
    }
    if (noQuorumStop && required && next === null) stop.requiredBy = 'no quorum';
    // A resource placed nowhere keeps this as its stop's reason, whatever later blocks the stop.
    if (required && next === null && !stop.unrunnableBy) stop.unrunnableBy = 'node availability';
    stops.set(h.node.uname, stop);
    const d = b.plan.demotes.get(p);
    if (d && d.node === h.node) b.order(d, stop, `${name} demote`, 'order', 'implies_first');
  }
  if (noQuorumStop && active.length > 0 && next) {
    pl.stopReason = 'no quorum';
  }
  const start = b.act({
    key: `${name}_start_0`,
    task: 'start',
    rsc: p,
    node: next ?? undefined,
    kind: 'resource',
    // A start still in flight where it stays is asked for again.
    optional: next !== null && active.some((h) => h.node === next && h.pendingTask !== 'start') && stops.get(next.uname)?.optional === true,
  });
  if (!next) {
    // A resource that is only stopping blocks nothing after it; one that cannot start does.
    start.runnable = active.length > 0;
    start.optional = true;
  }
  if (next && noQuorumStop) {
    start.runnable = false;
    start.unrunnableBy = 'no quorum';
  }
  if (frozenNoQuorum && next && !active.some((h) => h.node === next)) {
    start.runnable = false;
    start.unrunnableBy = 'quorum freeze';
  }
  b.plan.starts.set(p, start);
  for (const [, s] of stops) b.order(s, start, `${name} stop`, 'implies_then', 'order');
  // A start that waits on probes of this resource anywhere.
  for (const probe of (b.plan.byRsc.get(p) ?? []).filter((a) => a.task === 'monitor' && a.intervalMs === 0)) {
    b.order(probe, start, `${name} monitor`, 'order');
    if (!probe.runnable) start.runnable = false;
  }
  for (const [uname, f] of b.plan.fenceActs) if (!active.some((h) => h.node.uname === uname)) b.order(f, start, 'stonith', 'order');
  if (next && promotable && nextRole === 'Promoted') {
    const pr = b.act({ key: `${name}_promote_0`, task: 'promote', rsc: p, node: next, kind: 'resource', optional: active.some((h) => h.node === next && h.role === 'Promoted') });
    b.order(start, pr, `${name} start`, 'runnable', 'implies_then');
    b.plan.promotes.set(p, pr);
    if (!start.runnable) pr.runnable = false;
  }
  if (next) {
    const cur = active.find((h) => h.node === next);
    for (const op of recurringOps(p, nextRole)) {
      const have = cur?.recurring.has(op.intervalMs) && cur.rescheduled?.has(op.intervalMs) !== true && sameRole(cur.role, nextRole);
      const mon = b.act({ key: `${name}_monitor_${op.intervalMs}`, task: 'monitor', rsc: p, node: next, kind: 'resource', intervalMs: op.intervalMs, optional: have === true });
      b.order(start, mon, `${name} start`, 'runnable', 'implies_then');
      const pr = b.plan.promotes.get(p);
      if (pr) b.order(pr, mon, `${name} promote`, 'runnable', 'implies_then');
      const d = b.plan.demotes.get(p);
      if (d && d.node === next) b.order(d, mon, `${name} demote`, 'implies_then');
    }
  }
}

export function orderingActs(plan: Plan, r: Resource, action: string, asFirst: boolean): Act[] {
  if (r.kind === 'primitive') {
    if (action === 'start') return [plan.starts.get(r)].filter((a): a is Act => a !== undefined);
    if (action === 'stop') return [...(plan.stops.get(r)?.values() ?? [])];
    if (action === 'promote') return [plan.promotes.get(r)].filter((a): a is Act => a !== undefined);
    if (action === 'demote') return [plan.demotes.get(r)].filter((a): a is Act => a !== undefined);
    return [];
  }
  const task = asFirst ? ({ start: 'running', stop: 'stopped', promote: 'promoted', demote: 'demoted' } as Record<string, string>)[action] : action;
  const a = task ? plan.pseudo.get(`${r.id}_${task}_0`) : undefined;
  return a ? [a] : [];
}
