import type { XmlElement } from '../../cib/xml.js';

/** Agent standards whose agents cannot tell one copy from another (no instance parameters). */
const ANONYMOUS_ONLY = new Set(['lsb', 'service', 'systemd', 'upstart', 'nagios']);

/**
 * Whether a clone asking to be globally unique must run anonymous anyway, as Pacemaker makes it:
 * one of its primitives is of a standard that supports only anonymous clones. Such a clone then
 * runs at most one instance per node.
 */
export function forcedAnonymous(childEl: XmlElement): boolean {
  const primitives = childEl.name === 'group' ? childEl.children.filter((c) => c.name === 'primitive') : [childEl];
  return primitives.some((p) => ANONYMOUS_ONLY.has((p.attrs.class ?? '').toLowerCase()));
}
