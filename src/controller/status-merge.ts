import type { XmlElement } from '../cib/xml.js';

/**
 * One node's state as the scheduler must see it, from two owners: vigild keeps the node's
 * membership and the transient attributes its attribute service writes (promotion scores from
 * crm_master, attrd_updater values), the controllers keep the operation history (lrm) and the
 * attributes they write themselves (fail counts, last failures). Neither may hide the other's.
 * On a name both set, the controller's value wins: it owns every attribute it writes.
 */
export function mergeNodeState(daemon: XmlElement, overlay: XmlElement): XmlElement {
  const attrs = { ...daemon.attrs };
  // Fenced or cleared: down until the controller itself sees the node join (node-joined).
  if (overlay.attrs.expected === 'down') attrs.expected = 'down';
  const kept = daemon.children.filter((c) => c.name !== 'lrm' && c.name !== 'transient_attributes');
  const fromOverlay = overlay.children.filter((c) => c.name !== 'transient_attributes');
  const transient = mergeTransient(
    daemon.children.filter((c) => c.name === 'transient_attributes'),
    overlay.children.filter((c) => c.name === 'transient_attributes'),
    daemon.attrs.id ?? overlay.attrs.id ?? '',
  );
  return { ...daemon, attrs, children: [...kept, ...transient, ...fromOverlay] };
}

function nvpairsOf(transient: XmlElement[]): XmlElement[] {
  return transient.flatMap((t) => t.children.filter((s) => s.name === 'instance_attributes').flatMap((s) => s.children.filter((p) => p.name === 'nvpair')));
}

function mergeTransient(daemon: XmlElement[], overlay: XmlElement[], nodeId: string): XmlElement[] {
  if (overlay.length === 0) return daemon;
  if (daemon.length === 0) return overlay;
  const ours = nvpairsOf(overlay);
  const names = new Set(ours.map((p) => p.attrs.name));
  const pairs = [...nvpairsOf(daemon).filter((p) => !names.has(p.attrs.name)), ...ours];
  const set: XmlElement = { name: 'instance_attributes', attrs: { id: `status-${nodeId}` }, children: pairs };
  return [{ name: 'transient_attributes', attrs: { id: nodeId }, children: [set] }];
}
