/**
 * Unfencing: fence devices that provide it (`provides=unfencing`, e.g. fence_scsi) cut a node off
 * storage until the node is explicitly let back in ("on"). When one exists, every resource needs
 * it by default (`requires=unfencing`), and:
 *  - a node never unfenced (no `#node-unfenced` attribute) is unfenced before anything is probed
 *    there, for the first probe's sake;
 *  - a node where such a device runs with a changed definition is unfenced again, and what needs
 *    unfencing there stops before and starts after.
 */
import type { Context } from '../context.js';
import { appendAct, type Act } from '../actions/action.js';
import { allPrimitives, type Plan } from '../actions/plan.js';
import type { Node, Primitive } from '../model.js';
import { activeHistories } from '../placement/scores.js';

function providesUnfencing(p: Primitive): boolean {
  return p.cls === 'stonith' && (p.meta.get('provides') ?? p.params.get('provides'))?.toLowerCase() === 'unfencing';
}

function needsUnfencing(p: Primitive): boolean {
  return p.cls !== 'stonith' && (p.meta.get('requires') ?? 'unfencing').toLowerCase() === 'unfencing';
}

function everUnfenced(n: Node): boolean {
  const v = n.attrs.get('#node-unfenced');
  return v !== undefined && v !== '0';
}

function canUnfence(n: Node): boolean {
  return n.kind === 'member' && n.online && !n.unclean && !n.shutdown;
}

/** The unfencing actions of a plan, in the order they were decided. */
export function unfencingActs(plan: Plan): Act[] {
  return plan.acts.filter((a) => a.kind === 'fence' && a.fenceAction === 'on');
}

export function scheduleUnfencing(ctx: Context, plan: Plan): void {
  if (!ctx.stonithEnabled) return;
  const prims = allPrimitives(ctx.resources);
  const devices = prims.filter(providesUnfencing);
  if (devices.length === 0) return;
  const unfence = new Map<Node, Act>();
  const require = (node: Node, reason: string): void => {
    if (unfence.has(node) || !canUnfence(node)) return;
    const a = appendAct(plan.acts, { key: `stonith-${node.uname}-on`, task: 'stonith', node, kind: 'fence', fenceAction: 'on', fenceReason: reason });
    unfence.set(node, a);
  };
  for (const d of devices) {
    for (const h of activeHistories(d)) {
      if (h.agentChanged === true) require(h.node, 'Device definition changed');
      else if (h.definitionChanged) require(h.node, 'Device parameters changed');
      else if (h.reload === true) require(h.node, 'Device parameters changed (reload)');
    }
  }
  const probes = plan.acts.filter((a) => a.kind === 'resource' && a.task === 'monitor' && a.intervalMs === 0 && a.node !== undefined);
  for (const probe of probes) {
    const node = probe.node as Node;
    if (!everUnfenced(node)) require(node, `required by ${probe.rsc?.id ?? ''} monitor`);
  }
  for (const [node, u] of unfence) {
    for (const probe of probes) if (probe.node === node) plan.edges.push({ first: u, then: probe, flags: new Set(['order']), label: 'stonith' });
    for (const p of prims) {
      if (!needsUnfencing(p)) continue;
      const stop = plan.stops.get(p)?.get(node.uname);
      if (stop) plan.edges.push({ first: stop, then: u, flags: new Set(['order']), label: `${p.id} stop` });
      const start = plan.starts.get(p);
      if (start?.node === node) plan.edges.push({ first: u, then: start, flags: new Set(['implies_then', 'order']), label: 'stonith' });
    }
  }
}
