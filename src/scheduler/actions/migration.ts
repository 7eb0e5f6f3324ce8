import type { Context } from '../context.js';
import { boolOr } from '../score.js';
import { activeHistories, cloneOf, primitiveManaged } from '../placement/scores.js';
import type { Act } from './action.js';
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
    const from = start.node;
    const mk = (task: string, node = cur.node): Act => {
      const a: Act = { seq: plan.acts.length, key: `${p.id}_${task}_0`, task, rsc: p, node, pseudo: false, kind: 'resource', optional: false, runnable: true, intervalMs: 0, inputs: new Set() };
      plan.acts.push(a);
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
