import { childrenNamed, cloneXml, element, firstChild, type XmlElement } from '../cib/xml.js';
import { AttributeError, CLUSTER, emptyStore, flushPending, type AttributeScope, type AttributeStore } from './store.js';

/**
 * Attributes as a CIB keeps them: permanent ones and utilization under
 * configuration/nodes/node, transient ones under status/node_state/transient_attributes,
 * cluster options in crm_config. Reading flattens every set; writing changes only the
 * nvpairs that differ, so rules, extra sets and ids an administrator wrote stay as they were.
 */
export function storeFromCib(cib: XmlElement): AttributeStore {
  const values: Record<AttributeScope, Record<string, Record<string, string>>> = { transient: {}, permanent: {}, utilization: {}, cluster: {} };
  const put = (scope: AttributeScope, node: string, set: XmlElement): void => {
    for (const nv of childrenNamed(set, 'nvpair')) {
      if (nv.attrs.name !== undefined && nv.attrs.value !== undefined) (values[scope][node] ??= {})[nv.attrs.name] = nv.attrs.value;
    }
  };
  const config = firstChild(cib, 'configuration');
  for (const node of childrenNamed(firstChild(config ?? cib, 'nodes') ?? element('nodes'), 'node')) {
    const name = node.attrs.uname ?? node.attrs.id;
    for (const set of childrenNamed(node, 'instance_attributes')) put('permanent', name, set);
    for (const set of childrenNamed(node, 'utilization')) put('utilization', name, set);
  }
  for (const set of childrenNamed(firstChild(config ?? cib, 'crm_config') ?? element('crm_config'), 'cluster_property_set')) put('cluster', CLUSTER, set);
  for (const state of childrenNamed(firstChild(cib, 'status') ?? element('status'), 'node_state')) {
    const name = state.attrs.uname ?? state.attrs.id;
    for (const ta of childrenNamed(state, 'transient_attributes')) {
      for (const set of childrenNamed(ta, 'instance_attributes')) put('transient', name, set);
    }
  }
  return { ...emptyStore(), values };
}

type Change = { scope: AttributeScope; node: string; name: string; value: string | undefined };

function diff(before: AttributeStore, after: AttributeStore): Change[] {
  const changes: Change[] = [];
  for (const scope of ['transient', 'permanent', 'utilization', 'cluster'] as AttributeScope[]) {
    const nodes = new Set([...Object.keys(before.values[scope]), ...Object.keys(after.values[scope])]);
    for (const node of nodes) {
      const a = before.values[scope][node] ?? {};
      const b = after.values[scope][node] ?? {};
      for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (a[name] !== b[name]) changes.push({ scope, node, name, value: b[name] });
      }
    }
  }
  return changes;
}

function section(parent: XmlElement, name: string): XmlElement {
  let child = firstChild(parent, name);
  if (!child) {
    child = element(name);
    parent.children.push(child);
  }
  return child;
}

const xmlId = (s: string): string => s.replace(/[^A-Za-z0-9_.-]/g, '_');

/** The CIB with `after`'s values; dampened writes are committed at once, there being no daemon to wait. */
export function applyStoreToCib(cib: XmlElement, before: AttributeStore, after: AttributeStore): XmlElement {
  const out = cloneXml(cib);
  const config = section(out, 'configuration');
  const nodes = section(config, 'nodes');
  const findNode = (uname: string): XmlElement => {
    const node = childrenNamed(nodes, 'node').find((n) => (n.attrs.uname ?? n.attrs.id) === uname);
    if (!node) throw new AttributeError(`node '${uname}' is not in the CIB's nodes section`);
    return node;
  };
  for (const c of diff(before, flushPending(after, Infinity))) {
    let holder: XmlElement;
    let setName: string;
    let setId: string;
    if (c.scope === 'cluster') {
      holder = section(config, 'crm_config');
      setName = 'cluster_property_set';
      setId = 'cib-bootstrap-options';
    } else if (c.scope === 'transient') {
      const node = findNode(c.node);
      const id = node.attrs.id;
      const status = section(out, 'status');
      let state = childrenNamed(status, 'node_state').find((s) => (s.attrs.uname ?? s.attrs.id) === c.node);
      if (!state) {
        state = element('node_state', { id, uname: c.node });
        status.children.push(state);
      }
      holder = childrenNamed(state, 'transient_attributes')[0] ?? section(state, 'transient_attributes');
      holder.attrs.id ??= id;
      setName = 'instance_attributes';
      setId = `status-${id}`;
    } else {
      holder = findNode(c.node);
      setName = c.scope === 'utilization' ? 'utilization' : 'instance_attributes';
      setId = c.scope === 'utilization' ? `nodes-${holder.attrs.id}-utilization` : `nodes-${holder.attrs.id}`;
    }
    const sets = childrenNamed(holder, setName);
    if (c.value === undefined) {
      for (const set of sets) set.children = set.children.filter((nv) => !(nv.name === 'nvpair' && nv.attrs.name === c.name));
      continue;
    }
    const existing = sets.flatMap((s) => childrenNamed(s, 'nvpair')).find((nv) => nv.attrs.name === c.name);
    if (existing) {
      existing.attrs.value = c.value;
      continue;
    }
    let set = sets[0];
    if (!set) {
      set = element(setName, { id: xmlId(setId) });
      holder.children.push(set);
    }
    set.children.push(element('nvpair', { id: xmlId(`${set.attrs.id ?? setId}-${c.name}`), name: c.name, value: c.value }));
  }
  return out;
}
