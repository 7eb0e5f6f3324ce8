import type { XmlElement } from '../cib/xml.js';

/** Suffixes crmsh appends to the parent's id for these elements. */
const SUB_PREFIX: Record<string, string> = {
  instance_attributes: 'instance_attributes',
  meta_attributes: 'meta_attributes',
  utilization: 'utilization',
  operations: 'ops',
  rule: 'rule',
  expression: 'expression',
  date_expression: 'expression',
  duration: 'duration',
  date_spec: 'date_spec',
};

/** Elements that never get an id, and references, whose id names something else. */
const IDLESS = new Set([
  'operations', 'fencing-topology', 'select', 'select_attributes', 'select_fencing', 'select_nodes', 'select_resources',
  'docker', 'podman', 'rkt', 'network', 'storage',
]);
/** `role` only ever occurs inside acl_target/acl_group, naming an acl_role. */
const REFERENCES = new Set(['resource_ref', 'obj_ref', 'crmsh-ref', 'role']);

/** The prefix crmsh starts from when a top-level object has no id of its own to lend. */
const TOP_HINT: Record<string, string> = {
  node: 'node',
  primitive: 'rsc',
  template: 'rsc',
  master: 'grp',
  group: 'grp',
  clone: 'grp',
  rsc_location: 'location',
  'fencing-topology': 'fencing',
};

/**
 * The ids in use, and crmsh's way of making new ones: from the parent's id and the element's
 * kind (`d1-instance_attributes`, `d1-monitor-10s`), then `-0`, `-1`, ... on a collision.
 */
export class IdStore {
  private readonly used = new Set<string>();

  constructor(ids: Iterable<string> = []) {
    for (const id of ids) this.used.add(id);
  }

  static ofTree(root: XmlElement): IdStore {
    const store = new IdStore();
    store.addTree(root);
    return store;
  }

  has(id: string): boolean {
    return this.used.has(id);
  }

  add(id: string): void {
    this.used.add(id);
  }

  addTree(el: XmlElement): void {
    walk(el, (e) => {
      if (e.attrs.id !== undefined && !REFERENCES.has(e.name)) this.used.add(e.attrs.id);
    });
  }

  removeTree(el: XmlElement): void {
    walk(el, (e) => {
      if (e.attrs.id !== undefined && !REFERENCES.has(e.name)) this.used.delete(e.attrs.id);
    });
  }

  /** A new id for `el` under a parent whose id (or hint) is `prefix`. */
  fresh(el: XmlElement, prefix: string): string {
    const pfx = /^\d+$/.test(prefix) && el.name !== 'node' ? `num-${prefix}` : prefix;
    let id: string;
    if (el.name === 'nvpair') id = `${pfx}-${el.attrs.name}`;
    else if (el.name === 'op') id = el.attrs.interval ? `${pfx}-${el.attrs.name}-${el.attrs.interval}` : `${pfx}-${el.attrs.name}`;
    else id = Object.hasOwn(SUB_PREFIX, el.name) ? `${pfx}-${SUB_PREFIX[el.name]}` : pfx;
    if (this.used.has(id)) {
      for (let n = 0; n < 99; n++) {
        if (!this.used.has(`${id}-${n}`)) {
          id = `${id}-${n}`;
          break;
        }
      }
    }
    this.used.add(id);
    return id;
  }

  /**
   * Gives every element of a new object that needs one an id, as crmsh does before a commit.
   * When the object replaces `old`, a part that matches a part of the old one keeps its id, so an
   * update changes no more than it must; the old ids stay taken for the rest.
   */
  assign(top: XmlElement, old?: XmlElement): void {
    const harvested = new Set<XmlElement>();
    const visit = (el: XmlElement, oldParent: XmlElement | undefined, prefix: string): void => {
      const ref = oldParent ? matchingChild(el, oldParent, harvested) : undefined;
      if (!REFERENCES.has(el.name) && el.attrs['id-ref'] === undefined && !IDLESS.has(el.name)) {
        const given = el.attrs.id ?? ref?.attrs.id ?? (el.name === 'node' ? el.attrs.uname : undefined);
        if (given !== undefined) {
          this.used.add(given);
          if (el.attrs.id === undefined) el.attrs.id = given;
          if (ref && ref.attrs.id === given) harvested.add(ref);
        } else el.attrs.id = this.fresh(el, prefix);
      }
      const next = el.name === 'node' && el.attrs.uname !== undefined ? el.attrs.uname : (el.attrs.id ?? prefix);
      for (const c of el.children) visit(c, ref ?? oldParent, REFERENCES.has(el.name) ? prefix : next);
    };
    visit(top, old, Object.hasOwn(TOP_HINT, top.name) ? TOP_HINT[top.name] : '');
  }
}

export function walk(el: XmlElement, fn: (e: XmlElement) => void): void {
  fn(el);
  for (const c of el.children) walk(c, fn);
}

/** Attributes that make an old element "the same" as a new one, whose id it may then keep. */
const MATCH_ON: Record<string, string[]> = {
  node: ['uname'],
  nvpair: ['name'],
  op: ['name', 'interval'],
  rule: ['score', 'score-attribute', 'role'],
  expression: ['attribute', 'operation', 'value'],
  'fencing-level': ['target', 'devices'],
  alert: ['path'],
  recipient: ['value'],
};

function matchingChild(el: XmlElement, oldParent: XmlElement, harvested: Set<XmlElement>): XmlElement | undefined {
  const attrs = [...(Object.hasOwn(MATCH_ON, el.name) ? MATCH_ON[el.name] : []), ...(el.attrs.id !== undefined ? ['id'] : [])];
  return oldParent.children.find((c) => c.name === el.name && !harvested.has(c) && attrs.every((a) => c.attrs[a] === el.attrs[a]));
}
