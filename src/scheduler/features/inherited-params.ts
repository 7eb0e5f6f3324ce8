/**
 * Instance attributes set on a group or clone reach the primitives inside it, below their own:
 * the agent is given them, and the parameter digests recorded in the history include them.
 */
import type { XmlElement } from '../../cib/xml.js';
import type { Resource } from '../model.js';
import { primitivesOf } from '../model.js';
import { child, readNvSets } from '../unpack/config.js';

/** Per primitive id, what its enclosing groups and clones give it, nearest first. */
function inheritedByPrimitive(resourcesEl: XmlElement, now: number, idRefs: Map<string, XmlElement>): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  const walk = (el: XmlElement, inherited: Map<string, string>): void => {
    for (const c of el.children) {
      if (c.name === 'primitive') {
        if (inherited.size > 0) out.set(c.attrs.id ?? '', inherited);
      } else if (c.name === 'group' || c.name === 'clone' || c.name === 'master') {
        const own = readNvSets(c, 'instance_attributes', { now }, new Map(), idRefs);
        for (const [k, v] of inherited) if (!own.has(k)) own.set(k, v);
        walk(c, own);
      }
    }
  };
  walk(resourcesEl, new Map());
  return out;
}

export function inheritParentParams(cib: XmlElement, resources: Resource[], now: number, idRefs: Map<string, XmlElement>): void {
  const resourcesEl = child(child(cib, 'configuration'), 'resources');
  if (!resourcesEl) return;
  const inherited = inheritedByPrimitive(resourcesEl, now, idRefs);
  if (inherited.size === 0) return;
  for (const r of resources) {
    for (const p of primitivesOf(r)) {
      for (const [k, v] of inherited.get(p.configId) ?? []) if (!p.params.has(k)) p.params.set(k, v);
    }
  }
}
