import type { Context } from '../context.js';
import type { Primitive, Role } from '../model.js';
import { activeHistories, cloneOf } from '../placement/scores.js';
import type { Act } from './action.js';
import { allPrimitives, type Plan } from './plan.js';
import { recoversByDemotion } from '../promotable/on-fail.js';
import { summaryOrder } from '../bundles/replicas.js';
import { unfencingActs } from '../features/unfencing.js';

export interface SummaryLine {
  verb: string;
  rsc?: string;
  details: string;
  reason?: string;
  /** Fence lines are printed as-is. */
  text?: string;
}

function roleName(r: Role, promotable: boolean): string {
  if (!promotable) return r;
  return r === 'Started' ? 'Unpromoted' : r;
}

/** One line per fenced node and per primitive whose state changes, in allocation order. */
export function summarise(ctx: Context, plan: Plan): SummaryLine[] {
  const lines: SummaryLine[] = [];
  const fences = [...plan.fenceActs.values()].reverse();
  for (const f of fences) lines.push({ verb: 'Fence', details: '', text: `Fence (${f.fenceAction ?? 'reboot'}) ${f.node?.uname ?? ''}${f.node?.guest ? ` (resource: ${f.node.guest.container})` : ''} '${f.fenceReason ?? ''}'` });
  // Decided last, listed last, in the reverse order of decision as Pacemaker lists fencing.
  for (const u of unfencingActs(plan).reverse()) lines.push({ verb: 'Fence', details: '', text: `Fence (on) ${u.node?.uname ?? ''} '${u.fenceReason ?? ''}'` });
  for (const p of summaryOrder(allPrimitives(ctx.resources))) {
    const line = primitiveLine(ctx, plan, p);
    if (line) lines.push(...perStoppedNode(plan, p, line));
  }
  return lines;
}

function primitiveLine(ctx: Context, plan: Plan, p: Primitive): SummaryLine | undefined {
  if (plan.frozen.has(p)) return undefined;
  const promotable = cloneOf(p)?.promotable ?? false;
  const active = activeHistories(p);
  const start = plan.starts.get(p);
  const stops = plan.stops.get(p) ?? new Map();
  const promote = plan.promotes.get(p);
  const demote = plan.demotes.get(p);
  const pl = ctx.placement.get(p);
  const id = p.id;
  const startNeeded = start !== undefined && !start.optional && start.node !== undefined;
  const stopNeeded = [...stops.values()].some((s) => !s.optional);
  const stopBlocked = [...stops.values()].some((s) => !s.optional && !s.runnable);
  if (active.length === 0) {
    if (!start || !start.node || start.optional) return undefined;
    // An instance meant to be promoted shows as a promotion even when it cannot start.
    if (!start.runnable && promotable && pl?.role === 'Promoted') return { verb: 'Promote', rsc: id, details: `Stopped -> Promoted ${start.node.uname}`, reason: 'blocked' };
    if (!start.runnable) return { verb: 'Start', rsc: id, details: start.node.uname, reason: start.unrunnableBy ? `due to ${start.unrunnableBy} (blocked)` : 'blocked' };
    if (promote && !promote.optional) return { verb: 'Promote', rsc: id, details: `Stopped -> Promoted ${start.node.uname}`, reason: promote.runnable ? undefined : blockedReason(promote) };
    return { verb: 'Start', rsc: id, details: start.node.uname };
  }
  const cur = active[0];
  const curRole = roleName(cur.role, promotable);
  const curDetail = promotable ? `${curRole} ${cur.node.uname}` : cur.node.uname;
  // A stop held up by something that cannot stop first: it stays, blocked.
  const heldStop = [...stops.values()].find((s) => !s.optional && !s.runnable && s.unrunnableBy?.startsWith('unrunnable '));
  if (heldStop) return { verb: 'Stop', rsc: id, details: curDetail, reason: `due to ${heldStop.unrunnableBy} (blocked)` };
  const next = start?.node && start.runnable ? start.node : undefined;
  if (!next) {
    if (!stopNeeded && !(start?.node && !start.runnable && !start.optional)) return undefined;
    if (pl?.unassigned) return { verb: 'Stop', rsc: id, details: curDetail };
    let reason: string;
    const frozen = !ctx.haveQuorum && ctx.noQuorumPolicy === 'freeze';
    // Frozen, it would move but cannot: plainly blocked; placed nowhere, it is blocked for want of a node.
    if (frozen && stopBlocked && start?.node && [...stops.values()].every((s) => s.optional || !s.runnable)) reason = 'blocked';
    else if (start?.node && !start.runnable && start.unrunnableBy) reason = `due to ${start.unrunnableBy}`;
    else if (!cur.node.unclean && (pl?.stopReason === 'no quorum' || [...stops.values()].some((s) => s.requiredBy === 'no quorum'))) reason = 'due to no quorum';
    else if (start?.node && !start.runnable) reason = 'blocked';
    else reason = 'due to node availability';
    if (stopBlocked && !reason.endsWith('blocked')) reason += ' (blocked)';
    return { verb: 'Stop', rsc: id, details: curDetail, reason };
  }
  // A failure on a node being fenced is cleared by the fencing: the resource simply moves. A
  // guest's "fencing" is the recovery of its container, which does not clear what failed inside,
  // nor the container's own failure when its host is fenced.
  const failed = active.some((h) => h.failed && !recoversByDemotion(h) && (!plan.fenceActs.has(h.node.uname) || h.onFail === 'fence' || h.node.guest !== undefined || p.meta.has('remote-node')));
  const nextRole: Role = promotable ? (promote && !promote.optional ? 'Promoted' : pl?.role === 'Promoted' ? 'Promoted' : 'Unpromoted') : 'Started';
  const onNext = active.find((h) => h.node === next);
  if (!onNext || (active.length > 1 && active[0].node !== next && !stops.get(next.uname))) {
    if (!startNeeded) return undefined;
    if (plan.migrating.has(p)) return { verb: 'Migrate', rsc: id, details: `${cur.node.uname} -> ${next.uname}` };
    const verb = failed ? 'Recover' : 'Move';
    let details = `${cur.node.uname} -> ${next.uname}`;
    const blocked = plan.migrationBlockedBy.get(p);
    if (blocked && !failed) return { verb, rsc: id, details, reason: `due to ${blocked}` };
    if (promotable && (curRole === 'Promoted' || nextRole === 'Promoted')) details = curRole === nextRole ? `${curRole} ${cur.node.uname} -> ${next.uname}` : `${curRole} ${cur.node.uname} -> ${nextRole} ${next.uname}`;
    return { verb, rsc: id, details };
  }
  const restarting = startNeeded && (stops.get(next.uname)?.optional === false);
  if (restarting) {
    const stop = stops.get(next.uname);
    // A failure elsewhere counts too when the resource was active on several nodes at once.
    const verb = failed && (onNext.failed || active.length > 1) ? 'Recover' : 'Restart';
    let details = next.uname;
    if (promotable) details = `${nextRole} ${next.uname}`;
    let reason: string | undefined;
    if (verb === 'Restart') {
      if (start?.requiredBy && start.requiredBy !== `required ${id} stop`) reason = `due to ${start.requiredBy}`;
      else if (stop?.requiredBy && stop.requiredBy !== `required ${id} stop`) reason = `due to ${stop.requiredBy}`;
      else if (onNext.definitionChanged && onNext.agentChanged !== true && onNext.reload !== true) reason = 'due to resource definition change';
    }
    if (verb === 'Recover' && active.length > 1 && (p.meta.get('multiple-active') ?? '').toLowerCase() === 'stop_unexpected') reason = 'due to being multiply active';
    if (promotable && curRole !== nextRole) details = `${curRole} -> ${nextRole} ${next.uname}`;
    return { verb, rsc: id, details, reason };
  }
  if (promote && !promote.optional && curRole !== 'Promoted') {
    if (!promote.runnable) return { verb: 'Promote', rsc: id, details: `${curRole} -> Promoted ${next.uname}`, reason: blockedReason(promote) };
    return { verb: 'Promote', rsc: id, details: `${curRole} -> Promoted ${next.uname}` };
  }
  if (demote && !demote.optional && curRole === 'Promoted' && nextRole !== 'Promoted') return { verb: 'Demote', rsc: id, details: `Promoted -> Unpromoted ${next.uname}` };
  if (stopNeeded && active.length > 1) return { verb: 'Restart', rsc: id, details: next.uname };
  if ((plan.byRsc.get(p) ?? []).some((a) => a.task === 'reload-agent' && !a.optional)) return { verb: 'Reload', rsc: id, details: next.uname };
  return undefined;
}

function blockedReason(a: Act): string {
  return a.unrunnableBy ? `due to ${a.unrunnableBy} (blocked)` : 'blocked';
}

/** A resource stopping on several nodes at once (multiply active) has a Stop line for each. */
function perStoppedNode(plan: Plan, p: Primitive, line: SummaryLine): SummaryLine[] {
  if (line.verb !== 'Stop') return [line];
  const stops = [...(plan.stops.get(p)?.values() ?? [])].filter((st) => !st.optional && st.node !== undefined);
  if (stops.length < 2) return [line];
  return stops.map((st) => ({ ...line, details: st.node?.uname ?? '' }));
}

/** Summary lines laid out as crm_simulate prints them. */
export function formatSummary(lines: SummaryLine[]): string[] {
  let w = 5;
  let d = 5;
  for (const l of lines) {
    if (l.text !== undefined) continue;
    const r = l.rsc ?? '';
    if (r.length > w) w = r.length + 2;
    if (l.details.length > d) d = l.details.length;
  }
  return lines.map((l) => {
    if (l.text !== undefined) return `  * ${l.text}`;
    const base = `  * ${l.verb.padEnd(8)}   ${(l.rsc ?? '').padEnd(w)}   ( ${l.details.padStart(d)} )`;
    return l.reason ? `${base}  ${l.reason}` : base;
  });
}
