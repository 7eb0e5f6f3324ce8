import type { Location, Ticket } from '../constraints/parse.js';
import type { Context } from '../context.js';
import type { Primitive, Resource, Role } from '../model.js';
import { primitivesOf } from '../model.js';
import { INFINITY } from '../score.js';
import { isActive } from './history.js';

/** What a ticket that is not granted (or is in standby) does to one primitive. */
export type TicketEffect = 'none' | 'ban' | 'fence' | 'freeze';

export interface TicketFacts {
  granted: boolean;
  standby: boolean;
  /** Where the primitive is active now, and in which role. */
  active: boolean;
  currentRole: Role;
}

/**
 * A ticket constraint acts on each primitive of its resource separately (a clone's instances
 * one by one), so a role-restricted fence or freeze touches only the instances in that role.
 * A lost ticket with loss-policy=demote, or any unavailable ticket restricted to the promoted
 * role under a policy other than stop, only keeps the resource from being promoted.
 */
export function ticketEffect(t: Pick<Ticket, 'role' | 'lossPolicy'>, f: TicketFacts): TicketEffect {
  const promotedOnly = t.role === 'Promoted';
  const inRole = t.role === undefined || t.role === f.currentRole;
  if (!f.granted && f.active) {
    switch (t.lossPolicy) {
      case 'demote':
        return promotedOnly ? 'none' : 'ban';
      case 'fence':
        return inRole ? 'fence' : 'none';
      case 'freeze':
        return inRole ? 'freeze' : 'none';
      default:
        return 'ban';
    }
  }
  if (!f.granted || f.standby) return !promotedOnly || t.lossPolicy === 'stop' ? 'ban' : 'none';
  return 'none';
}

function currentRole(p: Primitive): { active: boolean; role: Role } {
  for (const h of p.history.values()) if (isActive(h)) return { active: true, role: h.role };
  return { active: false, role: 'Stopped' };
}

function addLocation(ctx: Context, loc: Location): void {
  let list = ctx.locationsOf.get(loc.rsc);
  if (!list) {
    list = [];
    ctx.locationsOf.set(loc.rsc, list);
  }
  list.push(loc);
}

function banEverywhere(ctx: Context, id: string, rsc: Resource, role?: 'Promoted'): void {
  addLocation(ctx, { id, rsc, role, scores: new Map(ctx.nodes.map((n) => [n.index, -INFINITY])), discovery: 'always' });
}

/** Applies every rsc_ticket whose ticket is not granted or is in standby. */
export function applyTickets(ctx: Context): void {
  for (const t of ctx.constraints.tickets) {
    const state = ctx.tickets.get(t.ticket);
    const granted = state?.granted ?? false;
    const standby = state?.standby ?? false;
    if (granted && !standby) continue;
    // Whatever the loss-policy, a promoted-role ticket that is not available forbids promotion.
    if (t.role === 'Promoted') banEverywhere(ctx, t.id, t.rsc, 'Promoted');
    for (const p of primitivesOf(t.rsc)) {
      const cur = currentRole(p);
      const effect = ticketEffect(t, { granted, standby, active: cur.active, currentRole: cur.role });
      if (effect === 'none') continue;
      if (effect === 'freeze') {
        // Frozen in place: the scheduler neither stops nor starts it while the ticket is away.
        p.meta.set('is-managed', 'false');
        continue;
      }
      banEverywhere(ctx, t.id, p);
      if (effect !== 'fence' || !ctx.stonithEnabled) continue;
      for (const h of p.history.values()) {
        if (!isActive(h) || h.node.unclean) continue;
        h.node.unclean = true;
        ctx.fences.push({ node: h.node.uname, reason: 'deadman ticket was lost' });
      }
    }
  }
}
