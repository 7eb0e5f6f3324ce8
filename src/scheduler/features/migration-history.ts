/**
 * What an unfinished live migration left behind, judged across its source and target histories
 * once every node's history is read:
 *  - migrate_to and migrate_from both succeeded but the source was never stopped: the resource
 *    runs on the target; the source is cleaned up by a stop that no summary line announces;
 *  - migrate_to failed: the resource may run on both sides, so unless the target has recorded
 *    something since, it counts as active on the target too (and is recovered).
 */
import type { Context } from '../context.js';
import { appendAct } from '../actions/action.js';
import { allPrimitives, type Plan } from '../actions/plan.js';
import type { NodeHistory, Primitive, Resource } from '../model.js';
import { isActive } from '../unpack/history.js';

export function settleMigrations(resources: Resource[]): void {
  for (const p of allPrimitives(resources)) {
    for (const h of p.history.values()) {
      const m = h.migration;
      if (!m || !isActive(h)) continue;
      const target = p.history.get(m.target);
      if (!target) continue;
      if (m.ok) {
        if (target.migratedFrom === h.node.uname && isActive(target)) {
          h.role = 'Stopped';
          h.dangling = true;
        }
      } else if (target.node.online && !isActive(target) && !(m.at > 0 && (target.lastChange ?? 0) > m.at)) {
        // Without a time on the migrate_to, nothing on the target can be shown to be newer.
        target.role = 'Started';
      }
    }
  }
}

function danglingOf(p: Primitive): NodeHistory[] {
  return [...p.history.values()].filter((h) => h.dangling === true && h.node.online);
}

/** The clean-up stops on dangling migration sources, before the resource's start. */
export function scheduleDanglingStops(ctx: Context, plan: Plan): void {
  for (const p of allPrimitives(ctx.resources)) {
    for (const h of danglingOf(p)) {
      const stop = appendAct(plan.acts, { key: `${p.id}_stop_0`, task: 'stop', rsc: p, node: h.node, kind: 'resource' });
      const own = plan.byRsc.get(p) ?? [];
      own.push(stop);
      plan.byRsc.set(p, own);
      const start = plan.starts.get(p);
      if (start) plan.edges.push({ first: stop, then: start, flags: new Set(['order']), label: `${p.id} stop` });
    }
  }
}
