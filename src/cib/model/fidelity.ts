import type { XmlElement } from '../xml.js';

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

/** Interns layouts while one document is read. */
export class LayoutCache {
  private readonly layouts = new Map<string, Layout>();
  private readonly plain = new Map<Layout, Extra>();

  extraOf(el: XmlElement, s: Shape): Extra {
    let extraAttrs: Record<string, string> | undefined;
    let key = '';
    for (const name in el.attrs) {
      key += name + ' ';
      if (!s.attrs.has(name)) (extraAttrs ??= {})[name] = el.attrs[name];
    }
    let extraChildren: XmlElement[] | undefined;
    let childKey = '';
    if (!s.list) {
      let kinds = 0;
      let last = '';
      for (const child of el.children) {
        childKey += child.name + ' ';
        if (child.name !== last) kinds++;
        last = child.name;
        if (!s.children.has(child.name)) (extraChildren ??= []).push(child);
      }
      // One run of one kind of child needs no recorded order.
      if (kinds <= 1 && !extraChildren) childKey = '';
    }
    key += '|' + childKey;
    let layout = this.layouts.get(key);
    if (!layout) {
      layout = {
        attrs: Object.keys(el.attrs),
        children: childKey === '' ? [] : el.children.map((c) => c.name),
      };
      this.layouts.set(key, layout);
    }
    if (!extraAttrs && !extraChildren && el.text === undefined) {
      let extra = this.plain.get(layout);
      if (!extra) {
        extra = { attrs: NO_ATTRS, children: NO_CHILDREN, layout };
        this.plain.set(layout, extra);
      }
      return extra;
    }
    const extra: Extra = { attrs: extraAttrs ?? NO_ATTRS, children: extraChildren ?? NO_CHILDREN, layout };
    return el.text === undefined ? extra : { ...extra, text: el.text };
  }
}

/**
 * Builds an element from the model's attributes (in the model's canonical order; undefined means
 * absent), its children, and what the model kept of the original. `children` is either one
 * ordered list, or groups in canonical order that the recorded layout puts back in document order.
 */
export function build(
  name: string,
  known: Record<string, string | undefined>,
  extra: Extra | undefined,
  children: { list: XmlElement[] } | XmlElement[][] = [],
): XmlElement {
  const el: XmlElement = { name, attrs: orderAttrs(known, extra), children: [] };
  if ('list' in children) el.children = children.list;
  else el.children = orderChildren(children, extra);
  if (extra?.text !== undefined) el.text = extra.text;
  return el;
}

function orderAttrs(known: Record<string, string | undefined>, extra: Extra | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (extra) {
    for (const name of extra.layout.attrs) {
      const value = name in known ? known[name] : extra.attrs[name];
      if (value !== undefined) out[name] = value;
    }
  }
  for (const name in known) {
    const value = known[name];
    if (value !== undefined && !(name in out)) out[name] = value;
  }
  if (extra) for (const name in extra.attrs) if (!(name in out)) out[name] = extra.attrs[name];
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
