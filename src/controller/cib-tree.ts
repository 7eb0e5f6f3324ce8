import { element, type XmlElement } from '../cib/xml.js';

/**
 * Small copy-on-write edits of a CIB tree. Every function returns a new root and leaves the
 * input untouched, so a failed multi-step edit never leaves a half-changed CIB behind.
 */

/** Copies the path from the root down to the element matching each step, creating missing steps. */
export function editAt(
  root: XmlElement,
  path: { name: string; id?: string; attrs?: Record<string, string> }[],
  edit: (el: XmlElement) => XmlElement | null,
): XmlElement {
  if (path.length === 0) {
    const edited = edit(root);
    if (!edited) throw new Error('cannot delete the root element');
    return edited;
  }
  const [step, ...rest] = path;
  const index = root.children.findIndex((c) => c.name === step.name && (step.id === undefined || c.attrs.id === step.id));
  const existing = index >= 0 ? root.children[index] : undefined;
  const base = existing ?? element(step.name, { ...(step.id !== undefined ? { id: step.id } : {}), ...(step.attrs ?? {}) });
  const replaced = rest.length === 0 ? edit(base) : editAt(base, rest, edit);
  const children = root.children.slice();
  if (replaced === null) {
    if (index >= 0) children.splice(index, 1);
  } else if (index >= 0) children[index] = replaced;
  else children.push(replaced);
  return { ...root, children };
}

export function section(cib: XmlElement, name: 'crm_config' | 'nodes' | 'resources' | 'constraints' | 'rsc_defaults' | 'op_defaults'): XmlElement | undefined {
  return cib.children.find((c) => c.name === 'configuration')?.children.find((c) => c.name === name);
}

export function statusOf(cib: XmlElement): XmlElement | undefined {
  return cib.children.find((c) => c.name === 'status');
}

/** Depth-first search for the element with this id. */
export function findById(root: XmlElement, id: string): XmlElement | undefined {
  if (root.attrs.id === id) return root;
  for (const child of root.children) {
    const hit = findById(child, id);
    if (hit) return hit;
  }
  return undefined;
}

/** Every element id in the tree, for picking ids that do not clash. */
export function allIds(root: XmlElement, into = new Set<string>()): Set<string> {
  if (root.attrs.id !== undefined) into.add(root.attrs.id);
  for (const child of root.children) allIds(child, into);
  return into;
}

/** Rewrites every element the predicate selects (anywhere below root), copying only what changes. */
export function mapTree(root: XmlElement, fn: (el: XmlElement) => XmlElement | null): XmlElement | null {
  const self = fn(root);
  if (self === null) return null;
  let changed = self !== root;
  const children: XmlElement[] = [];
  for (const child of self.children) {
    const mapped = mapTree(child, fn);
    if (mapped !== child) changed = true;
    if (mapped !== null) children.push(mapped);
  }
  return changed ? { ...self, children } : root;
}

/** Value of an nvpair in the first set of this kind directly under `parent`. */
export function nvpairValue(parent: XmlElement | undefined, setName: string, name: string): string | undefined {
  if (!parent) return undefined;
  for (const set of parent.children) {
    if (set.name !== setName) continue;
    const pair = set.children.find((c) => c.name === 'nvpair' && c.attrs.name === name);
    if (pair) return pair.attrs.value;
  }
  return undefined;
}

/**
 * Sets (value !== null) or removes (value === null) an nvpair in the first set of `setName`
 * under `parent`, creating the set with `setId` when there is none. Returns the new parent.
 */
export function withNvpair(parent: XmlElement, setName: string, setId: string, name: string, value: string | null): XmlElement {
  const setIndex = parent.children.findIndex((c) => c.name === setName && c.children.some((p) => p.name === 'nvpair' && p.attrs.name === name));
  const firstSet = setIndex >= 0 ? setIndex : parent.children.findIndex((c) => c.name === setName);
  const children = parent.children.slice();
  if (firstSet < 0) {
    if (value === null) return parent;
    children.push(element(setName, { id: setId }, [element('nvpair', { id: `${setId}-${name}`, name, value })]));
    return { ...parent, children };
  }
  const set = children[firstSet];
  const pairIndex = set.children.findIndex((c) => c.name === 'nvpair' && c.attrs.name === name);
  const pairs = set.children.slice();
  if (value === null) {
    if (pairIndex < 0) return parent;
    pairs.splice(pairIndex, 1);
  } else if (pairIndex >= 0) {
    pairs[pairIndex] = { ...pairs[pairIndex], attrs: { ...pairs[pairIndex].attrs, value } };
  } else {
    pairs.push(element('nvpair', { id: `${set.attrs.id ?? setId}-${name}`, name, value }));
  }
  children[firstSet] = { ...set, children: pairs };
  return { ...parent, children };
}
