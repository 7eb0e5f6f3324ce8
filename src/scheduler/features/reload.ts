/**
 * Reload: a resource staying where it runs, whose only changed parameters are ones its agent can
 * reload, gets a `reload-agent` action there instead of a restart; its recurring monitors are
 * issued again after it, with the new parameters. A restart required for any other reason wins
 * (the reload is then pointless), so this runs once requirements have propagated.
 */
import type { Context } from '../context.js';
import { appendAct } from '../actions/action.js';
import { allPrimitives, type Plan } from '../actions/plan.js';

export function scheduleReloads(ctx: Context, plan: Plan): void {
  for (const p of allPrimitives(ctx.resources)) {
    const start = plan.starts.get(p);
    const node = start?.node;
    if (!start || !node || !start.optional || plan.frozen.has(p)) continue;
    if (p.history.get(node.uname)?.reload !== true) continue;
    const stop = plan.stops.get(p)?.get(node.uname);
    if (!stop || !stop.optional) continue;
    const reload = appendAct(plan.acts, { key: `${p.id}_reload-agent_0`, task: 'reload-agent', rsc: p, node, kind: 'resource' });
    const own = plan.byRsc.get(p) ?? [];
    for (const a of own) {
      if (a.task === 'monitor' && a.intervalMs === 0) plan.edges.push({ first: a, then: reload, flags: new Set(['order']), label: `${p.id} monitor` });
    }
    for (const mon of own.filter((a) => a.task === 'monitor' && a.intervalMs > 0 && a.node === node)) {
      mon.optional = false;
      plan.edges.push({ first: reload, then: mon, flags: new Set(['order']), label: `${p.id} reload-agent` });
    }
    own.push(reload);
    plan.byRsc.set(p, own);
  }
}
