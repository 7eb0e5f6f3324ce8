import type { Context } from '../context.js';
import { boolOr } from '../score.js';
import { activeHistories, cloneOf, primitiveManaged } from '../placement/scores.js';
import type { Primitive, Resource } from '../model.js';
import { primitivesOf } from '../model.js';
import { appendAct, type Act } from './action.js';
import { allPrimitives, type Plan } from './plan.js';

/**
 * Live migration: a managed, healthy, migratable primitive that simply moves is carried over
 * with migrate_to/migrate_from instead of stop/start; its start becomes a pseudo action.
 */
export function applyMigrations(ctx: Context, plan: Plan): void {
  for (const p of allPrimitives(ctx.resources)) {
    if (!boolOr(p.meta.get('allow-migrate'), false) || cloneOf(p) || !primitiveManaged(ctx, p)) continue;
    const active = activeHistories(p);
    if (active.length !== 1) continue;
    const cur = active[0];
    const start = plan.starts.get(p);
    const stop = plan.stops.get(p)?.get(cur.node.uname);
    if (!start || !stop || !start.node || start.node === cur.node) continue;
    if (start.optional || !start.runnable || stop.optional || !stop.runnable || stop.pseudo) continue;
    if (cur.failed || cur.role !== 'Started' || !cur.node.online || cur.node.unclean) continue;
    if (start.requiredBy !== undefined && start.requiredBy !== `required ${p.id} stop`) continue;
    // Whatever it is ordered after must itself migrate (or stay): a plain stop/start before it
    // forces a full restart here too.
    const blocker = predecessors(plan, start).find(({ prims }) => prims.some((q) => q !== p && moves(plan, q)));
    if (blocker) {
      // The container's own order is internal: it forces the move without being named.
      if (blocker.name !== p.meta.get('container')) plan.migrationBlockedBy.set(p, `unrunnable ${blocker.name} stop`);
      continue;
    }
    const from = start.node;
    const mk = (task: string, node = cur.node): Act => {
      const a = appendAct(plan.acts, { key: `${p.id}_${task}_0`, task, rsc: p, node, kind: 'resource' });
      plan.byRsc.get(p)?.push(a);
      return a;
    };
    const migrateTo = mk('migrate_to', cur.node);
    const migrateFrom = mk('migrate_from', from);
    for (const e of plan.edges) if (e.then === start && e.first !== stop) plan.edges.push({ first: e.first, then: migrateTo, flags: new Set(['order']), label: e.label });
    for (const e of plan.edges) if (e.then === stop) plan.edges.push({ first: e.first, then: migrateTo, flags: new Set(['order']), label: e.label });
    plan.edges.push({ first: migrateTo, then: migrateFrom, flags: new Set(['order']), label: `${p.id} migrate_to` });
    plan.edges.push({ first: migrateFrom, then: stop, flags: new Set(['order']), label: `${p.id} migrate_from` });
    start.pseudo = true;
    start.kind = 'pseudo';
    plan.migrating.add(p);
  }
}

/** A primitive that stops on one node and starts on another without migrating. */
function moves(plan: Plan, q: Primitive): boolean {
  const start = plan.starts.get(q);
  if (!start?.node || start.optional || !start.runnable || plan.migrating.has(q)) return false;
  return [...(plan.stops.get(q)?.values() ?? [])].some((st) => !st.optional && st.node !== start.node);
}

/** What this start is ordered right after: primitives directly, or a collective's members through its pseudo action. */
function predecessors(plan: Plan, start: Act): { name: string; prims: Primitive[] }[] {
  const out: { name: string; prims: Primitive[] }[] = [];
  for (const e of plan.edges) {
    if (e.then !== start || !e.flags.has('implies_then')) continue;
    const r = e.first.rsc;
    if (e.first.task === 'start' && r?.kind === 'primitive') out.push({ name: r.id, prims: [r] });
    else if (e.first.pseudo && e.first.collectiveOf && r && !contains(r, start.rsc)) out.push({ name: r.id, prims: primitivesOf(r) });
  }
  return out;
}

function contains(r: Resource, x: Resource | undefined): boolean {
  for (let cur = x; cur; cur = cur.parent) if (cur === r) return true;
  return false;
}
