import type { XmlElement } from '../xml.js';
import type { AttrSpec } from './spec.js';

/**
 * What a model object keeps of its XML beyond the fields the model understands, so that a CIB read
 * and written back loses nothing: attributes and child elements the model does not know (kept
 * whole), and the document order of attributes and children.
 */
export interface Extra {
  /** Attributes the model does not know, in document order. */
  readonly attrs: Readonly<Record<string, string>>;
  /** Child elements the model does not know, kept whole; their place is in `layout.children`. */
  readonly children: readonly XmlElement[];
  readonly layout: Layout;
  /** Character data directly inside the element, which no CIB element defines. */
  readonly text?: string;
}

/**
 * Document order of an element's attribute names and (for elements whose children are of several
 * kinds) child element names. Objects read from one document share equal layouts, so keeping
 * order costs little memory even for a CIB with a hundred thousand history entries.
 */
export interface Layout {
  readonly attrs: readonly string[];
  readonly children: readonly string[];
}

/** Which attributes and children an element's model understands. */
export interface Shape {
  readonly attrs: ReadonlySet<string>;
  readonly children: ReadonlySet<string>;
  /**
   * The element's children are one ordered list of a union type (resources, constraints, rule
   * expressions) that keeps unknown children in place itself, so the layout records no children.
   */
  readonly list?: boolean;
}

export function shape(attrs: readonly string[], children: readonly string[] = [], list = false): Shape {
  return { attrs: new Set(attrs), children: new Set(children), list };
}

const NO_ATTRS: Readonly<Record<string, string>> = Object.freeze({});
const NO_CHILDREN: readonly XmlElement[] = Object.freeze([]);

interface TrieNode {
  next: Map<string, TrieNode>;
  layout?: Layout;
  plain?: Extra;
}

const newNode = (): TrieNode => ({ next: new Map() });
/** Separates attribute names from child names in the trie's paths; not a valid XML name. */
const CHILDREN_MARK = '|';

/**
 * Interns layouts while one document is read: a trie over attribute names, then child names,
 * finds the shared layout without building a key string for each of the document's elements.
 */
export class LayoutCache {
  private readonly root = newNode();

  extraOf(el: XmlElement, s: Shape): Extra {
    let extraAttrs: Record<string, string> | undefined;
    let node = this.root;
    for (const name in el.attrs) {
      node = step(node, name);
      if (!s.attrs.has(name)) (extraAttrs ??= {})[name] = el.attrs[name];
    }
    node = step(node, CHILDREN_MARK);
    let extraChildren: XmlElement[] | undefined;
    let recordChildren = false;
    if (!s.list) {
      let last = '';
      for (const child of el.children) {
        if (last !== '' && child.name !== last) recordChildren = true;
        last = child.name;
        if (!s.children.has(child.name)) {
          (extraChildren ??= []).push(child);
          recordChildren = true;
        }
      }
      // One run of one kind of known child needs no recorded order.
      if (recordChildren) for (const child of el.children) node = step(node, child.name);
    }
    if (!node.layout) {
      node.layout = { attrs: Object.keys(el.attrs), children: recordChildren ? el.children.map((c) => c.name) : [] };
    }
    if (!extraAttrs && !extraChildren && el.text === undefined) {
      return (node.plain ??= { attrs: NO_ATTRS, children: NO_CHILDREN, layout: node.layout });
    }
    const extra: Extra = { attrs: extraAttrs ?? NO_ATTRS, children: extraChildren ?? NO_CHILDREN, layout: node.layout };
    return el.text === undefined ? extra : { ...extra, text: el.text };
  }
}

function step(node: TrieNode, name: string): TrieNode {
  let next = node.next.get(name);
  if (!next) {
    next = newNode();
    node.next.set(name, next);
  }
  return next;
}

/**
 * Builds an element from a model object (its attributes are the fields `spec` names; undefined
 * means absent), its children, and what the model kept of the original. `children` is either one
 * ordered list, or groups in canonical order that the recorded layout puts back in document order.
 */
export function build(
  name: string,
  obj: object,
  spec: AttrSpec,
  extra: Extra | undefined,
  children: { list: XmlElement[] } | XmlElement[][] = [],
): XmlElement {
  const el: XmlElement = { name, attrs: orderAttrs(obj as Record<string, unknown>, spec, extra), children: [] };
  if ('list' in children) el.children = children.list;
  else el.children = orderChildren(children, extra);
  if (extra?.text !== undefined) el.text = extra.text;
  return el;
}

function orderAttrs(values: Record<string, unknown>, spec: AttrSpec, extra: Extra | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  let placed = 0;
  if (extra) {
    for (const attr of extra.layout.attrs) {
      const field = spec.fieldOf.get(attr);
      const known = field === undefined ? undefined : (values[field] as string | undefined);
      if (known !== undefined) {
        out[attr] = known;
        placed++;
      } else if (extra.attrs[attr] !== undefined) out[attr] = extra.attrs[attr];
    }
  }
  // Fields set by code after reading (or on an object never read) have no place in the layout.
  let defined = 0;
  for (const [field] of spec.pairs) if (values[field] !== undefined) defined++;
  if (defined !== placed) {
    for (const [field, attr] of spec.pairs) {
      const value = values[field] as string | undefined;
      if (value !== undefined && !(attr in out)) out[attr] = value;
    }
  }
  if (extra) for (const attr in extra.attrs) if (!(attr in out)) out[attr] = extra.attrs[attr];
  return out;
}

function orderChildren(groups: XmlElement[][], extra: Extra | undefined): XmlElement[] {
  const typed = groups.length === 1 ? groups[0] : groups.flat();
  if (!extra || (extra.layout.children.length === 0 && extra.children.length === 0)) return typed;
  const all = extra.children.length === 0 ? typed : [...typed, ...extra.children];
  if (extra.layout.children.length === 0) return all;
  const queues = new Map<string, XmlElement[]>();
  for (const child of all) {
    const queue = queues.get(child.name);
    if (queue) queue.push(child);
    else queues.set(child.name, [child]);
  }
  const out: XmlElement[] = [];
  const used = new Set<XmlElement>();
  const next = new Map<string, number>();
  for (const name of extra.layout.children) {
    const queue = queues.get(name);
    const i = next.get(name) ?? 0;
    if (queue && i < queue.length) {
      out.push(queue[i]);
      used.add(queue[i]);
      next.set(name, i + 1);
    }
  }
  for (const child of all) if (!used.has(child)) out.push(child);
  return out;
}
